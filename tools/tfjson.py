"""Read JSON-valued arguments of synthesized Terraform back into Python values.

An argument is either a literal JSON string or ``${jsonencode(<HCL object>)}`` as
cdktf renders it. In the decoded value a bare reference such as ``aws_vpc.v.id``
becomes the string ``"${aws_vpc.v.id}"``, so both forms compare the same way.
"""
from __future__ import annotations

import json
from typing import Any

_PREFIX = "${jsonencode("
_SUFFIX = ")}"


def decode_json_argument(value: str) -> Any:
    if value.startswith(_PREFIX) and value.endswith(_SUFFIX):
        return json.loads(_hcl_to_json(value[len(_PREFIX) : -len(_SUFFIX)]))
    return json.loads(value)


def _hcl_to_json(text: str) -> str:
    """Translate cdktf's rendering of an HCL object/tuple literal to JSON."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif ch in "{}[],:":
            out.append(ch)
            i += 1
        elif ch == "=":
            out.append(":")
            i += 1
        elif ch.isspace():
            i += 1
        else:  # a bare expression: a reference, a number, true/false/null
            end = i
            depth = 0
            while end < len(text) and (depth or text[end] not in ",}]"):
                depth += text[end] in "([" and 1 or 0
                depth -= text[end] in ")]" and 1 or 0
                end += 1
            token = text[i:end].strip()
            if token in ("true", "false", "null") or _is_number(token):
                out.append(token)
            else:
                out.append(json.dumps("${" + token + "}"))
            i = end
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """Index after the closing quote of the string at ``start`` (skips ``${...}``)."""
    i = start + 1
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if ch == "}" and depth:
            depth -= 1
        elif ch == '"' and not depth:
            return i + 1
        i += 1
    raise ValueError(f"unterminated string in {text!r}")


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
