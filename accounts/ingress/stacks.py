"""Ingress pattern (seed 003): reach Lattice from outside its VPCs.

- ``ingress-service-account``: the hello service with a custom domain, in a service
  network this account owns, shared by RAM with the edge account.
- ``ingress-edge-account``: the ingress VPC. A service-network VPC endpoint connects
  it to the shared network; an internal Network Load Balancer forwards TCP to the
  endpoint's addresses, for clients in no associated VPC; the endpoint's security
  group admits the balancer's subnets (health checks) and the on-premises ranges,
  nothing else; a private zone points the service's custom domain at the balancer; a
  Site-to-Site VPN when configured; the ``vpc-lattice`` interface endpoint with
  private DNS, so the Lattice API is called without internet; an SSM-managed test
  instance in a workload subnet.

Deploy order is one line, service account first. The auth policies admit the edge
account's VPCs (``SourceVpcOwnerAccount``), not the edge VPC by id: the edge VPC is
made after the policy, and naming it would need a second apply.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from constructs_lib.endpoint_nlb import EndpointNlb, EndpointNlbProps
from constructs_lib.lattice import CustomDomain, ServiceNetwork, ServiceNetworkEndpointProps, ServiceNetworkProps, ServiceNetworkVpcEndpoint
from constructs_lib.private_zone import PrivateZone
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import Construct, TerraformOutput
from constructs_lib.security_group import RuledSecurityGroup, SecurityGroupProps, tcp
from constructs_lib.ssm_access import SsmTestClientProps, ssm_test_client
from constructs_lib.vpc import TieredVpc, TieredVpcProps
from constructs_lib.vpn import SiteToSiteVpn, SiteToSiteVpnProps
from lattice_model.subnet_plan import VpcLayout

from ..base import AccountStack, Deployment
from ..building_blocks import accept_unless_same_account, auth_policy_for_consumer, hello_service
from ..discovery import ServiceNetworkIds, publish_service_network
from ..hello_service import SERVICE, SERVICE_KEY
from ..registry import required_account
from .config import AZS, EDGE, EDGE_STACK, HTTPS, NAME, NETWORK_SECRET, SERVICE_STACK, IngressSettings, edge_layout, load_balancer_name

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

EDGE_VPC_NAME = "ingress-edge"
CLIENT_INSTANCE_TYPE = "t3.micro"


class IngressServiceAccountStack(AccountStack):
    """The hello service, reachable by its custom domain, in a network shared with the edge account."""

    def __init__(self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, settings: IngressSettings) -> None:
        super().__init__(scope, SERVICE_STACK, deployment=deployment, account=required_account(config, SERVICE), pattern=NAME, role="service")
        edge = required_account(config, EDGE).id
        service = hello_service(
            self, settings, custom_domain=CustomDomain(settings.custom_domain_name, settings.certificate_arn), https=settings.certificate_arn is not None
        )
        service.attach_auth_policy(auth_policy_for_consumer(settings.auth_policy, edge, [service.arn]))
        self.network = ServiceNetwork(self, "service-network", ServiceNetworkProps(name=settings.service_network_name))
        self.network.attach_auth_policy(auth_policy_for_consumer(settings.auth_policy, edge, [service.arn]))
        self.network.associate_service(f"service-{SERVICE_KEY}", service=service)
        share = self.network.share_with("ram-share", [edge], name="ingress service network")
        # seed 003 has no code to follow: a secret only for the channel that reads it
        secret = NETWORK_SECRET if settings.discovery == "secrets_manager" else None
        publish_service_network(self, network=self.network, ram_share_arn=share.arn, secret_name=secret, reader_account_ids=[edge])
        TerraformOutput(self, "custom_domain_name", value=settings.custom_domain_name, description="Clients outside Lattice use this name")


class IngressEdgeAccountStack(AccountStack):
    """The ingress VPC: the way in for clients in no associated VPC."""

    def __init__(
        self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, settings: IngressSettings, service_stack: IngressServiceAccountStack
    ) -> None:
        super().__init__(scope, EDGE_STACK, deployment=deployment, account=required_account(config, EDGE), pattern=NAME, role="edge")
        layout = edge_layout(settings.edge_vpc_cidr)
        network = ServiceNetworkIds(self, service_stack, channel=settings.discovery, secret_name=NETWORK_SECRET)
        accepted = accept_unless_same_account(self, owner_account=service_stack.account_id, share_arn=network.ram_share_arn)
        vpc = TieredVpc(self, "vpc", TieredVpcProps(name=EDGE_VPC_NAME, layout=layout))
        endpoint_sg = RuledSecurityGroup(
            self,
            "endpoint-sg",
            SecurityGroupProps(
                name=f"{EDGE_VPC_NAME}-service-network-endpoint",
                description="Service-network endpoint: the load balancer's subnets (health checks) and the on-premises ranges",
                vpc_id=vpc.id,
                ingress=[
                    *(tcp(port, cidr, f"port {port} from the load balancer subnet {cidr}") for port in settings.ports for cidr in _tier_cidrs(layout, "ingress")),
                    *(tcp(port, cidr, f"port {port} from on premises {cidr}") for port in settings.ports for cidr in settings.onprem_cidrs),
                ],
                # no egress: the endpoint only answers
            ),
        )
        endpoint = ServiceNetworkVpcEndpoint(
            self,
            "service-network-endpoint",
            ServiceNetworkEndpointProps(
                service_network_arn=network.service_network_arn,
                vpc_id=vpc.id,
                subnet_ids=vpc.subnet_ids("endpoints"),
                security_group_ids=[endpoint_sg.id],
                depends_on=accepted,
            ),
        )
        nlb = EndpointNlb(
            self,
            "nlb",
            EndpointNlbProps(
                name=load_balancer_name(settings),
                vpc_id=vpc.id,
                subnet_ids=vpc.subnet_ids("ingress"),
                ports=settings.ports,
                endpoint_network_interface_ids=endpoint.network_interface_ids,
                endpoint_count=AZS,
            ),
        )
        zone = PrivateZone(self, "zone", domain=settings.zone_name, vpc_id=vpc.id)
        zone.alias_records([settings.custom_domain_name.split(".", 1)[0]], target_dns_name=nlb.dns_name, target_zone_id=nlb.zone_id)
        if settings.vpn is not None:
            SiteToSiteVpn(
                self,
                "vpn",
                SiteToSiteVpnProps(
                    name=f"{EDGE_VPC_NAME}-vpn",
                    vpc_id=vpc.id,
                    route_table_ids=[t for tier in layout.tiers for t in vpc.route_table_ids(tier)],
                    customer_gateway_ip=settings.vpn.customer_gateway_ip,
                    bgp_asn=settings.vpn.bgp_asn,
                    onprem_cidrs=settings.onprem_cidrs,
                ),
            )
        self._lattice_api_endpoint(vpc, settings)
        self._test_client(vpc, settings)
        TerraformOutput(self, "vpc_id", value=vpc.id)
        TerraformOutput(self, "service_network_endpoint_id", value=endpoint.id)
        TerraformOutput(self, "load_balancer_dns_name", value=nlb.dns_name, description="Where on-premises DNS should send the custom domain")

    def _lattice_api_endpoint(self, vpc: TieredVpc, settings: IngressSettings) -> None:
        """``com.amazonaws.<region>.vpc-lattice`` with private DNS: the management API
        (vpc-lattice.<region>.amazonaws.com) without internet, NAT or public address."""
        group = RuledSecurityGroup(
            self,
            "lattice-api-sg",
            SecurityGroupProps(
                name=f"{EDGE_VPC_NAME}-lattice-api-endpoint",
                description="VPC Lattice API endpoint: HTTPS from this VPC and on premises",
                vpc_id=vpc.id,
                ingress=[tcp(HTTPS, cidr, f"HTTPS from {cidr}") for cidr in [settings.edge_vpc_cidr, *settings.onprem_cidrs]],
            ),
        )
        aws.vpc_endpoint.VpcEndpoint(
            self,
            "lattice-api-endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{self.region}.vpc-lattice",
            vpc_endpoint_type="Interface",
            subnet_ids=vpc.subnet_ids("endpoints"),
            security_group_ids=[group.id],
            private_dns_enabled=True,
        )

    def _test_client(self, vpc: TieredVpc, settings: IngressSettings) -> None:
        """A workload instance, reached through Session Manager, that calls the Lattice
        API through its endpoint (the workload subnets are not admitted to the service)."""
        ssm_test_client(
            self,
            SsmTestClientProps(
                vpc_id=vpc.id,
                vpc_cidr=settings.edge_vpc_cidr,
                subnet_ids=vpc.subnet_ids("workload"),
                instance_type=CLIENT_INSTANCE_TYPE,
                iam_name_prefix=self.iam_name("client"),
                egress=[tcp(HTTPS, settings.edge_vpc_cidr, "HTTPS to the SSM and VPC Lattice API endpoints")],
            ),
        )


def _tier_cidrs(layout: VpcLayout, tier: str) -> list[str]:
    return [subnet.cidr for subnet in layout.subnets() if subnet.tier == tier]


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: IngressSettings) -> None:
    service = IngressServiceAccountStack(app, deployment=deployment, config=config, settings=settings)
    IngressEdgeAccountStack(app, deployment=deployment, config=config, settings=settings, service_stack=service)
