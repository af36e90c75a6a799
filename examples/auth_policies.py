"""Auth policies from the builder: seed 001's conditional statements (method, query
string, source VPC owner account), seed 004's principal-tag policy with an
authenticated-only network, and a path-scoped deny."""
from __future__ import annotations

from constructs_lib.documents.auth_policy import (
    AuthPolicy,
    AuthStatement,
    authenticated_only,
    principal_tag,
    query_string,
    request_method,
    request_path,
    source_vpc_owner_account,
)
from constructs_lib.lattice import LatticeService, LatticeServiceProps, ServiceNetwork, ServiceNetworkProps
from constructs_lib.runtime.cdk import App

from ._common import ACCOUNT, example_stack, run

BLUE, GREEN = "444444444444", "555555555555"


def build(outdir: str) -> App:
    app = App(outdir=outdir)
    stack = example_stack(app, "example-auth-policies")
    directory = LatticeService(stack, "directory", LatticeServiceProps(name="shared-service"))
    directory.attach_auth_policy(
        AuthPolicy(
            [
                AuthStatement(
                    sid=f"{colour.capitalize()}Callers",
                    conditions=[request_method("GET"), query_string("q", colour), source_vpc_owner_account(account)],
                )
                for colour, account in (("blue", BLUE), ("green", GREEN))
            ]
            + [AuthStatement(effect="Deny", conditions=[request_path("/admin*")])]
        ).render()
    )
    cluster = LatticeService(stack, "cluster1", LatticeServiceProps(name="demo-cluster1"))
    cluster.attach_auth_policy(
        AuthPolicy(
            [
                AuthStatement(
                    principals=[f"arn:aws:iam::{ACCOUNT}:root"],
                    conditions=[principal_tag("eks-cluster-name", "eks-cluster2"), principal_tag("kubernetes-namespace", "apps")],
                )
            ]
        ).render()
    )
    network = ServiceNetwork(stack, "clusters", ServiceNetworkProps(name="clusters"))
    network.attach_auth_policy(AuthPolicy([AuthStatement(conditions=[authenticated_only()])]).render())
    return app


if __name__ == "__main__":
    run(build)
