"""Centralized pattern: the service account shares its service with a central
account that owns the one service network, associates the service with it, and
shares the network with the consumer account, whose VPCs associate with it.
Reproduces aws-samples/multi-account-architectures-amazon-vpc-lattice,
centralized_service_network/, deployed in one straight line (service, network,
consumer) instead of the original's two-phase apply."""
from __future__ import annotations

from app_config import LatticeConfig
from constructs_lib.cdk import Construct
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps

from .base import AccountStack
from .building_blocks import (
    SERVICE_KEY,
    HelloServiceAccountStack,
    accept_unless_same_account,
    auth_policy_for_consumer,
    build_consumer_vpcs,
    share_unless_same_account,
)
from .discovery import ServiceIds, ServiceNetworkIds, publish_service_network

PATTERN = "centralized"
SERVICE_STACK = "centralized-service-account"
NETWORK_STACK = "centralized-service-network-account"
CONSUMER_STACK = "centralized-consumer-account"
SERVICES_SECRET = "vpclattice_services"
NETWORK_SECRET = "central_service_network"


def _network_account(config: LatticeConfig):
    if config.accounts.network is None:  # the config schema refuses this already
        raise ValueError("accounts.network is required by the centralized pattern")
    return config.accounts.network


class CentralizedServiceAccountStack(HelloServiceAccountStack):
    def __init__(self, scope: Construct, config: LatticeConfig) -> None:
        central = _network_account(config).id
        super().__init__(scope, SERVICE_STACK, config, PATTERN, share_with=central, secret_name=SERVICES_SECRET)


class CentralizedServiceNetworkAccountStack(AccountStack):
    def __init__(self, scope: Construct, config: LatticeConfig, service_stack: CentralizedServiceAccountStack) -> None:
        super().__init__(
            scope, NETWORK_STACK, config=config, account=_network_account(config), pattern=PATTERN, role="service-network"
        )
        settings = config.patterns.centralized
        consumer_account = config.accounts.consumer.id
        services = ServiceIds(self, service_stack, secret_name=SERVICES_SECRET)
        accepted = accept_unless_same_account(
            self, "ram-share-accepter", owner_account=service_stack.account_id, share_arn=services.ram_share_arn
        )
        service_arns = {SERVICE_KEY: services.service_arn(SERVICE_KEY)}
        network = ServiceNetwork(self, "service-network", ServiceNetworkProps(name=settings.service_network_name))
        # The consumer VPCs do not exist yet: admit them by owner account.
        network.attach_auth_policy(
            auth_policy_for_consumer(settings.auth_policy, consumer_account, list(service_arns.values()))
        )
        for key, arn in service_arns.items():
            network.associate_service(f"service-{key}", service=arn, depends_on=accepted)
        share = share_unless_same_account(
            self,
            "ram-share",
            name="Amazon VPC Lattice service network",
            principal=consumer_account,
            resources={"service-network": network.arn},
        )
        publish_service_network(
            self,
            network=network,
            ram_share_arn=share.arn if share else "",
            secret_name=NETWORK_SECRET,
            # the KMS key and secret admit exactly the two other accounts
            reader_account_ids=[consumer_account, service_stack.account_id],
        )


class CentralizedConsumerAccountStack(AccountStack):
    def __init__(
        self, scope: Construct, config: LatticeConfig, network_stack: CentralizedServiceNetworkAccountStack
    ) -> None:
        super().__init__(
            scope, CONSUMER_STACK, config=config, account=config.accounts.consumer, pattern=PATTERN, role="consumer"
        )
        central = ServiceNetworkIds(self, network_stack, secret_name=NETWORK_SECRET)
        accepted = accept_unless_same_account(
            self, "ram-share-accepter", owner_account=network_stack.account_id, share_arn=central.ram_share_arn
        )
        for consumer_vpc in build_consumer_vpcs(self).values():
            # By ARN: the network belongs to another account.
            consumer_vpc.associate(
                "service-network-association", service_network=central.service_network_arn, depends_on=accepted
            )
