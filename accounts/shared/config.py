"""Shared service with isolated networks, config side (seed 001; Pulumi in the
original; docs/reference-layouts.md section 3): a common-services account serves
tenants that must never share a service network."""
from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Iterable, Optional

from pydantic import Field

from lattice_model.aws_names import account_wide_name
from lattice_model.fields import NAME as NAME_PATTERN
from lattice_model.fields import AccountConfig, AuthPolicyMode, PatternSettings, StrictModel
from lattice_model.subnet_plan import VpcLayout

from ..registry import AccountRole, NameClaim, PatternSpec, account_scope, required_account
from ..stack_ids import PROVIDER_ID

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "shared"
COMMON_STACK = "shared-common-account"
COMMON = AccountRole("common", "Common-services account of the shared-service pattern (DirectoryService).")
SERVICE_NAME = "shared-service"
TARGET_GROUP_NAME = "shared-service-target"
DIRECTORY_FUNCTION = f"{NAME}-DirectoryService"
ALB_NAME = "DirectoryServiceLb"
TENANT_NAME_MAX = 20
AZS = 2
# Construct ids of the common stack that are not derived from a tenant name.
COMMON_FIXED_IDS = (
    PROVIDER_ID, "main", "main-igw", "lattice-prefix-list", "directory-lambda-sg", "directory",
    "directory-alb-sg", "directory-alb", "shared-service-target", "shared-service", "shared-service-listener",
)
from typing import Annotated

from pydantic import AfterValidator

from lattice_model.fields import LatticeNetworkName, fitting


def main_layout(cidr: str) -> VpcLayout:
    """The common account's main VPC: public and app /22s in two zones."""
    return VpcLayout(cidr, AZS, {"public": 22, "app": 22})


def network_vpc_layout(cidr: str) -> VpcLayout:
    """A tenant's peered network VPC in the common account: peer /24s in two zones."""
    return VpcLayout(cidr, AZS, {"peer": 24})


def tenant_vpc_layout(cidr: str) -> VpcLayout:
    """A tenant's own VPC: app /24s in two zones."""
    return VpcLayout(cidr, AZS, {"app": 24})


def tenant_stack_name(tenant: str) -> str:
    return f"{NAME}-{tenant}-account"


def tenant_construct_ids(tenant: str) -> tuple[str, str, str]:
    """The common stack's constructs for ``tenant``: network VPC, peering, service network."""
    return f"{tenant}-network", f"{tenant}-peering", f"{tenant}-service-network"


def tenant_function_name(tenant: str) -> str:
    return f"{NAME}-{tenant.capitalize()}Function"


class TenantConfig(StrictModel):
    """One isolated tenant of the shared-service pattern (blue, green)."""

    account: AccountConfig = Field(description="The tenant's own account.")
    service_network: LatticeNetworkName = Field(description="Name of the tenant's service network in the common account.")
    network_vpc_cidr: Annotated[str, AfterValidator(fitting(network_vpc_layout))] = Field(description="CIDR of the common account's peered network VPC for this tenant.")
    vpc_cidr: Annotated[str, AfterValidator(fitting(tenant_vpc_layout))] = Field(description="CIDR of the tenant's own VPC.")
    query: Optional[str] = Field(default=None, description="Value of `q` the tenant may ask for (default: the tenant's name).")


def tenant_query(name: str, tenant: TenantConfig) -> str:
    return tenant.query or name


def _default_tenants() -> dict[str, TenantConfig]:
    return {}


class SharedSettings(PatternSettings):
    enabled: bool = Field(default=False, description="Synthesize the shared-service pattern's stacks.")
    auth_policy: AuthPolicyMode = Field(
        default="least_privilege",
        description="least_privilege: networks admit only their tenant's VPCs; open: networks with auth type NONE, as in the original.",
    )
    main_vpc_cidr: Annotated[str, AfterValidator(fitting(main_layout))] = Field(default="10.0.0.0/16", description="The common account's main VPC (DirectoryService).")
    ram_within_organization: bool = Field(
        default=False,
        description="true: accounts share one AWS Organization with RAM sharing on (no invitations, as in the original); false: external shares, accepted by each tenant.",
    )
    tenants: dict[str, TenantConfig] = Field(
        default_factory=_default_tenants, description="Isolated tenants by name (stack `shared-<name>-account`)."
    )


