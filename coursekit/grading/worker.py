"""The sandboxed worker: runs one student's notebook cells and answers the grader's calls on its objects.

Started by :mod:`coursekit.grading.sandbox` inside bubblewrap, with the channel's socket on the file
descriptor named by ``CK_CHANNEL_FD``.
It holds no check, no expected value, no hidden input and no secret: the grader sends it the notebook's cells
one by one (``exec``), asks for the objects that a part grades (``get``), calls them through handles
(:class:`~coursekit.grading.channel.Endpoint`), and binds correct stand-ins for the other parts (``bind``).
Whatever the student's code does here can only change the answers of that student.

Cells run in an IPython shell, so magics, ``display`` and inline figures work as in Jupyter; their outputs are
sent back as nbformat output dictionaries, cut at :data:`MAX_CELL_OUTPUT` bytes.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

MAX_CELL_OUTPUT = 2**20
"""Bytes of output text kept per cell (the grader enforces its own limit as well)."""
WARM_IMPORTS = ("numpy", "matplotlib.pyplot", "pandas")
"""Imported while the worker waits for its notebook (the first lines of every assignment import them)."""
PROVIDED: dict[tuple[str, str], Any] = {}
"""(module, name) -> a proxy of an object the grader provides to the notebook's own cells."""


def provided(module: str, name: str) -> Any:
    """The grader's object ``module.name`` (the stub modules of the sandbox's coursekit call this)."""
    if (module, name) not in PROVIDED:
        raise ImportError(f"{module}.{name} is not available while your notebook is graded")
    return PROVIDED[module, name]


def _shell() -> Any:
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    outputs: list[dict] = []

    class Hook(DisplayHook):
        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
            outputs.append({"output_type": "execute_result", "data": dict(format_dict),
                            "metadata": dict(md_dict or {}), "execution_count": self.prompt_count})

    class Publisher(DisplayPublisher):
        def publish(self, data: dict, metadata: dict | None = None, *args: Any, **kwargs: Any) -> None:
            outputs.append({"output_type": "display_data", "data": dict(data),
                            "metadata": dict(metadata or {})})

        def clear_output(self, wait: bool = False) -> None:
            outputs.clear()

    class Shell(InteractiveShell):
        def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
            outputs.append({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                            "evalue": str(evalue), "traceback": list(stb)})

    shell = Shell.instance(displayhook_class=Hook, display_pub_class=Publisher, colors="NoColor",
                           history_length=0, cache_size=100)
    shell.history_manager.enabled = False
    shell.outputs = outputs
    try:
        shell.enable_matplotlib("inline")
    except Exception:  # noqa: BLE001 - a notebook without matplotlib still runs
        pass
    return shell


class _Stream:
    """sys.stdout / sys.stderr of a cell: text becomes one stream output, cut at MAX_CELL_OUTPUT."""

    def __init__(self, outputs: list[dict], name: str) -> None:
        self.outputs, self.name, self.size = outputs, name, 0
        self.encoding, self.errors = "utf-8", "replace"

    def write(self, text: str) -> int:
        text = str(text)
        if self.size >= MAX_CELL_OUTPUT:
            return len(text)
        keep = text[: MAX_CELL_OUTPUT - self.size]
        self.size += len(keep)
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == self.name:
            last["text"] += keep
        else:
            self.outputs.append({"output_type": "stream", "name": self.name, "text": keep})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("no file descriptor")


def main() -> None:
    from coursekit_worker.channel import Endpoint

    sys.modules.setdefault("coursekit_worker.worker", sys.modules[__name__])  # one PROVIDED, run as __main__
    sock = socket.socket(fileno=int(os.environ["CK_CHANNEL_FD"]))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    shell = _shell()
    for module in WARM_IMPORTS:
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - the notebook's own import will report it
            pass
    saved: dict[str, Any] = {}
    missing = object()

    def serve(op: str, fields: dict) -> Any:
        ns = shell.user_ns
        if op == "exec":
            shell.outputs.clear()
            out, err = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = _Stream(shell.outputs, "stdout"), _Stream(shell.outputs, "stderr")
            try:
                shell.run_cell(str(fields["source"]), store_history=True)
            finally:
                sys.stdout, sys.stderr = out, err
            return list(shell.outputs)
        if op == "put":  # a pre-started worker receives its notebook, once, before any cell runs
            path = os.path.join(os.environ["HOME"], "submission.ipynb")
            if shell.execution_count > 1 or os.path.exists(path):
                raise PermissionError("the notebook is already in place")
            with open(path, "w", encoding="utf-8") as f:
                f.write(str(fields["text"]))
            return None
        if op == "get":
            name = str(fields["name"])
            if name not in ns:
                raise NameError(f"name '{name}' is not defined")
            return ns[name]
        if op == "provide":
            for module, names in dict(fields["objects"]).items():
                for name, value in dict(names).items():
                    PROVIDED[str(module), str(name)] = value
            return None
        if op == "bind":
            for name, value in dict(fields["names"]).items():
                saved.setdefault(name, ns.get(name, missing))
                ns[name] = value
            return None
        if op == "unbind":
            for name, value in saved.items():
                if value is missing:
                    ns.pop(name, None)
                else:
                    ns[name] = value
            saved.clear()
            return None
        raise PermissionError(f"unknown request {op!r}")

    endpoint = Endpoint(sock, "w", serve)
    while True:
        header, fields = endpoint.recv()
        endpoint.serve_one(header, fields)


if __name__ == "__main__":
    main()
