"""What every section of the config is built from: the strict base model,
accounts, consumer VPCs, Lattice names, CIDRs, regions. Pattern modules and
app_config build their sections from these; nothing here imports either."""
from __future__ import annotations

import ipaddress
import re
from functools import partial
from typing import Annotated, Callable, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .aws_names import iam_role_name_problem
from .lattice_rules import name_problem
from .subnet_plan import SubnetPlanError, VpcLayout
from .text_rule import text_rule

ACCOUNT_ID_RULE = "must be exactly 12 digits"
ACCOUNT_ID = text_rule(r"\d{12}")
ROLE_ARN = text_rule(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
ROLE_ARN_RULE = "must be an IAM role ARN like arn:aws:iam::123456789012:role/name"
# A VPC or tenant name: it prefixes other names ('<name>-service-network').
NAME = text_rule(r"[a-z0-9](?:[a-z0-9-]{0,45}[a-z0-9])?")
_INSTANCE_TYPE = text_rule(r"[a-z][a-z0-9-]*\.[a-z0-9]+")

AuthPolicyMode = Literal["least_privilege", "open"]
DiscoveryChannel = Literal["remote_state", "secrets_manager"]


class StrictModel(BaseModel):
    """Unknown keys are errors, values are not coerced, models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)


def vpc_cidr(value: str) -> str:
    """A VPC CIDR: IPv4, no host bits, /16 to /28."""
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 network in CIDR notation with no host bits set ({exc})") from None
    if not 16 <= network.prefixlen <= 28:
        raise ValueError("a VPC CIDR must be between /16 and /28")
    return value


def subnets_fit(layout: VpcLayout) -> None:
    """ValueError naming the plan when the subnets the stacks carve out do not fit."""
    try:
        layout.subnets()
    except SubnetPlanError as exc:
        raise ValueError(f"subnets do not fit: {exc}") from None


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


def dns_domain(value: str, *, example: str, min_labels: int = 2) -> str:
    """``value`` if it is a lowercase DNS name of at least ``min_labels`` labels
    (1-63 characters each, letters, digits and inner hyphens; 253 in all)."""
    labels = value.split(".")
    if len(value) > 253 or len(labels) < min_labels or not all(re.fullmatch(_LABEL, label) for label in labels) or not re.fullmatch(r"[a-z][a-z0-9-]*", labels[-1]):
        what = "a lowercase DNS domain" if min_labels <= 2 else f"a lowercase DNS name of {min_labels} or more labels"
        raise ValueError(f"must be {what} such as {example}")
    return value


_ACM_ARN = text_rule(r"arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[0-9a-f-]{36}")


def acm_certificate_arn(value: Optional[str]) -> Optional[str]:
    """``value`` if it is an ACM certificate ARN (or None)."""
    if value is not None and not _ACM_ARN(value):
        raise ValueError("must be an ACM certificate ARN like arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>")
    return value


def certificate_placement_problem(key: str, arn: str, account: str, region: str, used_by: str) -> Optional[str]:
    """Why the certificate ``arn`` (a valid ACM ARN) cannot serve ``used_by`` in
    ``account`` and ``region``: ACM certificates are used where they are."""
    found = _ACM_ARN(arn)
    assert found is not None, "validated by acm_certificate_arn"
    owner_region, owner = found.groups()
    if owner == account and owner_region == region:
        return None
    return f"{key} = {arn!r}: is in account {owner}, region {owner_region}; it must be in account {account}, region {region} ({used_by})"


def vpc_cidr_that_fits(value: str, layout: Callable[[str], VpcLayout]) -> str:
    """``value`` if it is a VPC CIDR whose subnets, as ``layout`` plans them, fit:
    checked before synth, so the plan never fails in a stack."""
    value = vpc_cidr(value)
    subnets_fit(layout(value))
    return value


def instance_type(value: str) -> str:
    """``value`` if it is shaped as an EC2 instance type (family.size)."""
    if not _INSTANCE_TYPE(value):
        raise ValueError("must be an EC2 instance type such as t3.micro")
    return value


def lattice_name(kind: str, value: str) -> str:
    """``value`` if it is a valid VPC Lattice name of ``kind`` (lattice_model.lattice_rules)."""
    problem = name_problem(kind, value)
    if problem is not None:
        raise ValueError(problem)
    return value


def iam_role_name(value: str) -> str:
    """``value`` if IAM accepts it as a role name."""
    problem = iam_role_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("a port is 1-65535")
    return value


_VPC_ID = text_rule(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def vpc_id(value: str) -> str:
    if not _VPC_ID(value):
        raise ValueError("must be a VPC id: vpc- and 8 or 17 hexadecimal digits")
    return value


def fitting(layout: Callable[[str], VpcLayout]) -> Callable[[str], str]:
    """The rule of a VPC CIDR whose subnets, as ``layout`` plans them, fit."""
    return partial(vpc_cidr_that_fits, layout=layout)


def domain_like(example: str, min_labels: int = 2) -> Callable[[str], str]:
    """The rule of a lowercase DNS name of ``min_labels`` or more labels."""
    return partial(dns_domain, example=example, min_labels=min_labels)


# One home per rule: a field whose value has a rule of its own takes it as its type
# (the rule's function above, and its message, once).
VpcId = Annotated[str, AfterValidator(vpc_id)]
Port = Annotated[int, AfterValidator(port)]
VpcCidr = Annotated[str, AfterValidator(vpc_cidr)]
AcmCertificateArn = Annotated[Optional[str], AfterValidator(acm_certificate_arn)]
InstanceType = Annotated[str, AfterValidator(instance_type)]
IamRoleName = Annotated[str, AfterValidator(iam_role_name)]
LatticeServiceName = Annotated[str, AfterValidator(partial(lattice_name, "service"))]
LatticeNetworkName = Annotated[str, AfterValidator(partial(lattice_name, "service network"))]
LatticeTargetGroupName = Annotated[str, AfterValidator(partial(lattice_name, "target group"))]


class AccountConfig(StrictModel):
    """One AWS account that a stack deploys into."""

    id: str = Field(description="The 12-digit AWS account id. The stack's provider refuses any other account.")
    role_arn: Optional[str] = Field(
        default=None, description="IAM role the provider assumes in this account (cross-account deploys)."
    )
    profile: Optional[str] = Field(default=None, description="Named AWS CLI profile for this account.")

    @field_validator("id")
    @classmethod
    def _account_id(cls, value: str) -> str:
        if not ACCOUNT_ID(value):
            raise ValueError(ACCOUNT_ID_RULE)
        return value

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not ROLE_ARN(value):
            raise ValueError(ROLE_ARN_RULE)
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _one_credential_source(self) -> "AccountConfig":
        if self.role_arn and self.profile:
            raise ValueError("set role_arn or profile, not both")
        if self.role_arn and self.role_arn.split(":")[4] != self.id:
            raise ValueError(
                f"role_arn {self.role_arn!r} is in account {self.role_arn.split(':')[4]}, not in {self.id}"
            )
        return self


class VpcConfig(StrictModel):
    """A consumer VPC: two subnet tiers per AZ, SSM endpoints and one test instance per AZ."""

    cidr_block: VpcCidr = Field(default="10.0.0.0/24", description="IPv4 CIDR, /16 to /28. VPCs may overlap: Lattice does not care.")
    number_azs: int = Field(default=2, description="Availability zones (1-6); one workload instance per AZ.")
    workload_subnet_netmask: int = Field(default=28, description="Prefix length of each workload subnet (16-28).")
    endpoints_subnet_netmask: int = Field(default=28, description="Prefix length of each endpoints subnet (16-28).")
    instance_type: InstanceType = Field(default="t2.micro", description="EC2 instance type of the test instances.")
    detailed_monitoring: bool = Field(
        default=True,
        description="1-minute EC2 metrics on the test instances (7 metrics, $2.10 per instance a month beyond CloudWatch's 10 free ones); the original has 5-minute basic monitoring only.",
    )

    @field_validator("number_azs")
    @classmethod
    def _azs(cls, value: int) -> int:
        if not 1 <= value <= 6:
            raise ValueError("must be between 1 and 6")
        return value

    @field_validator("workload_subnet_netmask", "endpoints_subnet_netmask")
    @classmethod
    def _netmask(cls, value: int) -> int:
        if not 16 <= value <= 28:
            raise ValueError("an AWS subnet netmask must be between 16 and 28")
        return value

    @model_validator(mode="after")
    def _subnets_fit(self) -> "VpcConfig":
        subnets_fit(self.layout)
        return self

    @property
    def layout(self) -> VpcLayout:
        """The subnet plan the consumer VPC constructs build from this section."""
        return VpcLayout(
            cidr_block=self.cidr_block,
            number_azs=self.number_azs,
            # The original's order: its VPC module carves the subnets map by key, and
            # Terraform iterates keys in lexical order, so endpoints come first.
            tiers={"endpoints": self.endpoints_subnet_netmask, "workload": self.workload_subnet_netmask},
        )


class PatternSettings(StrictModel):
    """What every ``[patterns.<name>]`` section has. A pattern's model sets the
    default of ``enabled``; that default applies whether the section is written
    or not."""

    enabled: bool = Field(default=False, description="Synthesize this pattern's stacks.")
