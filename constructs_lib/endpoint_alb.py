"""An internal HTTPS Application Load Balancer whose targets are the addresses of an
interface VPC endpoint (the original's front door to private REST APIs: clients
send ``Host: <service>.<domain>``, the balancer passes it on to execute-api)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pins import version

from .alb_lambda import internal_alb
from .endpoint_addresses import endpoint_addresses
from .runtime import aws
from .runtime.cdk import Construct

TLS_POLICY = version("alb-tls-policy")  # the original's (TLS 1.3 and 1.2 only); pins/ledger.toml
HTTPS = 443


@dataclass(frozen=True)
class EndpointAlbProps:
    name: str  # 1-32 characters: load balancer and target group names
    vpc_id: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    certificate_arn: str  # the listener's certificate (for the clients' host names)
    endpoint_network_interface_ids: str  # the endpoint's network_interface_ids (a set)
    endpoint_count: int  # how many interfaces the endpoint has: one per subnet


class EndpointAlb(Construct):
    """The health check asks the endpoint for ``/`` and counts any HTTP answer as
    healthy: execute-api answers a request that names no API with 403, so the
    original's ``/login`` with matcher 200 never passed, and the balancer, with every
    target unhealthy, routed to all of them by accident."""

    def __init__(self, scope: Construct, id: str, props: EndpointAlbProps) -> None:
        super().__init__(scope, id)
        self.alb = internal_alb(
            self,
            name=props.name,
            subnet_ids=props.subnet_ids,
            security_group_ids=props.security_group_ids,
            risks=[
                ("CKV_AWS_91", "access logs need a bucket with an ELB policy, left to the operator"),
                ("CKV2_AWS_28", "internal, reachable from the consumer VPC only; a WAF is left to the operator"),
            ],
        )
        target_group = aws.lb_target_group.LbTargetGroup(
            self,
            "target-group",
            name=props.name,
            port=HTTPS,
            protocol="HTTPS",
            target_type="ip",
            vpc_id=props.vpc_id,
            health_check=aws.lb_target_group.LbTargetGroupHealthCheck(protocol="HTTPS", path="/", matcher="200-499"),
        )
        for index, address in enumerate(endpoint_addresses(self, props.endpoint_network_interface_ids, props.endpoint_count)):
            aws.lb_target_group_attachment.LbTargetGroupAttachment(
                self, f"endpoint-address-{index + 1}", target_group_arn=target_group.arn, target_id=address, port=HTTPS
            )
        listener = aws.lb_listener.LbListener(
            self,
            "listener",
            load_balancer_arn=self.alb.arn,
            port=HTTPS,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=props.certificate_arn,
            default_action=[aws.lb_listener.LbListenerDefaultAction(type="forward", target_group_arn=target_group.arn)],
        )
        self.arn: str = self.alb.arn
        self.dns_name: str = self.alb.dns_name
        self.zone_id: str = self.alb.zone_id
        self.listener = listener
