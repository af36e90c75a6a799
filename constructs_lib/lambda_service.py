"""A Lattice service backed by one Python Lambda function: function, LAMBDA target
group (with its invoke permission), service and an HTTP listener forwarding to it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .lattice import (
    CustomDomain,
    Forward,
    LambdaTargetGroup,
    LambdaTargetGroupProps,
    LatticeService,
    LatticeServiceProps,
    Listener,
    ListenerProps,
    WeightedTarget,
)
from .python_lambda import PythonLambda, PythonLambdaProps
from .runtime.cdk import Construct


@dataclass(frozen=True)
class LambdaLatticeServiceProps:
    service_name: str
    listener_name: str
    target_group_name: str
    function: PythonLambdaProps
    listener_port: int = 80
    custom_domain: Optional[CustomDomain] = None
    # With a name: an HTTPS listener on 443 too, forwarding to the same function (a
    # custom domain needs its certificate for it).
    https_listener_name: Optional[str] = None


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
        self.service = LatticeService(self, "service", LatticeServiceProps(name=props.service_name, custom_domain=props.custom_domain))
        Listener(
            self,
            "listener",
            ListenerProps(
                name=props.listener_name,
                service=self.service,
                protocol="HTTP",
                port=props.listener_port,
                default_action=Forward([WeightedTarget(target_group, weight=100)]),
            ),
        )
        if props.https_listener_name is not None:
            Listener(
                self,
                "https-listener",
                ListenerProps(
                    name=props.https_listener_name,
                    service=self.service,
                    protocol="HTTPS",
                    port=443,
                    default_action=Forward([WeightedTarget(target_group, weight=100)]),
                ),
            )
