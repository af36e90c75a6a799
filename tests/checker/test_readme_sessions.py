"""README.md's lattice_check sessions are what the tool prints on the default config."""
from __future__ import annotations

import difflib

from tests.helpers import ROOT
from tools.readme_sessions import render


def test_readme_sessions_are_current(default_out) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("<!-- session") == readme.count("<!-- end session -->") >= 6
    fresh = render(readme, default_out)
    diff = "".join(difflib.unified_diff(readme.splitlines(True), fresh.splitlines(True), "README.md", "lattice_check now"))
    assert not diff, f"README.md sessions are stale: run `make docs`\n{diff}"


def test_sessions_show_the_exit_status(default_out) -> None:
    text = render("<!-- session: curl --from shared-blue-account/blue-sandbox http://shared-service/?q=green -->\n<!-- end session -->", default_out)
    assert text.splitlines()[2] == "$ pipenv run lattice_check curl --from shared-blue-account/blue-sandbox http://shared-service/?q=green"
    assert "< DENY 403" in text and text.endswith("(exit status 1)\n```\n<!-- end session -->")
