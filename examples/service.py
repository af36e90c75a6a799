"""Service: custom domain name with an ACM certificate and Route 53 alias records
(A and AAAA) in a private hosted zone, auth policy, access logs, RAM share; and a
service owned elsewhere referenced by ARN and associated with a local network."""
from __future__ import annotations

from constructs_lib.documents.auth_policy import AuthPolicy, AuthStatement, request_method, source_vpc_owner_account
from constructs_lib.lattice import CustomDomain, LatticeService, LatticeServiceProps, ServiceNetwork, ServiceNetworkProps
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import App

from ._common import example_stack, run, small_vpc

CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
PARTNER_SERVICE_ARN = "arn:aws:vpc-lattice:eu-west-1:444444444444:service/svc-0123456789abcdef0"


def build(outdir: str) -> App:
    app = App(outdir=outdir)
    stack = example_stack(app, "example-service")
    vpc, _ = small_vpc(stack, "clients")
    zone = aws.route53_zone.Route53Zone(stack, "zone", name="example.internal", vpc=[aws.route53_zone.Route53ZoneVpc(vpc_id=vpc.id)])

    orders = LatticeService(
        stack,
        "orders",
        LatticeServiceProps(
            name="orders",
            custom_domain=CustomDomain(name="orders.example.internal", certificate_arn=CERTIFICATE_ARN, hosted_zone_id=zone.zone_id),
        ),
    )
    orders.attach_auth_policy(
        AuthPolicy(
            [AuthStatement(resources=[f"{orders.arn}/*"], conditions=[request_method("GET", "POST"), source_vpc_owner_account("222222222222")])]
        ).render()
    )
    orders.log_to("logs", "arn:aws:s3:::example-lattice-logs")
    orders.share_with("share", ["222222222222"])

    network = ServiceNetwork(stack, "apps", ServiceNetworkProps(name="apps-network"))
    network.associate_service("orders", service=orders.id)
    partner = LatticeService.from_arn(stack, "partner", PARTNER_SERVICE_ARN)
    network.associate_service("partner", service=partner.arn)
    return app


if __name__ == "__main__":
    run(build)
