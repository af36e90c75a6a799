"""VPC peering inside one account, with DNS resolution both ways and the routes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class PeerSide:
    vpc_id: str
    cidr_block: str
    route_table_ids: Sequence[str]  # tables that get a route to the other side


class VpcPeering(Construct):
    def __init__(self, scope: Construct, id: str, *, requester: PeerSide, accepter: PeerSide) -> None:
        super().__init__(scope, id)
        self.connection = aws.vpc_peering_connection.VpcPeeringConnection(
            self,
            "connection",
            vpc_id=requester.vpc_id,
            peer_vpc_id=accepter.vpc_id,
            auto_accept=True,  # same account and region
            accepter=aws.vpc_peering_connection.VpcPeeringConnectionAccepter(allow_remote_vpc_dns_resolution=True),
            requester=aws.vpc_peering_connection.VpcPeeringConnectionRequester(allow_remote_vpc_dns_resolution=True),
        )
        for side, other, label in ((requester, accepter, "to-accepter"), (accepter, requester, "to-requester")):
            for index, table in enumerate(side.route_table_ids):
                aws.route.Route(
                    self,
                    f"{label}-{index + 1}",
                    route_table_id=table,
                    destination_cidr_block=other.cidr_block,
                    vpc_peering_connection_id=self.connection.id,
                )
