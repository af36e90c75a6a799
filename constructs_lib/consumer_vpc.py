"""A consumer VPC ready to call Lattice services: tiered subnets, SSM endpoints,
client instances, and the security group its service-network association uses."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .cdk import Construct, ITerraformDependable
from .lattice import ServiceNetworkVpcAssociation
from .lattice.service_network import NetworkLike
from .security_group import ALL_TRAFFIC_OUT, RuledSecurityGroup, SecurityGroupProps, tcp
from .ssm_access import ClientInstances, ClientInstancesProps, SsmEndpoints, SsmEndpointsProps, client_instance_egress
from .vpc import TieredVpc, TieredVpcProps


@dataclass(frozen=True)
class ConsumerVpcProps:
    name: str
    cidr_block: str
    number_azs: int
    workload_subnet_netmask: int
    endpoints_subnet_netmask: int
    instance_type: str
    region: str
    ami_id: str
    instance_profile: str


class ConsumerVpc(Construct):
    def __init__(self, scope: Construct, id: str, props: ConsumerVpcProps) -> None:
        super().__init__(scope, id)
        self.vpc = TieredVpc(
            self,
            "network",
            TieredVpcProps(
                name=props.name,
                cidr_block=props.cidr_block,
                number_azs=props.number_azs,
                tiers={"workload": props.workload_subnet_netmask, "endpoints": props.endpoints_subnet_netmask},
                region=props.region,
            ),
        )
        self.id = self.vpc.id
        self.name = props.name
        endpoints = SsmEndpoints(
            self,
            "ssm-endpoints",
            SsmEndpointsProps(
                region=props.region,
                vpc_id=self.vpc.id,
                vpc_cidr=props.cidr_block,
                subnet_ids=self.vpc.subnet_ids("endpoints"),
            ),
        )
        ClientInstances(
            self,
            "instances",
            ClientInstancesProps(
                vpc_name=props.name,
                vpc_id=self.vpc.id,
                vpc_cidr=props.cidr_block,
                subnet_ids=self.vpc.subnet_ids("workload"),
                instance_type=props.instance_type,
                ami_id=props.ami_id,
                instance_profile=props.instance_profile,
                egress=client_instance_egress(props.cidr_block),
                depends_on=endpoints.endpoints,  # SSM agent registers once endpoints exist
            ),
        )
        # Which clients of this VPC may use the service network: HTTP from the VPC.
        self.lattice_security_group = RuledSecurityGroup(
            self,
            "lattice-security-group",
            SecurityGroupProps(
                name="lattice-vpc-association",
                description="VPC Lattice VPC association - Security Group",
                vpc_id=self.vpc.id,
                ingress=[tcp(80, props.cidr_block, "Allowing HTTP")],
                egress=[ALL_TRAFFIC_OUT],
            ),
        )

    def associate(
        self, id: str, *, service_network: NetworkLike, depends_on: Sequence[ITerraformDependable] = ()
    ) -> ServiceNetworkVpcAssociation:
        """Connect this VPC to ``service_network`` (an ARN when another account owns it;
        ``depends_on`` then carries the RAM share accepter that makes it visible)."""
        return ServiceNetworkVpcAssociation(
            self,
            id,
            service_network=service_network,
            vpc_id=self.vpc.id,
            security_group_ids=[self.lattice_security_group.id],
            depends_on=depends_on,
        )
