"""Your own topology, config side: accounts, service networks, services, consumer
VPCs and who may call what (``[patterns.topology]``, or a file it names).

From it the pattern builds one stack per account and layer (stacks.py), and
``lattice_check verify`` proves that exactly the granted calls pass. The layers
deploy in a fixed order, so ``cdktf deploy 'topology-*'`` never meets a cycle:

1. networks: each account's service networks, their auth policies and RAM shares;
2. consumers: each account's VPCs, associated with a network (after its share is accepted);
3. services: each account's services, joined to their networks, with auth policies
   that name the consumer VPCs (whose ids the consumer stacks published).

An account with one layer has one stack, ``topology-<account>``; an account with
several has ``topology-<account>`` for its first and ``topology-<account>-<layer>``
for the others."""
from __future__ import annotations

import difflib
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator

from app_config.fields import NAME as NAME_PATTERN
from app_config.fields import (
    AccountConfig,
    DiscoveryChannel,
    PatternSettings,
    StrictModel,
    VpcConfig,
    acm_certificate_arn,
    certificate_placement_problem,
    dns_domain,
    lattice_name,
    subnets_fit,
    vpc_cidr,
)
from app_config.project import LAMBDA_SOURCES, PROJECT_ROOT
from safe_io.inputs import TOPOLOGY_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_toml
from constructs_lib.aws_names import iam_role_name_problem, lambda_role_name
from constructs_lib.lattice_rules import (
    AUTH_POLICY_MAX,
    DEFAULT_QUOTAS,
    FORWARD_TARGET_GROUPS,
    MATCH_HEADERS_MAX,
    RULE_PRIORITIES,
    AuthType,
    header_match_problem,
    health_check_path_problem,
    match_path_problem,
    name_problem,
)
from constructs_lib.subnet_plan import VpcLayout
from constructs_lib.text_rule import text_rule

from ..hello_settings import account_wide_name, consumer_stack_fixed_ids
from ..registry import NameClaim, PatternSpec, account_scope
from .grants import network_auth_policy, service_auth_policy

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "topology"
Layer = Literal["networks", "consumers", "services"]
LAYERS: tuple[Layer, ...] = ("networks", "consumers", "services")
TABLES = ("accounts", "organization", "networks", "services", "consumers", "access", "quotas")
# The adjustable quotas a topology can outgrow (constructs_lib.lattice_rules holds the defaults).
QUOTAS = {
    name: DEFAULT_QUOTAS[name]
    for name in (
        "rules_per_listener",
        "target_groups_per_service",
        "targets_per_target_group",
        "service_associations_per_service_network",
        "vpc_associations_per_service_network",
    )
}
HANDLER_FILE = "lambda_function.py"
HANDLER = "lambda_function.lambda_handler"
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
LISTENER_PORT = 80  # every topology service listens on HTTP 80; consumer VPCs' association groups admit it
HTTPS_PORT = 443  # and, with https, on 443
FUNCTION_NAME_MAX = 64
ENDPOINT_TIER = "lattice"  # the subnets of a consumer VPC's service-network endpoints
ENDPOINT_SUBNET_NETMASK = 28  # a free /28 per AZ, as a service-network endpoint needs
_PRINCIPAL = text_rule(r"arn:aws[a-z-]*:(iam::\d{12}:(role|user)/[\w+=,.@/-]+|iam::\d{12}:root|sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+)")
_PATH = text_rule(r"/[A-Za-z0-9._~!$&'()+,;=:@%/*?-]*")
_VPC_ID = text_rule(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_SUBNET_ID = text_rule(r"subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_INSTANCE_ID = text_rule(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ALB_ARN = text_rule(r"arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}")


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("a port is 1-65535")
    return value


def _vpc_id(value: str) -> str:
    if not _VPC_ID(value):
        raise ValueError("must be a VPC id: vpc- and 8 or 17 hexadecimal digits")
    return value
_ORGANIZATION_ARN = text_rule(r"arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}")


def _name(kind: str, value: str) -> str:
    if not NAME_PATTERN(value):
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(f"{article} {kind} name is 1-47 lowercase letters, digits and hyphens, starting and ending with a letter or digit")
    return value


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


class HostTargetsConfig(StrictModel):
    """IP addresses or EC2 instances serving a backend, in a VPC of the service's account."""

    vpc_id: str = Field(description="The VPC the targets are in (the target group's VPC).")
    targets: list[str] = Field(description="IP addresses (`ip`) or instance ids (`instance`).")
    port: int = Field(default=80, description="Port the targets listen on (HTTP).")
    health_check_path: str = Field(default="/", description="Path of the target group's HTTP health check.")

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, value: str) -> str:
        return _vpc_id(value)

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        return _port(value)

    @field_validator("health_check_path")
    @classmethod
    def _health_path(cls, value: str) -> str:
        problem = health_check_path_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("targets")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value or len(set(value)) != len(value):
            raise ValueError("names each target once, and at least one")
        return value


