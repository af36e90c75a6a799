"""``matrix``: a file of requests with the answers they must get, checked offline.

A matrix file is YAML::

    description: what the file proves            # optional
    time: 2026-12-01T09:30:00Z                   # optional: aws:CurrentTime of every request (default: now)
    organizations:                               # optional: who is in which AWS Organization
      o-abc123defg: ["111111111111", "222222222222"]
    requests:
      - name: vpc1 gets Hello from Lambda
        from: distributed-consumer-account/vpc1  # <stack>/<VPC Name tag>
        url: http://lambda-service/              # DNS name, custom domain or Lattice name
        method: GET                              # optional, as are headers, principal, tags, time
        expect:                                  # at least one of:
          reachable: true
          decision: ALLOW                        # ALLOW, DENY, UNREACHABLE or UNKNOWN
          status: 200                            # null: no HTTP answer at all
          body: '"Hello from Lambda!"'           # the whole body
          body_contains: Hello
          reason_contains: [InvokeFromAssociatedVpcs]

Only the expectations written down are compared.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .curl import Answer, BadInput, curl
from .graph import Model
from .organizations import BadLayout, Organizations
from .pydantic_errors import validation_problems
from .topology import Topology


class MatrixError(ValueError):
    """The matrix file is unreadable or invalid (exit status 2); ``str()`` says where."""


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    reachable: Optional[bool] = None
    decision: Optional[Literal["ALLOW", "DENY", "UNREACHABLE", "UNKNOWN"]] = None
    status: Optional[int] = None
    body: Optional[str] = None
    body_contains: Optional[str] = None
    reason_contains: list[str] = Field(default_factory=list)

    @field_validator("reason_contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: Union[str, list[str]]) -> list[str]:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _says_something(self) -> "Expectation":
        if not self.model_fields_set:
            raise ValueError("expect is empty: give at least one of " + ", ".join(type(self).model_fields))
        return self

    def mismatches(self, answer: Answer) -> list[str]:
        """What in ``answer`` differs from the expectations written down."""
        found = []
        for key in ("reachable", "decision", "status", "body"):
            if key in self.model_fields_set and getattr(self, key) != getattr(answer, key):
                found.append(f"{key}: expected {_show(getattr(self, key))}, got {_show(getattr(answer, key))}")
        if self.body_contains is not None and self.body_contains not in answer.body:
            found.append(f"body: expected to contain {_show(self.body_contains)}, got {_show(answer.body)}")
        for text in self.reason_contains:
            if not any(text in reason for reason in answer.reasons):
                found.append(f"reasons: none contains {_show(text)}")
        return found

    def summary(self) -> str:
        parts: list[str] = [self.decision] if self.decision else []
        if "status" in self.model_fields_set:
            parts.append(str(self.status) if self.status is not None else "no answer")
        if "reachable" in self.model_fields_set and self.decision is None:
            parts.append("reachable" if self.reachable else "unreachable")
        if self.body is not None:
            parts.append(f"body {_clip(self.body, 32)}")
        elif self.body_contains is not None:
            parts.append(f"body ~ {_clip(self.body_contains, 32)}")
        return " ".join(parts) or "reasons"


class MatrixRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    name: str = Field(min_length=1)
    source: str = Field(alias="from", pattern=r"^[^/]+/.+$", description="<stack>/<VPC Name tag>")
    url: str = Field(min_length=1)
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    principal: Optional[str] = None
    tags: dict[str, str] = Field(default_factory=dict)
    time: Optional[datetime] = Field(default=None, strict=False)  # a YAML timestamp or an ISO 8601 string
    expect: Expectation


class MatrixFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    description: Optional[str] = None
    time: Optional[datetime] = Field(default=None, strict=False)
    organizations: dict[str, list[str]] = Field(default_factory=dict)
    requests: list[MatrixRequest] = Field(min_length=1)


@dataclass(frozen=True)
class Row:
    request: MatrixRequest
    answer: Answer
    mismatches: list[str]

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def got(self) -> str:
        return f"{self.answer.decision}" + (f" {self.answer.status}" if self.answer.status is not None else "")


def load_matrix(path: Path) -> MatrixFile:
    try:
        raw: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MatrixError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise MatrixError(f"{path}: is a directory: give a matrix file (YAML), such as tests/matrices/shared.yaml") from None
    except UnicodeDecodeError:
        raise MatrixError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise MatrixError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise MatrixError(f"{path}: expected a mapping with a 'requests' list, got {type(raw).__name__}")
    try:
        return MatrixFile.model_validate(raw)
    except ValidationError as error:
        problems = validation_problems(error, MatrixFile)
        raise MatrixError(f"{path}: invalid matrix ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n" + "\n".join(f"  - {p}" for p in problems)) from None


def run_matrix(
    model: Model, matrix: MatrixFile, *, source: str = "matrix", organizations: Optional[Organizations] = None, now: Optional[datetime] = None
) -> list[Row]:
    """Every request of ``matrix`` asked of ``model``, in file order. A request's own
    ``time`` wins over the file's, which wins over ``now``; ``organizations`` (the
    --org options) replaces the file's layout."""
    topology = Topology(model)
    if organizations is None:
        try:
            organizations = Organizations.from_mapping(matrix.organizations)
        except BadLayout as error:
            raise MatrixError(f"{source}: {error}") from None
    rows = []
    for index, request in enumerate(matrix.requests):
        moment = request.time or matrix.time or now
        try:
            answer = curl(
                model, request.source, request.url, method=request.method, headers=request.headers,
                principal=request.principal, tags=request.tags, topology=topology, organizations=organizations,
                now=moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc),
            )
        except BadInput as error:
            raise MatrixError(f"{source}: requests.{index} ({request.name}): {error}") from None
        rows.append(Row(request, answer, request.expect.mismatches(answer)))
    return rows


def render_table(rows: list[Row]) -> str:
    """A plain-text pass/fail table, then what differed in each failing row."""
    header = ("#", "request", "from", "expected", "got", "result")
    lines = [
        (str(i + 1), row.request.name, row.request.source, row.request.expect.summary(), row.got(), "pass" if row.passed else "FAIL")
        for i, row in enumerate(rows)
    ]
    widths = [max(len(cells[c]) for cells in [header, *lines]) for c in range(len(header))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip() for cells in [header, *lines]]
    text.insert(1, "  ".join("-" * width for width in widths))
    failed = [(i + 1, row) for i, row in enumerate(rows) if not row.passed]
    text.append("")
    text.append(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    for number, row in failed:
        text.append("")
        text.append(f"#{number} {row.request.name}:")
        text.extend(f"  {m}" for m in row.mismatches)
        text.extend(f"  * {reason}" for reason in row.answer.reasons)
    return "\n".join(text)


def _show(value: Any, limit: int = 80) -> str:
    return _clip(json.dumps(value, ensure_ascii=False), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
