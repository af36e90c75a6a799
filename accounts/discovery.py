"""How a consuming stack learns a producing stack's ids.

The producer publishes the same facts on two channels: Terraform outputs (read by
consumers through remote state, the default) and the original sample's Secrets
Manager secret (for consumers that cannot read the producer's state). Consumers
pick one channel by config; both give a ``ProducerIds``.
"""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence

from constructs_lib.cdk import Construct, Fn, TerraformOutput
from constructs_lib.discovery_secret import (
    DiscoverySecret,
    DiscoverySecretProps,
    DiscoverySecretReader,
    secret_arn,
)
from constructs_lib.lattice import LatticeService
from constructs_lib.state import read_remote_state

from .base import AccountStack

# Output names a producer stack publishes; consumers read exactly these.
RAM_SHARE_ARN = "ram_share_arn"
SERVICE_IDS = "service_ids"
SERVICE_ARNS = "service_arns"
SERVICE_DOMAIN_NAME = "service_domain_name"
# Keys of the original sample's secret document.
SECRET_RAM_SHARE = "ram_share"
SECRET_SERVICE_IDS = "services_id"


class ProducerIds(Protocol):
    @property
    def ram_share_arn(self) -> str: ...

    def service_arn(self, key: str) -> str: ...


def publish_services(
    stack: AccountStack,
    *,
    services: Mapping[str, LatticeService],
    ram_share_arn: str,
    secret_name: str,
    reader_account_ids: Sequence[str],
) -> None:
    """Outputs for remote-state readers plus the discovery secret for the others."""
    TerraformOutput(
        stack,
        SERVICE_DOMAIN_NAME,
        value={k: s.domain_name for k, s in services.items()},
        description="VPC Lattice services domain name.",
    )
    TerraformOutput(stack, SERVICE_IDS, value={k: s.id for k, s in services.items()})
    TerraformOutput(stack, SERVICE_ARNS, value={k: s.arn for k, s in services.items()})
    TerraformOutput(stack, RAM_SHARE_ARN, value=ram_share_arn)
    DiscoverySecret(
        stack,
        "discovery-secret",
        DiscoverySecretProps(
            secret_name=secret_name,
            owner_account_id=stack.account_id,
            region=stack.config.region,
            reader_account_ids=reader_account_ids,
            payload={
                SECRET_RAM_SHARE: ram_share_arn,
                SECRET_SERVICE_IDS: {k: s.id for k, s in services.items()},
            },
        ),
    )


class RemoteStateIds:
    """Reads the producer's outputs from its Terraform state."""

    def __init__(self, scope: Construct, producer: AccountStack) -> None:
        self._state = read_remote_state(scope, producer.stack_name, producer.state)
        self.producer = producer

    @property
    def ram_share_arn(self) -> str:
        return self._state.get_string(RAM_SHARE_ARN)

    def service_arn(self, key: str) -> str:
        return Fn.lookup(self._state.get(SERVICE_ARNS), key)


class SecretIds:
    """Reads the producer's discovery secret (the original sample's channel)."""

    def __init__(self, scope: Construct, *, producer_account_id: str, region: str, secret_name: str) -> None:
        self._reader = DiscoverySecretReader(
            scope, "discovery-secret", arn=secret_arn(region, producer_account_id, secret_name)
        )
        self._service_arn_prefix = f"arn:aws:vpc-lattice:{region}:{producer_account_id}:service/"

    @property
    def ram_share_arn(self) -> str:
        return self._reader.get(SECRET_RAM_SHARE)

    def service_arn(self, key: str) -> str:
        # The secret carries ids; across accounts Lattice needs the ARN.
        return self._service_arn_prefix + self._reader.get(SECRET_SERVICE_IDS, key)


def producer_ids(scope: AccountStack, producer: AccountStack, channel: str, secret_name: str) -> ProducerIds:
    """The ids of ``producer`` through ``channel``; also orders the deploy after it."""
    scope.add_dependency(producer)
    if channel == "remote_state":
        return RemoteStateIds(scope, producer)
    return SecretIds(
        scope, producer_account_id=producer.account_id, region=scope.config.region, secret_name=secret_name
    )
