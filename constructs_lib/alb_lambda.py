"""An internal Application Load Balancer whose HTTP listener invokes a Lambda."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from . import aws
from .cdk import Construct
from .checkov import accept_risks


@dataclass(frozen=True)
class InternalLambdaAlbProps:
    name: str  # 1-32 characters: load balancer and target group names
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    function_arn: str
    function_name: str
    port: int = 80


class InternalLambdaAlb(Construct):
    def __init__(self, scope: Construct, id: str, props: InternalLambdaAlbProps) -> None:
        super().__init__(scope, id)
        if not 1 <= len(props.name) <= 32:
            raise ValueError(f"{self.node.path}: name = {props.name!r}: a load balancer name has 1 to 32 characters")
        self.alb = aws.lb.Lb(
            self,
            "alb",
            name=props.name,
            internal=True,
            load_balancer_type="application",
            subnets=list(props.subnet_ids),
            security_groups=list(props.security_group_ids),
            drop_invalid_header_fields=True,
            enable_deletion_protection=False,
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
        accept_risks(
            self.alb,
            [
                ("CKV_AWS_150", "a sample load balancer: destroy must succeed without a manual step"),
                ("CKV_AWS_91", "access logs need a bucket with an ELB policy; VPC Lattice access logs cover the calls"),
                ("CKV2_AWS_20", "internal, reached only by VPC Lattice over HTTP as in the reference; TLS ends at Lattice"),
            ],
        )
        behind_lattice = "internal listener behind VPC Lattice, as in the reference; TLS ends at Lattice"
        accept_risks(listener, [("CKV_AWS_2", behind_lattice), ("CKV_AWS_103", behind_lattice)])
        self.arn = self.alb.arn
