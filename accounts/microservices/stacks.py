"""Serverless cross-account microservices (seed 002; ../shared/spec/seed-002-microservices.md).

The consumer account holds the clients' VPC and the way into the microservices;
each microservice (food, beverage) holds, in an account of its own, a VPC, an order
table, the three order functions, and how they are served:

- ``transport = "private_api"`` (the original): an internal HTTPS load balancer in
  the consumer VPC forwards to the addresses of an execute-api interface endpoint;
  a private hosted zone names each microservice; each microservice serves a private
  REST API bound to that endpoint, with a custom domain of the same name.
- ``transport = "lattice"``: the consumer owns a service network associated with its
  VPC and shared with the microservice accounts; each microservice associates its
  own Lattice service (HTTPS, one rule per route) with that network.

Deploy order is one line, consumer first: every microservice stack reads the
consumer's ids (remote state, or the original's secret) and writes only into its
own account.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from constructs_lib.documents.auth_policy import allow_invoke_from_vpcs, invoke_resources
from constructs_lib.documents.policy import Statement
from constructs_lib.dynamodb import StringKeyTable, StringKeyTableProps, TableIndex
from constructs_lib.endpoint_alb import HTTPS, EndpointAlb, EndpointAlbProps
from constructs_lib.lattice import (
    FixedResponse,
    Forward,
    LambdaTargetGroup,
    LambdaTargetGroupProps,
    LatticeService,
    LatticeServiceProps,
    Listener,
    ListenerProps,
    PathMatch,
    RuleMatch,
    RuleProps,
    ServiceNetwork,
    ServiceNetworkProps,
    WeightedTarget,
)
from constructs_lib.private_ca import PrivateCertificate, RootCertificateAuthority, RootCertificateAuthorityProps
from constructs_lib.private_rest_api import ApiCustomDomain, InvokedFunction, PrivateRestApi, PrivateRestApiProps
from constructs_lib.private_zone import PrivateZone
from constructs_lib.python_lambda import LambdaCode, LambdaVpcPlacement, PythonLambda, PythonLambdaProps
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import Construct, TerraformOutput
from constructs_lib.security_group import LinkedSecurityGroup, Rule, RuledSecurityGroup, SecurityGroupProps, association_security_group, tcp
from constructs_lib.ssm_access import LATTICE_LINK_LOCAL_CIDR, SsmTestClientProps, ssm_test_client
from constructs_lib.vpc import TieredVpc, TieredVpcProps
from lattice_model.project import LAMBDA_SOURCES

from ..base import AccountStack, Deployment
from ..building_blocks import accept_unless_same_account
from ..discovery import PublishedIds, publish_ids
from ..hello_service import CONSUMER
from ..registry import required_account
from .api import ROUTES, Route, order_api
from .config import (
    API_STAGE,
    AZS,
    CONSUMER_STACK,
    DYNAMODB_INDEX,
    HANDLERS,
    NAME,
    MicroserviceConfig,
    MicroservicesSettings,
    consumer_layout,
    function_name,
    qualified,
    service_domain,
    service_layout,
    service_stack_name,
)

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

ORDER_HANDLERS = LAMBDA_SOURCES / "microservice"
ENTRY_POINTS = {"get-order": "orders.get_order", "get-orders": "orders.get_orders", "post-order": "orders.post_order"}
CLIENT_INSTANCE_TYPE = "t3.micro"  # the original's client
# What the consumer publishes (outputs, and the keys of its secret).
VPC_ID = "vpc_id"
VPC_ENDPOINT_ID = "vpc_endpoint_id"
CERTIFICATE_AUTHORITY_ARN = "certificate_authority_arn"
CERTIFICATE_AUTHORITY_SHARE_ARN = "certificate_authority_share_arn"
SERVICE_NETWORK_ARN = "service_network_arn"
SERVICE_NETWORK_SHARE_ARN = "service_network_share_arn"


class MicroservicesConsumerAccountStack(AccountStack):
    """The clients' VPC (public and private subnets, as in the original), the way in
    to the microservices for the chosen transport, and an SSM-managed test client."""

    def __init__(self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, settings: MicroservicesSettings) -> None:
        super().__init__(
            scope, CONSUMER_STACK, deployment=deployment, account=required_account(config, CONSUMER), pattern=NAME, role="consumer"
        )
        self.settings = settings
        readers = [service.account.id for service in settings.services.values()]
        self.vpc = TieredVpc(
            self, "vpc", TieredVpcProps(name=settings.application_name, layout=consumer_layout(settings.consumer_vpc_cidr), public_tier="public")
        )
        ids = {VPC_ID: self.vpc.id}
        if settings.transport == "private_api":
            ids.update(self._through_private_apis(readers))
            client_port, client_cidr = HTTPS, settings.consumer_vpc_cidr
        else:
            ids.update(self._through_lattice(readers))
            client_port, client_cidr = HTTPS, LATTICE_LINK_LOCAL_CIDR
        self._test_client(client_port, client_cidr)
        publish_ids(self, ids=ids, secret_name=settings.application_name, reader_account_ids=readers)

    def _through_private_apis(self, readers: list[str]) -> dict[str, str]:
        """Load balancer -> execute-api endpoint, the private zone naming each
        microservice, and the certificate authority when it issues the certificates."""
        settings = self.settings
        app, private = settings.application_name, self.vpc.subnet_ids("private")
        endpoint_sg = LinkedSecurityGroup(
            self, "endpoint-sg", name=f"{app}-vpc-endpoint", description="execute-api endpoint: HTTPS from the load balancer only", vpc_id=self.vpc.id
        )
        alb_sg = LinkedSecurityGroup(
            self, "alb-sg", name=f"{app}-alb", description="Load balancer: HTTPS from the VPC in, HTTPS to the endpoint out", vpc_id=self.vpc.id
        )
        alb_sg.ingress_from_cidr(HTTPS, settings.consumer_vpc_cidr, "HTTPS from the consumer VPC")
        alb_sg.egress_to(endpoint_sg, HTTPS, "HTTPS to the execute-api endpoint")
        endpoint_sg.ingress_from(alb_sg, HTTPS, "HTTPS from the load balancer")
        endpoint = aws.vpc_endpoint.VpcEndpoint(
            self,
            "execute-api-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{self.region}.execute-api",
            vpc_endpoint_type="Interface",
            subnet_ids=private,
            security_group_ids=[endpoint_sg.id],
            private_dns_enabled=False,  # clients use the private zone's names, as in the original
        )
        ids: dict[str, str] = {VPC_ENDPOINT_ID: endpoint.id}
        if settings.certificates == "private_ca":
            authority = RootCertificateAuthority(
                self, "certificate-authority", RootCertificateAuthorityProps(common_name=settings.domain, share_with=readers)
            )
            certificate_arn = PrivateCertificate(
                self,
                "alb-certificate",
                domain_names=[service_domain(settings, name) for name in settings.services],
                authority_arn=authority.arn,
                depends_on=[authority.activation],
            ).arn
            ids[CERTIFICATE_AUTHORITY_ARN] = authority.arn
            if authority.share_arn is not None:
                ids[CERTIFICATE_AUTHORITY_SHARE_ARN] = authority.share_arn
        else:
            assert settings.alb_certificate_arn is not None  # the config checks require it
            certificate_arn = settings.alb_certificate_arn
        alb = EndpointAlb(
            self,
            "alb",
            EndpointAlbProps(
                name=app,
                vpc_id=self.vpc.id,
                subnet_ids=private,
                security_group_ids=[alb_sg.id],
                certificate_arn=certificate_arn,
                endpoint_network_interface_ids=endpoint.network_interface_ids,
                endpoint_count=AZS,
            ),
        )
        zone = PrivateZone(self, "zone", domain=settings.domain, vpc_id=self.vpc.id)
        zone.alias_records(list(settings.services), target_dns_name=alb.dns_name, target_zone_id=alb.zone_id)
        return ids

    def _through_lattice(self, readers: list[str]) -> dict[str, str]:
        """A service network for this VPC only, shared with the microservice accounts,
        which associate their services with it."""
        settings = self.settings
        network = ServiceNetwork(self, "service-network", ServiceNetworkProps(name=settings.application_name, auth_type="AWS_IAM"))
        network.attach_auth_policy(allow_invoke_from_vpcs([self.vpc.id]))
        association_sg = association_security_group(
            self,
            "lattice-sg",
            name=f"{settings.application_name}-lattice",
            description="Consumer VPC association: HTTPS from this VPC",
            vpc_id=self.vpc.id,
            clients=[tcp(HTTPS, settings.consumer_vpc_cidr, "HTTPS from this VPC")],
        )
        network.associate_vpc("vpc-association", vpc_id=self.vpc.id, security_group_ids=[association_sg.id])
        share = network.share_with("share", readers, name=f"{settings.application_name} service network")
        return {SERVICE_NETWORK_ARN: network.arn, SERVICE_NETWORK_SHARE_ARN: share.arn}

    def _test_client(self, port: int, cidr: str) -> None:
        """The original's client sat in a public subnet with a public address; this one
        is private and reached through Session Manager's endpoints."""
        vpc_cidr = self.settings.consumer_vpc_cidr
        ssm_test_client(
            self,
            SsmTestClientProps(
                vpc_id=self.vpc.id,
                vpc_cidr=vpc_cidr,
                subnet_ids=self.vpc.subnet_ids("private"),
                instance_type=CLIENT_INSTANCE_TYPE,
                iam_name_prefix=self.iam_name("client"),
                egress=[
                    tcp(HTTPS, vpc_cidr, "HTTPS to the SSM endpoints and the load balancer"),
                    *([] if cidr == vpc_cidr else [tcp(port, cidr, "HTTPS to VPC Lattice services")]),
                ],
            ),
        )


