"""IAM-style policy documents: compact JSON with sorted keys.

Sorted keys make the output deterministic and identical to what Terraform's own
``jsonencode`` produces. Strings may hold cdktf tokens (references to other
resources); such a document is rendered through ``jsonencode`` (see json_document).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

from .json_document import json_document

Principal = Union[str, Mapping[str, Union[str, Sequence[str]]]]
# operator -> condition key -> value(s), e.g. {"StringEquals": {"aws:PrincipalAccount": ["111111111111"]}}
Conditions = Mapping[str, Mapping[str, Union[str, Sequence[str]]]]


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: Union[str, Sequence[str]]
    resources: Union[str, Sequence[str], None] = None  # None for trust policies
    principal: Principal | None = None
    conditions: Conditions = field(default_factory=dict)
    sid: str | None = None

    def render(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"Effect": self.effect, "Action": _one_or_many(self.actions)}
        if self.resources is not None:
            doc["Resource"] = _one_or_many(self.resources)
        if self.principal is not None:
            doc["Principal"] = (
                self.principal
                if isinstance(self.principal, str)
                else {k: _one_or_many(v) for k, v in self.principal.items()}
            )
        if self.conditions:
            doc["Condition"] = {
                op: {key: _one_or_many(values) for key, values in keys.items()}
                for op, keys in self.conditions.items()
            }
        if self.sid:
            doc["Sid"] = self.sid
        return doc


def policy_document(statements: Sequence[Statement]) -> str:
    """The policy for ``statements``: compact JSON, keys sorted, no newlines."""
    if not statements:
        raise ValueError("a policy needs at least one statement")
    return json_document({"Version": "2012-10-17", "Statement": [s.render() for s in statements]})


def account_root(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def _one_or_many(value: Union[str, Sequence[str]]) -> Union[str, list[str]]:
    if isinstance(value, str):
        return value
    values = list(value)
    return values[0] if len(values) == 1 else values
