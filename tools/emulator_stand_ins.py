"""What moto's server lacks for an apply of these projects, stood in for in the
emulator's process only (tools/aws_emulator.py installs it before it serves):

- VPC Lattice: ``GetServiceNetworkVpcAssociation`` (the provider waits on it after a
  create); ``RegisterTargets``, ``ListTargets``, ``DeregisterTargets`` (target group
  attachments, kept per target group); a service or network named by ARN, also one
  another account shares.
- RAM: associating principals and resources (of any type: moto's list lacks VPC
  Lattice's), the permissions of a share, invitations to the accounts a share names
  and their acceptance, the shares and resources other accounts give, and the ARN
  and name filters of ``GetResourceShares``.
- IAM: AWS managed policies (``MOTO_IAM_LOAD_MANAGED_POLICIES``).

Lattice and RAM deletes, and the rest moto lacks, are not stood in for: a run that
needs them stops there and says so.
"""
from __future__ import annotations

import json
import os
from typing import Any, Iterator
from urllib.parse import unquote

from moto.ram import urls as ram_urls
from moto.ram.exceptions import UnknownResourceException
from moto.ram.models import ram_backends
from moto.ram.responses import ResourceAccessManagerResponse as RamResponse
from moto.vpclattice.exceptions import ResourceNotFoundException
from moto.vpclattice.models import VPCLatticeBackend, vpclattice_backends
from moto.vpclattice.responses import VPCLatticeResponse

_TARGETS: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}  # (account, region, group id) -> target id -> target


def _group_id(response: VPCLatticeResponse) -> str:
    parts = unquote(response.path).split("/")
    return parts[parts.index("targetgroups") + 1]


def _targets(response: VPCLatticeResponse) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = _TARGETS.setdefault((response.current_account, response.region, _group_id(response)), {})
    return found


def _get_service_network_vpc_association(self: VPCLatticeResponse) -> str:
    identifier = unquote(self.path).rstrip("/").split("/")[-1]
    association = self.backend.service_network_vpc_associations.get(identifier)
    if association is None:
        raise ResourceNotFoundException(identifier)
    return json.dumps(association.to_dict())


def _register_targets(self: VPCLatticeResponse) -> str:
    targets = _targets(self)
    registered = []
    for target in self._get_param("targets") or []:
        targets[target["id"]] = {**target, "status": "HEALTHY"}
        registered.append({key: value for key, value in target.items() if key in ("id", "port")})
    return json.dumps({"successful": registered, "unsuccessful": []})


def _deregister_targets(self: VPCLatticeResponse) -> str:
    targets = _targets(self)
    removed = [target for target in self._get_param("targets") or [] if targets.pop(target["id"], None) is not None]
    return json.dumps({"successful": removed, "unsuccessful": []})


def _list_targets(self: VPCLatticeResponse) -> str:
    return json.dumps({"items": list(_targets(self).values())})


# --- RAM: associations, permissions and invitations across accounts -----------------------

_ACCEPTED: set[str] = set()  # invitation ARNs accepted


def _shares_for(receiver: str, region: str) -> Iterator[Any]:
    """The resource shares of other accounts that name ``receiver`` as a principal."""
    for owner, regions in ram_backends.items():
        if owner == receiver or region not in regions:
            continue
        for share in regions[region].resource_shares:
            if receiver in share.principals and share.status == "ACTIVE":
                yield share


def _invitation(share: Any, receiver: str) -> dict[str, Any]:
    arn = f"arn:aws:ram:{share.region}:{share.owning_account_id}:resource-share-invitation/{share.arn.rsplit('/', 1)[-1]}-{receiver}"
    return {
        "resourceShareInvitationArn": arn, "resourceShareName": share.name, "resourceShareArn": share.arn,
        "senderAccountId": share.owning_account_id, "receiverAccountId": receiver, "invitationTimestamp": 0,
        "status": "ACCEPTED" if arn in _ACCEPTED else "PENDING",
    }


def _share(response: RamResponse, arn: str) -> Any:
    found = next((s for s in response.ram_backend.resource_shares if s.arn == arn), None)
    if found is None:
        raise UnknownResourceException(f"ResourceShare {arn} could not be found.")
    return found


def _associate_resource_share(self: RamResponse) -> str:
    share = _share(self, self._get_param("resourceShareArn"))
    found = []
    for kind, key, items in (("PRINCIPAL", "principals", share.principals), ("RESOURCE", "resourceArns", share.resource_arns)):
        for entity in self._get_param(key) or []:
            if entity not in items:
                items.append(entity)  # any resource type: moto's list lacks VPC Lattice's
            found.append({"resourceShareArn": share.arn, "associatedEntity": entity, "associationType": kind, "status": "ASSOCIATED"})
    return json.dumps({"resourceShareAssociations": found})


