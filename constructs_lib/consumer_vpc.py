"""A consumer VPC ready to call Lattice services: tiered subnets, SSM endpoints,
client instances, and the security group its service-network association uses."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from lattice_model.subnet_plan import VpcLayout

from .lattice import ServiceNetworkVpcAssociation
from .lattice.service_network import NetworkLike
from .runtime import aws
from .runtime.cdk import Construct, ITerraformDependable
from .security_group import Rule, association_security_group, tcp
from .ssm_access import ClientInstances, ClientInstancesProps, SsmEndpoints, SsmEndpointsProps, client_instance_egress
from .vpc import TieredVpc, TieredVpcProps


@dataclass(frozen=True)
class ConsumerVpcProps:
    name: str  # the VPC's Name tag
    layout: VpcLayout  # must have the tiers "workload" (instances) and "endpoints" (SSM endpoints)
    instance_type: str
    ami_id: str
    instance_profile: str
    detailed_monitoring: bool = True  # 1-minute EC2 metrics (charged per instance)
    lattice_ports: Sequence[int] = (80,)  # what the association's security group admits from the VPC
    endpoint_ports: Sequence[int] = ()  # what the clients call on service-network endpoints in the VPC (none: no endpoints)
    azs_setting: str = ""  # the config field of the layout's number_azs (named by the plan-time zone check)


class ConsumerVpc(Construct):
    def __init__(self, scope: Construct, id: str, props: ConsumerVpcProps) -> None:
        super().__init__(scope, id)
        cidr = props.layout.cidr_block
        self.vpc = TieredVpc(self, "network", TieredVpcProps(name=props.name, layout=props.layout, azs_setting=props.azs_setting))
        self.id = self.vpc.id
        self.name = props.name
        endpoints = SsmEndpoints(
            self,
            "ssm-endpoints",
            SsmEndpointsProps(vpc_id=self.vpc.id, vpc_cidr=cidr, subnet_ids=self.vpc.subnet_ids("endpoints")),
        )
        ClientInstances(
            self,
            "instances",
            ClientInstancesProps(
                vpc_name=props.name,
                vpc_id=self.vpc.id,
                vpc_cidr=cidr,
                subnet_ids=self.vpc.subnet_ids("workload"),
                instance_type=props.instance_type,
                ami_id=props.ami_id,
                instance_profile=props.instance_profile,
                egress=client_instance_egress(cidr, props.lattice_ports, props.endpoint_ports),
                depends_on=endpoints.endpoints,  # SSM agent registers once endpoints exist
                detailed_monitoring=props.detailed_monitoring,
            ),
        )
        # Which clients of this VPC may use the service network: HTTP (and HTTPS) from the VPC.
        self.lattice_security_group = association_security_group(
            self,
            "lattice-security-group",
            name="lattice-vpc-association",
            description="VPC Lattice VPC association - Security Group",
            vpc_id=self.vpc.id,
            clients=lattice_clients(props.lattice_ports, cidr),
        )

    def subnet_ids(self, tier: str) -> list[str]:
        return self.vpc.subnet_ids(tier)

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


def lattice_clients(ports: Sequence[int], cidr: str) -> list[Rule]:
    """Ingress from the VPC's clients on each Lattice listener port."""
    names = {80: "HTTP", 443: "HTTPS"}
    return [tcp(port, cidr, f"Allowing {names.get(port, f'TCP {port}')}") for port in ports]


@dataclass(frozen=True)
class ExistingVpcProps:
    name: str  # what the VPC is called here: its Terraform name
    vpc_id: str
    cidr_block: str  # the VPC's CIDR; the lookup fails at plan unless the VPC has it
    lattice_ports: Sequence[int] = (80,)


class ExistingConsumerVpc(Construct):
    """A VPC created elsewhere, ready to call Lattice services: looked up by id and
    CIDR (plan fails early when no such VPC exists), with the security group its
    service-network association uses. Nothing else of the VPC is touched."""

    def __init__(self, scope: Construct, id: str, props: ExistingVpcProps) -> None:
        super().__init__(scope, id)
        # Named after the construct, so the lookup reads data.aws_vpc.<name>.
        self.lookup = aws.data_aws_vpc.DataAwsVpc(self, id, id=props.vpc_id, cidr_block=props.cidr_block)
        self.id = props.vpc_id  # the id itself: known before plan, for policies and associations
        self.name = props.name
        self.lattice_security_group = association_security_group(
            self,
            "lattice-security-group",
            name="lattice-vpc-association",
            description="VPC Lattice VPC association - Security Group",
            vpc_id=props.vpc_id,
            clients=lattice_clients(props.lattice_ports, props.cidr_block),
        )

    def associate(
        self, id: str, *, service_network: NetworkLike, depends_on: Sequence[ITerraformDependable] = ()
    ) -> ServiceNetworkVpcAssociation:
        """As :meth:`ConsumerVpc.associate`, after the lookup has found the VPC."""
        return ServiceNetworkVpcAssociation(
            self,
            id,
            service_network=service_network,
            vpc_id=self.id,
            security_group_ids=[self.lattice_security_group.id],
            depends_on=[*depends_on, self.lookup],
        )
