"""VPC Lattice auth policies built from typed statements and conditions.

No stack writes policy JSON by hand: statements are dataclasses, conditions come
from the helpers below (one per condition key users need), and the policy renders
as compact JSON with sorted keys (``jsonencode`` when it references resources).

    policy = AuthPolicy([
        AuthStatement(conditions=[request_method("GET"), query_string("q", "blue"),
                                  source_vpc_owner_account("111111111111")]),
    ]).render()
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence, Union

from lattice_model.lattice_rules import AUTH_POLICY_MAX

from .policy import Statement, policy_document

INVOKE = "vpc-lattice-svcs:Invoke"
CONNECT = "vpc-lattice-svcs:Connect"
SOURCE_VPC = "vpc-lattice-svcs:SourceVpc"
SOURCE_VPC_OWNER_ACCOUNT = "vpc-lattice-svcs:SourceVpcOwnerAccount"
REQUEST_METHOD = "vpc-lattice-svcs:RequestMethod"
REQUEST_PATH = "vpc-lattice-svcs:RequestPath"
REQUEST_HEADER = "vpc-lattice-svcs:RequestHeader/"
REQUEST_QUERY_STRING = "vpc-lattice-svcs:RequestQueryString/"
PORT = "vpc-lattice-svcs:Port"
SERVICE_ARN = "vpc-lattice-svcs:ServiceArn"
SERVICE_NETWORK_ARN = "vpc-lattice-svcs:ServiceNetworkArn"
PRINCIPAL_TAG = "aws:PrincipalTag/"
PRINCIPAL_ORG_ID = "aws:PrincipalOrgID"
PRINCIPAL_TYPE = "aws:PrincipalType"
# Condition keys that vpc-lattice-svcs:Connect (TLS passthrough) evaluates.
CONNECT_KEYS = (PORT, SERVICE_ARN, SERVICE_NETWORK_ARN, SOURCE_VPC, SOURCE_VPC_OWNER_ACCOUNT)
_ACTIONS = ("*", "vpc-lattice-svcs:*", INVOKE, CONNECT)


@dataclass(frozen=True)
class Condition:
    """One IAM condition: ``operator`` on ``key``; several values are ORed."""

    operator: str
    key: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"condition {self.operator} {self.key}: needs at least one value")


def _condition(operator: str, key: str, values: Sequence[str]) -> Condition:
    return Condition(operator, key, tuple(values))


def source_vpc(*vpc_ids: str) -> Condition:
    return _condition("StringEquals", SOURCE_VPC, vpc_ids)


def source_vpc_owner_account(*account_ids: str) -> Condition:
    return _condition("StringEquals", SOURCE_VPC_OWNER_ACCOUNT, account_ids)


def request_method(*methods: str) -> Condition:
    return _condition("StringEquals", REQUEST_METHOD, methods)


def request_path(*patterns: str) -> Condition:
    """Exact paths, or ``StringLike`` patterns when any uses ``*`` or ``?``."""
    like = any(c in p for p in patterns for c in "*?")
    return _condition("StringLike" if like else "StringEquals", REQUEST_PATH, patterns)


def query_string(name: str, *values: str) -> Condition:
    return _condition("StringEquals", REQUEST_QUERY_STRING + name, values)


def header(name: str, *values: str, ignore_case: bool = False) -> Condition:
    return _condition("StringEqualsIgnoreCase" if ignore_case else "StringEquals", REQUEST_HEADER + name, values)


def port(*ports: int) -> Condition:
    return _condition("NumericEquals", PORT, [str(p) for p in ports])


def principal_tag(tag: str, *values: str) -> Condition:
    return _condition("StringEquals", PRINCIPAL_TAG + tag, values)


def principal_org(*org_ids: str) -> Condition:
    return _condition("StringEquals", PRINCIPAL_ORG_ID, org_ids)


def principal_type(*types: str) -> Condition:
    return _condition("StringEquals", PRINCIPAL_TYPE, types)


def authenticated_only() -> Condition:
    """Only SigV4-signed callers: anonymous requests do not match."""
    return _condition("StringNotEqualsIgnoreCase", PRINCIPAL_TYPE, ["anonymous"])


@dataclass(frozen=True)
class AuthStatement:
    """One statement. ``principals`` is ``"*"`` (anyone, signed or not) or IAM ARNs."""

    effect: Literal["Allow", "Deny"] = "Allow"
    principals: Union[Literal["*"], Sequence[str]] = "*"
    actions: Sequence[str] = (INVOKE,)
    resources: Sequence[str] = ("*",)
    conditions: Sequence[Condition] = ()
    sid: str | None = None

    def to_statement(self) -> Statement:
        for action in self.actions:
            if action not in _ACTIONS:
                raise ValueError(f"action {action!r}: VPC Lattice auth policies take {', '.join(_ACTIONS)}")
        if list(self.actions) == [CONNECT]:
            for condition in self.conditions:
                if condition.key not in CONNECT_KEYS:
                    raise ValueError(
                        f"condition key {condition.key!r}: vpc-lattice-svcs:Connect evaluates only {', '.join(CONNECT_KEYS)}"
                    )
        grouped: dict[str, dict[str, list[str]]] = {}
        for condition in self.conditions:
            keys = grouped.setdefault(condition.operator, {})
            if condition.key in keys:
                raise ValueError(
                    f"condition {condition.operator} {condition.key} given twice in one statement: "
                    "put all values in one condition (they are ORed)"
                )
            keys[condition.key] = list(condition.values)
        principal: Union[str, dict[str, Sequence[str]]] = (
            "*" if self.principals == "*" else {"AWS": list(self.principals)}
        )
        return Statement(
            sid=self.sid,
            effect=self.effect,
            principal=principal,
            actions=list(self.actions),
            resources=list(self.resources),
            conditions=grouped,
        )


@dataclass(frozen=True)
class AuthPolicy:
    statements: Sequence[AuthStatement] = field(default_factory=tuple)

    def text(self) -> str:
        """The policy document (``${jsonencode(...)}`` when it references other resources)."""
        return policy_document([s.to_statement() for s in self.statements])

    def render(self) -> str:
        """The document, refused when it is longer than Lattice allows."""
        text = self.text()
        if not text.startswith("${") and len(text) > AUTH_POLICY_MAX:
            raise ValueError(f"auth policy is {len(text)} characters: VPC Lattice allows at most {AUTH_POLICY_MAX}")
        return text


def open_policy() -> str:
    """The reference samples' policy: anyone may do anything. Byte-identical to
    their ``jsonencode`` output."""
    return AuthPolicy([AuthStatement(actions=["*"])]).render()


def invoke_resources(service_arns: Sequence[str]) -> list[str]:
    """Invoke is authorized on ``<service ARN>/<path>``: every path of these services."""
    return [f"{arn}/*" for arn in service_arns]


def allow_invoke_from_accounts(account_ids: Sequence[str], resources: Sequence[str] = ("*",)) -> str:
    """Anyone may invoke, from VPCs owned by these accounts only."""
    condition = source_vpc_owner_account(*sorted(set(account_ids)))
    return AuthPolicy(
        [AuthStatement(sid="InvokeFromConsumerAccountVpcs", resources=resources, conditions=[condition])]
    ).render()


def allow_invoke_from_vpcs(vpc_ids: Sequence[str], resources: Sequence[str] = ("*",)) -> str:
    """Anyone may invoke, from these VPCs only (ids may be references)."""
    return AuthPolicy(
        [AuthStatement(sid="InvokeFromAssociatedVpcs", resources=resources, conditions=[source_vpc(*vpc_ids)])]
    ).render()

