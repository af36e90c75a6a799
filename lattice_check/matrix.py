"""``matrix``: a file of requests with the answers they must get, checked offline.

A matrix file is YAML::

    description: what the file proves            # optional
    time: 2026-12-01T09:30:00Z                   # optional: aws:CurrentTime of every request (default: now)
    organizations:                               # optional: who is in which AWS Organization
      o-abc123defg: ["111111111111", "222222222222"]
    requests:
      - name: vpc1 gets Hello from Lambda
        from: distributed-consumer-account/vpc1  # <stack>/<VPC Name tag>; or, for given addresses
                                                 # (on premises, a peer): from_cidr: 172.16.5.10
                                                 # with via: <stack>/<VPC Name tag>
        url: http://lambda-service/              # DNS name, custom domain or Lattice name
        method: GET                              # optional, as are headers, principal, tags, time
        pod: apps/demo-cluster1-v1               # optional, with from: a pod of that Deployment in an
                                                 # EKS cluster of the VPC signs as its Pod Identity session
        expect:                                  # at least one of:
          reachable: true
          decision: ALLOW                        # ALLOW, DENY, UNREACHABLE or UNKNOWN
          status: 200                            # null: no HTTP answer at all
          body: '"Hello from Lambda!"'           # the whole body
          body_contains: Hello
          json: "Hello from Lambda!"             # the body, read as JSON, equals this
          json_includes: {...}                   # the JSON body holds this: an object these keys
                                                 # (values included in turn), a list such an item
          reason_contains: [InvokeFromAssociatedVpcs]
      - id: place                                # a row others refer to
        from: ...
        method: POST
        url: https://food.example.com/v1/orders
        body: {food: pizza}                      # a mapping or list is sent as JSON
        expect: {status: 200}
      - from: ...
        url: https://food.example.com/v1/orders/{{ place.json.order.orderId }}
        expect: {json: "{{ place.json.order }}"}

``{{ <id>.status }}``, ``{{ <id>.body }}`` and ``{{ <id>.json.<key>...}}`` are what an
earlier row got; a value that is one reference keeps its type. The tables the
handlers write (dynamodb.py) live as long as the run, so rows build on each other.

Only the expectations written down are compared.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lattice_model.pydantic_errors import validation_problems
from safe_io.inputs import MATRIX_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_yaml

from .curl import Answer, BadInput, curl
from .dynamodb import Tables
from .graph import Model
from .organizations import BadLayout, Organizations
from .topology import Topology


class MatrixError(ValueError):
    """The matrix file is unreadable or invalid (exit status 2); ``str()`` says where."""


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    reachable: Optional[bool] = None
    decision: Optional[Literal["ALLOW", "DENY", "UNREACHABLE", "UNKNOWN"]] = None
    status: Optional[int] = None
    body: Optional[str] = None
    body_contains: Optional[str] = None
    json_body: Any = Field(default=None, alias="json")
    json_includes: Any = None
    reason_contains: list[str] = Field(default_factory=list)

    @field_validator("reason_contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: Union[str, list[str]]) -> list[str]:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _says_something(self) -> "Expectation":
        if not self.model_fields_set:
            raise ValueError("expect is empty: give at least one of " + ", ".join(f.alias or n for n, f in type(self).model_fields.items()))
        return self

    def mismatches(self, answer: Answer) -> list[str]:
        """What in ``answer`` differs from the expectations written down."""
        found = []
        for key in ("reachable", "decision", "status", "body"):
            if key in self.model_fields_set and getattr(self, key) != getattr(answer, key):
                found.append(f"{key}: expected {_show(getattr(self, key))}, got {_show(getattr(answer, key))}")
        if self.body_contains is not None and self.body_contains not in answer.body:
            found.append(f"body: expected to contain {_show(self.body_contains)}, got {_show(answer.body)}")
        if {"json_body", "json_includes"} & self.model_fields_set:
            try:
                document = json.loads(answer.body)
            except json.JSONDecodeError:
                found.append(f"body: expected JSON, got {_show(answer.body)}")
                return found
            if "json_body" in self.model_fields_set and document != self.json_body:
                found.append(f"json: expected {_show(self.json_body)}, got {_show(document)}")
            if "json_includes" in self.model_fields_set and not _includes(document, self.json_includes):
                found.append(f"json: expected to include {_show(self.json_includes)}, got {_show(document)}")
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
        elif "json_body" in self.model_fields_set:
            parts.append(f"json {_clip(json.dumps(self.json_body), 32)}")
        elif "json_includes" in self.model_fields_set:
            parts.append(f"json ∋ {_clip(json.dumps(self.json_includes), 30)}")
        return " ".join(parts) or "reasons"


class MatrixRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    name: str = Field(min_length=1)
    id: Optional[str] = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", description="how later rows refer to this one")
    source: Optional[str] = Field(default=None, alias="from", pattern=r"^[^/]+/.+$", description="<stack>/<VPC Name tag>")
    via: Optional[str] = Field(default=None, pattern=r"^[^/]+/.+$", description="with from_cidr: <stack>/<VPC Name tag> the addresses are in or arrive through")
    from_cidr: Optional[str] = Field(default=None, description="the client's address or CIDR, in or through the via VPC")
    url: str = Field(min_length=1)
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    body: Union[str, dict[str, Any], list[Any], None] = None  # a mapping or list is sent as JSON
    principal: Optional[str] = None
    tags: dict[str, str] = Field(default_factory=dict)
    pod: Optional[str] = Field(default=None, pattern=r"^[^/]+/[^/]+$", description="with from: <namespace>/<deployment>, a pod in a cluster of that VPC")
    time: Optional[datetime] = Field(default=None, strict=False)  # a YAML timestamp or an ISO 8601 string
    expect: Expectation

    @model_validator(mode="after")
    def _one_origin(self) -> "MatrixRequest":
        if (self.source is None) == (self.via is None):
            raise ValueError("give from: <stack>/<VPC Name tag>, or via: <stack>/<VPC Name tag> with from_cidr (not both)")
        if (self.via is None) != (self.from_cidr is None):
            raise ValueError("via and from_cidr go together: from_cidr: 172.16.5.10, via: <stack>/<VPC Name tag>")
        if self.pod is not None and (self.source is None or self.principal is not None or self.tags):
            raise ValueError("pod goes with from (the VPC of its cluster), and without principal or tags: the pod decides who signs")
        return self

    @property
    def origin(self) -> str:
        """Where the row's request comes from, as the table shows it."""
        origin = self.source or f"{self.from_cidr} via {self.via}"
        return f"{origin} pod {self.pod}" if self.pod else origin


class MatrixFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    description: Optional[str] = None
    time: Optional[datetime] = Field(default=None, strict=False)
    organizations: dict[str, list[str]] = Field(default_factory=dict)
    requests: list[MatrixRequest] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_name_earlier_rows(self) -> "MatrixFile":
        seen: set[str] = set()
        for index, request in enumerate(self.requests):
            for reference in _REFERENCE.finditer(json.dumps(request.model_dump(mode="json", by_alias=True, exclude_unset=True))):
                row, field_name = reference.group(1), reference.group(2)
                if row not in seen:
                    raise ValueError(f"requests[{index}] ({request.name}): {reference.group(0)} names no earlier row (ids so far: {', '.join(sorted(seen)) or 'none'})")
                if field_name not in ("status", "body", "json"):
                    raise ValueError(f"requests[{index}] ({request.name}): {reference.group(0)}: refer to <id>.status, <id>.body or <id>.json.<key>...")
            if request.id is not None:
                if request.id in seen:
                    raise ValueError(f"requests[{index}] ({request.name}): id {request.id!r} is used by an earlier row")
                seen.add(request.id)
        return self


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
        raw: Any = parse_yaml(read_text(path, limit=MATRIX_LIMIT), path)
    except InputError as error:
        if error.reason.startswith("is a directory"):
            raise MatrixError(f"{path}: is a directory: give a matrix file (YAML), such as tests/matrices/shared.yaml") from None
        raise MatrixError(str(error)) from None
    except StructureError as error:
        raise MatrixError(str(error)) from None
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
    tables = Tables()  # the handlers' items live as long as the run
    answers: dict[str, Answer] = {}
    for index, request in enumerate(matrix.requests):
        moment = request.time or matrix.time or now
        try:
            sent, expect = _with_references(request, answers)
        except _Unanswerable as missing:
            unsent = Answer(reachable=False, decision="UNKNOWN", reasons=[f"not sent: {missing}"])
            rows.append(Row(request, unsent, [f"not sent: {missing}"]))
            continue
        headers = dict(sent.headers)
        data = sent.body if isinstance(sent.body, str) or sent.body is None else json.dumps(sent.body)
        if not isinstance(sent.body, (str, type(None))) and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        try:
            answer = curl(
                model, sent.source or sent.via or "", sent.url, from_cidr=sent.from_cidr, method=sent.method, headers=headers, data=data or "",
                principal=sent.principal, tags=sent.tags, pod=sent.pod, topology=topology, organizations=organizations,
                now=moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc), tables=tables,
            )
        except BadInput as error:
            raise MatrixError(f"{source}: requests[{index}] ({request.name}): {error}") from None
        if request.id is not None:
            answers[request.id] = answer
        rows.append(Row(request, answer, expect.mismatches(answer)))
    return rows