class AlbTargetConfig(StrictModel):
    """An Application Load Balancer that exists already, serving a backend."""

    arn: str = Field(description="The load balancer's ARN (arn:aws:elasticloadbalancing:...:loadbalancer/app/...).")
    vpc_id: str = Field(description="The load balancer's VPC.")
    port: int = Field(default=80, description="Its HTTP listener's port.")

    @field_validator("arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not _ALB_ARN(value):
            raise ValueError("must be an ALB ARN like arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/name/0123456789abcdef")
        return value

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, value: str) -> str:
        return _vpc_id(value)

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        return _port(value)


BACKEND_KINDS = ("lambda", "alb", "ip", "instance")


class BackendConfig(StrictModel):
    """What serves a service's traffic: one of a Python Lambda function from a folder
    of `lambda/`, an existing ALB, IP addresses or EC2 instances."""

    lambda_source: Optional[str] = Field(
        default=None, alias="lambda", description=f"A folder under `lambda/` holding `{HANDLER_FILE}` with `lambda_handler` (`hello`, for example)."
    )
    alb: Optional[AlbTargetConfig] = Field(default=None, description="An existing Application Load Balancer.")
    ip: Optional[HostTargetsConfig] = Field(default=None, description="IP targets.")
    instance: Optional[HostTargetsConfig] = Field(default=None, description="EC2 instance targets.")

    @field_validator("lambda_source")
    @classmethod
    def _folder(cls, value: Optional[str]) -> Optional[str]:
        # chosen from the folders there, never a path built from the value (which may be anything, of any length)
        known = sorted(p.parent.name for p in LAMBDA_SOURCES.glob(f"*/{HANDLER_FILE}"))
        if value is not None and value not in known:
            raise ValueError(f"no folder lambda/{value} with {HANDLER_FILE} (known: {', '.join(known)})")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> "BackendConfig":
        given = [kind for kind, value in zip(BACKEND_KINDS, (self.lambda_source, self.alb, self.ip, self.instance)) if value is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(BACKEND_KINDS)} (given: {', '.join(given) or 'none'})")
        if self.instance is not None:
            for target in self.instance.targets:
                if not _INSTANCE_ID(target):
                    raise ValueError(f"instance.targets: {target!r} is not an instance id (i- and 8 or 17 hexadecimal digits)")
        if self.ip is not None:
            for target in self.ip.targets:
                try:
                    ipaddress.IPv4Address(target)
                except ValueError:
                    raise ValueError(f"ip.targets: {target!r} is not an IPv4 address") from None
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind, value in zip(BACKEND_KINDS, (self.lambda_source, self.alb, self.ip, self.instance)) if value is not None)


