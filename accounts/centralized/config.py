"""Centralized pattern, config side: a central account owns the one service network,
the service account shares its service with it, the consumer account's VPCs
associate with it (reference: seed 000, centralized_service_network/;
docs/reference-layouts.md section 2)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from pydantic import Field

from lattice_model.fields import LatticeNetworkName, LatticeServiceName, LatticeTargetGroupName

from ..hello_service import CONSUMER, SERVICE, HelloServiceSettings, hello_service_claims
from ..registry import AccountRole, NameClaim, PatternSpec, account_scope, required_account
from ..stack_ids import consumer_stack_claims

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "centralized"
SERVICE_STACK = "centralized-service-account"
NETWORK_STACK = "centralized-service-network-account"
CONSUMER_STACK = "centralized-consumer-account"
SERVICES_SECRET = "vpclattice_services"
NETWORK_SECRET = "central_service_network"
NETWORK = AccountRole("network", "Central service-network account (centralized pattern only).")


class CentralizedSettings(HelloServiceSettings):
    enabled: bool = Field(default=False, description="Synthesize this pattern's stacks.")
    # Its own names by default: its service lives in accounts.service beside the
    # distributed pattern's, where Lattice names must be unique.
    service_name: LatticeServiceName = Field(default="central-lambda-service", description="Lattice service name (unique per account).")
    target_group_name: LatticeTargetGroupName = Field(default="central-lambdatarget", description="Lattice target group name (unique per account).")
    service_network_name: LatticeNetworkName = Field(
        default="centralized-service-network", description="Name of the central service network."
    )
    allow_shared_accounts: bool = Field(
        default=False,
        description="Let two roles share an account (no RAM share is made between the roles that do).",
    )


def _checks(config: LatticeConfig, settings: CentralizedSettings) -> Iterable[str]:
    if settings.allow_shared_accounts:
        return
    roles = {role.name: required_account(config, role).id for role in (SERVICE, NETWORK, CONSUMER)}
    for a, b in (("service", "network"), ("service", "consumer"), ("network", "consumer")):
        if roles[a] == roles[b]:
            yield (
                f"accounts.{a}.id and accounts.{b}.id are both {roles[a]}: the centralized pattern "
                "expects three accounts (set patterns.centralized.allow_shared_accounts = true to allow it)"
            )


def _claims(config: LatticeConfig, settings: CentralizedSettings) -> Iterable[NameClaim]:
    service, network, consumer = (required_account(config, role) for role in (SERVICE, NETWORK, CONSUMER))
    for stack in (SERVICE_STACK, NETWORK_STACK, CONSUMER_STACK):
        yield NameClaim("stack name", "the app", stack, "the centralized pattern", fixed=True)
    yield from hello_service_claims(NAME, settings, service.id)
    yield NameClaim("secret name", account_scope(service.id), SERVICES_SECRET, "the centralized service's discovery secret", fixed=True)
    yield NameClaim("secret name", account_scope(network.id), NETWORK_SECRET, "the central network's discovery secret", fixed=True)
    yield NameClaim(
        "Lattice service network name",
        account_scope(network.id),
        settings.service_network_name,
        "patterns.centralized.service_network_name",
    )
    yield from consumer_stack_claims(NAME, CONSUMER_STACK, config.vpcs, consumer.id, reads=[NETWORK_STACK])


PATTERN = PatternSpec(
    name=NAME,
    summary="Service, central service-network and consumer accounts.",
    settings=CentralizedSettings,
    position=20,
    roles=(SERVICE, NETWORK, CONSUMER),
    stack_names=lambda settings: (SERVICE_STACK, NETWORK_STACK, CONSUMER_STACK),
    checks=_checks,
    claims=_claims,
)
