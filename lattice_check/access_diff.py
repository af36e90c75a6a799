"""The access diff of a change: which calls it opens and closes.

The same calls are asked of the Terraform before the change (state, a cdktf output)
and after it (a plan, an output), through the evaluation ``curl`` uses, without
running any function. A call *opens* when it is allowed after and was not before,
and *closes* the other way round; a call either side cannot answer (a value known
only after apply, a reference that leads outside the inputs) is listed as such.

The calls are, by default, every VPC x service x method x path x caller that the
two sides' auth policies speak of (methods and paths in their conditions, IAM
principals and accounts they name, and an unsigned caller): a widening of a policy
by one method, one principal or one account is a call asked. A matrix file's
requests, or a topology's intents (the probes of ``verify``), can be asked instead.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterator, Optional

from lattice_model.topology.plan import stack_name
from lattice_model.topology.rules import HTTP_METHODS
from lattice_model.topology.schema import TopologySettings

from .curl import Answer, curl
from .graph import Model, Unresolved
from .matrix import MatrixFile, run_matrix
from .organizations import Organizations
from .topology import Topology
from .verify import SESSION_NAME, concrete, organizations_of, probes, signing_arn

ANYONE = "anyone"
_PRINCIPAL = re.compile(r"arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|role/.+|user/.+|assumed-role/.+)")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True, order=True)
class Call:
    """One call asked of both sides."""

    origin: str  # <stack>/<VPC Name tag>
    url: str
    method: str
    principal: Optional[str]  # the signing ARN; None: unsigned

    def __str__(self) -> str:
        return f"{self.origin} -> {self.method} {self.url} as {self.principal or ANYONE}"


@dataclass(frozen=True)
class Change:
    call: Call
    before: str  # decision and status, such as "DENY 403"
    after: str
    reason: str  # the after side's deciding reason (the before side's for a closed call)


@dataclass
class AccessDiff:
    opened: list[Change]
    closed: list[Change]
    unknown: list[Change]  # a side answered UNKNOWN: the reason says what it could not resolve
    compared: int

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.closed or self.unknown)

    def as_dict(self) -> dict[str, Any]:
        def listed(changes: list[Change]) -> list[dict[str, Any]]:
            return [{**asdict(change.call), "principal": change.call.principal or ANYONE, "before": change.before, "after": change.after, "reason": change.reason} for change in changes]

        return {"compared": self.compared, "opened": listed(self.opened), "closed": listed(self.closed), "unknown": listed(self.unknown)}

    def render(self) -> str:
        lines = [f"+ opens   {c.call}  ({c.before} -> {c.after}: {c.reason})" for c in self.opened]
        lines += [f"- closes  {c.call}  ({c.before} -> {c.after}: {c.reason})" for c in self.closed]
        lines += [f"? unknown {c.call}  ({c.before} -> {c.after}: {c.reason})" for c in self.unknown]
        if not self.changed:
            lines.append("no call opens or closes")
        lines.append(f"{self.compared} calls compared: {len(self.opened)} open, {len(self.closed)} close, {len(self.unknown)} cannot be told")
        return "\n".join(lines)


def _summary(answer: Answer) -> str:
    return answer.decision + (f" {answer.status}" if answer.status is not None else "")


def _deciding_reason(answer: Answer) -> str:
    return next((r for r in reversed(answer.reasons) if "policy" in r or "resolve" in r or "known only" in r), answer.reasons[-1] if answer.reasons else "")


def compare(answers: list[tuple[Call, Answer, Answer]]) -> AccessDiff:
    """The calls whose answer is allowed on one side only, or unknown on either."""
    diff = AccessDiff([], [], [], len(answers))
    for call, before, after in answers:
        if "UNKNOWN" in (before.decision, after.decision):
            unknown = after if after.decision == "UNKNOWN" else before
            diff.unknown.append(Change(call, _summary(before), _summary(after), _deciding_reason(unknown)))
        elif after.decision == "ALLOW" and before.decision != "ALLOW":
            diff.opened.append(Change(call, _summary(before), _summary(after), _deciding_reason(after)))
        elif before.decision == "ALLOW" and after.decision != "ALLOW":
            diff.closed.append(Change(call, _summary(before), _summary(after), _deciding_reason(after)))
    return diff


def _ask(model: Model, topology: Topology, call: Call, organizations: Organizations) -> Answer:
    stack, _, vpc = call.origin.partition("/")
    if stack not in model.stacks or vpc not in {v.label for v in topology.vpcs(model.stacks[stack])}:
        # a stack or VPC the change adds or removes: no client there on this side
        return Answer(reachable=False, decision="UNREACHABLE", reasons=[f"no VPC {call.origin} on this side"])
    return curl(model, call.origin, call.url, method=call.method, principal=call.principal, topology=topology, organizations=organizations, invoke=False)


def diff_calls(before: Model, after: Model, calls: list[Call], organizations: Organizations = Organizations()) -> AccessDiff:
    """Each call asked of both sides."""
    sides = [(before, Topology(before)), (after, Topology(after))]
    answers = []
    for call in calls:
        first, second = (_ask(model, topology, call, organizations) for model, topology in sides)
        answers.append((call, first, second))
    return compare(answers)


def diff_topology(before: Model, after: Model, settings: TopologySettings) -> AccessDiff:
    """The calls ``verify`` sends for a topology's intents, asked of both sides."""
    calls = [
        Call(
            f"{stack_name(settings, settings.consumers[probe.consumer].account, 'consumers')}/{probe.consumer}",
            f"{probe.scheme}://{probe.service}{probe.path}", probe.method, signing_arn(probe.principal) if probe.principal else None,
        )
        for probe in probes(settings)
    ]
    return diff_calls(before, after, calls, organizations_of(settings))


