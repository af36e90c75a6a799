"""Service network: create, auth policy, access logs (CloudWatch, S3, Firehose), VPC
association with a security group, a service-network VPC endpoint for a second
network, RAM share, and a network owned elsewhere referenced by ARN."""
from __future__ import annotations

from constructs_lib.documents.auth_policy import AuthPolicy, AuthStatement, authenticated_only
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkEndpointProps, ServiceNetworkProps, ServiceNetworkVpcEndpoint
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import App

from ._common import example_stack, run, small_vpc

CENTRAL_NETWORK_ARN = "arn:aws:vpc-lattice:eu-west-1:333333333333:servicenetwork/sn-0123456789abcdef0"


def build(outdir: str) -> App:
    app = App(outdir=outdir)
    stack = example_stack(app, "example-service-network")
    vpc, subnets = small_vpc(stack, "clients")
    clients = aws.security_group.SecurityGroup(stack, "clients-sg", name="lattice-clients", vpc_id=vpc.id)

    network = ServiceNetwork(stack, "apps", ServiceNetworkProps(name="apps-network"))
    network.attach_auth_policy(AuthPolicy([AuthStatement(conditions=[authenticated_only()])]).render())
    logs = aws.cloudwatch_log_group.CloudwatchLogGroup(stack, "access-logs", name="/vpclattice/apps-network", retention_in_days=30)
    network.log_to("logs-cloudwatch", logs.arn)
    network.log_to("logs-s3", "arn:aws:s3:::example-lattice-logs")
    network.log_to("logs-firehose", "arn:aws:firehose:eu-west-1:111111111111:deliverystream/lattice")
    network.associate_vpc("clients", vpc_id=vpc.id, security_group_ids=[clients.id])
    network.share_with("share", ["222222222222"])

    # A second network reached from the same VPC: an endpoint, not a second association.
    central = ServiceNetwork.from_arn(stack, "central", CENTRAL_NETWORK_ARN)
    ServiceNetworkVpcEndpoint(
        stack,
        "central-endpoint",
        ServiceNetworkEndpointProps(
            service_network_arn=central.arn, vpc_id=vpc.id, subnet_ids=subnets, security_group_ids=[clients.id]
        ),
    )
    return app


if __name__ == "__main__":
    run(build)
