"""A Python Lambda function with its own role, log group and least-privilege logging."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from lattice_model.aws_names import iam_role_name_problem, lambda_role_name
from pins import version

from .account_provider import stack_account
from .checkov import accept_risks
from .documents.policy import Statement, policy_document
from .lambda_package import build_package
from .runtime import aws
from .runtime.cdk import AssetType, Construct, TerraformAsset

DEFAULT_RUNTIME = version("lambda-python")  # pins/ledger.toml
_LAMBDA_ACCEPTED = (
    ("CKV_AWS_115", "invoked synchronously by VPC Lattice or an ALB; a reserved concurrency would only throttle"),
    ("CKV_AWS_116", "no asynchronous invocations, so a dead-letter queue would never receive anything"),
    ("CKV_AWS_272", "the package is built deterministically from this repository; code signing needs a signer profile the project does not own"),
    ("CKV_AWS_50", "X-Ray tracing is left to the operator; it needs a daemon policy and adds cost"),
)
_LOG_GROUP_ACCEPTED = (
    ("CKV_AWS_158", "encrypted at rest by CloudWatch Logs by default; a customer key per function adds cost"),
    ("CKV_AWS_338", "retention is a prop (30 days by default) for sample functions"),
)
VPC_ACCESS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


@dataclass(frozen=True)
class LambdaVpcPlacement:
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]


@dataclass(frozen=True)
class PythonLambdaProps:
    function_name: str
    source_dir: Path
    handler: str
    iam_name_prefix: str  # unique per pattern, so two patterns can share an account
    runtime: str = DEFAULT_RUNTIME
    environment: Mapping[str, str] = field(default_factory=dict)
    vpc: Optional[LambdaVpcPlacement] = None
    log_retention_days: int = 30
    timeout_seconds: int = 10
    memory_mb: Optional[int] = None  # None: Lambda's default (128 MB)
    # What the function may do beyond logging, as one policy of its own role.
    permissions: Sequence[Statement] = ()
    # A package built once for several functions of one source (default: one of its
    # own). cdktf stages assets of equal content under one hash: separate equal
    # packages lose files and swap names between synths.
    code: Optional["LambdaCode"] = None


class LambdaCode(TerraformAsset):
    """The zip of ``source_dir``, built deterministically at synth, as a stack asset."""

    def __init__(self, scope: Construct, id: str, *, source_dir: Path, name: str) -> None:
        package = build_package(source_dir, name)
        super().__init__(scope, id, path=str(package.path), type=AssetType.FILE)
        self.base64_sha256 = package.base64_sha256


class PythonLambda(Construct):
    """``aws_lambda_function`` from a source directory zipped deterministically at synth.

    Logging permissions name this function's log group only (the original granted
    ``arn:aws:logs:*:*:*``), and the policy is attached with
    ``aws_iam_role_policy_attachment``, which, unlike ``aws_iam_policy_attachment``,
    does not detach the policy from every other role in the account.
    """

    def __init__(self, scope: Construct, id: str, props: PythonLambdaProps) -> None:
        super().__init__(scope, id)
        code = props.code or LambdaCode(self, "package", source_dir=props.source_dir, name=props.function_name)

        log_group_name = f"/aws/lambda/{props.function_name}"
        log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "logs", name=log_group_name, retention_in_days=props.log_retention_days
        )
        role_name = lambda_role_name(props.iam_name_prefix)
        problem = iam_role_name_problem(role_name)
        if problem:
            raise ValueError(f"{self.node.path}: iam_name_prefix = {props.iam_name_prefix!r}: its role {role_name!r}: {problem}")
        role = aws.iam_role.IamRole(
            self,
            "role",
            name=role_name,
            assume_role_policy=policy_document(
                [
                    Statement(
                        effect="Allow",
                        actions="sts:AssumeRole",
                        principal={"Service": "lambda.amazonaws.com"},
                    )
                ]
            ),
        )
        where = stack_account(self)
        log_arn = f"arn:aws:logs:{where.region}:{where.account_id}:log-group:{log_group_name}"
        logging = aws.iam_policy.IamPolicy(
            self,
            "logging-policy",
            name=f"{props.iam_name_prefix}-lambda-logging",
            description=f"Write logs of the Lambda function {props.function_name}",
            policy=policy_document(
                [
                    Statement(
                        sid="LambdaLogging",
                        effect="Allow",
                        actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[log_arn, f"{log_arn}:*"],
                    )
                ]
            ),
        )
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(self, "logging-attachment", role=role.name, policy_arn=logging.arn)
        depends = [log_group]
        if props.permissions:
            access = aws.iam_policy.IamPolicy(
                self,
                "access-policy",
                name=f"{props.iam_name_prefix}-lambda-access",
                description=f"What the Lambda function {props.function_name} may do",
                policy=policy_document(list(props.permissions)),
            )
            depends.append(aws.iam_role_policy_attachment.IamRolePolicyAttachment(self, "access-attachment", role=role.name, policy_arn=access.arn))
        if props.vpc is not None:
            depends.append(
                aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                    self, "vpc-access-attachment", role=role.name, policy_arn=VPC_ACCESS_POLICY_ARN
                )
            )

        self.function = aws.lambda_function.LambdaFunction(
            self,
            "function",
            function_name=props.function_name,
            role=role.arn,
            runtime=props.runtime,
            handler=props.handler,
            filename=code.path,
            source_code_hash=code.base64_sha256,
            timeout=props.timeout_seconds,
            memory_size=props.memory_mb,
            environment=aws.lambda_function.LambdaFunctionEnvironment(variables=dict(sorted(props.environment.items())))
            if props.environment
            else None,
            vpc_config=aws.lambda_function.LambdaFunctionVpcConfig(
                subnet_ids=list(props.vpc.subnet_ids),
                security_group_ids=list(props.vpc.security_group_ids),
            )
            if props.vpc
            else None,
            depends_on=depends,  # the log group exists before the first invocation can create it
        )
        function_risks = list(_LAMBDA_ACCEPTED)
        if props.vpc is None:
            function_risks.append(("CKV_AWS_117", "calls nothing in a VPC; reached only through its invokers"))
        if props.environment:
            function_risks.append(("CKV_AWS_173", "environment holds endpoints, never secrets"))
        accept_risks(self.function, function_risks)
        accept_risks(log_group, _LOG_GROUP_ACCEPTED)
        self.role = role
        self.arn = self.function.arn
        self.function_name = self.function.function_name
