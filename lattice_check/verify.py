"""``verify`` and ``diff``: a topology's access intents against the synthesized output.

``verify`` sends, for every consumer x service pair, the calls the intents speak of
(each granted method, path and principal) and the calls just outside them (a
method, a path, an unsigned caller no intent grants) through the same evaluation as
``curl``, and compares each answer with what the intents say: ALLOW for a granted
call, DENY for any other call the consumer's network carries, UNREACHABLE where it
carries no such service. ``diff`` says which calls a change of the topology opens or
closes, from the two topologies alone (``verify`` proves each output does what its
topology says)."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError

from lattice_model.pydantic_errors import validation_problems
from lattice_model.topology.checks import topology_problems
from lattice_model.topology.grants import Grant, grants, path_of
from lattice_model.topology.plan import stack_name
from lattice_model.topology.rules import HTTP_METHODS
from lattice_model.topology.schema import TopologySettings
from safe_io.inputs import TOPOLOGY_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_toml

from .curl import BadInput, curl
from .graph import Model
from .organizations import Organizations
from .topology import Topology

ANYONE = "anyone"  # an unsigned caller
OUTSIDE_PATH = "/lattice-check/not-granted"
SESSION_NAME = "lattice-check"


class BadTopology(ValueError):
    """The topology cannot be read or is invalid (exit status 2)."""


def load_topology(path: Path) -> TopologySettings:
    """A topology from a topology file, or from the ``[patterns.topology]`` section of
    a config (with its ``file``, read relative to the project)."""
    try:
        raw = parse_toml(read_text(path, limit=TOPOLOGY_LIMIT), path)
    except (InputError, StructureError) as error:
        raise BadTopology(str(error)) from None
    section: Any = raw.get("patterns", {}).get("topology") if "patterns" in raw else {"enabled": True, "file": str(path.resolve())}
    if section is None:
        raise BadTopology(f"{path}: the config has no [patterns.topology] section")
    try:
        settings = TopologySettings.model_validate(section)
    except ValidationError as error:
        raise BadTopology(f"{path}: " + "; ".join(validation_problems(error, TopologySettings))) from None
    problems = list(topology_problems(settings))
    if problems:
        raise BadTopology(f"{path}: " + "; ".join(problems))
    return settings


@dataclass(frozen=True)
class Probe:
    """One call of the verification and what the topology says it must get."""

    consumer: str
    service: str
    method: str
    path: str
    principal: Optional[str]  # the IAM ARN the intents name; None: unsigned
    expected: str  # ALLOW, DENY or UNREACHABLE
    scheme: str = "http"  # https for a service with an HTTPS listener (its first call of each pair)

    @property
    def caller(self) -> str:
        return ANYONE if self.principal is None else self.principal


def signing_arn(principal: str) -> str:
    """What a caller of ``principal`` signs as: a role's session, or the user or root itself."""
    prefix, _, rest = principal.partition(":iam::")
    account, _, resource = rest.partition(":")
    if resource.startswith("role/"):
        return f"{prefix.replace(':iam', '')}:sts::{account}:assumed-role/{resource.rsplit('/', 1)[-1]}/{SESSION_NAME}"
    return principal


def admits(grant: Grant, method: str, path: str, principal: Optional[str]) -> bool:
    """Whether ``grant`` covers the call: the intents' own meaning, the oracle."""
    return (
        (not grant.methods or method in grant.methods)
        and (not grant.paths or any(fnmatch.fnmatchcase(path, pattern) for pattern in grant.paths))
        and (not grant.principals or principal in grant.principals)
    )


def concrete(pattern: str) -> str:
    """A path a pattern matches: ``/orders*`` -> ``/orders``, ``/v?/x`` -> ``/v1/x``."""
    return pattern.replace("*", "").replace("?", "1") or "/"


def probes(settings: TopologySettings) -> list[Probe]:
    """Every call the verification makes, with its expected decision."""
    everything = grants(settings)
    found: list[Probe] = []
    for consumer in sorted(settings.consumers):
        for service in sorted(settings.services):
            pair = [grant for grant in everything if grant.consumer == consumer and grant.service == service]
            if path_of(settings, consumer, service) is None:
                found.append(Probe(consumer, service, "GET", "/", None, "UNREACHABLE"))
                continue
            calls: list[tuple[str, str, Optional[str]]] = []
            for grant in pair:
                for method in grant.methods or ("GET",):
                    for path in grant.paths or ("/",):
                        for principal in grant.principals or (None,):
                            calls.append((method, concrete(path), principal))
            # just outside the grants: a method, a path, an unsigned caller
            granted_methods = {m for grant in pair for m in grant.methods} if all(grant.methods for grant in pair) else set(HTTP_METHODS)
            first = calls[0] if calls else ("GET", "/", None)
            other = next((m for m in HTTP_METHODS if m not in granted_methods), None)
            if other is not None:
                calls.append((other, first[1], first[2]))
            calls.append((first[0], OUTSIDE_PATH, first[2]))
            calls.append((first[0], first[1], None))
            seen: set[tuple[str, str, Optional[str]]] = set()
            first_of_pair = len(found)
            for method, path, principal in calls:
                if (method, path, principal) in seen:
                    continue
                seen.add((method, path, principal))
                allowed = any(admits(grant, method, path, principal) for grant in pair)
                found.append(Probe(consumer, service, method, path, principal, "ALLOW" if allowed else "DENY"))
            if settings.services[service].https:  # the same first call through the HTTPS listener
                found.append(replace(found[first_of_pair], scheme="https"))
    return found


