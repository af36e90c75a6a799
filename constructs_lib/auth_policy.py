"""Lattice auth policies (service and service-network level) from typed inputs."""
from __future__ import annotations

from typing import Sequence

from .policy import Statement, policy_document

INVOKE = "vpc-lattice-svcs:Invoke"
SOURCE_VPC = "vpc-lattice-svcs:SourceVpc"
SOURCE_VPC_OWNER_ACCOUNT = "vpc-lattice-svcs:SourceVpcOwnerAccount"


def open_policy() -> str:
    """The original sample's policy: anyone, signed or not, may do anything.
    Byte-identical to its ``jsonencode`` output."""
    return policy_document([Statement(effect="Allow", principal="*", actions="*", resources="*")])


def invoke_resources(service_arns: Sequence[str]) -> list[str]:
    """Invoke is authorized on ``<service ARN>/<path>``: every path of these services."""
    return [f"{arn}/*" for arn in service_arns]


def allow_invoke_when(sid: str, key: str, values: Sequence[str], resources: Sequence[str] | str = "*") -> str:
    """Anyone, signed or not, may invoke ``resources`` when condition ``key`` equals one of ``values``."""
    return policy_document(
        [
            Statement(
                sid=sid,
                effect="Allow",
                principal="*",
                actions=INVOKE,
                resources=resources,
                conditions={"StringEquals": {key: list(values)}},
            )
        ]
    )


def allow_invoke_from_accounts(account_ids: Sequence[str], resources: Sequence[str] | str = "*") -> str:
    """Only from VPCs owned by these accounts."""
    return allow_invoke_when("InvokeFromConsumerAccountVpcs", SOURCE_VPC_OWNER_ACCOUNT, sorted(set(account_ids)), resources)


def allow_invoke_from_vpcs(vpc_ids: Sequence[str], resources: Sequence[str] | str = "*") -> str:
    """Only from these VPCs (ids may be tokens)."""
    return allow_invoke_when("InvokeFromAssociatedVpcs", SOURCE_VPC, vpc_ids, resources)
