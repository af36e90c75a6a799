"""JSON documents (policies, secret values) as Terraform argument values.

A document without cdktf tokens becomes a literal compact JSON string with sorted
keys. A document that references other resources becomes ``${jsonencode({...})}``:
embedding ``${...}`` inside a JSON string literal is valid Terraform JSON but
``cdktf synth --hcl`` mangles it, while ``jsonencode`` reads well in both outputs
and Terraform renders it at apply as the same compact JSON with sorted keys.
"""
from __future__ import annotations

import json
from typing import Any

from .token_text import has_string_token


def has_tokens(value: Any) -> bool:
    if isinstance(value, str):
        return has_string_token(value)
    if isinstance(value, dict):
        return any(has_tokens(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_tokens(v) for v in value)
    return False


def sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [sorted_keys(v) for v in value]
    return value


def json_document(document: Any) -> str:
    ordered = sorted_keys(document)
    if has_tokens(ordered):
        # tokens exist only once cdktf has made them, so it is loaded already; a plain
        # document (a policy the config checks measure before the import) needs no cdktf
        from ..runtime.cdk import Fn

        return Fn.jsonencode(ordered)
    return json.dumps(ordered, separators=(",", ":"))
