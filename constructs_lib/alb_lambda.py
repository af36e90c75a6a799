"""Internal Application Load Balancers: the one both ALB constructs build on, and one whose HTTP listener invokes a Lambda."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from lattice_model.aws_names import load_balancer_name_problem

from .checkov import accept_risks
from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class InternalLambdaAlbProps:
    name: str  # 1-32 characters: load balancer and target group names
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    function_arn: str
    function_name: str
    port: int = 80


def internal_alb(
    scope: Construct, *, name: str, subnet_ids: Sequence[str], security_group_ids: Sequence[str], risks: Sequence[tuple[str, str]]
) -> aws.lb.Lb:
    """An internal application load balancer named ``alb`` in ``scope``: invalid
    header fields dropped, no deletion protection (a sample must destroy cleanly),
    no access logs (they need a bucket with an ELB policy); ``risks``: what else its
    use accepts, recorded for checkov."""
    problem = load_balancer_name_problem(name)
    if problem:
        raise ValueError(f"{scope.node.path}: name = {name!r}: {problem}")
    alb = aws.lb.Lb(
        scope,
        "alb",
        name=name,
        internal=True,
        load_balancer_type="application",
        subnets=list(subnet_ids),
        security_groups=list(security_group_ids),
        drop_invalid_header_fields=True,
        enable_deletion_protection=False,
    )
    accept_risks(
        alb,
        [
            ("CKV_AWS_150", "a sample load balancer: destroy must succeed without a manual step"),
            *risks,
        ],
    )
    return alb


class InternalLambdaAlb(Construct):
    def __init__(self, scope: Construct, id: str, props: InternalLambdaAlbProps) -> None:
        super().__init__(scope, id)
        self.alb = internal_alb(
            self,
            name=props.name,
            subnet_ids=props.subnet_ids,
            security_group_ids=props.security_group_ids,
            risks=[
                ("CKV_AWS_91", "access logs need a bucket with an ELB policy; VPC Lattice access logs cover the calls"),
                ("CKV2_AWS_20", "internal, reached only by VPC Lattice over HTTP as in the reference; TLS ends at Lattice"),
            ],
        )
        target_group = aws.lb_target_group.LbTargetGroup(self, "target-group", name=props.name, target_type="lambda")
        permission = aws.lambda_permission.LambdaPermission(
            self,
            "invoke-permission",
            statement_id="AllowAlbInvoke",
            action="lambda:InvokeFunction",
            function_name=props.function_name,
            principal="elasticloadbalancing.amazonaws.com",
            source_arn=target_group.arn,
        )
        aws.lb_target_group_attachment.LbTargetGroupAttachment(
            self, "target", target_group_arn=target_group.arn, target_id=props.function_arn, depends_on=[permission]
        )
        listener = aws.lb_listener.LbListener(
            self,
            "listener",
            load_balancer_arn=self.alb.arn,
            port=props.port,
            protocol="HTTP",
            default_action=[aws.lb_listener.LbListenerDefaultAction(type="forward", target_group_arn=target_group.arn)],
        )
        behind_lattice = "internal listener behind VPC Lattice, as in the reference; TLS ends at Lattice"
        accept_risks(listener, [("CKV_AWS_2", behind_lattice), ("CKV_AWS_103", behind_lattice)])
        self.arn = self.alb.arn
        self.listener = listener  # what an ALB-type Lattice target needs before it is registered