class MicroserviceAccountStack(AccountStack):
    """One microservice: its VPC (nothing routes out; DynamoDB through a gateway
    endpoint), its order table, its three functions, and its API or Lattice service."""

    def __init__(
        self,
        scope: Construct,
        *,
        deployment: Deployment,
        name: str,
        service: MicroserviceConfig,
        settings: MicroservicesSettings,
        consumer: MicroservicesConsumerAccountStack,
    ) -> None:
        super().__init__(scope, service_stack_name(name), deployment=deployment, account=service.account, pattern=NAME, role=name)
        self.name, self.service, self.settings = name, service, settings
        self.consumer_ids = PublishedIds(self, consumer, channel=settings.discovery, secret_name=settings.application_name)
        self.consumer_account = consumer.account_id
        vpc = TieredVpc(self, "vpc", TieredVpcProps(name=f"private-{qualified(settings, name)}", layout=service_layout(service.vpc_cidr)))
        route_tables = vpc.route_table_ids("private")
        aws.vpc_endpoint.VpcEndpoint(
            self,
            "dynamodb-endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{self.region}.dynamodb",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_tables,
        )
        dynamodb_prefixes = aws.data_aws_ec2_managed_prefix_list.DataAwsEc2ManagedPrefixList(
            self, "dynamodb-prefix-list", name=f"com.amazonaws.{self.region}.dynamodb"
        )
        table = StringKeyTable(
            self, "orders", StringKeyTableProps(name=qualified(settings, name), hash_key="orderId", indexes=[TableIndex(DYNAMODB_INDEX, "orderDate")])
        )
        functions_sg = RuledSecurityGroup(
            self,
            "functions-sg",
            SecurityGroupProps(
                name=qualified(settings, name),
                description="Order functions: HTTPS to DynamoDB only",
                vpc_id=vpc.id,
                egress=[Rule("HTTPS to DynamoDB", "tcp", HTTPS, HTTPS, prefix_list_ids=[dynamodb_prefixes.id])],
            ),
        )
        placement = LambdaVpcPlacement(subnet_ids=vpc.subnet_ids("private"), security_group_ids=[functions_sg.id])
        self.code = LambdaCode(self, "orders-package", source_dir=ORDER_HANDLERS, name=f"{qualified(settings, name)}-orders")
        self.functions = {handler: self._function(handler, table, placement) for handler in HANDLERS}
        if settings.transport == "private_api":
            self._private_api()
        else:
            self._lattice_service()

    def _function(self, handler: str, table: StringKeyTable, placement: LambdaVpcPlacement) -> PythonLambda:
        """One order function, allowed exactly the one table operation it makes."""
        access = {
            "get-order": Statement(sid="ReadOneOrder", effect="Allow", actions="dynamodb:GetItem", resources=table.arn),
            "get-orders": Statement(sid="QueryOrdersByDate", effect="Allow", actions="dynamodb:Query", resources=f"{table.arn}/index/{DYNAMODB_INDEX}"),
            "post-order": Statement(sid="StoreOrders", effect="Allow", actions="dynamodb:PutItem", resources=table.arn),
        }[handler]
        return PythonLambda(
            self,
            handler,
            PythonLambdaProps(
                function_name=function_name(self.settings, self.name, handler),
                source_dir=ORDER_HANDLERS,
                handler=ENTRY_POINTS[handler],
                iam_name_prefix=self.iam_name(f"{self.name}-{handler}"),
                environment={
                    "DYNAMODB_TABLE_NAME": table.name,
                    "GLOBAL_SECONDARY_INDEX_NAME": DYNAMODB_INDEX,
                    "MICROSERVICE_TOPIC": self.name,
                    "ORDER_OPTIONS": json.dumps(self.service.options),
                },
                vpc=placement,
                memory_mb=512,  # the original's
                code=self.code,  # one package for the three
                permissions=[access],
            ),
        )

    def _private_api(self) -> None:
        settings, name = self.settings, self.name
        domain = service_domain(settings, name)
        if settings.certificates == "private_ca":
            accepted = accept_unless_same_account(
                self, owner_account=self.consumer_account, share_arn=self.consumer_ids.get(CERTIFICATE_AUTHORITY_SHARE_ARN)
            )
            certificate_arn = PrivateCertificate(
                self, "certificate", domain_names=[domain], authority_arn=self.consumer_ids.get(CERTIFICATE_AUTHORITY_ARN), depends_on=accepted
            ).arn
        else:
            assert self.service.certificate_arn is not None  # the config checks require it
            certificate_arn = self.service.certificate_arn
        api = PrivateRestApi(
            self,
            "api",
            PrivateRestApiProps(
                name=qualified(settings, name),
                definition=order_api(
                    title=qualified(settings, name),
                    topic=name,
                    options=self.service.options,
                    region=self.region,
                    function_arns={handler: function.arn for handler, function in self.functions.items()},
                ),
                vpc_endpoint_ids=[self.consumer_ids.get(VPC_ENDPOINT_ID)],
                stage_name=API_STAGE,
                functions=[InvokedFunction(self.functions[r.handler].function_name, r.method, r.permission_path) for r in ROUTES],
                custom_domain=ApiCustomDomain(domain_name=domain, certificate_arn=certificate_arn, base_path=API_STAGE),
            ),
        )
        TerraformOutput(self, "api_id", value=api.id)
        TerraformOutput(self, "url", value=f"https://{domain}/{API_STAGE}/orders", description="From the consumer VPC")

    def _lattice_service(self) -> None:
        """The same routes, under the same /v1 paths, as Lattice listener rules; only
        the consumer's VPC may invoke."""
        settings, name = self.settings, self.name
        accepted = accept_unless_same_account(
            self, owner_account=self.consumer_account, share_arn=self.consumer_ids.get(SERVICE_NETWORK_SHARE_ARN)
        )
        service = LatticeService(self, "service", LatticeServiceProps(name=qualified(settings, name), auth_type="AWS_IAM"))
        service.attach_auth_policy(allow_invoke_from_vpcs([self.consumer_ids.get(VPC_ID)], invoke_resources([service.arn])))
        listener = Listener(
            self, "listener", ListenerProps(name="https", service=service, protocol="HTTPS", default_action=FixedResponse(404))
        )
        for priority, route in enumerate(ROUTES, start=1):
            function = self.functions[route.handler]
            group = LambdaTargetGroup(
                self,
                f"{route.handler}-target",
                LambdaTargetGroupProps(
                    name=function_name(settings, name, route.handler),
                    function_arn=function.arn,
                    function_name=function.function_name,
                    event_structure_version="V2",
                ),
            )
            listener.add_rule(
                route.handler,
                RuleProps(name=route.handler, priority=priority * 10, match=_lattice_match(route), action=Forward([WeightedTarget(group)])),
            )
        ServiceNetwork.from_arn(self, "consumer-network", self.consumer_ids.get(SERVICE_NETWORK_ARN)).associate_service(
            "service-association", service=service, depends_on=accepted
        )
        TerraformOutput(self, "service_arn", value=service.arn)
        TerraformOutput(self, "url", value=f"https://{service.domain_name}/{API_STAGE}/orders", description="From the consumer VPC")


def _lattice_match(route: Route) -> RuleMatch:
    """``/v1/orders`` exactly, or ``/v1/orders/<id>`` by prefix (Lattice has no path parameters)."""
    path = f"/{API_STAGE}{route.path}"
    if "{" in path:
        return RuleMatch(method=route.method, path=PathMatch(path.split("{", 1)[0], kind="prefix"))
    return RuleMatch(method=route.method, path=PathMatch(path, kind="exact"))


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: MicroservicesSettings) -> None:
    consumer = MicroservicesConsumerAccountStack(app, deployment=deployment, config=config, settings=settings)
    for name, service in settings.services.items():
        MicroserviceAccountStack(app, deployment=deployment, name=name, service=service, settings=settings, consumer=consumer)
