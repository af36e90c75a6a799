"""Accepted findings of the checkov security scan, recorded at the resource.

The call puts ``checkov:skip=<ID>:<reason>`` into the resource's ``"//"`` metadata
block of the synthesized JSON, which checkov reads as an in-line suppression of
that one resource. The reason travels with the resource, in the construct that
creates it, so every suppression is visible where the resource is defined.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

_CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")


def accept_risks(element: Any, risks: Iterable[tuple[str, str]]) -> None:
    """Suppress each checkov check of ``risks`` (``(check id, reason)`` pairs) on
    ``element`` (a resource or data source). One call per element: it writes the
    element's whole ``"//".checkov`` list, sorted."""
    lines = []
    for check_id, reason in risks:
        if not _CHECK_ID.match(check_id):
            raise ValueError(f"{check_id!r} is not a checkov AWS check id")
        if not reason.strip() or "\n" in reason or '"' in reason:
            raise ValueError(f"{check_id}: the reason must be one line without double quotes")
        lines.append(f"checkov:skip={check_id}:{reason}")
    if lines:
        element.add_override("//.checkov", sorted(lines))