def _disassociate_resource_share(self: RamResponse) -> str:
    share = _share(self, self._get_param("resourceShareArn"))
    found = []
    for kind, key, items in (("PRINCIPAL", "principals", share.principals), ("RESOURCE", "resourceArns", share.resource_arns)):
        for entity in self._get_param(key) or []:
            if entity in items:
                items.remove(entity)
            found.append({"resourceShareArn": share.arn, "associatedEntity": entity, "associationType": kind, "status": "DISASSOCIATED"})
    return json.dumps({"resourceShareAssociations": found})


def _list_resource_share_permissions(self: RamResponse) -> str:
    return json.dumps({"permissions": []})


def _get_resource_share_invitations(self: RamResponse) -> str:
    wanted_shares = set(self._get_param("resourceShareArns") or [])
    wanted = set(self._get_param("resourceShareInvitationArns") or [])
    invitations = [_invitation(share, self.current_account) for share in _shares_for(self.current_account, self.region)]
    return json.dumps({"resourceShareInvitations": [
        i for i in invitations if (not wanted_shares or i["resourceShareArn"] in wanted_shares) and (not wanted or i["resourceShareInvitationArn"] in wanted)
    ]})


def _accept_resource_share_invitation(self: RamResponse) -> str:
    arn = self._get_param("resourceShareInvitationArn")
    for share in _shares_for(self.current_account, self.region):
        invitation = _invitation(share, self.current_account)
        if invitation["resourceShareInvitationArn"] == arn:
            _ACCEPTED.add(arn)
            return json.dumps({"resourceShareInvitation": {**invitation, "status": "ACCEPTED"}})
    raise UnknownResourceException(f"ResourceShareInvitation {arn} could not be found.")


def _get_resource_shares(self: RamResponse) -> str:
    """Also the shares other accounts give (``OTHER-ACCOUNTS``), filtered by ARN and name
    (moto ignores both filters)."""
    wanted = set(self._get_param("resourceShareArns") or [])
    name = self._get_param("name")
    if self._get_param("resourceOwner") == "OTHER-ACCOUNTS":
        shares = list(_shares_for(self.current_account, self.region))
    else:
        shares = [share for share in self.ram_backend.resource_shares if share.status != "DELETED"]
    return json.dumps({"resourceShares": [
        share.describe() for share in shares if (not wanted or share.arn in wanted) and (name is None or share.name == name)
    ]})


def _list_resources(self: RamResponse) -> str:
    wanted = set(self._get_param("resourceShareArns") or [])
    shares = _shares_for(self.current_account, self.region) if self._get_param("resourceOwner") == "OTHER-ACCOUNTS" else iter(self.ram_backend.resource_shares)
    return json.dumps({"resources": [
        {"arn": arn, "resourceShareArn": share.arn, "status": "AVAILABLE", "type": arn.split(":")[2] + ":" + arn.split(":")[5].split("/")[0]}
        for share in shares if not wanted or share.arn in wanted for arn in share.resource_arns
    ]})


_RAM_PATHS = {
    "associateresourceshare": _associate_resource_share,
    "disassociateresourceshare": _disassociate_resource_share,
    "listresourcesharepermissions": _list_resource_share_permissions,
    "getresourceshareinvitations": _get_resource_share_invitations,
    "acceptresourceshareinvitation": _accept_resource_share_invitation,
    "listresources": _list_resources,
}


def _shared(find: Any) -> Any:
    """A lookup by id or by ARN, also of another account's service or network (shared
    with RAM), as Lattice does; moto looks up ids in the caller's account only."""

    def lookup(self: VPCLatticeBackend, *args: str, **kwargs: str) -> Any:
        (identifier,) = [*args, *kwargs.values()]
        parts = identifier.split(":")
        if len(parts) < 6:  # an id
            return find(self, identifier)
        owner = self if parts[4] == self.account_id else vpclattice_backends[parts[4]][parts[3]]
        return find(owner, parts[5].rsplit("/", 1)[-1])

    lookup.shared = True  # type: ignore[attr-defined]
    return lookup


def install() -> None:
    """Put the stand-ins in place (again: a no-op)."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AWSLambdaVPCAccessExecutionRole and the rest
    for name in ("get_service", "get_service_network"):
        if not getattr(getattr(VPCLatticeBackend, name), "shared", False):
            setattr(VPCLatticeBackend, name, _shared(getattr(VPCLatticeBackend, name)))
    lattice_calls: dict[str, Any] = {
        "get_service_network_vpc_association": _get_service_network_vpc_association,
        "register_targets": _register_targets,
        "deregister_targets": _deregister_targets,
        "list_targets": _list_targets,
    }
    for name, method in lattice_calls.items():
        if not hasattr(VPCLatticeResponse, name):  # a moto that has it answers itself
            setattr(VPCLatticeResponse, name, method)
    for path, method in _RAM_PATHS.items():
        ram_urls.url_paths.setdefault("{0}/" + path + "$", RamResponse.dispatch)
        setattr(RamResponse, method.__name__.lstrip("_"), method)
    setattr(RamResponse, "get_resource_shares", _get_resource_shares)  # also the shares others give
