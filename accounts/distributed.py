"""Distributed pattern: the service account owns the Lattice service and shares it;
the consumer account owns one service network per VPC and associates the service.
Resources and names follow the AWS sample (see docs in README)."""
from __future__ import annotations

from app_config import LatticeConfig
from constructs_lib.auth_policy import (
    allow_invoke_from_accounts,
    allow_invoke_from_vpcs,
    invoke_resources,
    open_policy,
)
from constructs_lib.cdk import Construct
from constructs_lib.consumer_vpc import ConsumerVpc, ConsumerVpcProps
from constructs_lib.lambda_service import LambdaLatticeService, LambdaLatticeServiceProps
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps, ServiceNetworkServiceAssociation
from constructs_lib.ram import RamShare, RamShareAccepter, RamShareProps
from constructs_lib.ssm_access import AmazonLinux2023Ami, SsmInstanceProfile

from .base import LAMBDA_SOURCES, AccountStack
from .discovery import producer_ids, publish_services

PATTERN = "distributed"
SERVICE_STACK = "distributed-service-account"
CONSUMER_STACK = "distributed-consumer-account"
SECRET_NAME = "vpc_lattice_services"
SERVICE_KEY = "lambdaservice"


class DistributedServiceAccountStack(AccountStack):
    def __init__(self, scope: Construct, config: LatticeConfig) -> None:
        super().__init__(
            scope, SERVICE_STACK, config=config, account=config.accounts.service, pattern=PATTERN, role="service"
        )
        settings = config.patterns.distributed
        consumer_account = config.accounts.consumer.id
        lambda_service = LambdaLatticeService(
            self,
            SERVICE_KEY,
            LambdaLatticeServiceProps(
                service_name="lambda-service",
                listener_name="httplistener",
                target_group_name="lambdatarget",
                function_name=f"{PATTERN}-lambda_function",
                source_dir=LAMBDA_SOURCES / "hello",
                handler="lambda_function.lambda_handler",
                iam_name_prefix=self.iam_name("lambda-service"),
                region=config.region,
                account_id=self.account_id,
            ),
        )
        service = lambda_service.service
        service.attach_auth_policy(
            open_policy()
            if settings.auth_policy == "open"
            else allow_invoke_from_accounts([consumer_account], invoke_resources([service.arn]))
        )
        share = RamShare(
            self,
            "ram-share",
            RamShareProps(
                name="Amazon VPC Lattice service",
                principals=[consumer_account],
                resources={SERVICE_KEY: service.arn},
            ),
        )
        publish_services(
            self,
            services={SERVICE_KEY: service},
            ram_share_arn=share.arn,
            secret_name=SECRET_NAME,
            reader_account_ids=[consumer_account],
        )


class DistributedConsumerAccountStack(AccountStack):
    def __init__(self, scope: Construct, config: LatticeConfig, service_stack: DistributedServiceAccountStack) -> None:
        super().__init__(
            scope, CONSUMER_STACK, config=config, account=config.accounts.consumer, pattern=PATTERN, role="consumer"
        )
        settings = config.patterns.distributed
        producer = producer_ids(self, service_stack, settings.discovery, SECRET_NAME)
        accepter = RamShareAccepter(self, "ram-share-accepter", share_arn=producer.ram_share_arn)
        service_arns = {SERVICE_KEY: producer.service_arn(SERVICE_KEY)}

        ami = AmazonLinux2023Ami(self, "amazon-linux")
        profile = SsmInstanceProfile(self, "instance-profile", name_prefix=self.iam_name("consumer"))
        for vpc_name, vpc in config.vpcs.items():
            consumer_vpc = ConsumerVpc(
                self,
                vpc_name,
                ConsumerVpcProps(
                    name=vpc_name,
                    cidr_block=vpc.cidr_block,
                    number_azs=vpc.number_azs,
                    workload_subnet_netmask=vpc.workload_subnet_netmask,
                    endpoints_subnet_netmask=vpc.endpoints_subnet_netmask,
                    instance_type=vpc.instance_type,
                    region=config.region,
                    ami_id=ami.id,
                    instance_profile=profile.name,
                ),
            )
            network = ServiceNetwork(
                self, f"{vpc_name}-service-network", ServiceNetworkProps(name=f"{vpc_name}-service-network")
            )
            network.attach_auth_policy(
                open_policy()
                if settings.auth_policy == "open"
                else allow_invoke_from_vpcs([consumer_vpc.id], invoke_resources(list(service_arns.values())))
            )
            consumer_vpc.associate("service-network-association", service_network=network.id)
            for key, arn in service_arns.items():
                ServiceNetworkServiceAssociation(
                    network,
                    f"service-{key}",
                    service_network=network.id,
                    service=arn,
                    depends_on=[accepter.resource],  # the shared service is visible once accepted
                )
