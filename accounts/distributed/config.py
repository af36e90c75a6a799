"""Distributed pattern, config side: the service account shares its service with a
consumer account that owns one service network per VPC (reference: seed 000,
distributed/; docs/reference-layouts.md section 1)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from pydantic import Field

from ..hello_service import CONSUMER, SERVICE, HelloServiceSettings, hello_service_claims
from ..registry import NameClaim, PatternSpec, account_scope, required_account
from ..stack_ids import consumer_stack_claims

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "distributed"
SERVICE_STACK = "distributed-service-account"
CONSUMER_STACK = "distributed-consumer-account"
SERVICES_SECRET = "vpc_lattice_services"


def network_name(vpc: str) -> str:
    """The consumer's service network for VPC ``vpc`` (also its construct id)."""
    return f"{vpc}-service-network"


class DistributedSettings(HelloServiceSettings):
    enabled: bool = Field(default=True, description="Synthesize this pattern's stacks.")


def _checks(config: LatticeConfig, settings: DistributedSettings) -> Iterable[str]:
    service, consumer = required_account(config, SERVICE), required_account(config, CONSUMER)
    if service.id == consumer.id:
        yield (
            f"accounts.service.id and accounts.consumer.id are both {service.id}: "
            "the distributed pattern shares the service across accounts, give each role its own account"
        )


def _claims(config: LatticeConfig, settings: DistributedSettings) -> Iterable[NameClaim]:
    service, consumer = required_account(config, SERVICE), required_account(config, CONSUMER)
    for stack in (SERVICE_STACK, CONSUMER_STACK):
        yield NameClaim("stack name", "the app", stack, "the distributed pattern", fixed=True)
    yield from hello_service_claims(NAME, settings, service.id)
    yield NameClaim("secret name", account_scope(service.id), SERVICES_SECRET, "the distributed service's discovery secret", fixed=True)
    yield from consumer_stack_claims(NAME, CONSUMER_STACK, config.vpcs, consumer.id, reads=[SERVICE_STACK])
    for vpc in config.vpcs:
        network = network_name(vpc)
        yield NameClaim("construct id", f"stack {CONSUMER_STACK}", network, f"vpcs.{vpc} (its service network)")
        yield NameClaim("Lattice service network name", account_scope(consumer.id), network, f"vpcs.{vpc} (its service network)")


PATTERN = PatternSpec(
    name=NAME,
    summary="Service account + consumer account.",
    settings=DistributedSettings,
    position=10,
    roles=(SERVICE, CONSUMER),
    stack_names=lambda settings: (SERVICE_STACK, CONSUMER_STACK),
    checks=_checks,
    claims=_claims,
)
