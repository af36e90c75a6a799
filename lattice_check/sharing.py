"""Hop 2, RAM: every association on a request's path that uses another account's
service network or service needs that resource shared with its account, and the
invitation accepted unless shared inside an organization (docs/lattice-rules.md
section 7)."""
from __future__ import annotations

from typing import Optional

from .graph import UNKNOWN_ACCOUNT
from .resolution import Client
from .topology import Service, ServiceAssociation, Topology, VpcLink, arn_noun


def sharing(topology: Topology, resource_arn: str, account: str) -> tuple[bool, str]:
    """Whether ``account`` may use the Lattice resource ``resource_arn`` of another
    account: a RAM share names it, accepted there unless shared in an organization."""
    owner = resource_arn.split(":")[4]
    what = arn_noun(resource_arn)
    if owner == account:
        return True, f"the {what} is in account {account}"
    for share in topology.shares:
        if resource_arn not in share.resources:
            continue
        given = f"RAM share {share.name!r} of {share.stack.name} gives the {what} to"
        if account in share.principals:
            accepted = [stack for stack, by in share.accepted_in if by == account]
            if not share.external:
                return True, f"{given} {account} inside the organization (membership is not modeled: assumed)"
            if not accepted:
                return False, f"{given} {account}, but no stack of that account accepts the invitation"
            return True, f"{given} {account}, accepted in {', '.join(accepted)}"
        organizations = [p for p in share.principals if ":organizations::" in p]
        if organizations:
            return True, f"{given} {organizations[0]} (membership of {account} is not modeled: assumed)"
    return False, f"no RAM share gives the {what} {resource_arn} to account {account}"


def association_shares(
    topology: Topology, client: Client, link: VpcLink, association: Optional[ServiceAssociation], service: Service
) -> tuple[list[str], Optional[str]]:
    """RAM behind each association of the path: the shares that make it work, or why
    an association would fail at apply (then the name does not resolve)."""
    network_arn = link.network.arn
    checks = [(link.how, client.stack.name, client.account, network_arn)]
    if association is not None:
        element = association.element
        checks += [(f"service association {element.name}", element.stack.name, element.account, arn) for arn in (network_arn, service.arn)]
    notes: list[str] = []
    for what, stack_name, account, arn in checks:
        owner = arn.split(":")[4]
        if UNKNOWN_ACCOUNT in (owner, account):
            noun = "service network" if ":servicenetwork/" in arn else "service"
            notes.append(f"not modeled: whether the {what} in {stack_name} may use the {noun} (a provider pins no account: allowed_account_ids)")
            continue
        if owner == account:
            continue
        allowed, why = sharing(topology, arn, account)
        if not allowed:
            return notes, f"{what} in {stack_name} fails at apply: {why}"
        notes.append(why)
    return notes, None
