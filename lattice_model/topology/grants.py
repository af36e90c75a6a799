"""Who may call what, from a topology's access intents: the one reading of them that
the stacks compile into auth policies (accounts/topology/policies.py) and that
``lattice_check verify`` and ``diff`` check the synthesized output against."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .schema import TopologySettings


@dataclass(frozen=True)
class Grant:
    """One access intent, resolved: calls from ``consumer``'s VPC to ``service``.
    An empty ``methods``, ``paths`` or ``principals`` means any."""

    consumer: str
    service: str
    network: str  # the network the calls travel through
    methods: tuple[str, ...]
    paths: tuple[str, ...]
    principals: tuple[str, ...]
    sid: str  # its statement id in the service's auth policy


def camel(name: str) -> str:
    """``payments-vpc`` -> ``PaymentsVpc``: names as IAM statement ids (letters and digits)."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def path_of(settings: TopologySettings, consumer: str, service: str) -> Optional[str]:
    """The network through which ``consumer``'s VPC reaches ``service``; None: it cannot."""
    joined = settings.services[service].networks
    return next((network for network in settings.consumers[consumer].reached if network in joined), None)


def grants(settings: TopologySettings) -> tuple[Grant, ...]:
    """Every intent as a grant, in the config's order (the checks guarantee a path)."""
    resolved: list[Grant] = []
    seen: dict[tuple[str, str], int] = {}
    for intent in settings.access:
        network = path_of(settings, intent.source, intent.to)
        assert network is not None, "the config checks reject an intent without a path"
        count = seen[(intent.source, intent.to)] = seen.get((intent.source, intent.to), 0) + 1
        resolved.append(
            Grant(
                consumer=intent.source,
                service=intent.to,
                network=network,
                methods=tuple(intent.methods),
                paths=tuple(intent.paths),
                principals=tuple(intent.principals),
                sid=f"From{camel(intent.source)}" + (str(count) if count > 1 else ""),
            )
        )
    return tuple(resolved)


def grants_to(settings: TopologySettings, service: str) -> tuple[Grant, ...]:
    return tuple(grant for grant in grants(settings) if grant.service == service)


@dataclass(frozen=True)
class NetworkGrant:
    """What a network's auth policy admits: calls from VPCs of ``consumer_accounts``
    to services of ``service_owners``, by ``principals`` (empty: anyone). The network
    layer is deployed before the VPCs and services exist, so it grants by account;
    the services' policies then grant by VPC, method and path. Pairs with the same
    principals are grouped (every account of a statement with every owner of it is
    a granted pair), which keeps the policy within its 10 KB at scale."""

    consumer_accounts: tuple[str, ...]  # account names, as in the topology
    service_owners: tuple[str, ...]
    principals: tuple[str, ...]
    sid: str


def network_grants(settings: TopologySettings, network: str) -> tuple[NetworkGrant, ...]:
    # (consumer account, service owner) -> principals; None: anyone
    pairs: dict[tuple[str, str], Optional[set[str]]] = {}
    for grant in grants(settings):
        if grant.network != network:
            continue
        key = (settings.consumers[grant.consumer].account, settings.services[grant.service].owner)
        if not grant.principals:
            pairs[key] = None
        elif key not in pairs or pairs[key] is not None:
            pairs[key] = (pairs.get(key) or set()) | set(grant.principals)
    by_owner: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for (account, owner), signers in pairs.items():
        by_owner.setdefault((owner, tuple(sorted(signers or ()))), set()).add(account)
    merged: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for (owner, principals), accounts in by_owner.items():
        merged.setdefault((tuple(sorted(accounts)), principals), []).append(owner)
    return tuple(
        NetworkGrant(
            consumer_accounts=accounts,
            service_owners=tuple(sorted(owners)),
            principals=principals,
            sid=f"From{''.join(map(camel, accounts))}To{''.join(map(camel, sorted(owners)))}Services"[:100],
        )
        for (accounts, principals), owners in sorted(merged.items(), key=lambda item: (item[0][0], sorted(item[1]), item[0][1]))
    )