class RouteConfig(StrictModel):
    """A listener rule: requests that match go to the backends of `forward`, by weight."""

    path: str = Field(default="/", description="Path prefix the request must start with.")
    method: Optional[str] = Field(default=None, description="HTTP method the request must use (any when unset).")
    headers: dict[str, str] = Field(default_factory=dict, description="Headers the request must carry, with these exact values.")
    forward: dict[str, int] = Field(description="Backend name -> weight (0-999); one backend at 100 sends everything to it.")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        problem = match_path_problem(value)
        if problem:
            raise ValueError(f"a route path is a prefix: {problem}")
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MATCH_HEADERS_MAX:
            raise ValueError(f"{len(value)} headers: a rule matches at most {MATCH_HEADERS_MAX}")
        for name, expected in value.items():
            problem = header_match_problem(name, expected)
            if problem:
                raise ValueError(f"{name!r} = {expected!r}: {problem}")
        return value

    @field_validator("method")
    @classmethod
    def _method(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and value not in HTTP_METHODS:
            raise ValueError(f"must be one of {', '.join(HTTP_METHODS)}")
        return value

    @field_validator("forward")
    @classmethod
    def _weights(cls, value: dict[str, int]) -> dict[str, int]:
        return _forward(value)


def _forward(value: dict[str, int]) -> dict[str, int]:
    low, high = FORWARD_TARGET_GROUPS
    if not low <= len(value) <= high:
        raise ValueError(f"names {len(value)} backends: a forward names {low} to {high} (target groups)")
    for backend, weight in value.items():
        if not 0 <= weight <= 999:
            raise ValueError(f"{backend} = {weight}: a weight is 0-999")
    if not any(value.values()):
        raise ValueError("at least one weight must be above 0")
    return value


class ServiceConfig(StrictModel):
    """A Lattice service: its owner, what serves it, its routes and the networks it joins."""

    owner: str = Field(description="The account (a name under `accounts`) that owns the service.")
    networks: list[str] = Field(description="The networks the service joins (names under `networks`).")
    backends: dict[str, BackendConfig] = Field(description="Backend name -> what serves it.")
    routes: list[RouteConfig] = Field(default_factory=list, description="Listener rules, in priority order (first match wins).")
    default: Optional[dict[str, int]] = Field(
        default=None, description="Where requests no route matches go (backend -> weight); unset: the only backend, or 404 when there are several."
    )
    https: bool = Field(default=False, description="An HTTPS listener on 443 too, with the same routes (the consumer VPCs' security groups admit 443).")
    custom_domain: Optional[str] = Field(default=None, description="A custom domain name for the service (your DNS points it at the service's name).")
    certificate_arn: Optional[str] = Field(
        default=None, description="ACM certificate for the custom domain, in the owner's account and the region: needed with `https` and `custom_domain`."
    )

    @field_validator("custom_domain")
    @classmethod
    def _domain(cls, value: Optional[str]) -> Optional[str]:
        return None if value is None else dns_domain(value, example="orders.example.internal", min_labels=3)

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: Optional[str]) -> Optional[str]:
        return acm_certificate_arn(value)

    @model_validator(mode="after")
    def _tls(self) -> "ServiceConfig":
        if self.https and self.custom_domain is not None and self.certificate_arn is None:
            raise ValueError("https with a custom_domain needs its certificate_arn: the listener presents it")
        if self.certificate_arn is not None and self.custom_domain is None:
            raise ValueError("certificate_arn without custom_domain: the service's own name has Lattice's certificate")
        return self

    @property
    def ports(self) -> tuple[int, ...]:
        return (LISTENER_PORT, HTTPS_PORT) if self.https else (LISTENER_PORT,)

    @field_validator("networks")
    @classmethod
    def _some_network(cls, value: list[str]) -> list[str]:
        if not value or len(set(value)) != len(value):
            raise ValueError("names each network the service joins, once")
        return value

    @field_validator("backends")
    @classmethod
    def _backend_names(cls, value: dict[str, BackendConfig]) -> dict[str, BackendConfig]:
        if not value:
            raise ValueError("a service needs at least one backend: nothing would serve it")
        for name in value:
            try:
                _name("backend", name)
            except ValueError as broken:
                raise ValueError(f"{name!r}: {broken}") from None
        return value

    @field_validator("default")
    @classmethod
    def _default(cls, value: Optional[dict[str, int]]) -> Optional[dict[str, int]]:
        return None if value is None else _forward(value)



class ExistingVpcConfig(StrictModel):
    """A VPC that exists already: the topology only associates it (and looks it up at
    plan, which fails unless a VPC of that id has that CIDR)."""

    id: str = Field(description="The VPC's id (vpc-...).")
    cidr_block: str = Field(description="Its IPv4 CIDR: the association's security group admits HTTP from it.")
    endpoint_subnet_ids: list[str] = Field(
        default_factory=list, description="With `endpoints`: the subnets (one per AZ, a free /28 each) the service-network endpoints go in."
    )

    @field_validator("id")
    @classmethod
    def _vpc_id(cls, value: str) -> str:
        return _vpc_id(value)

    @field_validator("cidr_block")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return vpc_cidr(value)

    @field_validator("endpoint_subnet_ids")
    @classmethod
    def _subnets(cls, value: list[str]) -> list[str]:
        for subnet in value:
            if not _SUBNET_ID(subnet):
                raise ValueError(f"{subnet!r}: must be a subnet id: subnet- and 8 or 17 hexadecimal digits")
        if len(set(value)) != len(value):
            raise ValueError("names each subnet once")
        return value


