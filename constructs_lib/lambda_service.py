"""A Lattice service backed by one Python Lambda function: function, LAMBDA target
group (with its invoke permission), service and an HTTP listener forwarding to it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cdk import Construct
from .lattice import (
    ForwardingListener,
    ForwardingListenerProps,
    LambdaTargetGroup,
    LambdaTargetGroupProps,
    LatticeService,
    LatticeServiceProps,
    WeightedTarget,
)
from .python_lambda import PythonLambda, PythonLambdaProps


@dataclass(frozen=True)
class LambdaLatticeServiceProps:
    service_name: str
    listener_name: str
    target_group_name: str
    function_name: str
    source_dir: Path
    handler: str
    iam_name_prefix: str
    region: str
    account_id: str
    listener_port: int = 80


class LambdaLatticeService(Construct):
    def __init__(self, scope: Construct, id: str, props: LambdaLatticeServiceProps) -> None:
        super().__init__(scope, id)
        self.function = PythonLambda(
            self,
            "function",
            PythonLambdaProps(
                function_name=props.function_name,
                source_dir=props.source_dir,
                handler=props.handler,
                iam_name_prefix=props.iam_name_prefix,
                region=props.region,
                account_id=props.account_id,
            ),
        )
        target_group = LambdaTargetGroup(
            self,
            "target",
            LambdaTargetGroupProps(
                name=props.target_group_name,
                function_arn=self.function.arn,
                function_name=self.function.function_name,
            ),
        )
        self.service = LatticeService(self, "service", LatticeServiceProps(name=props.service_name))
        ForwardingListener(
            self,
            "listener",
            ForwardingListenerProps(
                name=props.listener_name,
                service_id=self.service.id,
                protocol="HTTP",
                port=props.listener_port,
                targets=[WeightedTarget(target_group.id, weight=100)],
            ),
        )
