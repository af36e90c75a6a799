"""A Lattice service backed by one Python Lambda function: function, LAMBDA target
group (with its invoke permission), service and an HTTP listener forwarding to it."""
from __future__ import annotations

from dataclasses import dataclass

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
    function: PythonLambdaProps
    listener_port: int = 80


class LambdaLatticeService(Construct):
    def __init__(self, scope: Construct, id: str, props: LambdaLatticeServiceProps) -> None:
        super().__init__(scope, id)
        self.function = PythonLambda(self, "function", props.function)
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
