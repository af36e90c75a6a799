"""Centralized pattern: the service account shares its service with a central
account that owns the one service network, associates the service with it, and
shares the network with the consumer account, whose VPCs associate with it.
Reproduces aws-samples/multi-account-architectures-amazon-vpc-lattice,
centralized_service_network/ (docs/reference-layouts.md section 2), deployed in one
straight line (service, network, consumer) instead of the original's two-phase apply."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps
from constructs_lib.runtime.cdk import Construct
from lattice_model.fields import AccountConfig

from ..base import AccountStack, Deployment
from ..building_blocks import (
    HelloServiceAccountStack,
    accept_unless_same_account,
    auth_policy_for_consumer,
    consumer_stack,
    hello_service_stack,
    share_unless_same_account,
)
from ..discovery import ServiceIds, ServiceNetworkIds, publish_service_network
from ..hello_service import CONSUMER, SERVICE_KEY
from ..registry import required_account
from .config import (
    CONSUMER_STACK,
    NAME,
    NETWORK,
    NETWORK_SECRET,
    NETWORK_STACK,
    SERVICE_STACK,
    SERVICES_SECRET,
    CentralizedSettings,
)

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig


@dataclass(frozen=True)
class NetworkProps:
    settings: CentralizedSettings  # network name, auth mode, discovery channel
    consumer_account_id: str  # whose VPCs may use the network, and who gets it shared


class CentralizedServiceNetworkAccountStack(AccountStack):
    def __init__(
        self,
        scope: Construct,
        *,
        deployment: Deployment,
        account: AccountConfig,
        props: NetworkProps,
        service_stack: HelloServiceAccountStack,
    ) -> None:
        super().__init__(scope, NETWORK_STACK, deployment=deployment, account=account, pattern=NAME, role="service-network")
        settings = props.settings
        services = ServiceIds(self, service_stack, channel=settings.discovery, secret_name=SERVICES_SECRET)
        accepted = accept_unless_same_account(self, owner_account=service_stack.account_id, share_arn=services.ram_share_arn)
        service_arns = {SERVICE_KEY: services.service_arn(SERVICE_KEY)}
        self.network = ServiceNetwork(self, "service-network", ServiceNetworkProps(name=settings.service_network_name))
        # The consumer VPCs do not exist yet: admit them by owner account.
        self.network.attach_auth_policy(
            auth_policy_for_consumer(settings.auth_policy, props.consumer_account_id, list(service_arns.values()))
        )
        for key, arn in service_arns.items():
            self.network.associate_service(f"service-{key}", service=arn, depends_on=accepted)
        share = share_unless_same_account(
            self,
            "ram-share",
            name="Amazon VPC Lattice service network",
            principal=props.consumer_account_id,
            resources={"service-network": self.network.arn},
        )
        publish_service_network(
            self,
            network=self.network,
            ram_share_arn=share.arn if share else "",
            secret_name=NETWORK_SECRET,
            # the KMS key and secret admit exactly the two other accounts
            reader_account_ids=[props.consumer_account_id, service_stack.account_id],
        )


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: CentralizedSettings) -> None:
    network_account = required_account(config, NETWORK)
    service = hello_service_stack(
        app, deployment, config, NAME, settings, name=SERVICE_STACK, share_with=network_account.id, secret_name=SERVICES_SECRET
    )
    network = CentralizedServiceNetworkAccountStack(
        app,
        deployment=deployment,
        account=network_account,
        props=NetworkProps(settings=settings, consumer_account_id=required_account(config, CONSUMER).id),
        service_stack=service,
    )
    consumer = consumer_stack(
        app, deployment, config, NAME, settings, name=CONSUMER_STACK, producer=network, ids=ServiceNetworkIds, secret_name=NETWORK_SECRET
    )
    for consumer_vpc in consumer.vpcs.values():
        # By ARN: the network belongs to another account.
        consumer_vpc.associate(
            "service-network-association", service_network=consumer.ids.service_network_arn, depends_on=consumer.accepted
        )
