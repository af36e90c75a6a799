"""A VPC with named subnet tiers spread over availability zones."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, TypeVar

from cdktf_cdktf_provider_aws.data_aws_availability_zones import (
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
)
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc

from .account_provider import stack_account
from .cdk import Construct, Fn
from .checkov import accept_risks
from .subnet_plan import VpcLayout

_T = TypeVar("_T")


@dataclass(frozen=True)
class TieredVpcProps:
    name: str  # the VPC's Name tag
    layout: VpcLayout  # CIDR, AZs, subnet tiers
    # A tier whose subnets reach the internet: the VPC gets an internet gateway and
    # that tier's route tables a default route to it. None: nothing routes out.
    public_tier: Optional[str] = None


class TieredVpc(Construct):
    """VPC, one subnet per tier per AZ, and a route table per subnet.

    Subnet CIDRs are computed at synth time (see ``subnet_plan``) and appear as
    literals in the output, so a reader sees every address range. Subnets are
    private unless their tier is the ``public_tier``, which gets the VPC's internet
    gateway as default route. Zones are chosen among <region>a..f of the stack's
    region.
    """

    def __init__(self, scope: Construct, id: str, props: TieredVpcProps) -> None:
        super().__init__(scope, id)
        layout = props.layout
        if props.public_tier is not None and props.public_tier not in layout.tiers:
            raise ValueError(f"{self.node.path}: public_tier = {props.public_tier!r}: not one of the tiers {list(layout.tiers)}")
        self.name = props.name
        self.cidr_block = layout.cidr_block
        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=layout.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,  # private DNS of interface endpoints needs both
            tags={"Name": props.name},
        )
        self.id = self.vpc.id
        # The default security group allows all traffic between its members: empty it.
        DefaultSecurityGroup(self, "default-security-group", vpc_id=self.vpc.id, tags={"Name": f"{props.name}-default"})
        accept_risks(self.vpc, [("CKV2_AWS_11", "flow logs are an account-wide choice (destination, retention, cost) left to the operator")])
        # An allowlist of zone names: a zone AWS adds later cannot enter the set and
        # shift which zones the subnets land in.
        region = stack_account(self).region
        azs = DataAwsAvailabilityZones(
            self,
            "azs",
            state="available",
            filter=[DataAwsAvailabilityZonesFilter(name="zone-name", values=[f"{region}{letter}" for letter in "abcdef"])],
        )
        self._subnets: dict[str, list[Subnet]] = {tier: [] for tier in layout.tiers}
        self._route_tables: dict[str, list[RouteTable]] = {tier: [] for tier in layout.tiers}
        for planned in layout.subnets():
            label = f"{props.name}-{planned.tier}-{planned.az_index + 1}"
            subnet = Subnet(
                self,
                f"{planned.tier}-{planned.az_index + 1}",
                vpc_id=self.vpc.id,
                cidr_block=planned.cidr,
                availability_zone=Fn.element(azs.names, planned.az_index),
                tags={"Name": label},
            )
            table = RouteTable(self, f"{planned.tier}-{planned.az_index + 1}-routes", vpc_id=self.vpc.id, tags={"Name": label})
            RouteTableAssociation(
                self, f"{planned.tier}-{planned.az_index + 1}-routes-association", subnet_id=subnet.id, route_table_id=table.id
            )
            self._subnets[planned.tier].append(subnet)
            self._route_tables[planned.tier].append(table)
        self.internet_gateway: Optional[InternetGateway] = None
        if props.public_tier is not None:
            self.internet_gateway = self._route_to_internet(scope, id, props.name, props.public_tier)

    def _route_to_internet(self, scope: Construct, id: str, name: str, tier: str) -> InternetGateway:
        # Named beside the VPC (main-igw, main-public-internet-1), as a reader of
        # hand-written Terraform expects, rather than under it.
        gateway = InternetGateway(scope, f"{id}-igw", vpc_id=self.vpc.id, tags={"Name": f"{name}-igw"})
        for index, table in enumerate(self._route_tables[tier]):
            Route(
                scope,
                f"{id}-{tier}-internet-{index + 1}",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=gateway.id,
            )
        return gateway

    def subnet_ids(self, tier: str) -> list[str]:
        return [s.id for s in self._tier(self._subnets, tier)]

    def route_table_ids(self, tier: str) -> list[str]:
        return [t.id for t in self._tier(self._route_tables, tier)]

    def _tier(self, by_tier: dict[str, list[_T]], tier: str) -> list[_T]:
        if tier not in by_tier:
            raise KeyError(f"{self.node.path}: no subnet tier {tier!r} (tiers: {', '.join(by_tier)})")
        return by_tier[tier]
