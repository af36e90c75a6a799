"""What the patterns built on the reference sample share, on the config side: the
service and consumer account roles, and the Lambda-backed "Hello from Lambda!"
service (its settings, its names and the names it claims). ``building_blocks.py``
builds it from the same names. No cdktf import."""
from __future__ import annotations

from typing import Iterable

from pydantic import Field

from lattice_model.aws_names import account_wide_name
from lattice_model.fields import AuthPolicyMode, DiscoveryChannel, PatternSettings

from .registry import AccountRole, NameClaim, account_scope

SERVICE = AccountRole("service", "Owns the Lattice services (and the Lambda behind them).")
CONSUMER = AccountRole(
    "consumer", "Owns the client VPCs (and, in the distributed pattern, their service networks)."
)
from lattice_model.fields import LatticeServiceName, LatticeTargetGroupName

SERVICE_KEY = "lambdaservice"  # the service's key in published ids, and its construct id
LISTENER_NAME = "httplistener"
HTTPS_LISTENER_NAME = "httpslistener"
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
    service_name: LatticeServiceName = Field(default="lambda-service", description="Lattice service name (unique per account).")
    target_group_name: LatticeTargetGroupName = Field(default="lambdatarget", description="Lattice target group name (unique per account).")


def hello_service_claims(pattern: str, settings: HelloServiceSettings, account_id: str) -> Iterable[NameClaim]:
    """The names the hello service creates in the service account."""
    where = account_scope(account_id)
    yield NameClaim("Lattice service name", where, settings.service_name, f"patterns.{pattern}.service_name")
    yield NameClaim("Lattice target group name", where, settings.target_group_name, f"patterns.{pattern}.target_group_name")
    function = hello_function_name(pattern)
    yield NameClaim("Lambda function name", where, function, f"the {pattern} service's function", fixed=True)
    yield NameClaim("IAM name prefix", where, account_wide_name(pattern, "lambda-service"), f"the {pattern} service's role", fixed=True)
