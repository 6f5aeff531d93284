"""Every link from a graded part (and a named mistake) to the book resolves on the built site."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from coursekit import pipeline, sections

ROOT = Path(__file__).resolve().parents[1]


def test_the_site_url_is_the_one_of_the_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["html"]["baseurl"].rstrip("/") == sections.SITE_URL


def test_every_graded_part_has_a_section():
    for aid in pipeline.assignment_ids(ROOT):
        parts = {gid for gid, _, _ in pipeline._grade_cells(ROOT, aid)}
        assert parts == set(sections.PART_SECTIONS.get(aid, {})), aid


def _all_sections() -> set[str]:
    import importlib
    import pkgutil

    import coursekit.grading
    from coursekit.grading.diagnosers import DIAGNOSERS

    found = {s for parts in sections.PART_SECTIONS.values() for s in parts.values()}
    found |= {d.section for d in DIAGNOSERS.values() if d.section}
    for info in pkgutil.iter_modules(coursekit.grading.__path__):
        module = importlib.import_module(f"coursekit.grading.{info.name}")
        for mistakes in getattr(module, "MISTAKES", {}).values():
            found |= {m.section for m in mistakes if m.section}
    return found


def test_every_section_anchor_exists_on_the_built_site(site_build):
    ids: dict[Path, set[str]] = {}
    for section in sorted(_all_sections()):
        url, local = sections.section_links(section)
        assert url.startswith(f"{sections.SITE_URL}/book/")
        assert local.startswith(f"{sections.LOCAL_SITE}/book/")
        page, _, anchor = local.removeprefix(sections.LOCAL_SITE + "/").partition("#")
        path = site_build.html / page
        assert path.is_file(), f"{section}: no page {page} in the built site"
        if path not in ids:
            ids[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
        assert anchor in ids[path], f"{section}: no element with id {anchor!r} on {page}"
