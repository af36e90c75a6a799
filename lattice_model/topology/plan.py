"""The plan of a topology: which stack of which account holds what, in deploy order
(shared by the stacks, the config checks, the docs' stack list and lattice_check),
and the names its stacks create."""
from __future__ import annotations

from dataclasses import dataclass

from .rules import HTTPS_PORT, LAYERS, LISTENER_PORT, NAME, Layer
from .schema import TopologySettings


def layers_of(settings: TopologySettings, account: str) -> tuple[Layer, ...]:
    """The layers ``account`` has something in, in deploy order."""
    has = {
        "networks": any(n.owner == account for n in settings.networks.values()),
        "consumers": any(c.account == account for c in settings.consumers.values()),
        "services": any(s.owner == account for s in settings.services.values()),
    }
    return tuple(layer for layer in LAYERS if has[layer])


def stack_name(settings: TopologySettings, account: str, layer: Layer) -> str:
    layers = layers_of(settings, account)
    return f"{NAME}-{account}" if layers and layers[0] == layer else f"{NAME}-{account}-{layer}"


@dataclass(frozen=True)
class PlannedStack:
    name: str
    account: str
    layer: Layer


def planned_stacks(settings: TopologySettings) -> tuple[PlannedStack, ...]:
    """Every stack, in deploy order: all network stacks, then consumers, then services."""
    return tuple(
        PlannedStack(stack_name(settings, account, layer), account, layer)
        for layer in LAYERS
        for account in sorted(settings.accounts)
        if layer in layers_of(settings, account)
    )


def is_member(settings: TopologySettings, account: str) -> bool:
    """Whether ``account`` (a name) is in the topology's organization."""
    organization = settings.organization
    return organization is not None and (organization.members is None or account in organization.members)


def accepts_invitation(settings: TopologySettings, account: str, network: str) -> bool:
    """Whether ``account`` must accept a RAM invitation to use ``network``: it is
    shared by RAM from another account, and not inside the organization (with RAM
    sharing with Organizations enabled, a member gets what another member shares
    with it at once; an accepter there finds no invitation and fails)."""
    owner = settings.networks[network].owner
    if owner == account or settings.networks[network].sharing != "ram":
        return False
    return not (is_member(settings, owner) and is_member(settings, account))


def network_users(settings: TopologySettings, network: str) -> set[str]:
    """The accounts (names) whose VPCs reach ``network`` or whose services join it."""
    return {c.account for c in settings.consumers.values() if network in c.reached} | {
        s.owner for s in settings.services.values() if network in s.networks
    }


def first_layer_using(settings: TopologySettings, account: str, network: str) -> Layer:
    """The first layer of ``account`` whose stack uses ``network`` (consumers before services)."""
    if any(c.account == account and network in c.reached for c in settings.consumers.values()):
        return "consumers"
    return "services"


def consumer_ports(settings: TopologySettings, consumer: str) -> tuple[int, ...]:
    """The ports a consumer VPC's clients call: 80, and 443 when a service it reaches has HTTPS."""
    reached = set(settings.consumers[consumer].reached)
    https = any(s.https and reached & set(s.networks) for s in settings.services.values())
    return (LISTENER_PORT, HTTPS_PORT) if https else (LISTENER_PORT,)


def secret_name(stack: str) -> str:
    """The discovery secret of a producing stack (with ``discovery = "secrets_manager"``)."""
    return f"{stack}-ids"


def function_name(service: str, backend: str) -> str:
    return f"{NAME}-{service}-{backend}"


def target_group_name(service: str, backend: str) -> str:
    return f"{service}-{backend}"


def share_accepter_id(network: str) -> str:
    """The construct id of the acceptance of ``network``'s RAM share in a stack."""
    return f"accept-{network}"


