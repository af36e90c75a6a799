"""One way to check a value against a regular expression: the whole value, in ASCII.

``re.match`` with ``^...$`` lets a trailing newline through (``$`` matches before
it) and ``\\d``/``\\w`` match digits and letters of every script, so ``"1111\\n"`` or
Arabic-Indic digits passed as an account id. Every config and construct rule
builds its matcher here instead. No cdktf import."""
from __future__ import annotations

import re
from typing import Callable, Optional

TextRule = Callable[[str], Optional["re.Match[str]"]]


def text_rule(regex: str, *, any_script: bool = False) -> TextRule:
    """A matcher of ``regex`` against the whole of a value (no anchors needed):
    the match, or None. ASCII classes unless ``any_script`` (tag text, which AWS
    allows in any script's letters)."""
    return re.compile(regex, 0 if any_script else re.ASCII).fullmatch
