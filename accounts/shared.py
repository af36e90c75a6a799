"""Shared service with isolated networks (seed 001, Pulumi in the original).

The common account runs the DirectoryService (a Lambda behind an internal ALB,
published as the Lattice service ``shared-service``) and owns one service network
per tenant; each network is associated with the service, with a peered "network"
VPC of its own, and shared with its tenant's account only. Each tenant account
associates its VPC with its own network and runs a caller Lambda. Tenants never
share a network: the config refuses it, and each network is built for exactly one
tenant here.
"""
from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_ec2_managed_prefix_list import DataAwsEc2ManagedPrefixList
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.route import Route

from app_config import LatticeConfig, SharedPatternConfig, TenantConfig
from app_config.project import LAMBDA_SOURCES
from constructs_lib.alb_lambda import InternalLambdaAlb, InternalLambdaAlbProps
from constructs_lib.auth_policy import (
    AuthPolicy,
    AuthStatement,
    query_string,
    request_method,
    source_vpc_owner_account,
)
from constructs_lib.cdk import Construct, TerraformOutput
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
from constructs_lib.ram import RamShare, RamShareProps
from constructs_lib.security_group import ALL_TRAFFIC_OUT, Rule, RuledSecurityGroup, SecurityGroupProps, tcp
from constructs_lib.ssm_access import LATTICE_LINK_LOCAL_CIDR
from constructs_lib.vpc import TieredVpc, TieredVpcProps

from .base import AccountStack
from .building_blocks import accept_unless_same_account
from .discovery import RemoteOutputs

PATTERN = "shared"
COMMON_STACK = "shared-common-account"
SERVICE_NAME = "shared-service"
SERVICE_DOMAIN_NAME = "service_domain_name"
TENANT_NETWORK_ARNS = "tenant_service_network_arns"
TENANT_SHARE_ARNS = "tenant_ram_share_arns"


def tenant_stack_name(tenant: str) -> str:
    return f"shared-{tenant}-account"


def tenant_query(name: str, tenant: TenantConfig) -> str:
    return tenant.query or name


def _common_account(config: LatticeConfig):
    if config.accounts.common is None:  # the config schema refuses this already
        raise ValueError("accounts.common is required by the shared-service pattern")
    return config.accounts.common


