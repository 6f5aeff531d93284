"""Copies of a reference's source text: a normalized-AST similarity, reported to the instructor (not scored).

Two functions are compared after their docstrings are dropped and every local name (arguments, variables) is
renamed by order of appearance, so a copy with other names still matches, while attribute names (``np.exp``)
and the structure must agree. The score is difflib's ratio of the two token sequences.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import inspect
import re

THRESHOLD = 0.9
"""Similarity from which an answer is flagged as a copy of a reference."""
MIN_TOKENS = 60
"""Shorter definitions (a one-line formula) are not compared: a correct answer may well read the same."""


class _Rename(ast.NodeTransformer):
    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _name(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.copy_location(ast.Name(id=self._name(node.id), ctx=node.ctx), node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return ast.copy_location(ast.arg(arg=self._name(node.arg)), node)

    def _body(self, node: ast.AST) -> ast.AST:
        body = getattr(node, "body", [])
        first = body[0] if body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str):
            node.body = body[1:] or [ast.Pass()]
        node.name = "f"
        return self.generic_visit(node)

    visit_FunctionDef = visit_ClassDef = _body


def tokens(node: ast.AST) -> list[str]:
    """The normalized token sequence of a function or class definition."""
    dump = ast.dump(_Rename().visit(ast.parse(ast.unparse(node))), annotate_fields=False)
    return re.findall(r"\w+|[^\w\s]", dump)


@functools.cache
def _references(modules: tuple[str, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    out = []
    for name in modules:
        module = importlib.import_module(name)
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                out.append((f"{name}.{node.name}", type(node).__name__, tuple(tokens(node))))
    return out


def copies(source: str, modules: tuple[str, ...]) -> list[tuple[str, str, float]]:
    """``(student definition, reference, similarity)`` for each definition in ``source`` that is at least
    :data:`THRESHOLD` similar to a public function or class of ``modules``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.ClassDef):
            continue
        mine = tokens(node)
        if len(mine) < MIN_TOKENS:
            continue
        best = (0.0, "")
        for ref, kind, theirs in _references(modules):
            if kind != type(node).__name__ or len(theirs) < MIN_TOKENS:
                continue
            matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
            if matcher.real_quick_ratio() >= THRESHOLD and matcher.quick_ratio() >= THRESHOLD:
                best = max(best, (matcher.ratio(), ref))
        if best[0] >= THRESHOLD:
            found.append((node.name, best[1], round(best[0], 3)))
    return found
