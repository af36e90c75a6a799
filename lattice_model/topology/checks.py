"""The rules across a topology's tables (each table valid on its own): names that
resolve, paths that exist, names AWS would refuse, quotas, one name per account."""
from __future__ import annotations

import difflib
from typing import Iterable, Optional

from ..aws_names import account_wide_name, iam_role_name_problem, lambda_role_name
from ..lattice_rules import RULE_PRIORITIES, name_problem
from .plan import function_name, is_member, network_users, target_group_name
from .rules import FUNCTION_NAME_MAX, NAME
from .schema import TopologySettings


def _known(field: str, value: str, table: str, names: Iterable[str]) -> Optional[str]:
    known = sorted(names)
    if value in known:
        return None
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"patterns.{NAME}.{field} = {value!r}: no such name under patterns.{NAME}.{table} (known: {', '.join(known) or 'none'}){hint}"


def topology_problems(settings: TopologySettings) -> Iterable[str]:
    """Rules across the topology's tables (each table valid on its own)."""
    where = f"patterns.{NAME}"
    accounts, networks, services, consumers = settings.accounts, settings.networks, settings.services, settings.consumers
    if not (networks or services or consumers):
        yield f"{where} is enabled but declares no networks, services or consumers: nothing to synthesize"
    for name, network in networks.items():
        problem = _known(f"networks.{name}.owner", network.owner, "accounts", accounts)
        if problem:
            yield problem
        if network.sharing == "organization" and settings.organization is None:
            yield f"{where}.networks.{name}.sharing = 'organization': {where}.organization.arn is required to share within an organization"
        elif network.sharing == "organization" and not is_member(settings, network.owner):
            yield f"{where}.networks.{name}.sharing = 'organization': its owner {network.owner} is not in {where}.organization.members; only a member shares with its organization"
        elif network.sharing == "organization":
            outside = sorted(user for user in network_users(settings, name) if user in accounts and not is_member(settings, user))
            if outside:
                yield (
                    f"{where}.networks.{name}.sharing = 'organization': {', '.join(outside)} {'uses' if len(outside) == 1 else 'use'} it but "
                    f"{'is' if len(outside) == 1 else 'are'} not in {where}.organization.members, and a share with the organization reaches "
                    "its members only: make them members, or share the network by RAM (sharing = \"ram\")"
                )
    for name, service in services.items():
        problem = _known(f"services.{name}.owner", service.owner, "accounts", accounts)
        if problem:
            yield problem
        for index, joined in enumerate(service.networks):
            problem = _known(f"services.{name}.networks[{index}]", joined, "networks", networks)
            if problem:
                yield problem
        if len(service.routes) > RULE_PRIORITIES[1]:
            yield (
                f"{where}.services.{name}.routes: {len(service.routes)} routes: each is a listener rule, and rules take the priorities "
                f"{RULE_PRIORITIES[0]}-{RULE_PRIORITIES[1]} whatever the quota; merge routes"
            )
        for index, route in enumerate(service.routes):
            for backend in route.forward:
                problem = _known(f"services.{name}.routes[{index}].forward.{backend}", backend, f"services.{name}.backends", service.backends)
                if problem:
                    yield problem
        for backend in (service.default or {}):
            problem = _known(f"services.{name}.default.{backend}", backend, f"services.{name}.backends", service.backends)
            if problem:
                yield problem
        for backend, serving in service.backends.items():
            group = target_group_name(name, backend)
            problem = name_problem("target group", group)
            if problem:
                yield f"{where}.services.{name}.backends.{backend}: its target group would be named {group!r}: {problem}; rename the service or the backend"
            if serving.lambda_source is None:
                continue
            function = function_name(name, backend)
            role = lambda_role_name(account_wide_name(NAME, f"{name}-{backend}"))
            problem = iam_role_name_problem(role)
            if len(function) > FUNCTION_NAME_MAX:  # its role's name is longer still: one problem, one fix
                yield (
                    f"{where}.services.{name}.backends.{backend}: its function would be named {function!r}, {len(function)} characters: "
                    f"Lambda allows {FUNCTION_NAME_MAX}; shorten the service or backend name"
                )
            elif problem:
                yield f"{where}.services.{name}.backends.{backend}: its function's role would be named {role!r}: {problem}; shorten the service or backend name"
    yield from _quota_problems(settings)
    for name, consumer in consumers.items():
        problem = _known(f"consumers.{name}.account", consumer.account, "accounts", accounts)
        if problem:
            yield problem
        for field, joined_networks in (("networks", consumer.networks), ("endpoints", consumer.endpoints)):
            for index, joined in enumerate(joined_networks):
                problem = _known(f"consumers.{name}.{field}[{index}]", joined, "networks", networks)
                if problem:
                    yield problem
    for index, intent in enumerate(settings.access):
        field = f"{where}.access[{index}]"
        problems = [p for p in (_known(f"access[{index}].from", intent.source, "consumers", consumers), _known(f"access[{index}].to", intent.to, "services", services)) if p]
        yield from problems
        if problems:
            continue
        consumer, service = consumers[intent.source], services[intent.to]
        if not set(consumer.reached) <= set(networks) or not set(service.networks) <= set(networks):
            continue  # a network name is unknown, reported above: the path cannot be judged
        if not set(consumer.reached) & set(service.networks):
            yield (
                f"{field}: {intent.source} can never reach {intent.to}: the consumer's VPC is on {', '.join(consumer.reached)}, "
                f"the service joins {', '.join(service.networks)}; add a shared network to one of them"
            )
    for id_, names in _shared(((name, account.id) for name, account in accounts.items())).items():
        yield (
            f"{' and '.join(f'{where}.accounts.{name}.id' for name in names)} are {_both(names)} {id_}: an account has one name in a topology "
            "(its stacks and RAM shares are planned by name); use one name"
        )
    for network_name in sorted(networks):
        domains = [
            (name, service.custom_domain) for name, service in services.items() if network_name in service.networks and service.custom_domain is not None
        ]
        for domain, names in _shared(domains).items():
            yield (
                f"{' and '.join(f'{where}.services.{name}.custom_domain' for name in names)} are {_both(names)} {domain}: "
                f"they join network {network_name}, where a custom domain names one service"
            )
    existing = ((name, c.existing_vpc.id) for name, c in consumers.items() if c.existing_vpc is not None)
    for vpc_id, names in _shared(existing).items():
        yield (
            f"{' and '.join(f'{where}.consumers.{name}.existing_vpc.id' for name in names)} are {_both(names)} {vpc_id}: a VPC is one consumer "
            "(it takes one service-network association); use one consumer"
        )
    if settings.organization is not None:
        for index, member in enumerate(settings.organization.members or ()):
            problem = _known(f"organization.members[{index}]", member, "accounts", accounts)
            if problem:
                yield problem
    used = {n.owner for n in networks.values()} | {s.owner for s in services.values()} | {c.account for c in consumers.values()}
    if not used <= set(accounts):
        return  # an owner is misspelt, reported above: the account it meant would look unused
    for name in sorted(set(accounts) - used):
        yield f"{where}.accounts.{name}: owns no network, service or consumer; remove it, or give it something to deploy"