class ConsumerConfig(StrictModel):
    """A consumer VPC: its account, the VPC (created, or an existing one), the network
    it is associated with and the networks it reaches through endpoints."""

    account: str = Field(description="The account (a name under `accounts`) the VPC lives in.")
    networks: list[str] = Field(
        default_factory=list,
        description="The network the VPC is associated with (at most one name under `networks`: a VPC takes one service-network association).",
    )
    endpoints: list[str] = Field(
        default_factory=list,
        description="Further networks the VPC reaches through service-network VPC endpoints (one each, in a /28 per AZ of its own).",
    )
    vpc: Optional[VpcConfig] = Field(
        default=None, description="The VPC created for the consumer (its Name tag is the consumer's name); unset, and no `existing_vpc`: a VPC of these keys' defaults."
    )
    existing_vpc: Optional[ExistingVpcConfig] = Field(default=None, description="An existing VPC to associate instead of creating one.")

    @field_validator("networks")
    @classmethod
    def _one_association(cls, value: list[str]) -> list[str]:
        if len(value) > 1:
            raise ValueError(
                f"{len(value)} networks: a VPC takes one service-network association; reach the others through "
                "service-network endpoints: move them to endpoints"
            )
        return value

    @model_validator(mode="after")
    def _vpc_and_links(self) -> "ConsumerConfig":
        if self.vpc is not None and self.existing_vpc is not None:
            raise ValueError("set vpc (a VPC created for the consumer) or existing_vpc (one that exists), not both")
        if not self.networks and not self.endpoints:
            raise ValueError("reaches no network: give networks (its association) or endpoints")
        both = sorted(set(self.networks) & set(self.endpoints))
        if both or len(set(self.endpoints)) != len(self.endpoints):
            raise ValueError(f"endpoints: each network once, and not the associated one ({', '.join(both or self.endpoints)})")
        if self.endpoints and self.existing_vpc is not None and not self.existing_vpc.endpoint_subnet_ids:
            raise ValueError("existing_vpc.endpoint_subnet_ids is required with endpoints: a subnet per AZ with a free /28 for each endpoint")
        if self.endpoints and self.existing_vpc is None:
            subnets_fit(self.layout)
        return self

    @property
    def created_vpc(self) -> Optional[VpcConfig]:
        """The VPC to create; None for an existing one."""
        return None if self.existing_vpc is not None else self.vpc or VpcConfig()

    @property
    def reached(self) -> tuple[str, ...]:
        """Every network the VPC reaches: its association first, then its endpoints."""
        return (*self.networks, *self.endpoints)

    @property
    def layout(self) -> VpcLayout:
        """The created VPC's subnets: the consumer VPC's tiers, and a /28 per AZ for
        the service-network endpoints when it has any."""
        vpc = self.created_vpc or VpcConfig()
        tiers = dict(vpc.layout.tiers)
        if self.endpoints:
            tiers[ENDPOINT_TIER] = ENDPOINT_SUBNET_NETMASK
        return VpcLayout(vpc.layout.cidr_block, vpc.layout.number_azs, tiers)


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


# ---- the plan: which stack holds what, in deploy order (shared by the stacks, the
# ---- config checks, the README's stack list and lattice_check)


def layers_of(settings: TopologySettings, account: str) -> tuple[Layer, ...]:
    """The layers ``account`` has something in, in deploy order."""
    has = {
        "networks": any(n.owner == account for n in settings.networks.values()),
        "consumers": any(c.account == account for c in settings.consumers.values()),
        "services": any(s.owner == account for s in settings.services.values()),
    }
    return tuple(layer for layer in LAYERS if has[layer])


