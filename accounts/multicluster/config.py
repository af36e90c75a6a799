"""Multi-cluster secure communication, config side (seed 004: the EKS Blueprints
pattern ``patterns/vpc-lattice/cross-cluster-pod-communication``;
../shared/spec/seed-004-multicluster.md). Two EKS clusters whose VPCs have the same
CIDR talk through one VPC Lattice service network; pods sign their requests with
an EKS Pod Identity role, and each cluster's service admits only the other
cluster's ``apps`` namespace, by the session tags EKS sets.

Where the original let the AWS Gateway API controller create the service network
and the VPC associations (and needed AWS CLI scripts to remove them), Terraform
owns them here: ``cdktf destroy`` in reverse order cleans up."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Iterable

from pydantic import AfterValidator, Field, field_validator, model_validator

from lattice_model.fields import (
    AccountConfig,
    IamRoleName,
    InstanceType,
    LatticeNetworkName,
    PatternSettings,
    domain_like,
    fitting,
)
from lattice_model.subnet_plan import VpcLayout
from lattice_model.text_rule import text_rule
from pins import ledger, version_key

from ..registry import AccountRole, NameClaim, PatternSpec, account_scope, required_account
from ..stack_ids import PROVIDER_ID

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "multicluster"
ENVIRONMENT_STACK = f"{NAME}-environment"
CLUSTERS_ROLE = AccountRole("clusters", "Owns the EKS clusters, their service network and Pod Identity role (multicluster pattern).")
AZS = 3  # as the original
# The original's private CA root (environment/pca.tf): RSA_4096 signing with SHA512WITHRSA.
# Its certificates keep 2048-bit RSA keys, the only ones VPC Lattice takes.
CA_KEY_ALGORITHM, CA_SIGNING_ALGORITHM = "RSA_4096", "SHA512WITHRSA"
PRIVATE_PREFIX, PUBLIC_PREFIX = 20, 24  # the original's cidrsubnet(cidr, 4, k) and cidrsubnet(cidr, 8, k + 48)
APP_NAMESPACE = "apps"
APP_SERVICE_ACCOUNT = "default"
CONTROLLER_NAMESPACE = "aws-application-networking-system"
CONTROLLER_SERVICE_ACCOUNT = "gateway-api-controller"
_CLUSTER = text_rule(r"[a-z][a-z0-9-]{0,30}[a-z0-9]")
# Kubernetes versions in EKS standard support, with their dates (the EKS release
# calendar), in the ledger (pins/ledger.toml), which a test holds to the day it runs;
# the controller v2.1 needs 1.31 or later (a ledger fact too).
_EKS = ledger().pins["eks-kubernetes"]
SUPPORTED_VERSIONS = tuple(sorted(_EKS.facts["standard_support"], key=version_key))
DEFAULT_KUBERNETES_VERSION = _EKS.version


def cluster_layout(cidr: str) -> VpcLayout:
    """Private /20s for the nodes and pods, public /24s for the NAT gateway, in three zones."""
    return VpcLayout(cidr, AZS, {"private": PRIVATE_PREFIX, "public": PUBLIC_PREFIX})


def cluster_stack_name(cluster: str) -> str:
    return f"{NAME}-{cluster}"


def platform_stack_name(cluster: str) -> str:
    """The cluster's Gateway API CRDs and controller (kubernetes and helm providers)."""
    return f"{cluster_stack_name(cluster)}-platform"


def apps_stack_name(cluster: str) -> str:
    """The objects of those kinds: GatewayClass, Gateway, the demo app and its route."""
    return f"{cluster_stack_name(cluster)}-apps"


def zone_access_stack_name(cluster: str) -> str:
    """For a cluster in another account: the zone account's authorization of its VPC."""
    return f"{cluster_stack_name(cluster)}-zone-access"


def eks_cluster_name(cluster: str) -> str:
    """The original's ``eks-<workspace>``: the session tag eks-cluster-name carries it."""
    return f"eks-{cluster}"


