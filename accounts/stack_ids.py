"""The construct ids every pattern's stacks hold beside their own (the provider, the
state backend, the discovery secret and its readers) and those of a stack of consumer
VPCs (``building_blocks.build_consumer_vpcs``): the ids a VPC or another name of the
config may not take, and the claims of such a stack. No cdktf import."""
from __future__ import annotations

from typing import Iterable

from lattice_model.aws_names import account_wide_name

from .registry import NameClaim, account_scope

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
