"""An internal Network Load Balancer whose IP targets are the addresses of a VPC
endpoint: the way into a service-network endpoint for clients in no associated VPC
(on premises over VPN or Direct Connect, or a peer)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from lattice_model.aws_names import load_balancer_name_problem

from .checkov import accept_risks
from .endpoint_addresses import endpoint_addresses
from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class EndpointNlbProps:
    name: str  # 1-32 characters: the load balancer; target groups are <name>-<port>
    vpc_id: str
    subnet_ids: Sequence[str]
    ports: Sequence[int]  # one TCP listener and target group each
    endpoint_network_interface_ids: str  # the endpoint's network_interface_ids (a set)
    endpoint_count: int  # how many interfaces the endpoint has: one per subnet


class EndpointNlb(Construct):
    """TCP pass-through: TLS and the ``Host`` header reach the endpoint as the client
    sent them, so VPC Lattice routes by the service's name as if the client were in
    the VPC. Client addresses are preserved, so the endpoint's security group decides
    on the client's own address; it must also admit the balancer's subnets, where the
    health checks come from. The balancer has no security group of its own: the
    endpoint's is the one filter, and reads the real source."""

    def __init__(self, scope: Construct, id: str, props: EndpointNlbProps) -> None:
        super().__init__(scope, id)
        problem = load_balancer_name_problem(props.name)
        if problem:
            raise ValueError(f"{self.node.path}: name = {props.name!r}: {problem}")
        self.nlb = aws.lb.Lb(
            self,
            "nlb",
            name=props.name,
            internal=True,
            load_balancer_type="network",
            subnets=list(props.subnet_ids),
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=False,
        )
        accept_risks(
            self.nlb,
            [
                ("CKV_AWS_150", "a sample load balancer: destroy must succeed without a manual step"),
                ("CKV_AWS_91", "access logs need a bucket with an ELB policy, left to the operator"),
                ("CKV2_AWS_20", "a network load balancer passes TCP through: there is no HTTP to redirect (TLS ends at VPC Lattice)"),
            ],
        )
        arn = self.nlb.arn
        addresses = endpoint_addresses(self, props.endpoint_network_interface_ids, props.endpoint_count)
        for port in props.ports:
            group = aws.lb_target_group.LbTargetGroup(
                self,
                f"target-group-{port}",
                name=f"{props.name}-{port}"[:32],
                port=port,
                protocol="TCP",
                target_type="ip",
                vpc_id=props.vpc_id,
                preserve_client_ip="true",
                health_check=aws.lb_target_group.LbTargetGroupHealthCheck(protocol="TCP", port=str(port)),
            )
            group_arn = group.arn
            for index, address in enumerate(addresses):
                aws.lb_target_group_attachment.LbTargetGroupAttachment(
                    self, f"endpoint-address-{port}-{index + 1}", target_group_arn=group_arn, target_id=address, port=port
                )
            listener = aws.lb_listener.LbListener(
                self,
                f"listener-{port}",
                load_balancer_arn=arn,
                port=port,
                protocol="TCP",
                default_action=[aws.lb_listener.LbListenerDefaultAction(type="forward", target_group_arn=group_arn)],
            )
            accept_risks(listener, [("CKV_AWS_2", "TCP pass-through: TLS, where used, ends at VPC Lattice with the service's certificate")])
        self.arn: str = arn
        self.dns_name: str = self.nlb.dns_name
        self.zone_id: str = self.nlb.zone_id
