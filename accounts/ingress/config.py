"""Ingress pattern, config side (seed 003: reach Lattice from outside its VPCs). The
service account owns the hello service and a service network, shared with an edge
account whose ingress VPC connects to the network through a service-network VPC
endpoint; an internal Network Load Balancer in front of the endpoint's addresses
takes clients that are in no associated VPC (on premises over Site-to-Site VPN or
Direct Connect, or a peer), and the ``vpc-lattice`` interface endpoint lets the
Lattice API be called without internet."""
from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Annotated, Iterable, Optional

from pydantic import AfterValidator, Field, field_validator

from lattice_model.aws_names import LOAD_BALANCER_NAME_MAX, account_wide_name, load_balancer_name_problem
from lattice_model.fields import (
    AcmCertificateArn,
    LatticeNetworkName,
    LatticeServiceName,
    LatticeTargetGroupName,
    StrictModel,
    certificate_placement_problem,
    domain_like,
    fitting,
)
from lattice_model.subnet_plan import VpcLayout

from ..hello_service import SERVICE, HelloServiceSettings, hello_service_claims
from ..registry import AccountRole, NameClaim, PatternSpec, account_scope, required_account
from ..stack_ids import PROVIDER_ID

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "ingress"
SERVICE_STACK = "ingress-service-account"
EDGE_STACK = "ingress-edge-account"
NETWORK_SECRET = "ingress_service_network"
EDGE = AccountRole("edge", "Owns the ingress VPC of the ingress pattern: load balancer, service-network endpoint, VPN.")
AZS = 2
SUBNET_PREFIX = 28  # a service-network endpoint needs a free /28 per zone
HTTP, HTTPS = 80, 443
# RFC 5737 documentation ranges: accepted so examples validate; replace them with yours
_DOCUMENTATION = [ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


def edge_layout(cidr: str) -> VpcLayout:
    """Load balancer, endpoint and workload subnets: a /28 of each in two zones."""
    return VpcLayout(cidr, AZS, {"ingress": SUBNET_PREFIX, "endpoints": SUBNET_PREFIX, "workload": SUBNET_PREFIX})


class VpnSettings(StrictModel):
    """A Site-to-Site VPN from the on-premises network to the ingress VPC (static routes
    to the on-premises CIDRs). It costs about $36 a month per connection, so it is made
    only when this section is given."""

    customer_gateway_ip: str = Field(description="The public IPv4 address of the on-premises VPN device.")
    bgp_asn: int = Field(default=65000, description="The on-premises device's BGP ASN (the customer gateway's; static routes are used either way).")

    @field_validator("customer_gateway_ip")
    @classmethod
    def _address(cls, value: str) -> str:
        try:
            address = ipaddress.IPv4Address(value)
        except ValueError:
            raise ValueError("must be an IPv4 address such as 203.0.113.10") from None
        if not address.is_global and not any(address in net for net in _DOCUMENTATION):
            raise ValueError("must be the device's public address (AWS reaches it over the internet)")
        return value

    @field_validator("bgp_asn")
    @classmethod
    def _asn(cls, value: int) -> int:
        if not 1 <= value <= 4_294_967_294:
            raise ValueError("a BGP ASN is 1-4294967294")
        return value


class IngressSettings(HelloServiceSettings):
    enabled: bool = Field(default=False, description="Synthesize the ingress pattern's stacks.")
    service_name: LatticeServiceName = Field(default="ingress-service", description="Lattice service name (unique per account).")
    target_group_name: LatticeTargetGroupName = Field(default="ingresstarget", description="Lattice target group name (unique per account).")
    service_network_name: LatticeNetworkName = Field(default="ingress-service-network", description="The service account's service network, shared with the edge account.")
    custom_domain_name: Annotated[str, AfterValidator(domain_like(example="hello.lattice-ingress.internal (the zone is the name without its first label)", min_labels=3))] = Field(
        default="hello.lattice-ingress.internal",
        description="The service's custom domain: clients outside Lattice use it; the edge VPC's private zone (the name without its first label) points it at the load balancer.",
    )
    certificate_arn: AcmCertificateArn = Field(
        default=None,
        description="ACM certificate for custom_domain_name in the service account and region: adds an HTTPS 443 listener to the service and 443 to the load balancer.",
    )
    edge_vpc_cidr: Annotated[str, AfterValidator(fitting(edge_layout))] = Field(default="10.100.0.0/24", description="The ingress VPC: /28 subnets for the load balancer, the endpoints and a workload, in two zones.")
    onprem_cidrs: list[str] = Field(
        default_factory=lambda: ["172.16.0.0/16"],
        description="On-premises networks the endpoint's security group admits (and the VPN routes to, when vpn is set).",
    )
    vpn: Optional[VpnSettings] = Field(default=None, description="Site-to-Site VPN to the on-premises network; none unless given (it costs money by the hour).")

    @field_validator("onprem_cidrs")
    @classmethod
    def _onprem(cls, value: list[str]) -> list[str]:
        networks = []
        for cidr in value:
            try:
                networks.append(ipaddress.IPv4Network(cidr, strict=True))
            except ValueError as error:
                raise ValueError(f"{cidr!r}: must be an IPv4 network in CIDR notation with no host bits set ({error})") from None
        for index, network in enumerate(networks):
            for other in networks[index + 1 :]:
                if network.overlaps(other):
                    raise ValueError(f"{network} and {other} overlap: give each on-premises range once")
        return value

    @property
    def zone_name(self) -> str:
        """The private zone that names the service for clients outside Lattice."""
        return self.custom_domain_name.split(".", 1)[1]

    @property
    def ports(self) -> tuple[int, ...]:
        """What the load balancer and the service listen on."""
        return (HTTP, HTTPS) if self.certificate_arn else (HTTP,)


def load_balancer_name(settings: IngressSettings) -> str:
    return f"{settings.service_name}-edge"[:LOAD_BALANCER_NAME_MAX].rstrip("-")


def _checks(config: LatticeConfig, settings: IngressSettings) -> Iterable[str]:
    service, edge = required_account(config, SERVICE), required_account(config, EDGE)
    field = "patterns.ingress"
    if service.id == edge.id:
        yield (
            f"accounts.service.id and accounts.edge.id are both {service.id}: the ingress pattern shares the service "
            "network with the edge account, give each role its own account"
        )
    balancer = load_balancer_name(settings)
    problem = load_balancer_name_problem(balancer)
    if problem:
        yield f"{field}.service_name = {settings.service_name!r}: the edge load balancer would be named {balancer!r}: {problem}"
    edge_vpc = ipaddress.IPv4Network(settings.edge_vpc_cidr)
    for cidr in settings.onprem_cidrs:
        if ipaddress.IPv4Network(cidr).overlaps(edge_vpc):
            yield f"{field}.onprem_cidrs: {cidr} overlaps edge_vpc_cidr {edge_vpc}: the VPC could not route replies to it"
    if settings.vpn is not None:
        if not settings.onprem_cidrs:
            yield f"{field}.vpn: give onprem_cidrs too: they are the VPN's static routes"
        address = ipaddress.IPv4Address(settings.vpn.customer_gateway_ip)
        inside = [c for c in settings.onprem_cidrs if address in ipaddress.IPv4Network(c)]
        if inside:
            yield f"{field}.vpn.customer_gateway_ip = {address}: it is inside onprem_cidrs {inside[0]}: give the device's public address"
    if settings.certificate_arn:
        misplaced = certificate_placement_problem(f"{field}.certificate_arn", settings.certificate_arn, service.id, config.region, "the service's certificate")
        if misplaced:
            yield misplaced


def _claims(config: LatticeConfig, settings: IngressSettings) -> Iterable[NameClaim]:
    service, edge = required_account(config, SERVICE), required_account(config, EDGE)
    service_account, edge_account = account_scope(service.id), account_scope(edge.id)
    for stack in (SERVICE_STACK, EDGE_STACK):
        yield NameClaim("stack name", "the app", stack, "the ingress pattern", fixed=True)
        yield NameClaim("construct id", f"stack {stack}", PROVIDER_ID, "the AWS provider", fixed=True)
    yield from hello_service_claims(NAME, settings, service.id)
    yield NameClaim("Lattice service network name", service_account, settings.service_network_name, "patterns.ingress.service_network_name")
    if settings.discovery == "secrets_manager":
        yield NameClaim("secret name", service_account, NETWORK_SECRET, "the ingress service network's discovery secret", fixed=True)
    yield NameClaim("load balancer name", edge_account, load_balancer_name(settings), "patterns.ingress.service_name (+ -edge)")
    yield NameClaim("IAM name prefix", edge_account, account_wide_name(NAME, "client"), "the ingress test client's role", fixed=True)


PATTERN = PatternSpec(
    name=NAME,
    summary="Lattice from outside its VPCs: a load balancer in front of a service-network endpoint, on-premises clients, the Lattice API over PrivateLink.",
    settings=IngressSettings,
    position=50,
    roles=(SERVICE, EDGE),
    stack_names=lambda settings: (SERVICE_STACK, EDGE_STACK),
    checks=_checks,
    claims=_claims,
)