@dataclass(frozen=True)
class Checked:
    probe: Probe
    decision: str
    status: Optional[int]
    reason: str

    @property
    def passed(self) -> bool:
        return self.decision == self.probe.expected


def organizations_of(settings: TopologySettings) -> Organizations:
    """The accounts the topology's organization holds (aws:PrincipalOrgID, RAM inside it)."""
    if settings.organization is None:
        return Organizations()
    org_id = settings.organization.arn.rsplit("/", 1)[-1]
    members = settings.organization.members
    return Organizations({account.id: org_id for name, account in settings.accounts.items() if members is None or name in members})


def verify(settings: TopologySettings, model: Model) -> list[Checked]:
    """Every probe through the output's evaluation, as ``curl`` would send it."""
    topology = Topology(model)
    organizations = organizations_of(settings)
    missing = sorted(
        {stack_name(settings, c.account, "consumers") for c in settings.consumers.values()} - set(model.stacks)
    )
    if missing:
        raise BadInput(f"the output has no stack {', '.join(missing)}: synthesize this topology first")
    results = []
    for probe in probes(settings):
        consumer = settings.consumers[probe.consumer]
        source = f"{stack_name(settings, consumer.account, 'consumers')}/{probe.consumer}"
        answer = curl(
            model,
            source,
            f"{probe.scheme}://{probe.service}{probe.path}",
            method=probe.method,
            principal=signing_arn(probe.principal) if probe.principal else None,
            topology=topology,
            organizations=organizations,
            invoke=False,  # the decision is what the intents speak of
        )
        reason = next((r for r in reversed(answer.reasons) if "policy" in r or "resolve" in r), answer.reasons[-1] if answer.reasons else "")
        results.append(Checked(probe, answer.decision, answer.status, reason))
    return results


def render_matrix(settings: TopologySettings, results: list[Checked]) -> str:
    """Consumers down, services across: each pair's expected decision and how many of
    its calls got it; then every call that did not, with its reason."""
    services = sorted(settings.services)
    cells: dict[tuple[str, str], list[Checked]] = {}
    for checked in results:
        cells.setdefault((checked.probe.consumer, checked.probe.service), []).append(checked)
    rows = [["consumer \\ service", *services]]
    for consumer in sorted(settings.consumers):
        row = [consumer]
        for service in services:
            pair = cells.get((consumer, service), [])
            allowed = [c for c in pair if c.probe.expected == "ALLOW"]
            failed = [c for c in pair if not c.passed]
            summary = f"ALLOW {len(allowed)}/{len(pair)}" if allowed else pair[0].probe.expected if pair else "-"
            row.append(summary + (f"  FAIL {len(failed)}" if failed else "  ok"))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    failures = [c for c in results if not c.passed]
    lines.append("")
    lines.append(f"{len(results) - len(failures)} of {len(results)} calls as the topology says")
    for checked in failures:
        p = checked.probe
        lines.append(
            f"  FAIL {p.consumer} -> {p.service}: {p.method} {p.scheme}://{p.service}{p.path} as {p.caller}: expected {p.expected}, got {checked.decision} ({checked.reason})"
        )
    return "\n".join(lines)


# ---- diff


@dataclass(frozen=True, order=True)
class Call:
    """A kind of call a grant admits: ``*`` for any method or path."""

    consumer: str
    service: str
    method: str
    path: str
    caller: str

    def __str__(self) -> str:
        path = "any path" if self.path == "*" else self.path
        method = "any method" if self.method == "*" else self.method
        return f"{self.consumer} -> {self.service}: {method} {path} as {self.caller}"


def granted_calls(settings: TopologySettings) -> set[Call]:
    return {
        Call(grant.consumer, grant.service, method, path, principal)
        for grant in grants(settings)
        for method in grant.methods or ("*",)
        for path in grant.paths or ("*",)
        for principal in grant.principals or (ANYONE,)
    }


def diff(old: TopologySettings, new: TopologySettings) -> tuple[list[Call], list[Call]]:
    """(calls the new topology opens, calls it closes)."""
    before, after = granted_calls(old), granted_calls(new)
    return sorted(after - before), sorted(before - after)
