"""What the distributed and centralized patterns' stacks build alike: the
Lambda-backed Lattice service a service account shares, the consumer account's
client VPCs, and RAM share / accept between two accounts (none within one).
Their names come from hello_service.py and stack_ids.py, which the config checks read too."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Mapping, Optional, Sequence, TypeVar

from constructs_lib.consumer_vpc import ConsumerVpc, ConsumerVpcProps
from constructs_lib.documents.auth_policy import allow_invoke_from_accounts, invoke_resources, open_policy
from constructs_lib.lambda_service import LambdaLatticeService, LambdaLatticeServiceProps
from constructs_lib.lattice import CustomDomain, LatticeService
from constructs_lib.python_lambda import PythonLambdaProps
from constructs_lib.ram import RamShare, RamShareAccepter, RamShareProps
from constructs_lib.runtime.cdk import Construct, ITerraformDependable
from constructs_lib.ssm_access import AmazonLinux2023Ami, SsmInstanceProfile
from lattice_model.fields import AccountConfig, AuthPolicyMode, VpcConfig
from lattice_model.project import LAMBDA_SOURCES
from lattice_model.subnet_plan import VpcLayout

from .base import AccountStack, Deployment
from .discovery import ServiceIds, ServiceNetworkIds, publish_services
from .hello_service import CONSUMER, HTTPS_LISTENER_NAME, LISTENER_NAME, SERVICE, SERVICE_KEY, HelloServiceSettings, hello_function_name
from .registry import required_account
from .stack_ids import AMI_LOOKUP_ID, INSTANCE_PROFILE_ID, SHARE_ACCEPTER_ID

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig


def auth_policy_for_consumer(mode: AuthPolicyMode, consumer_account: str, service_arns: Sequence[str]) -> str:
    """The original open policy, or Invoke on these services from the consumer account's VPCs."""
    if mode == "open":
        return open_policy()
    return allow_invoke_from_accounts([consumer_account], invoke_resources(service_arns))


def share_unless_same_account(
    stack: AccountStack, id: str, *, name: str, principal: str, resources: Mapping[str, str]
) -> Optional[RamShare]:
    """A RAM share with ``principal``; none when the principal is this stack's own
    account (RAM cannot share with the owner, and the owner needs no share)."""
    if principal == stack.account_id:
        return None
    return RamShare(stack, id, RamShareProps(name=name, principals=[principal], resources=resources))


def accept_unless_same_account(stack: AccountStack, *, owner_account: str, share_arn: str) -> list[ITerraformDependable]:
    """Accept a share from ``owner_account``; nothing to accept from oneself."""
    if owner_account == stack.account_id:
        return []
    return [RamShareAccepter(stack, SHARE_ACCEPTER_ID, share_arn=share_arn).resource]


def hello_service(
    stack: AccountStack, settings: HelloServiceSettings, *, custom_domain: Optional[CustomDomain] = None, https: bool = False
) -> LatticeService:
    """The "Hello from Lambda!" service of ``stack``'s pattern: function, target group,
    service, HTTP listener (and an HTTPS one with ``https``), under the construct id
    ``SERVICE_KEY``."""
    function = PythonLambdaProps(
        function_name=hello_function_name(stack.pattern),
        source_dir=LAMBDA_SOURCES / "hello",
        handler="lambda_function.lambda_handler",
        iam_name_prefix=stack.iam_name("lambda-service"),
    )
    return LambdaLatticeService(
        stack,
        SERVICE_KEY,
        LambdaLatticeServiceProps(
            service_name=settings.service_name,
            listener_name=LISTENER_NAME,
            target_group_name=settings.target_group_name,
            function=function,
            custom_domain=custom_domain,
            https_listener_name=HTTPS_LISTENER_NAME if https else None,
        ),
    ).service


@dataclass(frozen=True)
class HelloServiceProps:
    """The service account of a reference pattern, as its stack needs it."""

    settings: HelloServiceSettings  # names, auth mode
    consumer_account_id: str  # whose VPCs may invoke (least privilege)
    share_with: str  # the account the service is shared with
    secret_name: str  # the discovery secret the ids are published in


class HelloServiceAccountStack(AccountStack):
    """A service account with the "Hello from Lambda!" service of the reference
    patterns: Lambda, target group, service and listener, the auth policy, a RAM
    share, and the ids published for the stacks that follow (outputs, plus the
    discovery secret)."""

    def __init__(
        self, scope: Construct, name: str, *, deployment: Deployment, account: AccountConfig, pattern: str, props: HelloServiceProps
    ) -> None:
        super().__init__(scope, name, deployment=deployment, account=account, pattern=pattern, role="service")
        settings = props.settings
        self.service: LatticeService = hello_service(self, settings)
        self.service.attach_auth_policy(
            auth_policy_for_consumer(settings.auth_policy, props.consumer_account_id, [self.service.arn])
        )
        share = share_unless_same_account(
            self, "ram-share", name="Amazon VPC Lattice service", principal=props.share_with, resources={SERVICE_KEY: self.service.arn}
        )
        publish_services(
            self,
            services={SERVICE_KEY: self.service},
            ram_share_arn=share.arn if share else "",
            secret_name=props.secret_name,
            reader_account_ids=[props.share_with],
        )


