"""Shared service with isolated networks (seed 001, Pulumi in the original;
docs/reference-layouts.md section 3).

The common account runs the DirectoryService (a Lambda behind an internal ALB,
published as the Lattice service ``shared-service``) and owns one service network
per tenant; each network is associated with the service, with a peered "network"
VPC of its own, and shared with its tenant's account only. Each tenant account
associates its VPC with its own network and runs a caller Lambda. Tenants never
share a network: the config refuses it, and each network is built for exactly one
tenant here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from constructs_lib.alb_lambda import InternalLambdaAlb, InternalLambdaAlbProps
from constructs_lib.documents.auth_policy import (
    AuthPolicy,
    AuthStatement,
    query_string,
    request_method,
    source_vpc_owner_account,
)
from constructs_lib.lattice import (
    Forward,
    LatticeService,
    LatticeServiceProps,
    Listener,
    ListenerProps,
    ServiceNetwork,
    ServiceNetworkProps,
    Target,
    TargetGroup,
    TargetGroupProps,
    WeightedTarget,
)
from constructs_lib.peering import PeerSide, VpcPeering
from constructs_lib.python_lambda import LambdaVpcPlacement, PythonLambda, PythonLambdaProps
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import Construct, TerraformOutput
from constructs_lib.security_group import (
    ALL_TRAFFIC_OUT,
    Rule,
    RuledSecurityGroup,
    SecurityGroupProps,
    association_security_group,
    tcp,
)
from constructs_lib.ssm_access import LATTICE_LINK_LOCAL_CIDR
from constructs_lib.vpc import TieredVpc, TieredVpcProps
from lattice_model.project import LAMBDA_SOURCES

from ..base import AccountStack, Deployment
from ..building_blocks import accept_unless_same_account
from ..discovery import RemoteOutputs
from ..registry import required_account
from .config import (
    ALB_NAME,
    COMMON,
    COMMON_STACK,
    DIRECTORY_FUNCTION,
    NAME,
    SERVICE_NAME,
    TARGET_GROUP_NAME,
    SharedSettings,
    TenantConfig,
    main_layout,
    network_vpc_layout,
    tenant_construct_ids,
    tenant_function_name,
    tenant_query,
    tenant_stack_name,
    tenant_vpc_layout,
)

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

SERVICE_DOMAIN_NAME = "service_domain_name"
TENANT_NETWORK_ARNS = "tenant_service_network_arns"
TENANT_SHARE_ARNS = "tenant_ram_share_arns"


def directory_auth_policy(settings: SharedSettings) -> str:
    """The original's two conditional Allow statements, one per tenant: GET, with the
    tenant's own query value, from a VPC owned by the tenant's account."""
    return AuthPolicy(
        [
            AuthStatement(
                sid=f"{name.capitalize()}TenantQueries",
                conditions=[
                    request_method("GET"),
                    query_string("q", tenant_query(name, tenant)),
                    source_vpc_owner_account(tenant.account.id),
                ],
            )
            for name, tenant in settings.tenants.items()
        ]
    ).render()


class SharedCommonAccountStack(AccountStack):
    def __init__(self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, settings: SharedSettings) -> None:
        super().__init__(
            scope, COMMON_STACK, deployment=deployment, account=required_account(config, COMMON), pattern=NAME, role="common"
        )
        main = TieredVpc(
            self,
            "main",
            TieredVpcProps(
                name="shared-services-main",
                layout=main_layout(settings.main_vpc_cidr),
                public_tier="public",
            ),
        )
        service = self._directory_service(settings, main)
        self.tenant_networks: dict[str, ServiceNetwork] = {}
        self.tenant_network_vpcs: dict[str, TieredVpc] = {}
        shares = {name: self._tenant_network(name, tenant, settings, main, service) for name, tenant in settings.tenants.items()}
        networks = {name: network.arn for name, network in self.tenant_networks.items()}
        TerraformOutput(self, SERVICE_DOMAIN_NAME, value=service.domain_name, description="shared-service FQDN")
        TerraformOutput(self, TENANT_NETWORK_ARNS, value=networks)
        TerraformOutput(self, TENANT_SHARE_ARNS, value=shares)

    def _directory_service(self, settings: SharedSettings, main: TieredVpc) -> LatticeService:
        """Lambda behind an internal ALB, behind a Lattice ALB target group and service."""
        lattice_prefixes = aws.data_aws_ec2_managed_prefix_list.DataAwsEc2ManagedPrefixList(self, "lattice-prefix-list", name=f"com.amazonaws.{self.region}.vpc-lattice")
        lambda_sg = RuledSecurityGroup(
            self,
            "directory-lambda-sg",
            SecurityGroupProps(name="directory-lambda", description="DirectoryService Lambda: invoked by the ALB, calls nothing", vpc_id=main.id),
        )
        function = PythonLambda(
            self,
            "directory",
            PythonLambdaProps(
                function_name=DIRECTORY_FUNCTION,
                source_dir=LAMBDA_SOURCES / "directory",
                handler="lambda_function.lambda_handler",
                iam_name_prefix=self.iam_name("directory"),
                vpc=LambdaVpcPlacement(subnet_ids=main.subnet_ids("app"), security_group_ids=[lambda_sg.id]),
            ),
        )
        alb_sg = RuledSecurityGroup(
            self,
            "directory-alb-sg",
            SecurityGroupProps(
                name="directory-alb",
                description="DirectoryService ALB: HTTP from VPC Lattice and the main VPC",
                vpc_id=main.id,
                ingress=[
                    Rule("HTTP from VPC Lattice", "tcp", 80, 80, prefix_list_ids=[lattice_prefixes.id]),
                    tcp(80, settings.main_vpc_cidr, "HTTP from the main VPC"),
                ],
                egress=[ALL_TRAFFIC_OUT],
            ),
        )
        alb = InternalLambdaAlb(
            self,
            "directory-alb",
            InternalLambdaAlbProps(
                name=ALB_NAME,
                subnet_ids=main.subnet_ids("app"),
                security_group_ids=[alb_sg.id],
                function_arn=function.arn,
                function_name=function.function_name,
            ),
        )
        target_group = TargetGroup(
            self,
            TARGET_GROUP_NAME,
            TargetGroupProps(name=TARGET_GROUP_NAME, type="ALB", port=80, protocol="HTTP", vpc_id=main.id, targets=[Target(alb.arn, port=80, depends_on=[alb.listener])]),
        )
        service = LatticeService(self, SERVICE_NAME, LatticeServiceProps(name=SERVICE_NAME, auth_type="AWS_IAM"))
        Listener(
            self,
            "shared-service-listener",
            ListenerProps(name="shared-service-listener", service=service, port=80, default_action=Forward([WeightedTarget(target_group, 100)])),
        )
        service.attach_auth_policy(directory_auth_policy(settings))
        return service

    def _tenant_network(
        self, name: str, tenant: TenantConfig, settings: SharedSettings, main: TieredVpc, service: LatticeService
    ) -> str:
        """The tenant's peered network VPC, its service network (associated with the
        shared service and that VPC only), and the RAM share with the tenant (its ARN)."""
        vpc_id, peering_id, network_id = tenant_construct_ids(name)
        network_vpc = TieredVpc(
            self, vpc_id, TieredVpcProps(name=f"{name}-network", layout=network_vpc_layout(tenant.network_vpc_cidr))
        )
        VpcPeering(
            self,
            peering_id,
            requester=PeerSide(main.id, settings.main_vpc_cidr, main.route_table_ids("app")),
            accepter=PeerSide(network_vpc.id, tenant.network_vpc_cidr, network_vpc.route_table_ids("peer")),
        )
        open_mode = settings.auth_policy == "open"
        network = ServiceNetwork(
            self, network_id, ServiceNetworkProps(name=tenant.service_network, auth_type="NONE" if open_mode else "AWS_IAM")
        )
        if not open_mode:
            network.attach_auth_policy(
                AuthPolicy([AuthStatement(sid=f"{name.capitalize()}TenantVpcs", conditions=[source_vpc_owner_account(tenant.account.id)])]).render()
            )
        network.associate_service(SERVICE_NAME, service=service)
        association_sg = association_security_group(
            network_vpc,
            "lattice-sg",
            name=f"{name}-lattice",
            description=f"{name} network VPC association: HTTP from the peered VPCs",
            vpc_id=network_vpc.id,
            clients=[tcp(80, tenant.network_vpc_cidr, "HTTP from this VPC"), tcp(80, settings.main_vpc_cidr, "HTTP from the main VPC")],
        )
        network.associate_vpc("network-vpc", vpc_id=network_vpc.id, security_group_ids=[association_sg.id])
        share = network.share_with(
            "share",
            [tenant.account.id],
            name=f"{tenant.service_network} share",
            allow_external_principals=not settings.ram_within_organization,
        )
        self.tenant_networks[name] = network
        self.tenant_network_vpcs[name] = network_vpc
        return share.arn


class SharedTenantAccountStack(AccountStack):
    """A tenant (blue, green): its VPC, associated with its own shared network, and
    a caller Lambda with the service URL for its query."""

    def __init__(
        self,
        scope: Construct,
        *,
        deployment: Deployment,
        name: str,
        tenant: TenantConfig,
        settings: SharedSettings,
        common: SharedCommonAccountStack,
    ) -> None:
        super().__init__(scope, tenant_stack_name(name), deployment=deployment, account=tenant.account, pattern=NAME, role=name)
        outputs = RemoteOutputs(self, common)
        accepted = (
            []
            if settings.ram_within_organization
            else accept_unless_same_account(self, owner_account=common.account_id, share_arn=outputs.get(TENANT_SHARE_ARNS, name))
        )
        vpc = TieredVpc(self, "vpc", TieredVpcProps(name=f"{name}-sandbox", layout=tenant_vpc_layout(tenant.vpc_cidr)))
        association_sg = association_security_group(
            self,
            "lattice-sg",
            name=f"{name}-lattice",
            description=f"{name} VPC association: HTTP from this VPC",
            vpc_id=vpc.id,
            clients=[tcp(80, tenant.vpc_cidr, "HTTP from this VPC")],
        )
        ServiceNetwork.from_arn(self, "tenant-network", outputs.get(TENANT_NETWORK_ARNS, name)).associate_vpc(
            "vpc", vpc_id=vpc.id, security_group_ids=[association_sg.id], depends_on=accepted
        )
        caller_sg = RuledSecurityGroup(
            self,
            "caller-sg",
            SecurityGroupProps(
                name=f"{name}-caller",
                description="Caller Lambda: HTTP out to VPC Lattice only",
                vpc_id=vpc.id,
                egress=[tcp(80, LATTICE_LINK_LOCAL_CIDR, "HTTP to VPC Lattice services")],
            ),
        )
        PythonLambda(
            self,
            "caller",
            PythonLambdaProps(
                function_name=tenant_function_name(name),
                source_dir=LAMBDA_SOURCES / "caller",
                handler="lambda_function.lambda_handler",
                iam_name_prefix=self.iam_name(f"{name}-caller"),
                environment={"SERVICE_URL": f"http://{outputs.get(SERVICE_DOMAIN_NAME)}/?q={tenant_query(name, tenant)}"},
                vpc=LambdaVpcPlacement(subnet_ids=vpc.subnet_ids("app"), security_group_ids=[caller_sg.id]),
            ),
        )


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: SharedSettings) -> None:
    common = SharedCommonAccountStack(app, deployment=deployment, config=config, settings=settings)
    for name, tenant in settings.tenants.items():
        SharedTenantAccountStack(app, deployment=deployment, name=name, tenant=tenant, settings=settings, common=common)
