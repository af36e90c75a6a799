"""Distributed pattern: the service account owns the Lattice service and shares it;
the consumer account owns one service network per VPC and associates the service
with it. Reproduces aws-samples/multi-account-architectures-amazon-vpc-lattice,
distributed/."""
from __future__ import annotations

from app_config import LatticeConfig
from constructs_lib.auth_policy import allow_invoke_from_vpcs, invoke_resources, open_policy
from constructs_lib.cdk import Construct
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps

from .base import AccountStack
from .building_blocks import SERVICE_KEY, HelloServiceAccountStack, accept_unless_same_account, build_consumer_vpcs
from .discovery import ServiceIds

PATTERN = "distributed"
SERVICE_STACK = "distributed-service-account"
CONSUMER_STACK = "distributed-consumer-account"
SERVICES_SECRET = "vpc_lattice_services"


class DistributedServiceAccountStack(HelloServiceAccountStack):
    def __init__(self, scope: Construct, config: LatticeConfig) -> None:
        consumer = config.accounts.consumer.id
        super().__init__(scope, SERVICE_STACK, config, PATTERN, share_with=consumer, secret_name=SERVICES_SECRET)


class DistributedConsumerAccountStack(AccountStack):
    def __init__(self, scope: Construct, config: LatticeConfig, service_stack: DistributedServiceAccountStack) -> None:
        super().__init__(
            scope, CONSUMER_STACK, config=config, account=config.accounts.consumer, pattern=PATTERN, role="consumer"
        )
        services = ServiceIds(self, service_stack, secret_name=SERVICES_SECRET)
        accepted = accept_unless_same_account(
            self, "ram-share-accepter", owner_account=service_stack.account_id, share_arn=services.ram_share_arn
        )
        service_arns = {SERVICE_KEY: services.service_arn(SERVICE_KEY)}
        open_mode = config.patterns.distributed.auth_policy == "open"
        for vpc_name, consumer_vpc in build_consumer_vpcs(self).items():
            network = ServiceNetwork(
                self, f"{vpc_name}-service-network", ServiceNetworkProps(name=f"{vpc_name}-service-network")
            )
            # Least privilege: only this network's own VPC, only the consumed services.
            network.attach_auth_policy(
                open_policy()
                if open_mode
                else allow_invoke_from_vpcs([consumer_vpc.id], invoke_resources(list(service_arns.values())))
            )
            consumer_vpc.associate("service-network-association", service_network=network)
            for key, arn in service_arns.items():
                network.associate_service(f"service-{key}", service=arn, depends_on=accepted)
