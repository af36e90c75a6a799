"""Target groups of every type: LAMBDA (event structure V2, with its invoke
permission), IP (HTTP2, IPv4, health check), INSTANCE (HTTP1, health check) and ALB
(no health check), each with its targets."""
from __future__ import annotations

from pathlib import Path

from constructs_lib.lattice import HealthCheck, LambdaTargetGroup, LambdaTargetGroupProps, Target, TargetGroup, TargetGroupProps
from constructs_lib.python_lambda import PythonLambda, PythonLambdaProps
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import App

from ._common import example_stack, run, small_vpc

HELLO = Path(__file__).resolve().parent.parent / "lambda" / "hello"


def build(outdir: str) -> App:
    app = App(outdir=outdir)
    stack = example_stack(app, "example-target-groups")
    vpc, subnets = small_vpc(stack, "targets")

    function = PythonLambda(
        stack,
        "hello",
        PythonLambdaProps(
            function_name="example-hello",
            source_dir=HELLO,
            handler="lambda_function.lambda_handler",
            iam_name_prefix="example",
        ),
    )
    LambdaTargetGroup(
        stack,
        "lambda",
        LambdaTargetGroupProps(name="hello-lambda", function_arn=function.arn, function_name=function.function_name, event_structure_version="V2"),
    )
    TargetGroup(
        stack,
        "ip",
        TargetGroupProps(
            name="orders-ip",
            type="IP",
            port=8443,
            protocol="HTTPS",
            vpc_id=vpc.id,
            protocol_version="HTTP2",
            ip_address_type="IPV4",
            health_check=HealthCheck(path="/health", protocol="HTTPS", interval_seconds=10, matcher="200-299"),
            targets=[Target("10.0.0.10"), Target("10.0.0.11", port=9443)],
        ),
    )
    server = aws.instance.Instance(stack, "server", ami="ami-00000000000000000", instance_type="t3.micro", subnet_id=subnets[0])
    TargetGroup(
        stack,
        "instance",
        TargetGroupProps(
            name="orders-instances",
            type="INSTANCE",
            port=80,
            protocol="HTTP",
            vpc_id=vpc.id,
            health_check=HealthCheck(path="/", unhealthy_threshold=3),
            targets=[Target(server.id)],
        ),
    )
    balancer = aws.lb.Lb(stack, "alb", name="orders-internal", internal=True, load_balancer_type="application", subnets=subnets)
    TargetGroup(
        stack,
        "alb-target",
        TargetGroupProps(name="orders-alb", type="ALB", port=80, protocol="HTTP", vpc_id=vpc.id, targets=[Target(balancer.arn, port=80)]),
    )
    return app


if __name__ == "__main__":
    run(build)
