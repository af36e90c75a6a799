"""Rules across sections of a config whose fields are each valid: the accounts an
enabled pattern needs, each pattern's own checks, and names two parts of the config
would both create where names must be unique (stacks, construct ids, Lattice and
other account-wide names). Every problem is reported, not the first."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from accounts.registry import NameClaim, patterns
from lattice_model.backends import WORKSPACE_NAME_MAX, CloudBackendConfig, S3BackendConfig
from lattice_model.regions import known_regions, region_problem

from .schema import LatticeConfig


def cross_section_problems(config: LatticeConfig) -> list[str]:
    problems: list[str] = []
    claims: list[NameClaim] = []
    if not config.enabled_patterns():
        names = ", ".join(spec.name for spec in patterns())
        problems.append(f"patterns: no pattern is enabled, so there is nothing to synthesize: set enabled = true in one of {names}")
    for spec in config.enabled_patterns():
        missing = [role for role in spec.roles if getattr(config.accounts, role.name) is None]
        for role in missing:
            problems.append(
                f"patterns.{spec.name} is enabled: accounts.{role.name} is required: {role.description}"
            )
        if missing:
            continue  # its own checks read those accounts
        settings = spec.settings_of(config)
        problems.extend(spec.checks(config, settings))
        claims.extend(spec.claims(config, settings))
    problems.extend(collisions(claims))
    backend = config.backend
    if isinstance(backend, CloudBackendConfig):
        for spec in config.enabled_patterns():
            for stack in spec.stack_names(spec.settings_of(config)):
                workspace = f"{backend.workspace_prefix}{stack}"
                if len(workspace) > WORKSPACE_NAME_MAX:
                    problems.append(
                        f"backend.workspace_prefix = {backend.workspace_prefix!r}: the workspace of stack {stack} would be {workspace!r}, "
                        f"{len(workspace)} characters: HCP Terraform allows {WORKSPACE_NAME_MAX}; shorten the prefix"
                    )
    if isinstance(backend, S3BackendConfig) and backend.region is not None:
        problem = region_problem(backend.region, known_regions(), "no such AWS region", config.extra_regions)
        if problem:
            problems.append(f"backend.region = {backend.region!r}: {problem}")
    return problems


def collisions(claims: Iterable[NameClaim]) -> list[str]:
    """One problem per name claimed by two different fields where it must be unique."""
    by_place: dict[tuple[str, str, str], list[NameClaim]] = defaultdict(list)
    for claim in claims:
        key = claim.name.lower() if claim.kind.startswith("IAM") else claim.name  # IAM names ignore case
        by_place[(claim.kind, claim.scope, key)].append(claim)
    problems = []
    for (kind, scope, _), holders in by_place.items():
        distinct = list({claim.field: claim for claim in holders}.values())
        if len(distinct) < 2:
            continue
        users = [c for c in distinct if not c.fixed]
        fixed = [c for c in distinct if c.fixed]
        name = distinct[0].name
        rule = f"{kind}{'es' if kind.endswith('x') else 's'} are unique in {scope}"
        if users and fixed:
            for user in users:
                problems.append(f"{user.field}: {name!r} is taken: {rule}, and {fixed[0].field} has it; choose another name")
        elif len(users) >= 2:
            fields = " and ".join(c.field for c in users)
            problems.append(f"{fields} all make {name!r}: {rule}; rename all but one" if len(users) > 2 else f"{fields} both make {name!r}: {rule}; rename one")
        else:
            fields = " and ".join(c.field for c in fixed)
            problems.append(f"{fields} both make {name!r}: {rule}; enable only one of them, or give one its own account")
    return problems
