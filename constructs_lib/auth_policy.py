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


def allow_invoke_from_accounts(account_ids: Sequence[str], resources: Sequence[str] | str = "*") -> str:
    """Anonymous or signed callers may invoke, but only from VPCs owned by these accounts."""
    return policy_document(
        [
            Statement(
                sid="InvokeFromConsumerAccountVpcs",
                effect="Allow",
                principal="*",
                actions=INVOKE,
                resources=resources,
                conditions={"StringEquals": {SOURCE_VPC_OWNER_ACCOUNT: sorted(set(account_ids))}},
            )
        ]
    )


def allow_invoke_from_vpcs(vpc_ids: Sequence[str], resources: Sequence[str] | str = "*") -> str:
    """Callers may invoke only from these VPCs (ids may be tokens)."""
    return policy_document(
        [
            Statement(
                sid="InvokeFromAssociatedVpcs",
                effect="Allow",
                principal="*",
                actions=INVOKE,
                resources=resources,
                conditions={"StringEquals": {SOURCE_VPC: list(vpc_ids)}},
            )
        ]
    )
