"""Pieces that several patterns' stacks build from the config: the Lambda-backed
Lattice service a service account shares, and the consumer account's client VPCs."""
from __future__ import annotations

from typing import Optional, Sequence

from app_config import LatticeConfig
from app_config.project import LAMBDA_SOURCES
from constructs_lib.auth_policy import allow_invoke_from_accounts, invoke_resources, open_policy
from constructs_lib.cdk import Construct, ITerraformDependable
from constructs_lib.consumer_vpc import ConsumerVpc, ConsumerVpcProps
from constructs_lib.lambda_service import LambdaLatticeService, LambdaLatticeServiceProps
from constructs_lib.lattice import LatticeService
from constructs_lib.python_lambda import PythonLambdaProps
from constructs_lib.ram import RamShare, RamShareAccepter, RamShareProps
from constructs_lib.ssm_access import AmazonLinux2023Ami, SsmInstanceProfile

from .base import AccountStack
from .discovery import publish_services

SERVICE_KEY = "lambdaservice"


def auth_policy_for_consumer(mode: str, consumer_account: str, service_arns: Sequence[str]) -> str:
    """The original open policy, or Invoke on these services from the consumer account's VPCs."""
    if mode == "open":
        return open_policy()
    return allow_invoke_from_accounts([consumer_account], invoke_resources(service_arns))


def share_unless_same_account(
    stack: AccountStack, id: str, *, name: str, principal: str, resources: dict[str, str]
) -> Optional[RamShare]:
    """A RAM share with ``principal``; none when the principal is this stack's own
    account (RAM cannot share with the owner, and the owner needs no share)."""
    if principal == stack.account_id:
        return None
    return RamShare(stack, id, RamShareProps(name=name, principals=[principal], resources=resources))


def accept_unless_same_account(
    stack: AccountStack, id: str, *, owner_account: str, share_arn: str
) -> list[ITerraformDependable]:
    """Accept a share from ``owner_account``; nothing to accept from oneself."""
    if owner_account == stack.account_id:
        return []
    return [RamShareAccepter(stack, id, share_arn=share_arn).resource]


class HelloServiceAccountStack(AccountStack):
    """A service account with the "Hello from Lambda!" service of the reference
    patterns: Lambda, target group, service and listener, the auth policy, a RAM
    share with ``share_with``, and the ids published for the stacks that follow
    (outputs, plus the discovery secret ``secret_name``)."""

    def __init__(
        self, scope: Construct, name: str, config: LatticeConfig, pattern: str, *, share_with: str, secret_name: str
    ) -> None:
        super().__init__(scope, name, config=config, account=config.accounts.service, pattern=pattern, role="service")
        settings = self.config_for_pattern
        function = PythonLambdaProps(
            function_name=f"{pattern}-lambda_function",
            source_dir=LAMBDA_SOURCES / "hello",
            handler="lambda_function.lambda_handler",
            iam_name_prefix=self.iam_name("lambda-service"),
            region=config.region,
            account_id=self.account_id,
        )
        self.service: LatticeService = LambdaLatticeService(
            self,
            SERVICE_KEY,
            LambdaLatticeServiceProps(
                service_name=settings.service_name,
                listener_name="httplistener",
                target_group_name=settings.target_group_name,
                function=function,
            ),
        ).service
        self.service.attach_auth_policy(
            auth_policy_for_consumer(settings.auth_policy, config.accounts.consumer.id, [self.service.arn])
        )
        share = share_unless_same_account(
            self, "ram-share", name="Amazon VPC Lattice service", principal=share_with, resources={SERVICE_KEY: self.service.arn}
        )
        publish_services(
            self,
            services={SERVICE_KEY: self.service},
            ram_share_arn=share.arn if share else "",
            secret_name=secret_name,
            reader_account_ids=[share_with],
        )


def build_consumer_vpcs(stack: AccountStack) -> dict[str, ConsumerVpc]:
    """Every VPC of ``config.vpcs`` with its endpoints and client instances, sharing
    one AMI lookup and one SSM instance profile."""
    config = stack.config
    ami = AmazonLinux2023Ami(stack, "amazon-linux")
    profile = SsmInstanceProfile(stack, "instance-profile", name_prefix=stack.iam_name("consumer"))
    return {
        name: ConsumerVpc(
            stack,
            name,
            ConsumerVpcProps(
                name=name,
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
        for name, vpc in config.vpcs.items()
    }