def _both(names: list[str]) -> str:
    return "both" if len(names) == 2 else "all"


def _shared(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """value -> the names that have it, for the values more than one name has."""
    holders: dict[str, list[str]] = {}
    for name, value in pairs:
        holders.setdefault(value, []).append(name)
    return {value: names for value, names in holders.items() if len(names) > 1}


def _quota_problems(settings: TopologySettings) -> Iterable[str]:
    where = f"patterns.{NAME}"

    def beyond(field: str, count: int, what: str, quota: str) -> Optional[str]:
        limit = settings.quota(quota)
        if count <= limit:
            return None
        raised = "the quota declared" if quota in settings.quotas else "the default quota"
        return (
            f"{where}.{field}: {count} {what}: more than {raised} of {limit}; if your accounts' quota is higher, "
            f"declare it: {where}.quotas.{quota} = {count}"
        )

    found: list[Optional[str]] = []
    for name, service in settings.services.items():
        found.append(beyond(f"services.{name}.routes", len(service.routes), "routes (listener rules)", "rules_per_listener"))
        found.append(beyond(f"services.{name}.backends", len(service.backends), "backends (target groups)", "target_groups_per_service"))
        for backend, serving in service.backends.items():
            hosts = serving.ip or serving.instance
            if hosts is not None:
                found.append(beyond(f"services.{name}.backends.{backend}", len(hosts.targets), "targets", "targets_per_target_group"))
    for network in settings.networks:
        joined = sum(network in s.networks for s in settings.services.values())
        associated = sum(network in c.networks for c in settings.consumers.values())
        found.append(beyond(f"networks.{network}", joined, "services join it", "service_associations_per_service_network"))
        found.append(beyond(f"networks.{network}", associated, "VPCs are associated with it", "vpc_associations_per_service_network"))
    return [problem for problem in found if problem]


