"""The lattice_check sessions shown in the docs, run for real and written back.

Sessions may sit in README.md and in any page under docs/ (``docs/**/*.md``). A
session is a marker naming the command, followed by what it printed::

    <!-- session: curl --from distributed-consumer-account/vpc1 http://lambda-service/ -->
    ```console
    $ pipenv run lattice_check curl --from distributed-consumer-account/vpc1 http://lambda-service/
    ...output...
    (exit status 0)
    ```
    <!-- end session -->

``<!-- session mermaid: diagram -->`` puts the output alone in a ```mermaid block,
which GitHub draws. A test checks every page is current; after a change that alters
an answer, run ``make docs`` (tools/docs.py), which runs them on the shipped
config's output and writes nothing unless every session of every page ran: a
session that ends with status 2 (bad input) or raises stops it.
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

from lattice_check.__main__ import main as lattice_check

_SESSION = re.compile(r"(<!-- session( mermaid)?: (.+?) -->\n)(.*?)(<!-- end session -->)", re.S)


class FailedSession(RuntimeError):
    """A session that could not run as written (status 2: bad input)."""


def run(command: str, outdir: Path) -> tuple[str, int]:
    """What ``lattice_check <command>`` prints on stdout and its exit status;
    FailedSession, with what it printed on stderr, when that status is 2."""
    arguments = shlex.split(command)
    buffer, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(errors):
        status = lattice_check([arguments[0], "--out", str(outdir), *arguments[1:]])
    if status == 2:
        raise FailedSession(f"session {command!r} ended with status 2: {errors.getvalue().strip()}")
    return buffer.getvalue(), status


def holds_sessions(text: str) -> bool:
    """Whether ``text`` (a Markdown page) has at least one session block."""
    return _SESSION.search(text) is not None


def render(text: str, outdir: Path) -> str:
    """``text`` with every session block replaced by a fresh run."""

    def block(match: re.Match[str]) -> str:
        marker, mermaid, command, _, end = match.groups()
        output, status = run(command, outdir)
        if mermaid:
            return f"{marker}```mermaid\n{output}```\n{end}"
        return f"{marker}```console\n$ pipenv run lattice_check {command}\n{output}(exit status {status})\n```\n{end}"

    return _SESSION.sub(block, text)