def stack_name(settings: TopologySettings, account: str, layer: Layer) -> str:
    layers = layers_of(settings, account)
    return f"{NAME}-{account}" if layers and layers[0] == layer else f"{NAME}-{account}-{layer}"


@dataclass(frozen=True)
class PlannedStack:
    name: str
    account: str
    layer: Layer


def planned_stacks(settings: TopologySettings) -> tuple[PlannedStack, ...]:
    """Every stack, in deploy order: all network stacks, then consumers, then services."""
    return tuple(
        PlannedStack(stack_name(settings, account, layer), account, layer)
        for layer in LAYERS
        for account in sorted(settings.accounts)
        if layer in layers_of(settings, account)
    )


def is_member(settings: TopologySettings, account: str) -> bool:
    """Whether ``account`` (a name) is in the topology's organization."""
    organization = settings.organization
    return organization is not None and (organization.members is None or account in organization.members)


def accepts_invitation(settings: TopologySettings, account: str, network: str) -> bool:
    """Whether ``account`` must accept a RAM invitation to use ``network``: it is
    shared by RAM from another account, and not inside the organization (with RAM
    sharing with Organizations enabled, a member gets what another member shares
    with it at once; an accepter there finds no invitation and fails)."""
    owner = settings.networks[network].owner
    if owner == account or settings.networks[network].sharing != "ram":
        return False
    return not (is_member(settings, owner) and is_member(settings, account))


def network_users(settings: TopologySettings, network: str) -> set[str]:
    """The accounts (names) whose VPCs reach ``network`` or whose services join it."""
    return {c.account for c in settings.consumers.values() if network in c.reached} | {
        s.owner for s in settings.services.values() if network in s.networks
    }


def first_layer_using(settings: TopologySettings, account: str, network: str) -> Layer:
    """The first layer of ``account`` whose stack uses ``network`` (consumers before services)."""
    if any(c.account == account and network in c.reached for c in settings.consumers.values()):
        return "consumers"
    return "services"


def consumer_ports(settings: TopologySettings, consumer: str) -> tuple[int, ...]:
    """The ports a consumer VPC's clients call: 80, and 443 when a service it reaches has HTTPS."""
    reached = set(settings.consumers[consumer].reached)
    https = any(s.https and reached & set(s.networks) for s in settings.services.values())
    return (LISTENER_PORT, HTTPS_PORT) if https else (LISTENER_PORT,)


def secret_name(stack: str) -> str:
    """The discovery secret of a producing stack (with ``discovery = "secrets_manager"``)."""
    return f"{stack}-ids"


def function_name(service: str, backend: str) -> str:
    return f"{NAME}-{service}-{backend}"


def target_group_name(service: str, backend: str) -> str:
    return f"{service}-{backend}"


def share_accepter_id(network: str) -> str:
    """The construct id of the acceptance of ``network``'s RAM share in a stack."""
    return f"accept-{network}"


def _known(field: str, value: str, table: str, names: Iterable[str]) -> Optional[str]:
    known = sorted(names)
    if value in known:
        return None
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"patterns.{NAME}.{field} = {value!r}: no such name under patterns.{NAME}.{table} (known: {', '.join(known) or 'none'}){hint}"


def _checks(config: "LatticeConfig", settings: TopologySettings) -> Iterable[str]:
    problems = list(topology_problems(settings))
    yield from problems
    if not problems:  # the policies are compiled from a topology whose names all resolve
        yield from policy_size_problems(settings, config.region)
    for name, service in settings.services.items():
        owner = settings.accounts.get(service.owner)
        if service.certificate_arn is not None and owner is not None:
            problem = certificate_placement_problem(
                f"patterns.{NAME}.services.{name}.certificate_arn", service.certificate_arn, owner.id, config.region, f"the custom domain of {name}"
            )
            if problem:
                yield problem


