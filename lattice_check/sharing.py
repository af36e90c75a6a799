"""Hop 2, RAM: every association on a request's path that uses another account's
service network or service needs that resource shared with its account, and the
invitation accepted unless shared inside an organization (docs/lattice-rules.md
section 7); membership as declared (organizations.py)."""
from __future__ import annotations

from typing import Optional

from .graph import UNKNOWN_ACCOUNT
from .kinds import Service, ServiceAssociation, VpcLink, arn_noun
from .organizations import Organizations
from .resolution import Client
from .topology import Topology


def sharing(topology: Topology, resource_arn: str, account: str, organizations: Organizations) -> tuple[bool, str]:
    """Whether ``account`` may use the Lattice resource ``resource_arn`` of another
    account: a RAM share names it (or its organization), accepted there unless shared
    inside the owner's organization. Membership is decided when ``organizations`` is
    declared, and assumed (said) otherwise."""
    owner = resource_arn.split(":")[4]
    what = arn_noun(resource_arn)
    if owner == account:
        return True, f"the {what} is in account {account}"
    refusals: list[str] = []
    for share in topology.shares:
        if resource_arn not in share.resources:
            continue
        given = f"RAM share {share.name!r} of {share.stack.name} gives the {what} to"
        if account in share.principals:
            if not share.external:
                inside, why = _same_organization(organizations, owner, account)
                if inside is False:
                    refusals.append(f"{given} {account} with allow_external_principals = false, but {why}")
                    continue
                if inside is None:  # the output says it: RAM shares such a share only inside the owner's organization
                    why = "allow_external_principals = false: RAM admits only the owner's organization, with no invitation; give --org to check membership"
                return True, f"{given} {account} inside the organization ({why})"
            accepted = [stack for stack, by in share.accepted_in if by == account]
            inside, why = _same_organization(organizations, owner, account)
            if not accepted and inside:
                # with RAM sharing with Organizations enabled (assumed), a member gets a member's share at once
                return True, f"{given} {account} inside the organization ({why}): no invitation to accept (RAM sharing with Organizations enabled, assumed)"
            if not accepted:
                return False, f"{given} {account}, but no stack of that account accepts the invitation"
            return True, f"{given} {account}, accepted in {', '.join(accepted)}"
        for principal in share.principals:
            org_id = _organization_of_principal(principal)
            if org_id is None:
                continue
            unit = "" if ":organization/" in principal else "; membership of the organizational unit is not modeled: assumed"
            if not organizations.declared:
                return True, f"{given} {principal} (membership of {account} is not declared: assumed; give --org)"
            if organizations.of(account) == org_id:
                return True, f"{given} {principal}: account {account} is in {org_id} (declared){unit}"
            refusals.append(f"{given} {principal}, but account {account} is not in {org_id} (declared)")
    if refusals:
        return False, "; ".join(refusals)
    return False, f"no RAM share gives the {what} {resource_arn} to account {account}"


def _same_organization(organizations: Organizations, owner: str, account: str) -> tuple[Optional[bool], str]:
    if not organizations.declared:
        return None, "membership is not declared: assumed; give --org"
    owner_org, account_org = organizations.of(owner), organizations.of(account)
    if owner_org is not None and owner_org == account_org:
        return True, f"both accounts are in {owner_org} (declared)"
    where = f"in {account_org}" if account_org else "in no declared organization"
    return False, f"account {account} is {where} and the owner {owner} is {f'in {owner_org}' if owner_org else 'in none'}"


def _organization_of_principal(principal: str) -> Optional[str]:
    """The organization id of an organization or organizational-unit ARN as a share principal."""
    if ":organizations::" not in principal:
        return None
    path = principal.split(":", 5)[-1]  # organization/o-x or ou/o-x/ou-...
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else None


def association_shares(
    topology: Topology, client: Client, link: VpcLink, association: Optional[ServiceAssociation], service: Service,
    organizations: Organizations,
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
        allowed, why = sharing(topology, arn, account, organizations)
        if not allowed:
            return notes, f"{what} in {stack_name} fails at apply: {why}"
        notes.append(why)
    return notes, None
