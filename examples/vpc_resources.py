"""VPC resources across accounts: a resource gateway in the database VPC, resource
configurations for a database by DNS name, a host by IP and an RDS cluster by ARN,
and their association with a service network shared from another account."""
from __future__ import annotations

from constructs_lib.lattice import (
    ResourceConfiguration,
    ResourceConfigurationProps,
    ResourceGateway,
    ResourceGatewayProps,
    ServiceNetwork,
)
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import App

from ._common import example_stack, run, small_vpc

SHARED_NETWORK_ARN = "arn:aws:vpc-lattice:eu-west-1:333333333333:servicenetwork/sn-0123456789abcdef0"


def build(outdir: str) -> App:
    app = App(outdir=outdir)
    stack = example_stack(app, "example-vpc-resources")
    vpc, subnets = small_vpc(stack, "databases")
    gateway_sg = aws.security_group.SecurityGroup(stack, "gateway-sg", name="resource-gateway", vpc_id=vpc.id)
    gateway = ResourceGateway(
        stack, "gateway", ResourceGatewayProps(name="databases", vpc_id=vpc.id, subnet_ids=subnets, security_group_ids=[gateway_sg.id])
    )
    network = ServiceNetwork.from_arn(stack, "shared", SHARED_NETWORK_ARN)
    orders_db = ResourceConfiguration(
        stack,
        "orders-db",
        ResourceConfigurationProps(name="orders-db", resource_gateway=gateway, port_ranges=["5432"], domain_name="orders-db.internal.example"),
    )
    legacy = ResourceConfiguration(
        stack, "legacy", ResourceConfigurationProps(name="legacy-host", resource_gateway=gateway, port_ranges=["8000-8080"], ip_address="10.0.0.5")
    )
    cluster = ResourceConfiguration(
        stack,
        "cluster",
        ResourceConfigurationProps(name="reports-cluster", resource_gateway=gateway, arn="arn:aws:rds:eu-west-1:111111111111:cluster:reports"),
    )
    for name, configuration in (("orders-db", orders_db), ("legacy", legacy), ("cluster", cluster)):
        network.associate_resource(name, resource_configuration=configuration.arn)
    return app


if __name__ == "__main__":
    run(build)