def _checks(config: LatticeConfig, settings: SharedSettings) -> Iterable[str]:
    """Isolation, reported in full: every pair of tenants and every tenant against
    the main VPC and the common account. Two tenants naming one service network is
    refused as a name collision (the networks live in one account)."""
    tenants = settings.tenants
    if len(tenants) < 2:
        yield "patterns.shared.tenants: the shared-service pattern needs at least two isolated tenants (e.g. blue and green)"
    for name in tenants:
        if not NAME_PATTERN(name) or len(name) > TENANT_NAME_MAX:
            yield (
                f"patterns.shared.tenants.{name}: a tenant name is 1-{TENANT_NAME_MAX} lowercase letters, digits or "
                "hyphens, not starting or ending with a hyphen (it names the stack shared-<name>-account)"
            )
    names = list(tenants)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ta, tb = tenants[a], tenants[b]  # a shared service network is a name collision: see _claims
            if ipaddress.IPv4Network(ta.network_vpc_cidr).overlaps(ipaddress.IPv4Network(tb.network_vpc_cidr)):
                yield (
                    f"patterns.shared.tenants.{a}.network_vpc_cidr {ta.network_vpc_cidr} overlaps "
                    f"patterns.shared.tenants.{b}.network_vpc_cidr {tb.network_vpc_cidr}: each tenant needs its own "
                    "network VPC, peered with the main VPC"
                )
            if ta.account.id == tb.account.id:
                yield (
                    f"patterns.shared.tenants.{a}.account.id and patterns.shared.tenants.{b}.account.id are both "
                    f"{ta.account.id}: isolated tenants need their own accounts"
                )
    main = ipaddress.IPv4Network(settings.main_vpc_cidr)
    common = required_account(config, COMMON)
    for name, tenant in tenants.items():
        if ipaddress.IPv4Network(tenant.network_vpc_cidr).overlaps(main):
            yield (
                f"patterns.shared.tenants.{name}.network_vpc_cidr {tenant.network_vpc_cidr} overlaps "
                f"patterns.shared.main_vpc_cidr {settings.main_vpc_cidr}: peered VPCs cannot overlap"
            )
        if tenant.account.id == common.id:
            yield (
                f"patterns.shared.tenants.{name}.account.id is accounts.common.id ({common.id}): "
                "tenants live in their own accounts"
            )


def _claims(config: LatticeConfig, settings: SharedSettings) -> Iterable[NameClaim]:
    common = required_account(config, COMMON)
    account = account_scope(common.id)
    common_stack = f"stack {COMMON_STACK}"
    yield NameClaim("stack name", "the app", COMMON_STACK, "the shared pattern's common stack", fixed=True)
    yield NameClaim("Lattice service name", account, SERVICE_NAME, "the shared service", fixed=True)
    yield NameClaim("Lattice target group name", account, TARGET_GROUP_NAME, "the shared service's target group", fixed=True)
    yield NameClaim("Lambda function name", account, DIRECTORY_FUNCTION, "the DirectoryService function", fixed=True)
    yield NameClaim("load balancer name", account, ALB_NAME, "the DirectoryService load balancer", fixed=True)
    yield NameClaim("IAM name prefix", account, account_wide_name(NAME, "directory"), "the DirectoryService role", fixed=True)
    for construct_id in COMMON_FIXED_IDS:
        yield NameClaim("construct id", common_stack, construct_id, f"the common stack's {construct_id}", fixed=True)
    for name, tenant in settings.tenants.items():
        field = f"patterns.shared.tenants.{name}"
        yield NameClaim("stack name", "the app", tenant_stack_name(name), field)
        for construct_id in tenant_construct_ids(name):
            yield NameClaim("construct id", common_stack, construct_id, field)
        yield NameClaim("Lattice service network name", account, tenant.service_network, f"{field}.service_network")
        tenant_account = account_scope(tenant.account.id)
        yield NameClaim("Lambda function name", tenant_account, tenant_function_name(name), field)
        yield NameClaim("IAM name prefix", tenant_account, account_wide_name(NAME, f"{name}-caller"), field)


PATTERN = PatternSpec(
    name=NAME,
    summary="A common-services account serving isolated tenants (blue, green).",
    settings=SharedSettings,
    position=30,
    roles=(COMMON,),
    stack_names=lambda settings: (COMMON_STACK, *(tenant_stack_name(name) for name in settings.tenants)),
    checks=_checks,
    claims=_claims,
)
