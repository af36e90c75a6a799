"""A security group with its rules inline, declared as typed rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from . import aws
from .cdk import Construct


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