def diff_matrix(before: Model, after: Model, matrix: MatrixFile) -> AccessDiff:
    """The requests of a matrix file asked of both sides (their expectations aside)."""
    rows = zip(run_matrix(before, matrix), run_matrix(after, matrix))
    return compare([
        (Call(b.request.origin, b.request.url, b.request.method, b.request.principal), b.answer, a.answer) for b, a in rows
    ])


# --- the default calls ----------------------------------------------------------------------


def default_calls(before: Model, after: Model) -> list[Call]:
    """Every VPC x service x method x path x caller the two sides' auth policies speak of."""
    origins: set[str] = set()
    services: set[str] = set()
    methods, paths = {"GET"}, {"/"}
    callers: set[Optional[str]] = {None}
    for model in (before, after):
        topology = Topology(model)
        for stack in model.stacks.values():
            origins.update(f"{stack.name}/{vpc.label}" for vpc in topology.vpcs(stack))
        services.update(service.name for service in topology.services)
        for policy in _auth_policies(topology):
            for text in _strings(policy):
                if text in HTTP_METHODS:
                    methods.add(text)
                elif text.startswith("/"):
                    paths.add(concrete(text))
                elif (principal := _PRINCIPAL.fullmatch(text)) is not None:
                    callers.add(_caller(principal))
                elif _ACCOUNT.fullmatch(text):
                    callers.add(f"arn:aws:sts::{text}:assumed-role/{SESSION_NAME}/{SESSION_NAME}")
    return sorted(
        (Call(origin, f"http://{service}{path}", method, caller) for origin in origins for service in services for method in methods for path in paths for caller in callers),
        key=lambda call: (call.origin, call.url, call.method, call.principal or ""),
    )


def _caller(principal: re.Match[str]) -> str:
    """Who signs as a principal an auth policy names (a role: one of its sessions; an
    account's root: any role of it)."""
    arn, account, resource = principal.group(0), principal.group(2), principal.group(3)
    if resource == "root":
        return f"arn:aws:sts::{account}:assumed-role/{SESSION_NAME}/{SESSION_NAME}"
    return signing_arn(arn) if principal.group(1) == "iam" else arn


def _auth_policies(topology: Topology) -> Iterator[Any]:
    for element in topology.elements("aws_vpclattice_auth_policy"):
        try:
            policy = topology.resolve(element.body.get("policy"), element)
            yield json.loads(policy) if isinstance(policy, str) else policy
        except (Unresolved, json.JSONDecodeError):
            continue  # asked anyway: the calls to its service answer UNKNOWN, and say why


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