@dataclass(frozen=True)
class ConsumerProps:
    """The consumer account of a reference pattern, as its stack needs it."""

    settings: HelloServiceSettings  # discovery channel, auth mode
    vpcs: Mapping[str, VpcConfig]  # the client VPCs by Name tag
    secret_name: str  # the producer's discovery secret (with discovery = "secrets_manager")


IdsT = TypeVar("IdsT", ServiceIds, ServiceNetworkIds)


class ConsumerAccountStack(AccountStack, Generic[IdsT]):
    """A consumer account of a reference pattern: it reads the ``producer``'s ids
    (``ids``: what the producer published), accepts the producer's RAM share and
    builds the client VPCs; the pattern then connects the VPCs (``self.vpcs``) to
    what it consumes, after the share is accepted (``self.accepted``)."""

    def __init__(
        self,
        scope: Construct,
        name: str,
        *,
        deployment: Deployment,
        account: AccountConfig,
        pattern: str,
        props: ConsumerProps,
        producer: AccountStack,
        ids: type[IdsT],
    ) -> None:
        super().__init__(scope, name, deployment=deployment, account=account, pattern=pattern, role="consumer")
        self.ids: IdsT = ids(self, producer, channel=props.settings.discovery, secret_name=props.secret_name)
        self.accepted = accept_unless_same_account(self, owner_account=producer.account_id, share_arn=self.ids.ram_share_arn)
        self.vpcs = build_consumer_vpcs(self, props.vpcs)


def hello_service_stack(
    app: Construct,
    deployment: Deployment,
    config: LatticeConfig,
    pattern: str,
    settings: HelloServiceSettings,
    *,
    name: str,
    share_with: str,
    secret_name: str,
) -> HelloServiceAccountStack:
    """The service-account stack of a reference pattern, in ``accounts.service``,
    admitting ``accounts.consumer``'s VPCs."""
    return HelloServiceAccountStack(
        app,
        name,
        deployment=deployment,
        account=required_account(config, SERVICE),
        pattern=pattern,
        props=HelloServiceProps(
            settings=settings,
            consumer_account_id=required_account(config, CONSUMER).id,
            share_with=share_with,
            secret_name=secret_name,
        ),
    )


def consumer_stack(
    app: Construct,
    deployment: Deployment,
    config: LatticeConfig,
    pattern: str,
    settings: HelloServiceSettings,
    *,
    name: str,
    producer: AccountStack,
    ids: type[IdsT],
    secret_name: str,
) -> ConsumerAccountStack[IdsT]:
    """The consumer-account stack of a reference pattern, in ``accounts.consumer``,
    with the config's VPCs, reading ``producer``'s ids."""
    return ConsumerAccountStack(
        app,
        name,
        deployment=deployment,
        account=required_account(config, CONSUMER),
        pattern=pattern,
        props=ConsumerProps(settings=settings, vpcs=config.vpcs, secret_name=secret_name),
        producer=producer,
        ids=ids,
    )


def build_consumer_vpcs(
    stack: AccountStack,
    vpcs: Mapping[str, VpcConfig],
    layouts: Optional[Mapping[str, VpcLayout]] = None,
    lattice_ports: Optional[Mapping[str, Sequence[int]]] = None,
    endpoint_ports: Optional[Mapping[str, Sequence[int]]] = None,
    azs_setting: str = "vpcs.{name}.number_azs",
) -> dict[str, ConsumerVpc]:
    """Every VPC of ``vpcs`` (by Name tag) with its endpoints and client instances,
    sharing one AMI lookup and one SSM instance profile; ``layouts`` replaces the
    subnet plan of the VPCs it names (a topology VPC with service-network endpoints),
    ``lattice_ports`` the ports their clients call (default 80), ``endpoint_ports`` those
    they call on service-network endpoints in the VPC (default none); ``azs_setting``
    the config field of a VPC's ``number_azs``, which the plan-time zone check names."""
    ami = AmazonLinux2023Ami(stack, AMI_LOOKUP_ID)
    profile = SsmInstanceProfile(stack, INSTANCE_PROFILE_ID, name_prefix=stack.iam_name("consumer"))
    return {
        name: ConsumerVpc(
            stack,
            name,
            ConsumerVpcProps(
                name=name, layout=(layouts or {}).get(name, vpc.layout), instance_type=vpc.instance_type, ami_id=ami.id, instance_profile=profile.name,
                detailed_monitoring=vpc.detailed_monitoring, lattice_ports=tuple((lattice_ports or {}).get(name, (80,))),
                endpoint_ports=tuple((endpoint_ports or {}).get(name, ())), azs_setting=azs_setting.format(name=name),
            ),
        )
        for name, vpc in vpcs.items()
    }
