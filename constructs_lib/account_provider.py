"""The AWS provider of one account's stack, pinned to that account."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from cdktf_cdktf_provider_aws.provider import (
    AwsProvider,
    AwsProviderAssumeRole,
    AwsProviderDefaultTags,
)

from .cdk import Construct


@dataclass(frozen=True)
class AccountProviderProps:
    region: str
    account_id: str
    role_arn: Optional[str] = None
    profile: Optional[str] = None
    session_name: str = "lattice-cdktf"
    default_tags: Mapping[str, str] = field(default_factory=dict)


def account_provider(scope: Construct, props: AccountProviderProps) -> AwsProvider:
    """An AwsProvider that refuses to run against any account but ``props.account_id``.

    ``allowed_account_ids`` makes a plan with the wrong credentials fail before it
    touches anything; credentials come from an assume-role ARN, a named profile, or
    the default chain, as the config says.
    """
    return AwsProvider(
        scope,
        "aws",
        region=props.region,
        allowed_account_ids=[props.account_id],
        assume_role=(
            [AwsProviderAssumeRole(role_arn=props.role_arn, session_name=props.session_name)]
            if props.role_arn
            else None
        ),
        profile=props.profile,
        default_tags=[AwsProviderDefaultTags(tags=dict(sorted(props.default_tags.items())))]
        if props.default_tags
        else None,
    )