def topology_problems(settings: TopologySettings) -> Iterable[str]:
    """Rules across the topology's tables (each table valid on its own)."""
    where = f"patterns.{NAME}"
    accounts, networks, services, consumers = settings.accounts, settings.networks, settings.services, settings.consumers
    if not (networks or services or consumers):
        yield f"{where} is enabled but declares no networks, services or consumers: nothing to synthesize"
    for name, network in networks.items():
        problem = _known(f"networks.{name}.owner", network.owner, "accounts", accounts)
        if problem:
            yield problem
        if network.sharing == "organization" and settings.organization is None:
            yield f"{where}.networks.{name}.sharing = 'organization': {where}.organization.arn is required to share within an organization"
        elif network.sharing == "organization" and not is_member(settings, network.owner):
            yield f"{where}.networks.{name}.sharing = 'organization': its owner {network.owner} is not in {where}.organization.members; only a member shares with its organization"
        elif network.sharing == "organization":
            outside = sorted(user for user in network_users(settings, name) if user in accounts and not is_member(settings, user))
            if outside:
                yield (
                    f"{where}.networks.{name}.sharing = 'organization': {', '.join(outside)} {'uses' if len(outside) == 1 else 'use'} it but "
                    f"{'is' if len(outside) == 1 else 'are'} not in {where}.organization.members, and a share with the organization reaches "
                    "its members only: make them members, or share the network by RAM (sharing = \"ram\")"
                )
    for name, service in services.items():
        problem = _known(f"services.{name}.owner", service.owner, "accounts", accounts)
        if problem:
            yield problem
        for index, joined in enumerate(service.networks):
            problem = _known(f"services.{name}.networks[{index}]", joined, "networks", networks)
            if problem:
                yield problem
        if len(service.routes) > RULE_PRIORITIES[1]:
            yield (
                f"{where}.services.{name}.routes: {len(service.routes)} routes: each is a listener rule, and rules take the priorities "
                f"{RULE_PRIORITIES[0]}-{RULE_PRIORITIES[1]} whatever the quota; merge routes"
            )
        for index, route in enumerate(service.routes):
            for backend in route.forward:
                problem = _known(f"services.{name}.routes[{index}].forward.{backend}", backend, f"services.{name}.backends", service.backends)
                if problem:
                    yield problem
        for backend in (service.default or {}):
            problem = _known(f"services.{name}.default.{backend}", backend, f"services.{name}.backends", service.backends)
            if problem:
                yield problem
        for backend, serving in service.backends.items():
            group = target_group_name(name, backend)
            problem = name_problem("target group", group)
            if problem:
                yield f"{where}.services.{name}.backends.{backend}: its target group would be named {group!r}: {problem}; rename the service or the backend"
            if serving.lambda_source is None:
                continue
            function = function_name(name, backend)
            role = lambda_role_name(account_wide_name(NAME, f"{name}-{backend}"))
            problem = iam_role_name_problem(role)
            if len(function) > FUNCTION_NAME_MAX:  # its role's name is longer still: one problem, one fix
                yield (
                    f"{where}.services.{name}.backends.{backend}: its function would be named {function!r}, {len(function)} characters: "
                    f"Lambda allows {FUNCTION_NAME_MAX}; shorten the service or backend name"
                )
            elif problem:
                yield f"{where}.services.{name}.backends.{backend}: its function's role would be named {role!r}: {problem}; shorten the service or backend name"
    yield from _quota_problems(settings)
    for name, consumer in consumers.items():
        problem = _known(f"consumers.{name}.account", consumer.account, "accounts", accounts)
        if problem:
            yield problem
        for field, joined_networks in (("networks", consumer.networks), ("endpoints", consumer.endpoints)):
            for index, joined in enumerate(joined_networks):
                problem = _known(f"consumers.{name}.{field}[{index}]", joined, "networks", networks)
                if problem:
                    yield problem
    for index, intent in enumerate(settings.access):
        field = f"{where}.access[{index}]"
        problems = [p for p in (_known(f"access[{index}].from", intent.source, "consumers", consumers), _known(f"access[{index}].to", intent.to, "services", services)) if p]
        yield from problems
        if problems:
            continue
        consumer, service = consumers[intent.source], services[intent.to]
        if not set(consumer.reached) <= set(networks) or not set(service.networks) <= set(networks):
            continue  # a network name is unknown, reported above: the path cannot be judged
        if not set(consumer.reached) & set(service.networks):
            yield (
                f"{field}: {intent.source} can never reach {intent.to}: the consumer's VPC is on {', '.join(consumer.reached)}, "
                f"the service joins {', '.join(service.networks)}; add a shared network to one of them"
            )
    for id_, names in _shared(((name, account.id) for name, account in accounts.items())).items():
        yield (
            f"{' and '.join(f'{where}.accounts.{name}.id' for name in names)} are {_both(names)} {id_}: an account has one name in a topology "
            "(its stacks and RAM shares are planned by name); use one name"
        )
    for network_name in sorted(networks):
        domains = [
            (name, service.custom_domain) for name, service in services.items() if network_name in service.networks and service.custom_domain is not None
        ]
        for domain, names in _shared(domains).items():
            yield (
                f"{' and '.join(f'{where}.services.{name}.custom_domain' for name in names)} are {_both(names)} {domain}: "
                f"they join network {network_name}, where a custom domain names one service"
            )
    existing = ((name, c.existing_vpc.id) for name, c in consumers.items() if c.existing_vpc is not None)
    for vpc_id, names in _shared(existing).items():
        yield (
            f"{' and '.join(f'{where}.consumers.{name}.existing_vpc.id' for name in names)} are {_both(names)} {vpc_id}: a VPC is one consumer "
            "(it takes one service-network association); use one consumer"
        )
    if settings.organization is not None:
        for index, member in enumerate(settings.organization.members or ()):
            problem = _known(f"organization.members[{index}]", member, "accounts", accounts)
            if problem:
                yield problem
    used = {n.owner for n in networks.values()} | {s.owner for s in services.values()} | {c.account for c in consumers.values()}
    if not used <= set(accounts):
        return  # an owner is misspelt, reported above: the account it meant would look unused
    for name in sorted(set(accounts) - used):
        yield f"{where}.accounts.{name}: owns no network, service or consumer; remove it, or give it something to deploy"


