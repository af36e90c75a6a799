"""Distributed pattern: the service account owns the Lattice service and shares it;
the consumer account owns one service network per VPC and associates the service
with it. Reproduces aws-samples/multi-account-architectures-amazon-vpc-lattice,
distributed/ (docs/reference-layouts.md section 1)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from constructs_lib.documents.auth_policy import allow_invoke_from_vpcs, invoke_resources, open_policy
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps
from constructs_lib.runtime.cdk import Construct

from ..base import Deployment
from ..building_blocks import ConsumerAccountStack, consumer_stack, hello_service_stack
from ..discovery import ServiceIds
from ..hello_service import CONSUMER, SERVICE_KEY
from ..registry import required_account
from .config import CONSUMER_STACK, NAME, SERVICE_STACK, SERVICES_SECRET, DistributedSettings, network_name

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig


def connect_consumer_vpcs(consumer: ConsumerAccountStack[ServiceIds], settings: DistributedSettings) -> None:
    """One service network per consumer VPC, associated with that VPC and with the
    shared service (by ARN, once the share is accepted)."""
    service_arns = {SERVICE_KEY: consumer.ids.service_arn(SERVICE_KEY)}
    for vpc_name, consumer_vpc in consumer.vpcs.items():
        network = ServiceNetwork(consumer, network_name(vpc_name), ServiceNetworkProps(name=network_name(vpc_name)))
        # Least privilege: only this network's own VPC, only the consumed services.
        network.attach_auth_policy(
            open_policy()
            if settings.auth_policy == "open"
            else allow_invoke_from_vpcs([consumer_vpc.id], invoke_resources(list(service_arns.values())))
        )
        consumer_vpc.associate("service-network-association", service_network=network)
        for key, arn in service_arns.items():
            network.associate_service(f"service-{key}", service=arn, depends_on=consumer.accepted)


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: DistributedSettings) -> None:
    share_with = required_account(config, CONSUMER).id
    service = hello_service_stack(
        app, deployment, config, NAME, settings, name=SERVICE_STACK, share_with=share_with, secret_name=SERVICES_SECRET
    )
    consumer = consumer_stack(
        app, deployment, config, NAME, settings, name=CONSUMER_STACK, producer=service, ids=ServiceIds, secret_name=SERVICES_SECRET
    )
    connect_consumer_vpcs(consumer, settings)
