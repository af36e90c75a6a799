"""The lattice-cdktf configuration file, as typed and validated models.

Every field is documented here; README's config reference is generated from the
same descriptions. Unknown keys are errors (``extra="forbid"``) so a misspelt key
never silently falls back to a default.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from constructs_lib.subnet_plan import SubnetPlanError, plan_subnets

from .project import DEFAULT_STATE_DIR, NOT_FOR_STATE

ACCOUNT_ID_RULE = "must be exactly 12 digits"
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_VPC_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,45}[a-z0-9])?$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 network in CIDR notation with no host bits set ({exc})") from None
    if not 16 <= network.prefixlen <= 28:
        raise ValueError("a VPC CIDR must be between /16 and /28")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)


class AccountConfig(_Strict):
    """One AWS account that a stack deploys into."""

    id: str = Field(description="The 12-digit AWS account id. The stack's provider refuses any other account.")
    role_arn: Optional[str] = Field(
        default=None, description="IAM role the provider assumes in this account (cross-account deploys)."
    )
    profile: Optional[str] = Field(default=None, description="Named AWS CLI profile for this account.")

    @field_validator("id")
    @classmethod
    def _account_id(cls, value: str) -> str:
        if not _ACCOUNT_ID.match(value):
            raise ValueError(ACCOUNT_ID_RULE)
        return value

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _ROLE_ARN.match(value):
            raise ValueError("must be an IAM role ARN like arn:aws:iam::123456789012:role/name")
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


class Accounts(_Strict):
    service: AccountConfig = Field(description="Owns the Lattice services (and the Lambda behind them).")
    consumer: AccountConfig = Field(description="Owns the client VPCs (and, in the distributed pattern, their service networks).")
    network: Optional[AccountConfig] = Field(
        default=None, description="Central service-network account (centralized pattern only)."
    )
    common: Optional[AccountConfig] = Field(
        default=None, description="Common-services account of the shared-service pattern (DirectoryService)."
    )


class LocalBackendConfig(_Strict):
    """Terraform local state, for trying things out. Needs no AWS to synth or test."""

    type: Literal["local"] = "local"
    state_dir: str = Field(
        default=DEFAULT_STATE_DIR,
        description="Directory, relative to the project, holding one `<stack>.tfstate` per stack. Never inside an output directory; `*.tfstate` files are git-ignored wherever they are.",
    )

    @field_validator("state_dir")
    @classmethod
    def _relative(cls, value: str) -> str:
        if not value or value.startswith("/") or ".." in value.split("/"):
            raise ValueError("must be a relative path inside the project, without '..'")
        top = value.strip("/").split("/")[0]
        if top in NOT_FOR_STATE:
            raise ValueError(f"must not be inside {top}/ ({NOT_FOR_STATE[top]})")
        return value.rstrip("/")


class S3BackendConfig(_Strict):
    """Terraform state in S3 with native S3 locking (``use_lockfile``)."""

    type: Literal["s3"]
    bucket: str = Field(description="State bucket name.")
    region: Optional[str] = Field(default=None, description="Bucket region; defaults to the top-level region.")
    key_prefix: str = Field(default="lattice-cdktf", description="Each stack's state key is `<key_prefix>/<stack>.tfstate`.")
    role_arn: Optional[str] = Field(
        default=None,
        description="Role that writes every stack's state and that consumer stacks use to read producer state.",
    )

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not _S3_BUCKET.match(value) or ".." in value:
            raise ValueError("must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _REGION.match(value):
            raise ValueError("must be an AWS region name such as eu-west-1")
        return value

    @field_validator("key_prefix")
    @classmethod
    def _key_prefix(cls, value: str) -> str:
        if not value or value.startswith("/") or value.endswith("/"):
            raise ValueError("must be non-empty and neither start nor end with '/'")
        return value

    @field_validator("role_arn")
    @classmethod
    def _role(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _ROLE_ARN.match(value):
            raise ValueError("must be an IAM role ARN like arn:aws:iam::123456789012:role/name")
        return value


BackendConfig = Annotated[Union[LocalBackendConfig, S3BackendConfig], Field(discriminator="type")]


class VpcConfig(_Strict):
    """A consumer VPC: two subnet tiers per AZ, SSM endpoints and one test instance per AZ."""

    cidr_block: str = Field(default="10.0.0.0/24", description="IPv4 CIDR, /16 to /28. VPCs may overlap: Lattice does not care.")
    number_azs: int = Field(default=2, description="Availability zones (1-6); one workload instance per AZ.")
    workload_subnet_netmask: int = Field(default=28, description="Prefix length of each workload subnet (16-28).")
    endpoints_subnet_netmask: int = Field(default=28, description="Prefix length of each endpoints subnet (16-28).")
    instance_type: str = Field(default="t2.micro", description="EC2 instance type of the test instances.")

    @field_validator("cidr_block")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _vpc_cidr(value)

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

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        if not _INSTANCE_TYPE.match(value):
            raise ValueError("must be an EC2 instance type such as t3.micro")
        return value

    @model_validator(mode="after")
    def _subnets_fit(self) -> "VpcConfig":
        try:
            plan_subnets(self.cidr_block, self.subnet_tiers, self.number_azs)
        except SubnetPlanError as exc:
            raise ValueError(f"subnets do not fit: {exc}") from None
        return self

    @property
    def subnet_tiers(self) -> dict[str, int]:
        return {"workload": self.workload_subnet_netmask, "endpoints": self.endpoints_subnet_netmask}


AuthPolicyMode = Literal["least_privilege", "open"]
DiscoveryChannel = Literal["remote_state", "secrets_manager"]
_LATTICE_NAME = re.compile(r"^(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def _lattice_name(value: str, *, low: int, high: int, reserved: str) -> str:
    if not (low <= len(value) <= high and _LATTICE_NAME.match(value)) or value.startswith(reserved):
        raise ValueError(
            f"must be {low}-{high} lowercase letters, digits or hyphens, with no leading, trailing or "
            f"double hyphen, and must not start with '{reserved}'"
        )
    return value


class PatternConfig(_Strict):
    enabled: bool = Field(default=True, description="Synthesize this pattern's stacks.")
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
        return _lattice_name(value, low=3, high=40, reserved="svc-")

    @field_validator("target_group_name")
    @classmethod
    def _target_group_name(cls, value: str) -> str:
        return _lattice_name(value, low=3, high=128, reserved="tg-")


class CentralizedPatternConfig(PatternConfig):
    service_network_name: str = Field(
        default="centralized-service-network", description="Name of the central service network."
    )
    allow_shared_accounts: bool = Field(
        default=False,
        description="Let two roles share an account (no RAM share is made between the roles that do).",
    )

    @field_validator("service_network_name")
    @classmethod
    def _network_name(cls, value: str) -> str:
        return _lattice_name(value, low=3, high=63, reserved="servicenetwork-")


class TenantConfig(_Strict):
    """One isolated tenant of the shared-service pattern (blue, green)."""

    account: AccountConfig = Field(description="The tenant's own account.")
    service_network: str = Field(description="Name of the tenant's service network in the common account.")
    network_vpc_cidr: str = Field(description="CIDR of the common account's peered network VPC for this tenant.")
    vpc_cidr: str = Field(description="CIDR of the tenant's own VPC.")
    query: Optional[str] = Field(default=None, description="Value of `q` the tenant may ask for (default: the tenant's name).")

    @field_validator("service_network")
    @classmethod
    def _network_name(cls, value: str) -> str:
        return _lattice_name(value, low=3, high=63, reserved="servicenetwork-")

    @field_validator("network_vpc_cidr", "vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _vpc_cidr(value)


def _default_tenants() -> dict[str, "TenantConfig"]:
    return {}


class SharedPatternConfig(_Strict):
    enabled: bool = Field(default=False, description="Synthesize the shared-service pattern's stacks.")
    auth_policy: AuthPolicyMode = Field(
        default="least_privilege",
        description="least_privilege: networks admit only their tenant's VPCs; open: networks with auth type NONE, as in the original.",
    )
    main_vpc_cidr: str = Field(default="10.0.0.0/16", description="The common account's main VPC (DirectoryService).")
    ram_within_organization: bool = Field(
        default=False,
        description="true: accounts share one AWS Organization with RAM sharing on (no invitations, as in the original); false: external shares, accepted by each tenant.",
    )
    tenants: dict[str, TenantConfig] = Field(
        default_factory=_default_tenants, description="Isolated tenants by name (stack `shared-<name>-account`)."
    )

    @field_validator("main_vpc_cidr")
    @classmethod
    def _main_cidr(cls, value: str) -> str:
        return _vpc_cidr(value)

    @model_validator(mode="after")
    def _isolation(self) -> "SharedPatternConfig":
        if not self.enabled:
            return self
        if len(self.tenants) < 2:
            raise ValueError("tenants: the shared-service pattern needs at least two isolated tenants (e.g. blue and green)")
        names = list(self.tenants)
        for name in names:
            if not _VPC_NAME.match(name) or len(name) > 20:
                raise ValueError(f"tenants: tenant name {name!r} must be 1-20 lowercase letters, digits or hyphens")
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                ta, tb = self.tenants[a], self.tenants[b]
                if ta.service_network == tb.service_network:
                    raise ValueError(
                        f"tenants.{a}.service_network and tenants.{b}.service_network are both {ta.service_network!r}: "
                        "isolated tenants must never share a service network"
                    )
                if ipaddress.IPv4Network(ta.network_vpc_cidr).overlaps(ipaddress.IPv4Network(tb.network_vpc_cidr)):
                    raise ValueError(
                        f"tenants.{a}.network_vpc_cidr {ta.network_vpc_cidr} overlaps tenants.{b}.network_vpc_cidr "
                        f"{tb.network_vpc_cidr}: each tenant needs its own network VPC, peered with the main VPC"
                    )
                if ta.account.id == tb.account.id:
                    raise ValueError(
                        f"tenants.{a}.account.id and tenants.{b}.account.id are both {ta.account.id}: isolated "
                        "tenants need their own accounts"
                    )
        main = ipaddress.IPv4Network(self.main_vpc_cidr)
        for name, tenant in self.tenants.items():
            if ipaddress.IPv4Network(tenant.network_vpc_cidr).overlaps(main):
                raise ValueError(
                    f"tenants.{name}.network_vpc_cidr {tenant.network_vpc_cidr} overlaps main_vpc_cidr "
                    f"{self.main_vpc_cidr}: peered VPCs cannot overlap"
                )
        return self


class Patterns(_Strict):
    distributed: PatternConfig = Field(default_factory=PatternConfig, description="Service account + consumer account.")
    centralized: CentralizedPatternConfig = Field(
        default_factory=lambda: CentralizedPatternConfig(enabled=False),
        description="Service, central service-network and consumer accounts.",
    )
    shared: SharedPatternConfig = Field(
        default_factory=SharedPatternConfig,
        description="A common-services account serving isolated tenants (blue, green).",
    )


def _default_vpcs() -> dict[str, VpcConfig]:
    return {"vpc1": VpcConfig(), "vpc2": VpcConfig()}


class LatticeConfig(_Strict):
    """The whole configuration file."""

    region: str = Field(default="eu-west-1", description="AWS region of every stack (Lattice resources are regional).")
    project: str = Field(default="lattice-cdktf", description="Value of the Project default tag.")
    tags: dict[str, str] = Field(default_factory=dict, description="Extra default tags on every resource.")
    accounts: Accounts
    backend: BackendConfig = Field(default_factory=LocalBackendConfig, description="Where each stack keeps its state.")
    patterns: Patterns = Field(default_factory=Patterns)
    vpcs: dict[str, VpcConfig] = Field(
        default_factory=_default_vpcs, description="Consumer VPCs by Name tag (default: vpc1 and vpc2, 10.0.0.0/24 each)."
    )

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not _REGION.match(value):
            raise ValueError("must be an AWS region name such as eu-west-1")
        return value

    @field_validator("vpcs")
    @classmethod
    def _vpc_names(cls, value: dict[str, VpcConfig]) -> dict[str, VpcConfig]:
        if not value:
            raise ValueError("at least one consumer VPC is required")
        for name in value:
            if not _VPC_NAME.match(name):
                raise ValueError(
                    f"VPC name {name!r} must be 1-47 lowercase letters, digits or hyphens, "
                    "not starting or ending with a hyphen (it prefixes '<name>-service-network')"
                )
        return value

    @model_validator(mode="after")
    def _pattern_accounts(self) -> "LatticeConfig":
        accounts = self.accounts
        if self.patterns.distributed.enabled and accounts.service.id == accounts.consumer.id:
            raise ValueError(
                f"accounts.service.id and accounts.consumer.id are both {accounts.service.id}: "
                "the distributed pattern shares the service across accounts, give each role its own account"
            )
        shared = self.patterns.shared
        if shared.enabled:
            if accounts.common is None:
                raise ValueError("patterns.shared is enabled: accounts.common (the common-services account) is required")
            for name, tenant in shared.tenants.items():
                if tenant.account.id == accounts.common.id:
                    raise ValueError(
                        f"patterns.shared.tenants.{name}.account.id is accounts.common.id ({accounts.common.id}): "
                        "tenants live in their own accounts"
                    )
        central = self.patterns.centralized
        if not central.enabled:
            return self
        if accounts.network is None:
            raise ValueError("patterns.centralized is enabled: accounts.network (the central account) is required")
        roles = {"service": accounts.service.id, "network": accounts.network.id, "consumer": accounts.consumer.id}
        if not central.allow_shared_accounts:
            for a, b in (("service", "network"), ("service", "consumer"), ("network", "consumer")):
                if roles[a] == roles[b]:
                    raise ValueError(
                        f"accounts.{a}.id and accounts.{b}.id are both {roles[a]}: the centralized pattern "
                        "expects three accounts (set patterns.centralized.allow_shared_accounts = true to allow it)"
                    )
        if self.patterns.distributed.enabled:
            # Both patterns put their service in accounts.service, where these names must be unique.
            for field in ("service_name", "target_group_name"):
                name = getattr(central, field)
                if name == getattr(self.patterns.distributed, field):
                    raise ValueError(
                        f"patterns.centralized.{field} and patterns.distributed.{field} are both {name!r}: "
                        f"both patterns create it in accounts.service ({accounts.service.id}), where Lattice "
                        "names must be unique; give one of them another name"
                    )
        return self

    @property
    def state_region(self) -> str:
        if isinstance(self.backend, S3BackendConfig) and self.backend.region:
            return self.backend.region
        return self.region
