"""A security group with its rules inline, declared as typed rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class Rule:
    description: str
    protocol: str  # "tcp", "udp", "icmp" or "-1"
    from_port: int
    to_port: int
    cidr_blocks: Sequence[str] = ()
    prefix_list_ids: Sequence[str] = ()  # e.g. the VPC Lattice managed prefix list


ALL_TRAFFIC_OUT = Rule("Any traffic", "-1", 0, 0, ["0.0.0.0/0"])


def tcp(port: int, cidr: str, description: str) -> Rule:
    return Rule(description, "tcp", port, port, [cidr])


@dataclass(frozen=True)
class SecurityGroupProps:
    name: str
    description: str
    vpc_id: str
    ingress: Sequence[Rule] = ()
    egress: Sequence[Rule] = ()


class RuledSecurityGroup(Construct):
    """A VPC security group whose ingress and egress are exactly the rules given.

    Terraform removes AWS's default allow-all egress rule on create, so an empty
    ``egress`` really means no egress.
    """

    def __init__(self, scope: Construct, id: str, props: SecurityGroupProps) -> None:
        super().__init__(scope, id)
        self.resource = aws.security_group.SecurityGroup(
            self,
            "sg",
            name=props.name,
            description=props.description,
            vpc_id=props.vpc_id,
            ingress=[aws.security_group.SecurityGroupIngress(**_rule_args(r)) for r in props.ingress],
            egress=[aws.security_group.SecurityGroupEgress(**_rule_args(r)) for r in props.egress],
            tags={"Name": props.name},
        )
        self.id = self.resource.id


class LinkedSecurityGroup(Construct):
    """A security group whose rules are separate resources, so that two groups can
    name each other (a load balancer's egress to an endpoint's group, the endpoint's
    ingress from the balancer's) without a dependency cycle. It has no inline rules:
    mixing inline and separate rules on one group makes Terraform fight itself.
    Terraform removes AWS's default allow-all egress rule when it creates the group."""

    def __init__(self, scope: Construct, id: str, *, name: str, description: str, vpc_id: str) -> None:
        super().__init__(scope, id)
        self.resource = aws.security_group.SecurityGroup(
            self, "sg", name=name, description=description, vpc_id=vpc_id, tags={"Name": name}
        )
        self.id = self.resource.id
        self._count = 0

    def ingress_from_cidr(self, port: int, cidr: str, description: str) -> None:
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self, self._next("in"), security_group_id=self.id, description=description,
            ip_protocol="tcp", from_port=port, to_port=port, cidr_ipv4=cidr,
        )

    def ingress_from(self, other: "LinkedSecurityGroup", port: int, description: str) -> None:
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self, self._next("in"), security_group_id=self.id, description=description,
            ip_protocol="tcp", from_port=port, to_port=port, referenced_security_group_id=other.id,
        )

    def egress_to(self, other: "LinkedSecurityGroup", port: int, description: str) -> None:
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self, self._next("out"), security_group_id=self.id, description=description,
            ip_protocol="tcp", from_port=port, to_port=port, referenced_security_group_id=other.id,
        )

    def _next(self, direction: str) -> str:
        self._count += 1
        return f"{direction}-{self._count}"


def _rule_args(rule: Rule) -> dict[str, object]:
    args: dict[str, object] = {
        "description": rule.description,
        "protocol": rule.protocol,
        "from_port": rule.from_port,
        "to_port": rule.to_port,
        "cidr_blocks": list(rule.cidr_blocks),
    }
    if rule.prefix_list_ids:
        args["prefix_list_ids"] = list(rule.prefix_list_ids)
    return args


def association_security_group(
    scope: Construct, id: str, *, name: str, description: str, vpc_id: str, clients: Sequence[Rule]
) -> RuledSecurityGroup:
    """The security group of a service-network VPC association: which clients of
    the VPC may use the network (``clients``: ingress rules, usually HTTP from the
    VPC's own CIDR); egress open, as in the reference samples."""
    return RuledSecurityGroup(
        scope,
        id,
        SecurityGroupProps(name=name, description=description, vpc_id=vpc_id, ingress=clients, egress=[ALL_TRAFFIC_OUT]),
    )
