"""What the distributed and centralized patterns share, on the config side: the
account roles, the settings of the Lambda-backed "Hello from Lambda!" service, the
consumer VPCs, and the names these create. ``building_blocks.py`` builds them from
the same names. No cdktf import."""
from __future__ import annotations

from typing import Iterable

from pydantic import Field, field_validator

from app_config.fields import AuthPolicyMode, DiscoveryChannel, PatternSettings, lattice_name

from .registry import AccountRole, NameClaim, account_scope

SERVICE = AccountRole("service", "Owns the Lattice services (and the Lambda behind them).")
CONSUMER = AccountRole(
    "consumer", "Owns the client VPCs (and, in the distributed pattern, their service networks)."
)

SERVICE_KEY = "lambdaservice"  # the service's key in published ids, and its construct id
LISTENER_NAME = "httplistener"
HTTPS_LISTENER_NAME = "httpslistener"
# Fixed construct ids of a consumer stack beside one construct per VPC: a VPC may not be named so.
AMI_LOOKUP_ID = "amazon-linux"
INSTANCE_PROFILE_ID = "instance-profile"
SHARE_ACCEPTER_ID = "ram-share-accepter"
PROVIDER_ID = "aws"
BACKEND_ID = "backend"  # cdktf's id for a stack's backend
DISCOVERY_SECRET_ID = "discovery-secret"  # a producing stack's secret (discovery = "secrets_manager")


def secret_reader_id(producer: str) -> str:
    """The construct id of a reader of ``producer``'s discovery secret."""
    return f"{producer}-secret"


def account_wide_name(pattern: str, suffix: str) -> str:
    """IAM and other account-wide names, prefixed by pattern so patterns can share an account."""
    return f"{pattern}-{suffix}"


def hello_function_name(pattern: str) -> str:
    return f"{pattern}-lambda_function"


class HelloServiceSettings(PatternSettings):
    """A pattern whose service account runs the hello service for a consumer account."""

    auth_policy: AuthPolicyMode = Field(
        default="least_privilege",
        description="least_privilege: only the consumer account's VPCs may invoke; open: the original's Allow-everything policy.",
    )
    discovery: DiscoveryChannel = Field(
        default="remote_state",
        description="How each stack learns the previous stack's ids: Terraform remote state, or the original's Secrets Manager secrets.",
    )
    service_name: str = Field(default="lambda-service", description="Lattice service name (unique per account).")
    target_group_name: str = Field(default="lambdatarget", description="Lattice target group name (unique per account).")

    @field_validator("service_name")
    @classmethod
    def _service_name(cls, value: str) -> str:
        return lattice_name("service", value)

    @field_validator("target_group_name")
    @classmethod
    def _target_group_name(cls, value: str) -> str:
        return lattice_name("target group", value)


def hello_service_claims(pattern: str, settings: HelloServiceSettings, account_id: str) -> Iterable[NameClaim]:
    """The names the hello service creates in the service account."""
    where = account_scope(account_id)
    yield NameClaim("Lattice service name", where, settings.service_name, f"patterns.{pattern}.service_name")
    yield NameClaim("Lattice target group name", where, settings.target_group_name, f"patterns.{pattern}.target_group_name")
    function = hello_function_name(pattern)
    yield NameClaim("Lambda function name", where, function, f"the {pattern} service's function", fixed=True)
    yield NameClaim("IAM name prefix", where, account_wide_name(pattern, "lambda-service"), f"the {pattern} service's role", fixed=True)


def consumer_stack_fixed_ids(reads: Iterable[str]) -> dict[str, str]:
    """Construct id -> what holds it, in a stack of consumer VPCs (``build_consumer_vpcs``)
    that reads the stacks ``reads``: the ids a VPC may not be named."""
    fixed = {
        AMI_LOOKUP_ID: "the AMI lookup",
        INSTANCE_PROFILE_ID: "the instance profile",
        PROVIDER_ID: "the AWS provider",
        BACKEND_ID: "the state backend",
        DISCOVERY_SECRET_ID: "the discovery secret",
    }
    for producer in reads:
        fixed[producer] = f"the remote state of {producer}"
        fixed[secret_reader_id(producer)] = f"the discovery secret reader of {producer}"
    return fixed


def consumer_stack_claims(
    pattern: str, stack: str, vpc_names: Iterable[str], account_id: str, *, reads: Iterable[str]
) -> Iterable[NameClaim]:
    """The construct ids of a consumer stack built by ``build_consumer_vpcs`` (one per
    VPC, beside the fixed ones and the ids of the stacks it ``reads``), and its
    account-wide names."""
    where = f"stack {stack}"
    for vpc in vpc_names:
        yield NameClaim("construct id", where, vpc, f"vpcs.{vpc}")
    fixed = {**consumer_stack_fixed_ids(reads), SHARE_ACCEPTER_ID: "the RAM share accepter"}
    for construct_id, holder in fixed.items():
        yield NameClaim("construct id", where, construct_id, f"{holder} of {stack}", fixed=True)
    account = account_scope(account_id)
    yield NameClaim("IAM name prefix", account, account_wide_name(pattern, "consumer"), f"the {pattern} consumer instances' role", fixed=True)
