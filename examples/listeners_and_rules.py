"""Listeners: HTTP with weighted forward and rules (method, path, headers; forward
or fixed response), HTTPS with a fixed-response default, and TLS_PASSTHROUGH to a
TCP target group on a service with a custom domain name."""
from __future__ import annotations

from constructs_lib.lattice import (
    CustomDomain,
    FixedResponse,
    Forward,
    HeaderMatch,
    LatticeService,
    LatticeServiceProps,
    Listener,
    ListenerProps,
    PathMatch,
    RuleMatch,
    RuleProps,
    TargetGroup,
    TargetGroupProps,
    WeightedTarget,
)
from constructs_lib.lattice.target_group import TargetProtocol
from constructs_lib.runtime.cdk import App

from ._common import example_stack, run, small_vpc


def build(outdir: str) -> App:
    app = App(outdir=outdir)
    stack = example_stack(app, "example-listeners")
    vpc, _ = small_vpc(stack, "targets")

    def ip_group(id: str, name: str, protocol: TargetProtocol = "HTTP", port: int = 8080) -> TargetGroup:
        return TargetGroup(stack, id, TargetGroupProps(name=name, type="IP", port=port, protocol=protocol, vpc_id=vpc.id))

    stable, canary = ip_group("stable", "orders-stable"), ip_group("canary", "orders-canary")
    orders = LatticeService(stack, "orders", LatticeServiceProps(name="orders"))
    http = Listener(
        stack,
        "http",
        ListenerProps(name="http", service=orders, default_action=Forward([WeightedTarget(stable, 90), WeightedTarget(canary, 10)])),
    )
    http.add_rule(
        "canary-header",
        RuleProps(
            name="canary-header",
            priority=10,
            match=RuleMatch(method="GET", path=PathMatch("/orders", kind="prefix"), headers=[HeaderMatch("x-canary", "true")]),
            action=Forward([WeightedTarget(canary)]),
        ),
    )
    http.add_rule(
        "retired",
        RuleProps(name="retired", priority=20, match=RuleMatch(path=PathMatch("/v1", kind="exact", case_sensitive=False)), action=FixedResponse(404)),
    )

    admin = LatticeService(stack, "admin", LatticeServiceProps(name="admin"))
    Listener(stack, "https", ListenerProps(name="https", service=admin, protocol="HTTPS", default_action=FixedResponse(404)))

    database = LatticeService(
        stack, "database", LatticeServiceProps(name="database", auth_type="NONE", custom_domain=CustomDomain(name="db.example.internal"))
    )
    Listener(
        stack,
        "tls",
        ListenerProps(
            name="tls",
            service=database,
            protocol="TLS_PASSTHROUGH",
            port=5432,
            default_action=Forward([WeightedTarget(ip_group("postgres", "postgres", protocol="TCP", port=5432))]),
        ),
    )
    return app


if __name__ == "__main__":
    run(build)
