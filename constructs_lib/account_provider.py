"""The AWS provider of one account's stack, pinned to that account, and the one
place constructs learn their stack's region and account from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Protocol, runtime_checkable

from .runtime import aws
from .runtime.cdk import Construct
from .runtime.naming import stack_of


@dataclass(frozen=True)
class AccountProviderProps:
    region: str
    account_id: str
    role_arn: Optional[str] = None
    profile: Optional[str] = None
    session_name: str = "lattice-cdktf"
    default_tags: Mapping[str, str] = field(default_factory=dict)


def account_provider(scope: Construct, props: AccountProviderProps) -> aws.provider.AwsProvider:
    """An AwsProvider that refuses to run against any account but ``props.account_id``.

    ``allowed_account_ids`` makes a plan with the wrong credentials fail before it
    touches anything; credentials come from an assume-role ARN, a named profile, or
    the default chain, as the config says.
    """
    return aws.provider.AwsProvider(
        scope,
        "aws",
        region=props.region,
        allowed_account_ids=[props.account_id],
        assume_role=(
            [aws.provider.AwsProviderAssumeRole(role_arn=props.role_arn, session_name=props.session_name)]
            if props.role_arn
            else None
        ),
        profile=props.profile,
        default_tags=[aws.provider.AwsProviderDefaultTags(tags=dict(sorted(props.default_tags.items())))]
        if props.default_tags
        else None,
    )


@dataclass(frozen=True)
class StackAccount:
    region: str
    account_id: str


@runtime_checkable
class AccountScoped(Protocol):
    """A stack that knows its own region and account (the project's AccountStack)."""

    region: str
    account_id: str


def stack_account(scope: Construct) -> StackAccount:
    """The region and account of the stack ``scope`` belongs to: the stack's own
    when it declares them (:class:`AccountScoped`), otherwise read from its default
    AWS provider (``region`` and its one ``allowed_account_ids`` entry, as
    :func:`account_provider` sets them). Constructs that build ARNs or zone names
    call this instead of taking region and account as props."""
    stack = stack_of(scope)
    if isinstance(stack, AccountScoped):
        return StackAccount(region=stack.region, account_id=stack.account_id)
    for child in stack.node.children:
        if isinstance(child, aws.provider.AwsProvider) and child.alias is None:
            accounts = child.allowed_account_ids or []
            if child.region and len(accounts) == 1:
                return StackAccount(region=child.region, account_id=accounts[0])
            break
    raise ValueError(
        f"{scope.node.path}: the stack {stack.node.path} needs a default AWS provider with a region and exactly one "
        "allowed_account_ids entry (account_provider() makes one): its constructs build ARNs from them"
    )
