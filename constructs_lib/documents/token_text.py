"""How a cdktf token looks inside a string, decided without cdktf: a string that
holds one is only known at apply. No cdktf import, so documents built from plain
values (policies the config checks measure) need none."""
from __future__ import annotations

import re

_STRING_TOKEN = re.compile(r"\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}")


def has_string_token(value: str) -> bool:
    """True when ``value`` holds a token (a reference resolved at apply)."""
    return _STRING_TOKEN.search(value) is not None
