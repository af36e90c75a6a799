"""The docs hold together: README.md stays a short start for a newcomer, each pattern
has its page, and every relative link of README.md and docs/**/*.md reaches a file
and, with an #anchor, a heading GitHub would make that anchor for."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from tests.helpers import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PATTERNS = ("distributed", "centralized", "shared", "microservices", "ingress", "multicluster", "topology")

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)


def pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def _prose(text: str) -> str:
    """``text`` without its fenced code blocks (their lines are neither headings nor links)."""
    return _FENCE.sub("", text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text (markup dropped), lowercase, every
    character but letters, digits, underscores, spaces and hyphens dropped, spaces
    to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor of a page's headings, duplicates numbered as GitHub numbers them."""
    found: set[str] = set()
    for match in _HEADING.finditer(_prose(path.read_text(encoding="utf-8"))):
        base = slug(match.group(2))
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def links(path: Path) -> list[str]:
    """The targets of a page's Markdown links and images, outside code."""
    prose = _CODE_SPAN.sub("", _prose(path.read_text(encoding="utf-8")))
    return [match.group(1) for match in _LINK.finditer(prose)]


def test_slugs_are_githubs() -> None:
    assert slug("Your own topology: accounts, networks, services, consumers and who may call what") == (
        "your-own-topology-accounts-networks-services-consumers-and-who-may-call-what"
    )
    assert slug("lattice_check: offline reachability and authorization") == "lattice_check-offline-reachability-and-authorization"
    assert slug("1. Distributed: a service account (seed 000)") == "1-distributed-a-service-account-seed-000"
    assert slug("The `cloud` block, and **why**") == "the-cloud-block-and-why"


def test_every_relative_link_and_anchor_resolves() -> None:
    broken = []
    for page in pages():
        for target in links(page):
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / unquote(file_part)).resolve() if file_part else page
            where = f"{page.relative_to(ROOT)}: {target}"
            if not linked.exists():
                broken.append(f"{where}: no such file")
            elif not linked.is_relative_to(ROOT):
                broken.append(f"{where}: outside the project")
            elif anchor and linked.suffix == ".md" and unquote(anchor).lower() not in anchors(linked):
                broken.append(f"{where}: no heading makes #{anchor}")
    assert broken == []


def test_the_links_are_found() -> None:
    """The checks above see the links: the README links every pattern's page."""
    readme_links = links(README)
    assert all(f"docs/patterns/{name}.md" in readme_links for name in PATTERNS)
    assert any("#" in target for page in pages() for target in links(page)), "anchors are checked too"


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines: move detail to a page under docs/"


def test_each_pattern_has_its_page() -> None:
    missing = [name for name in PATTERNS if not (DOCS / "patterns" / f"{name}.md").is_file()]
    assert missing == []
    for name in PATTERNS:
        first = (DOCS / "patterns" / f"{name}.md").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# "), f"docs/patterns/{name}.md starts with its title"
