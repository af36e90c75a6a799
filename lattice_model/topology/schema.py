"""A topology's tables as a whole: accounts, networks, services, consumers, access
intents, organization and quotas (``TopologySettings``), read from the config's
section or from the file it names."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Literal, Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator

from safe_io.inputs import TOPOLOGY_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_toml

from ..fields import AccountConfig, DiscoveryChannel, PatternSettings, StrictModel, lattice_name
from ..lattice_rules import AuthType
from ..project import PROJECT_ROOT
from .consumers import ConsumerConfig
from .rules import _ORGANIZATION_ARN, _PATH, _PRINCIPAL, HTTP_METHODS, QUOTAS, TABLES, _name
from .services import ServiceConfig


class NetworkConfig(StrictModel):
    """A service network: who owns it, how it authorizes, how it is shared."""

    owner: str = Field(description="The account (a name under `accounts`) that owns the network.")
    auth_type: AuthType = Field(
        default="AWS_IAM",
        description="`AWS_IAM`: its auth policy, compiled from `access`, admits only the granted consumers' accounts; `NONE`: no network-level check.",
    )
    sharing: Literal["ram", "organization"] = Field(
        default="ram",
        description="`ram`: a RAM share with each account that uses the network, accepted there unless both accounts are in `organization`; `organization`: one share with `organization.arn`, nothing to accept.",
    )
    access_logs: bool = Field(default=False, description="Access logs of the network to a CloudWatch log group of its owner, kept 365 days.")


class AccessIntent(StrictModel):
    """Who may call what. Everything not granted is denied."""

    source: str = Field(alias="from", description="The consumer (a name under `consumers`) whose VPC the calls come from.")
    to: str = Field(description="The service (a name under `services`) they call.")
    methods: list[str] = Field(default_factory=list, description="HTTP methods granted (all when empty).")
    paths: list[str] = Field(default_factory=list, description="Paths granted, `*` and `?` as wildcards (`/orders*`); all when empty.")
    principals: list[str] = Field(
        default_factory=list,
        description="IAM role or user ARNs that must sign the calls (SigV4); empty: any caller in the VPC, signed or not.",
    )

    @field_validator("methods")
    @classmethod
    def _methods(cls, value: list[str]) -> list[str]:
        for method in value:
            if method not in HTTP_METHODS:
                raise ValueError(f"{method!r}: must be one of {', '.join(HTTP_METHODS)}")
        return value

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        for path in value:
            if not _PATH(path):
                raise ValueError(f"{path!r}: a path starts with '/' ('*' and '?' match any characters)")
        return value

    @field_validator("principals")
    @classmethod
    def _principals(cls, value: list[str]) -> list[str]:
        for principal in value:
            if not _PRINCIPAL(principal):
                raise ValueError(f"{principal!r}: must be an IAM role, user or account root ARN like arn:aws:iam::123456789012:role/name")
        return value


class OrganizationConfig(StrictModel):
    """The AWS Organization that networks with `sharing = "organization"` are shared
    with, RAM sharing with it enabled (it must be, to share with it), and which
    accounts of the topology are its members."""

    arn: str = Field(description="The organization's ARN, arn:aws:organizations::<management account>:organization/o-...")
    members: Optional[list[str]] = Field(
        default=None,
        description=(
            "The accounts (names under `accounts`) in the organization; unset: every account of the topology. A member gets a network "
            "shared with it by another member without an invitation (nothing to accept); an account outside accepts the share's invitation."
        ),
    )

    @field_validator("arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not _ORGANIZATION_ARN(value):
            raise ValueError("must be an organization ARN like arn:aws:organizations::123456789012:organization/o-abcdefghij")
        return value


class TopologySettings(PatternSettings):
    """Your own layout: accounts, networks, services, consumers and the access intents."""

    enabled: bool = Field(default=False, description="Synthesize the topology's stacks.")
    discovery: DiscoveryChannel = Field(
        default="remote_state",
        description="How ids cross stacks: `remote_state` (outputs read from the producers' state) or `secrets_manager` (a discovery secret per producing stack, with its KMS key, read by the accounts that need it).",
    )
    file: Optional[str] = Field(
        default=None,
        description="A TOML file (relative to the project) holding the tables below instead of this section; its problems are reported as if written here.",
    )
    accounts: dict[str, AccountConfig] = Field(default_factory=dict, description="Account name -> account.")
    organization: Optional[OrganizationConfig] = Field(default=None, description="Needed by networks shared within the organization.")
    networks: dict[str, NetworkConfig] = Field(default_factory=dict, description="Service network name -> network.")
    services: dict[str, ServiceConfig] = Field(default_factory=dict, description="Lattice service name -> service.")
    consumers: dict[str, ConsumerConfig] = Field(default_factory=dict, description="Consumer name (the VPC's Name tag) -> consumer.")
    access: list[AccessIntent] = Field(default_factory=list, description="Who may call what; everything else is denied.")
    quotas: dict[str, int] = Field(
        default_factory=dict,
        description=f"Quotas raised in your accounts, checked instead of the defaults ({', '.join(f'{k} = {v}' for k, v in QUOTAS.items())}).",
    )

    @field_validator("quotas")
    @classmethod
    def _quotas(cls, value: dict[str, int]) -> dict[str, int]:
        for name, limit in value.items():
            if name not in QUOTAS:
                raise ValueError(f"{name!r}: not a quota the topology checks (one of {', '.join(QUOTAS)})")
            if limit < QUOTAS[name]:
                raise ValueError(f"{name} = {limit}: below the default of {QUOTAS[name]} (quotas are only raised)")
        return value

    def quota(self, name: str) -> int:
        return self.quotas.get(name, QUOTAS[name])

    @model_validator(mode="before")
    @classmethod
    def _read_file(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("file"), str):
            return data  # no file, or not a path: the field's own check reports it
        name = data["file"]
        inline = [table for table in TABLES if table in data]
        if inline:
            raise ValueError(f"file = {name!r}: the topology is read from the file; remove {', '.join(inline)} from this section or from the file")
        raw = read_topology_file(Path(name) if Path(name).is_absolute() else PROJECT_ROOT / name, shown=name)
        return {**data, **raw}

    @field_validator("accounts", "networks", "services", "consumers")
    @classmethod
    def _names(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """Each table's keys are names with a rule: a service network's or a service's
        are Lattice names, the others prefix construct ids and Terraform names."""
        for name in value:
            try:
                _NAME_RULES[info.field_name](name)
            except ValueError as broken:
                raise ValueError(f"{name!r}: {broken}") from None
        return value


_NAME_RULES: dict[Optional[str], Callable[[str], str]] = {
    "accounts": lambda name: _name("account", name),
    "networks": lambda name: lattice_name("service network", name),
    "services": lambda name: lattice_name("service", name),
    "consumers": lambda name: _name("consumer", name),
}


def read_topology_file(path: Path, *, shown: str) -> dict[str, Any]:
    """The tables of a topology file (a regular file of at most 4 MiB of TOML);
    ValueError naming the file otherwise."""
    try:
        raw = parse_toml(read_text(path, limit=TOPOLOGY_LIMIT), shown)
    except (InputError, StructureError) as error:
        raise ValueError(f"file = {shown!r}: {error.reason}") from None
    unknown = sorted(set(raw) - set(TABLES))
    if unknown:
        raise ValueError(f"file = {shown!r}: unknown table {', '.join(unknown)} (a topology file holds {', '.join(TABLES)})")
    return raw