class MulticlusterSettings(PatternSettings):
    enabled: bool = Field(default=False, description="Synthesize the multi-cluster pattern's stacks (EKS clusters cost by the hour).")
    domain: Annotated[str, AfterValidator(domain_like(example="vpc-lattice-octank.io"))] = Field(default="vpc-lattice-octank.io", description="Private domain: demo-<cluster>.<domain> names each cluster's service.")
    organization: str = Field(default="octank", description="Organization (O) of the private CA's subject.")
    clusters: list[str] = Field(
        default_factory=lambda: ["cluster1", "cluster2"],
        description="Cluster names (stack multicluster-<name>, EKS cluster eks-<name>); each admits only the others' apps namespace.",
    )
    cluster_vpc_cidr: Annotated[str, AfterValidator(fitting(cluster_layout))] = Field(default="10.0.0.0/16", description="Every cluster's VPC, the same on purpose: Lattice does not care that they overlap.")
    kubernetes_version: str = Field(default=DEFAULT_KUBERNETES_VERSION, description=f"EKS Kubernetes version, one in standard support ({', '.join(SUPPORTED_VERSIONS)}).")
    node_instance_type: InstanceType = Field(default="m5.large", description="Managed node group instance type (the original's).")
    node_count: int = Field(default=3, description="Nodes per cluster (desired and minimum; maximum 10, as the original).")
    service_network_name: LatticeNetworkName = Field(default="lattice-gateway", description="The service network (and the Gateway of the same name).")
    client_role_name: IamRoleName = Field(default="vpc-lattice-ccpc-sigv4-client", description="The Pod Identity role the apps sign with.")
    accounts: dict[str, AccountConfig] = Field(
        default_factory=dict,
        description=(
            "Cluster name -> an account of its own; a cluster not listed is in accounts.clusters, which owns the service network, "
            "the private zone and the CA and shares them by RAM with the others (controller v2.0.0 or later)."
        ),
    )
    ram_within_organization: bool = Field(
        default=False, description="true: the accounts share one AWS Organization with RAM sharing on (no invitations); false: external shares, accepted."
    )

    @field_validator("clusters")
    @classmethod
    def _clusters(cls, value: list[str]) -> list[str]:
        if len(value) < 2:
            raise ValueError("give at least two clusters: each admits the others")
        bad = [c for c in value if not _CLUSTER(c) or "--" in c]
        if bad:
            raise ValueError(f"{bad[0]!r}: a cluster name is 2-32 lowercase letters, digits or hyphens, starting with a letter")
        if len(set(value)) != len(value):
            raise ValueError("cluster names must be distinct")
        return value

    @model_validator(mode="after")
    def _accounts_name_clusters(self) -> "MulticlusterSettings":
        unknown = sorted(set(self.accounts) - set(self.clusters))
        if unknown:
            raise ValueError(f"accounts names {unknown[0]!r}, which is not one of clusters ({', '.join(self.clusters)})")
        return self

    def account_of(self, config: "LatticeConfig", cluster: str) -> AccountConfig:
        """The account of ``cluster``: its own, or accounts.clusters."""
        return self.accounts.get(cluster) or required_account(config, CLUSTERS_ROLE)

    def other_accounts(self, config: "LatticeConfig") -> list[str]:
        """The accounts of the clusters listed in ``accounts`` (each receives the shares)."""
        return sorted({account.id for account in self.accounts.values()})

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value not in SUPPORTED_VERSIONS:
            raise ValueError(f"{value!r} is not in EKS standard support (as of {_EKS.read}, pins/ledger.toml): choose one of {', '.join(SUPPORTED_VERSIONS)}")
        return value

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str) -> str:
        # the certificate subject's O: X.509 allows 1-64 characters (RFC 5280, ub-organization-name)
        if not 1 <= len(value) <= 64 or not value.isprintable():
            raise ValueError("an organization name (the certificates' O) is 1-64 printable characters")
        return value

    @field_validator("node_count")
    @classmethod
    def _nodes(cls, value: int) -> int:
        if not 1 <= value <= 10:
            raise ValueError("must be between 1 and 10 (the node group's maximum)")
        return value


def cluster_stacks(settings: MulticlusterSettings, cluster: str) -> tuple[str, ...]:
    """The stacks of ``cluster``, in deploy order."""
    access = (zone_access_stack_name(cluster),) if cluster in settings.accounts else ()
    return (cluster_stack_name(cluster), *access, platform_stack_name(cluster), apps_stack_name(cluster))


def _claims(config: LatticeConfig, settings: MulticlusterSettings) -> Iterable[NameClaim]:
    account = required_account(config, CLUSTERS_ROLE)
    where = account_scope(account.id)
    field = "patterns.multicluster"
    yield NameClaim("stack name", "the app", ENVIRONMENT_STACK, "the multicluster pattern", fixed=True)
    yield NameClaim("Lattice service network name", where, settings.service_network_name, f"{field}.service_network_name")
    yield NameClaim("IAM role name", where, settings.client_role_name, f"{field}.client_role_name")
    for other in settings.other_accounts(config):
        yield NameClaim("IAM role name", account_scope(other), settings.client_role_name, f"{field}.client_role_name")
    for cluster in settings.clusters:
        for stack in cluster_stacks(settings, cluster):
            yield NameClaim("stack name", "the app", stack, f"{field}.clusters")
            yield NameClaim("construct id", f"stack {stack}", PROVIDER_ID, "the AWS provider", fixed=True)
        home = settings.account_of(config, cluster)
        yield NameClaim("EKS cluster name", where if home.id == account.id else account_scope(home.id), eks_cluster_name(cluster), f"{field}.clusters")


def _checks(config: LatticeConfig, settings: MulticlusterSettings) -> Iterable[str]:
    home = required_account(config, CLUSTERS_ROLE).id
    for cluster, account in sorted(settings.accounts.items()):
        if account.id == home:
            yield (f"patterns.multicluster.accounts.{cluster}.id = {account.id!r}: is accounts.clusters.id; list a cluster here only "
                   "when it has an account of its own (the others are in accounts.clusters)")


PATTERN = PatternSpec(
    name=NAME,
    summary="Two EKS clusters with the same VPC CIDR calling each other through VPC Lattice, signed with Pod Identity session tags.",
    settings=MulticlusterSettings,
    position=60,
    roles=(CLUSTERS_ROLE,),
    stack_names=lambda settings: (ENVIRONMENT_STACK, *(name for c in settings.clusters for name in cluster_stacks(settings, c))),
    checks=_checks,
    claims=_claims,
)