def directory_auth_policy(settings: SharedPatternConfig) -> str:
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
    def __init__(self, scope: Construct, config: LatticeConfig) -> None:
        super().__init__(scope, COMMON_STACK, config=config, account=_common_account(config), pattern=PATTERN, role="common")
        settings = config.patterns.shared
        main = TieredVpc(
            self, "main", TieredVpcProps(name="shared-services-main", cidr_block=settings.main_vpc_cidr, number_azs=2, tiers={"public": 22, "app": 22}, region=config.region)
        )
        gateway = InternetGateway(self, "main-igw", vpc_id=main.id, tags={"Name": "shared-services-main-igw"})
        for index, table in enumerate(main.route_table_ids("public")):
            Route(self, f"main-public-internet-{index + 1}", route_table_id=table, destination_cidr_block="0.0.0.0/0", gateway_id=gateway.id)

        service = self._directory_service(settings, main)
        self.tenant_networks: dict[str, ServiceNetwork] = {}
        self.tenant_network_vpcs: dict[str, TieredVpc] = {}
        shares: dict[str, str] = {}
        for name, tenant in settings.tenants.items():
            shares[name] = self._tenant_network(name, tenant, settings, main, service)
        networks = {name: network.arn for name, network in self.tenant_networks.items()}
        TerraformOutput(self, SERVICE_DOMAIN_NAME, value=service.domain_name, description="shared-service FQDN")
        TerraformOutput(self, TENANT_NETWORK_ARNS, value=networks)
        TerraformOutput(self, TENANT_SHARE_ARNS, value=shares)

    def _directory_service(self, settings: SharedPatternConfig, main: TieredVpc) -> LatticeService:
        """Lambda behind an internal ALB, behind a Lattice ALB target group and service."""
        lattice_prefixes = DataAwsEc2ManagedPrefixList(
            self, "lattice-prefix-list", name=f"com.amazonaws.{self.config.region}.vpc-lattice"
        )
        lambda_sg = RuledSecurityGroup(
            self,
            "directory-lambda-sg",
            SecurityGroupProps(name="directory-lambda", description="DirectoryService Lambda: invoked by the ALB, calls nothing", vpc_id=main.id),
        )
        function = PythonLambda(
            self,
            "directory",
            PythonLambdaProps(
                function_name=f"{PATTERN}-DirectoryService",
                source_dir=LAMBDA_SOURCES / "directory",
                handler="lambda_function.lambda_handler",
                iam_name_prefix=self.iam_name("directory"),
                region=self.config.region,
                account_id=self.account_id,
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
                name="DirectoryServiceLb",
                subnet_ids=main.subnet_ids("app"),
                security_group_ids=[alb_sg.id],
                function_arn=function.arn,
                function_name=function.function_name,
            ),
        )
        target_group = TargetGroup(
            self,
            "shared-service-target",
            TargetGroupProps(name="shared-service-target", type="ALB", port=80, protocol="HTTP", vpc_id=main.id, targets=[Target(alb.arn, port=80)]),
        )
        service = LatticeService(self, "shared-service", LatticeServiceProps(name=SERVICE_NAME, auth_type="AWS_IAM"))
        Listener(
            self,
            "shared-service-listener",
            ListenerProps(name="shared-service-listener", service=service, port=80, default_action=Forward([WeightedTarget(target_group, 100)])),
        )
        service.attach_auth_policy(directory_auth_policy(settings))
        return service

    def _tenant_network(
        self, name: str, tenant: TenantConfig, settings: SharedPatternConfig, main: TieredVpc, service: LatticeService
    ) -> str:
        """The tenant's peered network VPC, its service network (associated with the
        shared service and that VPC only), and the RAM share with the tenant (its ARN)."""
        network_vpc = TieredVpc(
            self, f"{name}-network", TieredVpcProps(name=f"{name}-network", cidr_block=tenant.network_vpc_cidr, number_azs=2, tiers={"peer": 24}, region=self.config.region)
        )
        VpcPeering(
            self,
            f"{name}-peering",
            requester=PeerSide(main.id, settings.main_vpc_cidr, main.route_table_ids("app")),
            accepter=PeerSide(network_vpc.id, tenant.network_vpc_cidr, network_vpc.route_table_ids("peer")),
        )
        open_mode = settings.auth_policy == "open"
        network = ServiceNetwork(
            self, f"{name}-service-network", ServiceNetworkProps(name=tenant.service_network, auth_type="NONE" if open_mode else "AWS_IAM")
        )
        if not open_mode:
            network.attach_auth_policy(
                AuthPolicy([AuthStatement(sid=f"{name.capitalize()}TenantVpcs", conditions=[source_vpc_owner_account(tenant.account.id)])]).render()
            )
        network.associate_service("shared-service", service=service.id)
        association_sg = RuledSecurityGroup(
            network_vpc,
            "lattice-sg",
            SecurityGroupProps(
                name=f"{name}-lattice",
                description=f"{name} network VPC association: HTTP from the peered VPCs",
                vpc_id=network_vpc.id,
                ingress=[tcp(80, tenant.network_vpc_cidr, "HTTP from this VPC"), tcp(80, settings.main_vpc_cidr, "HTTP from the main VPC")],
                egress=[ALL_TRAFFIC_OUT],
            ),
        )
        network.associate_vpc("network-vpc", vpc_id=network_vpc.id, security_group_ids=[association_sg.id])
        share = RamShare(
            network,
            "share",
            RamShareProps(
                name=f"{tenant.service_network} share",
                principals=[tenant.account.id],
                resources={"service-network": network.arn},
                allow_external_principals=not settings.ram_within_organization,
            ),
        )
        self.tenant_networks[name] = network
        self.tenant_network_vpcs[name] = network_vpc
        return share.arn


class SharedTenantAccountStack(AccountStack):
    """A tenant (blue, green): its VPC, associated with its own shared network, and
    a caller Lambda with the service URL for its query."""

    def __init__(self, scope: Construct, config: LatticeConfig, name: str, common: SharedCommonAccountStack) -> None:
        settings = config.patterns.shared
        tenant = settings.tenants[name]
        super().__init__(scope, tenant_stack_name(name), config=config, account=tenant.account, pattern=PATTERN, role=name)
        outputs = RemoteOutputs(self, common)
        accepted = (
            []
            if settings.ram_within_organization
            else accept_unless_same_account(
                self, "ram-share-accepter", owner_account=common.account_id, share_arn=outputs.get(TENANT_SHARE_ARNS, name)
            )
        )
        vpc = TieredVpc(self, "vpc", TieredVpcProps(name=f"{name}-sandbox", cidr_block=tenant.vpc_cidr, number_azs=2, tiers={"app": 24}, region=config.region))
        association_sg = RuledSecurityGroup(
            self,
            "lattice-sg",
            SecurityGroupProps(
                name=f"{name}-lattice",
                description=f"{name} VPC association: HTTP from this VPC",
                vpc_id=vpc.id,
                ingress=[tcp(80, tenant.vpc_cidr, "HTTP from this VPC")],
                egress=[ALL_TRAFFIC_OUT],
            ),
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
                function_name=f"{PATTERN}-{name.capitalize()}Function",
                source_dir=LAMBDA_SOURCES / "caller",
                handler="lambda_function.lambda_handler",
                iam_name_prefix=self.iam_name(f"{name}-caller"),
                region=config.region,
                account_id=self.account_id,
                environment={"SERVICE_URL": f"http://{outputs.get(SERVICE_DOMAIN_NAME)}/?q={tenant_query(name, tenant)}"},
                vpc=LambdaVpcPlacement(subnet_ids=vpc.subnet_ids("app"), security_group_ids=[caller_sg.id]),
            ),
        )
