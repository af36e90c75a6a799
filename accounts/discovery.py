"""How a stack learns the ids a previous stack created, without copy and paste.

A producer publishes its ids on two channels at once: Terraform outputs (read by
the next stack through remote state, the default) and the original sample's
Secrets Manager secret (for readers that cannot read the producer's state). The
reader picks a channel by config and gets the same facts either way.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

from constructs_lib.discovery_secret import (
    DiscoverySecret,
    DiscoverySecretProps,
    DiscoverySecretReader,
    secret_arn,
)
from constructs_lib.lattice import LatticeService, ServiceNetwork
from constructs_lib.runtime.cdk import Fn, TerraformOutput, Token
from constructs_lib.state import read_remote_state
from lattice_model.fields import DiscoveryChannel

from .base import AccountStack
from .stack_ids import DISCOVERY_SECRET_ID, secret_reader_id

# Output names; readers ask for exactly these.
RAM_SHARE_ARN = "ram_share_arn"
SERVICE_IDS = "service_ids"
SERVICE_ARNS = "service_arns"
SERVICE_DOMAIN_NAME = "service_domain_name"
SERVICE_NETWORK_ID = "service_network_id"
SERVICE_NETWORK_ARN = "service_network_arn"
# Keys of the original sample's secret documents.
SECRET_RAM_SHARE = "ram_share"
SECRET_SERVICE_IDS = "services_id"
SECRET_NETWORK_ID = "id"
SECRET_NETWORK_ARN = "arn"


def _publish_secret(stack: AccountStack, *, name: str, readers: Sequence[str], payload: Mapping[str, object]) -> None:
    DiscoverySecret(
        stack, DISCOVERY_SECRET_ID, DiscoverySecretProps(secret_name=name, reader_account_ids=readers, payload=payload)
    )


def publish_services(
    stack: AccountStack,
    *,
    services: Mapping[str, LatticeService],
    ram_share_arn: str,
    secret_name: str,
    reader_account_ids: Sequence[str],
) -> None:
    TerraformOutput(
        stack,
        SERVICE_DOMAIN_NAME,
        value={k: s.domain_name for k, s in services.items()},
        description="VPC Lattice services domain name.",
    )
    TerraformOutput(stack, SERVICE_IDS, value={k: s.id for k, s in services.items()})
    TerraformOutput(stack, SERVICE_ARNS, value={k: s.arn for k, s in services.items()})
    TerraformOutput(stack, RAM_SHARE_ARN, value=ram_share_arn)
    _publish_secret(
        stack,
        name=secret_name,
        readers=reader_account_ids,
        payload={SECRET_RAM_SHARE: ram_share_arn, SECRET_SERVICE_IDS: {k: s.id for k, s in services.items()}},
    )


def publish_service_network(
    stack: AccountStack,
    *,
    network: ServiceNetwork,
    ram_share_arn: str,
    secret_name: Optional[str],
    reader_account_ids: Sequence[str],
) -> None:
    """The network's ids as outputs and, unless ``secret_name`` is None (readers that
    use remote state only), in a discovery secret of that name."""
    TerraformOutput(stack, SERVICE_NETWORK_ID, value=network.id)
    TerraformOutput(stack, SERVICE_NETWORK_ARN, value=network.arn)
    TerraformOutput(stack, RAM_SHARE_ARN, value=ram_share_arn)
    if secret_name is None:
        return
    _publish_secret(
        stack,
        name=secret_name,
        readers=reader_account_ids,
        payload={SECRET_NETWORK_ID: network.id, SECRET_NETWORK_ARN: network.arn, SECRET_RAM_SHARE: ram_share_arn},
    )


class RemoteOutputs:
    """A producer stack's outputs, read through its Terraform state."""

    def __init__(self, reader: AccountStack, producer: AccountStack) -> None:
        reader.add_dependency(producer)  # deploy after the producer, destroy before it
        self._state = read_remote_state(reader, producer.stack_name, producer.state)

    def get(self, name: str, *path: str) -> str:
        if not path:
            return self._state.get_string(name)
        value = self._state.get(name)
        for key in path:
            value = Fn.lookup(value, key)
        return Token.as_string(value)


class _Channel:
    """One producer's published values, through remote state or its secret."""

    def __init__(
        self, reader: AccountStack, producer: AccountStack, *, channel: DiscoveryChannel, secret_name: str
    ) -> None:
        self.producer = producer
        self.by_state = channel == "remote_state"
        if self.by_state:
            self._outputs = RemoteOutputs(reader, producer)
        else:
            reader.add_dependency(producer)
            self._secret = DiscoverySecretReader(
                reader,
                secret_reader_id(producer.stack_name),
                arn=secret_arn(producer.region, producer.account_id, secret_name),
            )

    def output(self, name: str, *path: str) -> str:
        return self._outputs.get(name, *path)

    def secret(self, *path: str) -> str:
        return self._secret.get(*path)


class ServiceIds(_Channel):
    """Ids of a stack that ran :func:`publish_services`."""

    @property
    def ram_share_arn(self) -> str:
        return self.output(RAM_SHARE_ARN) if self.by_state else self.secret(SECRET_RAM_SHARE)

    def service_arn(self, key: str) -> str:
        if self.by_state:
            return self.output(SERVICE_ARNS, key)
        # The secret carries ids; across accounts Lattice needs the ARN.
        producer = self.producer
        return f"arn:aws:vpc-lattice:{producer.region}:{producer.account_id}:service/" + self.secret(SECRET_SERVICE_IDS, key)


class ServiceNetworkIds(_Channel):
    """Ids of a stack that ran :func:`publish_service_network`."""

    @property
    def ram_share_arn(self) -> str:
        return self.output(RAM_SHARE_ARN) if self.by_state else self.secret(SECRET_RAM_SHARE)

    @property
    def service_network_arn(self) -> str:
        return self.output(SERVICE_NETWORK_ARN) if self.by_state else self.secret(SECRET_NETWORK_ARN)


def publish_ids(stack: AccountStack, *, ids: Mapping[str, str], secret_name: str, reader_account_ids: Sequence[str]) -> None:
    """Each id as a Terraform output of its own name, and all of them in one secret
    under the same keys (:class:`PublishedIds` reads either)."""
    for key, value in ids.items():
        TerraformOutput(stack, key, value=value)
    _publish_secret(stack, name=secret_name, readers=reader_account_ids, payload=ids)


class PublishedIds(_Channel):
    """Ids of a stack that ran :func:`publish_ids`."""

    def get(self, key: str) -> str:
        return self.output(key) if self.by_state else self.secret(key)


def publish_maps(
    stack: AccountStack,
    *,
    maps: Mapping[str, tuple[Mapping[str, str], str]],
    secret_name: Optional[str],
    reader_account_ids: Sequence[str],
) -> None:
    """Outputs that are maps by name (output -> (map, description)); with
    ``secret_name``, the same maps in one discovery secret too, readable by
    ``reader_account_ids`` (:class:`PublishedMaps` reads either)."""
    for name, (value, description) in maps.items():
        TerraformOutput(stack, name, value=dict(value), description=description)
    if secret_name is not None:
        _publish_secret(stack, name=secret_name, readers=reader_account_ids, payload={name: dict(value) for name, (value, _) in maps.items()})


class PublishedMaps(_Channel):
    """Ids of a stack that ran :func:`publish_maps`."""

    def get(self, output: str, key: str) -> str:
        return self.output(output, key) if self.by_state else self.secret(output, key)