# Ids only known at apply, as long as AWS makes them: a policy measured with these is as long as the one applied.
_STAND_IN_VPC_ID = "vpc-" + "0" * 17
_STAND_IN_SERVICE_ID = "svc-" + "0" * 17


def policy_size_problems(settings: TopologySettings, region: str) -> Iterable[str]:
    """The auth policies the stacks compile from ``access``, measured before synth:
    each must stay within Lattice's limit."""
    def vpc_id_of(consumer: str) -> str:
        existing = settings.consumers[consumer].existing_vpc
        return existing.id if existing is not None else _STAND_IN_VPC_ID

    where = f"patterns.{NAME}"
    measured = [
        (f"{where}.networks.{name}", network_auth_policy(settings, name, region=region) if network.auth_type == "AWS_IAM" else None, False)
        for name, network in sorted(settings.networks.items())
    ]
    for name, service in sorted(settings.services.items()):
        arn = f"arn:aws:vpc-lattice:{region}:{settings.accounts[service.owner].id}:service/{_STAND_IN_SERVICE_ID}"
        measured.append((f"{where}.services.{name}", service_auth_policy(settings, name, service_arn=arn, vpc_id_of=vpc_id_of), True))
    for field, policy, encoded_at_apply in measured:
        if policy is None:
            continue
        size = applied_size(policy.text(), encoded_by_terraform=encoded_at_apply)
        if size > AUTH_POLICY_MAX:
            yield (
                f"{field}: its auth policy, compiled from {where}.access, would be {size} characters: VPC Lattice allows {AUTH_POLICY_MAX}; "
                "grant fewer principals or paths to it, or split it"
            )


def applied_size(document: str, *, encoded_by_terraform: bool) -> int:
    """The length of the policy AWS receives for ``document`` (compact JSON, sorted
    keys). A policy that names ids known only at apply is written by Terraform's
    jsonencode, which escapes < > & as \\u003c \\u003e \\u0026: five more each."""
    return len(document) + (5 * sum(document.count(c) for c in "<>&") if encoded_by_terraform else 0)


def _both(names: list[str]) -> str:
    return "both" if len(names) == 2 else "all"


