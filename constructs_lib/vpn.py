"""A Site-to-Site VPN from an on-premises network to one VPC: virtual private gateway,
customer gateway, connection with static routes, and route propagation into the
VPC's route tables so replies find their way back."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class SiteToSiteVpnProps:
    name: str  # Name tag of the gateways and the connection
    vpc_id: str
    route_table_ids: Sequence[str]  # the tables that must route replies to the on-premises CIDRs
    customer_gateway_ip: str  # the on-premises device's public IPv4 address
    bgp_asn: int
    onprem_cidrs: Sequence[str]  # static routes over the tunnels


class SiteToSiteVpn(Construct):
    def __init__(self, scope: Construct, id: str, props: SiteToSiteVpnProps) -> None:
        super().__init__(scope, id)
        gateway = aws.vpn_gateway.VpnGateway(self, "gateway", vpc_id=props.vpc_id, tags={"Name": props.name})
        customer = aws.customer_gateway.CustomerGateway(
            self, "customer-gateway", bgp_asn=str(props.bgp_asn), ip_address=props.customer_gateway_ip, type="ipsec.1", tags={"Name": props.name}
        )
        gateway_id = gateway.id
        connection = aws.vpn_connection.VpnConnection(
            self,
            "connection",
            vpn_gateway_id=gateway_id,
            customer_gateway_id=customer.id,
            type="ipsec.1",
            static_routes_only=True,
            tags={"Name": props.name},
        )
        connection_id = connection.id
        for index, cidr in enumerate(props.onprem_cidrs):
            aws.vpn_connection_route.VpnConnectionRoute(self, f"route-{index + 1}", vpn_connection_id=connection_id, destination_cidr_block=cidr)
        for index, table_id in enumerate(props.route_table_ids):
            aws.vpn_gateway_route_propagation.VpnGatewayRoutePropagation(
                self, f"propagation-{index + 1}", vpn_gateway_id=gateway_id, route_table_id=table_id
            )
        self.gateway_id: str = gateway_id
        self.connection_id: str = connection_id