_REFERENCE = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_]+)((?:\.[^.\s}]+)*)\s*\}\}")


class _Unanswerable(ValueError):
    """A reference to a value the earlier row did not get."""


def _with_references(request: MatrixRequest, answers: dict[str, Answer]) -> tuple[MatrixRequest, Expectation]:
    """The request and its expectation with every ``{{ <id>.<field>... }}`` replaced."""
    url = _substitute(request.url, answers)
    sent = request.model_copy(update={
        "url": url if isinstance(url, str) else json.dumps(url),
        "headers": {k: str(v) for k, v in _substitute(request.headers, answers).items()},
        "body": _substitute(request.body, answers),
    })
    expect = Expectation.model_validate(_substitute(request.expect.model_dump(by_alias=True, exclude_unset=True), answers))
    return sent, expect


def _substitute(value: Any, answers: dict[str, Answer]) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, answers) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, answers) for v in value]
    if not isinstance(value, str) or "{{" not in value:
        return value
    whole = _REFERENCE.fullmatch(value.strip())
    if whole:
        return _referenced(whole, answers)
    return _REFERENCE.sub(lambda m: (lambda v: v if isinstance(v, str) else json.dumps(v))(_referenced(m, answers)), value)


def _referenced(reference: "re.Match[str]", answers: dict[str, Answer]) -> Any:
    row, field_name, path = reference.group(1), reference.group(2), [k for k in reference.group(3).split(".") if k]
    answer = answers[row]
    if field_name == "status":
        return answer.status
    if field_name == "body":
        return answer.body
    try:
        value: Any = json.loads(answer.body)
    except json.JSONDecodeError:
        raise _Unanswerable(f"{reference.group(0)}: the body {row} got is not JSON ({_show(answer.body)})") from None
    for key in path:
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            raise _Unanswerable(f"{reference.group(0)}: {key!r} is not in {_show(value)}")
    return value


def _includes(document: Any, part: Any) -> bool:
    """``part`` is in ``document``: an object has its keys, each value including
    ``part``'s; a list has an item that includes it; anything else is equal."""
    if isinstance(part, dict) and isinstance(document, dict):
        return all(k in document and _includes(document[k], v) for k, v in part.items())
    if isinstance(document, list) and not isinstance(part, list):
        return any(_includes(item, part) for item in document)
    return bool(document == part)


def render_table(rows: list[Row]) -> str:
    """A plain-text pass/fail table, then what differed in each failing row."""
    header = ("#", "request", "from", "expected", "got", "result")
    lines = [
        (str(i + 1), row.request.name, row.request.origin, row.request.expect.summary(), row.got(), "pass" if row.passed else "FAIL")
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