def _shared(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """value -> the names that have it, for the values more than one name has."""
    holders: dict[str, list[str]] = {}
    for name, value in pairs:
        holders.setdefault(value, []).append(name)
    return {value: names for value, names in holders.items() if len(names) > 1}


def _quota_problems(settings: TopologySettings) -> Iterable[str]:
    where = f"patterns.{NAME}"

    def beyond(field: str, count: int, what: str, quota: str) -> Optional[str]:
        limit = settings.quota(quota)
        if count <= limit:
            return None
        raised = "the quota declared" if quota in settings.quotas else "the default quota"
        return (
            f"{where}.{field}: {count} {what}: more than {raised} of {limit}; if your accounts' quota is higher, "
            f"declare it: {where}.quotas.{quota} = {count}"
        )

    found: list[Optional[str]] = []
    for name, service in settings.services.items():
        found.append(beyond(f"services.{name}.routes", len(service.routes), "routes (listener rules)", "rules_per_listener"))
        found.append(beyond(f"services.{name}.backends", len(service.backends), "backends (target groups)", "target_groups_per_service"))
        for backend, serving in service.backends.items():
            hosts = serving.ip or serving.instance
            if hosts is not None:
                found.append(beyond(f"services.{name}.backends.{backend}", len(hosts.targets), "targets", "targets_per_target_group"))
    for network in settings.networks:
        joined = sum(network in s.networks for s in settings.services.values())
        associated = sum(network in c.networks for c in settings.consumers.values())
        found.append(beyond(f"networks.{network}", joined, "services join it", "service_associations_per_service_network"))
        found.append(beyond(f"networks.{network}", associated, "VPCs are associated with it", "vpc_associations_per_service_network"))
    return [problem for problem in found if problem]


def _claims(config: "LatticeConfig", settings: TopologySettings) -> Iterable[NameClaim]:
    where = f"patterns.{NAME}"
    for stack in planned_stacks(settings):
        yield NameClaim("stack name", "the app", stack.name, f"{where}.accounts.{stack.account}")
        if settings.discovery == "secrets_manager" and stack.layer != "services":
            yield NameClaim("secret name", account_scope(settings.accounts[stack.account].id), secret_name(stack.name), f"{where}.discovery")
    for name, network in settings.networks.items():
        account = settings.accounts.get(network.owner)
        if account is not None:
            yield NameClaim("Lattice service network name", account_scope(account.id), name, f"{where}.networks.{name}")
    for name, service in settings.services.items():
        account = settings.accounts.get(service.owner)
        if account is not None:
            yield NameClaim("Lattice service name", account_scope(account.id), name, f"{where}.services.{name}")
            for backend, serving in service.backends.items():
                field = f"{where}.services.{name}.backends.{backend}"
                yield NameClaim("Lattice target group name", account_scope(account.id), target_group_name(name, backend), f"{field} (its target group)")
                if serving.lambda_source is not None:
                    yield NameClaim("Lambda function name", account_scope(account.id), function_name(name, backend), field)
    yield from _consumer_stack_claims(settings)


def _consumer_stack_claims(settings: TopologySettings) -> Iterable[NameClaim]:
    """A consumers stack has a construct per consumer VPC, named as the consumer,
    beside the fixed ones: no consumer may take their ids."""
    for stack in planned_stacks(settings):
        if stack.layer != "consumers":
            continue
        where = f"stack {stack.name}"
        mine = sorted(name for name, consumer in settings.consumers.items() if consumer.account == stack.account)
        for name in mine:
            yield NameClaim("construct id", where, name, f"patterns.{NAME}.consumers.{name}")
        reached = sorted({network for name in mine for network in settings.consumers[name].reached if network in settings.networks})
        owners = {settings.networks[network].owner for network in reached} & set(settings.accounts)
        fixed = consumer_stack_fixed_ids(sorted(stack_name(settings, owner, "networks") for owner in owners))
        for network in reached:
            if accepts_invitation(settings, stack.account, network):
                fixed[share_accepter_id(network)] = f"the acceptance of network {network}'s share"
        for construct_id, holder in fixed.items():
            yield NameClaim("construct id", where, construct_id, f"{holder} in {stack.name}", fixed=True)


def _stack_names(settings: TopologySettings) -> tuple[str, ...]:
    return tuple(stack.name for stack in planned_stacks(settings))


PATTERN = PatternSpec(
    name=NAME,
    summary="Your own accounts, networks, services, consumers and access intents; one stack per account and layer.",
    settings=TopologySettings,
    position=80,
    roles=(),
    stack_names=_stack_names,
    checks=_checks,
    claims=_claims,
    own_tables=tuple(table for table in TABLES if table != "accounts"),  # [accounts] is the config's own too
)
