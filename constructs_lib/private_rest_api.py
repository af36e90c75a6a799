"""A private API Gateway REST API from an OpenAPI document, reachable only through
given execute-api interface endpoints, deployed to one stage and mapped under a
base path of a regional custom domain name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from pins import version

from .checkov import accept_risks
from .documents.json_document import json_document
from .documents.policy import Statement, policy_document
from .runtime import aws
from .runtime.cdk import Construct, Fn, TerraformResourceLifecycle


@dataclass(frozen=True)
class ApiCustomDomain:
    domain_name: str
    certificate_arn: str  # ACM, in this account and region
    base_path: str  # the path segment the stage is mapped under, e.g. "v1"


@dataclass(frozen=True)
class InvokedFunction:
    """A Lambda function an API method integrates with: the permission names the
    method and path, so the function cannot be invoked through any other route."""

    function_name: str
    method: str  # GET, POST, ...
    path: str  # the OpenAPI path with parameters as *, e.g. /orders/*


@dataclass(frozen=True)
class PrivateRestApiProps:
    name: str
    definition: Mapping[str, Any]  # OpenAPI (Swagger 2.0) document; strings may hold references
    vpc_endpoint_ids: Sequence[str]  # the execute-api interface endpoints that may call it
    stage_name: str
    functions: Sequence[InvokedFunction] = ()
    custom_domain: Optional[ApiCustomDomain] = None


class PrivateRestApi(Construct):
    """The resource policy admits calls that arrive through the given endpoints only
    (``aws:SourceVpce``). The deployment is replaced whenever the definition or the
    policy changes: the original had no trigger, so an edited API kept serving the
    old one."""

    def __init__(self, scope: Construct, id: str, props: PrivateRestApiProps) -> None:
        super().__init__(scope, id)
        api = aws.api_gateway_rest_api.ApiGatewayRestApi(
            self,
            "api",
            name=props.name,
            body=json_document(dict(props.definition)),
            endpoint_configuration=aws.api_gateway_rest_api.ApiGatewayRestApiEndpointConfiguration(
                types=["PRIVATE"], vpc_endpoint_ids=list(props.vpc_endpoint_ids)
            ),
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),  # names need not be unique
        )
        self.id: str = api.id
        execution_arn = api.execution_arn
        policy = aws.api_gateway_rest_api_policy.ApiGatewayRestApiPolicy(
            self,
            "policy",
            rest_api_id=self.id,
            policy=policy_document(
                [
                    Statement(
                        sid="InvokeThroughTheConsumersEndpoints",
                        effect="Allow",
                        principal={"AWS": "*"},
                        actions="execute-api:Invoke",
                        resources=f"{execution_arn}/*/*/*",
                        conditions={"StringEquals": {"aws:SourceVpce": list(props.vpc_endpoint_ids)}},
                    )
                ]
            ),
        )
        deployment = aws.api_gateway_deployment.ApiGatewayDeployment(
            self,
            "deployment",
            rest_api_id=self.id,
            triggers={"redeployment": Fn.sha1(Fn.join("\n", [api.body, policy.policy]))},
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=[policy],
        )
        stage = aws.api_gateway_stage.ApiGatewayStage(
            self, "stage", rest_api_id=self.id, deployment_id=deployment.id, stage_name=props.stage_name
        )
        private = "a private API reached through the consumer's endpoint only"
        accept_risks(
            stage,
            [
                ("CKV_AWS_120", "no cache: every order must be read fresh"),
                ("CKV_AWS_73", "X-Ray tracing is left to the operator; it adds cost"),
                ("CKV_AWS_76", "access logging needs an account-wide CloudWatch role for API Gateway, left to the operator"),
                ("CKV2_AWS_29", f"{private}; a WAF cannot be attached to a private API's stage by this stack"),
                ("CKV2_AWS_51", f"{private}; no client certificate: callers are admitted by aws:SourceVpce"),
                ("CKV2_AWS_4", "the stage's method logging level is an account-wide choice left to the operator"),
            ],
        )
        for index, function in enumerate(props.functions):
            aws.lambda_permission.LambdaPermission(
                self,
                f"invoke-{index + 1}",
                statement_id="AllowApiGatewayInvoke",
                action="lambda:InvokeFunction",
                function_name=function.function_name,
                principal="apigateway.amazonaws.com",
                source_arn=f"{execution_arn}/*/{function.method}{function.path}",
            )
        if props.custom_domain is not None:
            domain = aws.api_gateway_domain_name.ApiGatewayDomainName(
                self,
                "domain",
                domain_name=props.custom_domain.domain_name,
                regional_certificate_arn=props.custom_domain.certificate_arn,
                security_policy=version("apigateway-tls-policy"),  # pins/ledger.toml
                endpoint_configuration=aws.api_gateway_domain_name.ApiGatewayDomainNameEndpointConfiguration(types=["REGIONAL"]),
            )
            aws.api_gateway_base_path_mapping.ApiGatewayBasePathMapping(
                self,
                "base-path",
                api_id=self.id,
                stage_name=stage.stage_name,
                domain_name=domain.domain_name,
                base_path=props.custom_domain.base_path,
            )
        self.execution_arn: str = execution_arn
        self.stage_name = props.stage_name
