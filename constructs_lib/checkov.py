"""Accepted findings of the checkov security scan, recorded at the resource.

Each call puts ``checkov:skip=<ID>:<reason>`` into the resource's ``"//"`` metadata
block of the synthesized JSON, which checkov reads as an in-line suppression of
that one resource. The reason travels with the resource, in the construct that
creates it, so every suppression is visible where the resource is defined.
"""
from __future__ import annotations

import re
from typing import Any

_CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")


def accept_risk(element: Any, check_id: str, reason: str) -> None:
    """Suppress checkov check ``check_id`` on ``element`` (a resource or data source)."""
    if not _CHECK_ID.match(check_id):
        raise ValueError(f"{check_id!r} is not a checkov AWS check id")
    if not reason.strip() or "\n" in reason or '"' in reason:
        raise ValueError(f"{check_id}: the reason must be one line without double quotes")
    accepted: list[str] = element.__dict__.setdefault("_checkov_accepted", [])
    accepted.append(f"checkov:skip={check_id}:{reason}")
    element.add_override("//.checkov", sorted(accepted))
