"""A VPC with named subnet tiers spread over availability zones."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, TypeVar

from lattice_model.subnet_plan import VpcLayout

from .account_provider import stack_account
from .checkov import accept_risks
from .runtime import aws
from .runtime.cdk import Construct, Fn, add_postconditions

_T = TypeVar("_T")


@dataclass(frozen=True)
class TieredVpcProps:
    name: str  # the VPC's Name tag
    layout: VpcLayout  # CIDR, AZs, subnet tiers
    # A tier whose subnets reach the internet: the VPC gets an internet gateway and
    # that tier's route tables a default route to it. None: nothing routes out.
    public_tier: Optional[str] = None
    # Tiers that reach the internet through one NAT gateway in the public tier's first
    # subnet (needs public_tier): one gateway, as cheap samples do, not one per zone.
    nat_tiers: tuple[str, ...] = ()
    # The config field that sets layout.number_azs (vpcs.vpc1.number_azs), named by the
    # plan-time check that the region has that many zones; unset: the pattern's own layout.
    azs_setting: str = ""


def zone_count_check(number_azs: int, region: str, setting: str) -> tuple[str, str]:
    """The postcondition of a VPC's zone lookup: the region has ``number_azs``
    available zones among <region>a..f, or the plan fails naming ``setting``."""
    what = f"{setting} = {number_azs}" if setting else f"this VPC of the pattern needs {number_azs} availability zones"
    advice = "lower it" if setting else "choose another region"
    return (
        f"${{length(self.names) >= {number_azs}}}",
        f"{what}: {region} has only ${{length(self.names)}} available zones among {region}a to {region}f; {advice}",
    )


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
        self.vpc = aws.vpc.Vpc(
            self,
            "vpc",
            cidr_block=layout.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,  # private DNS of interface endpoints needs both
            tags={"Name": props.name},
        )
        self.id: str = self.vpc.id  # read once: every read of a resource attribute is a round trip to Node
        # The default security group allows all traffic between its members: empty it.
        aws.default_security_group.DefaultSecurityGroup(self, "default-security-group", vpc_id=self.id, tags={"Name": f"{props.name}-default"})
        accept_risks(self.vpc, [("CKV2_AWS_11", "flow logs are an account-wide choice (destination, retention, cost) left to the operator")])
        # An allowlist of zone names: a zone AWS adds later cannot enter the set and
        # shift which zones the subnets land in.
        region = stack_account(self).region
        azs = aws.data_aws_availability_zones.DataAwsAvailabilityZones(
            self,
            "azs",
            state="available",
            filter=[aws.data_aws_availability_zones.DataAwsAvailabilityZonesFilter(name="zone-name", values=[f"{region}{letter}" for letter in "abcdef"])],
        )
        # Only the plan knows the region's zones: with fewer than the layout's,
        # element() would wrap and put two subnets of a tier in one zone.
        add_postconditions(azs, [zone_count_check(layout.number_azs, region, props.azs_setting)])
        zone_names = azs.names
        zones = [Fn.element(zone_names, index) for index in range(layout.number_azs)]
        self._subnet_ids: dict[str, list[str]] = {tier: [] for tier in layout.tiers}
        self._route_table_ids: dict[str, list[str]] = {tier: [] for tier in layout.tiers}
        for planned in layout.subnets():
            label = f"{props.name}-{planned.tier}-{planned.az_index + 1}"
            subnet = aws.subnet.Subnet(
                self,
                f"{planned.tier}-{planned.az_index + 1}",
                vpc_id=self.id,
                cidr_block=planned.cidr,
                availability_zone=zones[planned.az_index],
                tags={"Name": label},
            )
            table = aws.route_table.RouteTable(self, f"{planned.tier}-{planned.az_index + 1}-routes", vpc_id=self.id, tags={"Name": label})
            subnet_id, table_id = subnet.id, table.id
            aws.route_table_association.RouteTableAssociation(
                self, f"{planned.tier}-{planned.az_index + 1}-routes-association", subnet_id=subnet_id, route_table_id=table_id
            )
            self._subnet_ids[planned.tier].append(subnet_id)
            self._route_table_ids[planned.tier].append(table_id)
        self.internet_gateway: Optional[aws.internet_gateway.InternetGateway] = None
        if props.public_tier is not None:
            self.internet_gateway = self._route_to_internet(scope, id, props.name, props.public_tier)
        if props.nat_tiers:
            if props.public_tier is None:
                raise ValueError(f"{self.node.path}: nat_tiers = {props.nat_tiers}: a NAT gateway needs a public_tier")
            self._route_through_nat(scope, id, props.name, props.public_tier, props.nat_tiers)

    def _route_through_nat(self, scope: Construct, id: str, name: str, public_tier: str, tiers: tuple[str, ...]) -> None:
        address = aws.eip.Eip(scope, f"{id}-nat-address", domain="vpc", tags={"Name": f"{name}-nat"})
        nat = aws.nat_gateway.NatGateway(
            scope,
            f"{id}-nat",
            allocation_id=address.id,
            subnet_id=self._tier(self._subnet_ids, public_tier)[0],
            tags={"Name": f"{name}-nat"},
            depends_on=[self.internet_gateway] if self.internet_gateway is not None else None,
        )
        nat_id = nat.id
        for tier in tiers:
            for index, table_id in enumerate(self._tier(self._route_table_ids, tier)):
                aws.route.Route(
                    scope, f"{id}-{tier}-nat-{index + 1}", route_table_id=table_id, destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat_id
                )

    def _route_to_internet(self, scope: Construct, id: str, name: str, tier: str) -> aws.internet_gateway.InternetGateway:
        # Named beside the VPC (main-igw, main-public-internet-1), as a reader of
        # hand-written Terraform expects, rather than under it.
        gateway = aws.internet_gateway.InternetGateway(scope, f"{id}-igw", vpc_id=self.id, tags={"Name": f"{name}-igw"})
        gateway_id = gateway.id
        for index, table_id in enumerate(self._route_table_ids[tier]):
            aws.route.Route(
                scope,
                f"{id}-{tier}-internet-{index + 1}",
                route_table_id=table_id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=gateway_id,
            )
        return gateway

    def subnet_ids(self, tier: str) -> list[str]:
        return list(self._tier(self._subnet_ids, tier))

    def route_table_ids(self, tier: str) -> list[str]:
        return list(self._tier(self._route_table_ids, tier))

    def _tier(self, by_tier: dict[str, list[_T]], tier: str) -> list[_T]:
        if tier not in by_tier:
            raise KeyError(f"{self.node.path}: no subnet tier {tier!r} (tiers: {', '.join(by_tier)})")
        return by_tier[tier]
