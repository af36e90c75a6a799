"""The lattice_check sessions shown in README.md, run for real and written back.

A session is a marker naming the command, followed by what it printed::

    <!-- session: curl --from distributed-consumer-account/vpc1 http://lambda-service/ -->
    ```console
    $ pipenv run lattice_check curl --from distributed-consumer-account/vpc1 http://lambda-service/
    ...output...
    (exit status 0)
    ```
    <!-- end session -->

``<!-- session mermaid: diagram -->`` puts the output alone in a ```mermaid block,
which GitHub draws. A test checks README.md is current; after a change that alters
an answer, run ``make docs``.

    python -m tools.readme_sessions cdktf.out README.md
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from pathlib import Path

from lattice_check.__main__ import main as lattice_check

_SESSION = re.compile(r"(<!-- session( mermaid)?: (.+?) -->\n)(.*?)(<!-- end session -->)", re.S)


def run(command: str, outdir: Path) -> tuple[str, int]:
    """What ``lattice_check <command>`` prints on stdout and its exit status."""
    arguments = shlex.split(command)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = lattice_check([arguments[0], "--out", str(outdir), *arguments[1:]])
    return buffer.getvalue(), status


def render(text: str, outdir: Path) -> str:
    """``text`` with every session block replaced by a fresh run."""

    def block(match: re.Match[str]) -> str:
        marker, mermaid, command, _, end = match.groups()
        output, status = run(command, outdir)
        if mermaid:
            return f"{marker}```mermaid\n{output}```\n{end}"
        return f"{marker}```console\n$ pipenv run lattice_check {command}\n{output}(exit status {status})\n```\n{end}"

    return _SESSION.sub(block, text)


if __name__ == "__main__":
    outdir, readme = Path(sys.argv[1]), Path(sys.argv[2])
    readme.write_text(render(readme.read_text(encoding="utf-8"), outdir), encoding="utf-8")
