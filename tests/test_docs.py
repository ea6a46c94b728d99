"""The documentation holds together: citations in the code and links between pages all land."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITED = re.compile(r"docs/(\w+)\.md (?:section|s\.) (\d+)")
LINK = re.compile(r"\]\(([^)#\s]*)(?:#([^)\s]+))?\)")


def _sources() -> list[Path]:
    folders = ("scheduler", "solver", "api", "whatif", "exports", "tests", "bench", "fixtures")
    found = [p for folder in folders for p in (ROOT / folder).rglob("*") if p.is_file()]
    return [p for p in found if p.suffix in (".py", ".md", ".html")]


def _anchors(page: Path) -> set[str]:
    """Give the anchors of a Markdown page's headings, as GitHub makes them."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_section_the_code_cites_exists() -> None:
    """Each `docs/PAGE.md section N` in the code names a page with a heading numbered N."""
    cited = {
        (page, int(number), path.relative_to(ROOT).as_posix())
        for path in _sources()
        for page, number in CITED.findall(path.read_text(encoding="utf-8"))
    }
    assert len(cited) >= 10
    missing = []
    for page, number, where in sorted(cited):
        text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
        if not re.search(rf"^## {number}\. ", text, re.MULTILINE):
            missing.append(f"{where}: docs/{page}.md section {number}")
    assert missing == []


def test_no_code_cites_a_design_file_that_is_not_there() -> None:
    """No file cites DESIGN.md, which the repository does not hold."""
    others = [p for p in _sources() if p != Path(__file__).resolve()]
    assert [p.relative_to(ROOT).as_posix() for p in others if "DESIGN.md" in p.read_text()] == []


def test_links_between_pages_land_on_a_file_and_a_heading() -> None:
    """Every relative link of the README, the changelog and docs/ names a file and heading there."""
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target, anchor in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                continue
            linked = (page.parent / target).resolve() if target else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target}#{anchor}")
    assert broken == []
