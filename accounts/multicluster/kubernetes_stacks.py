"""Multi-cluster secure communication (seed 004), the part inside each cluster:

- ``multicluster-<cluster>-platform``: the Gateway API CRDs (the release the
  controller supports), the controller itself (its chart, pinned) and ExternalDNS,
  which writes each route's name into the private zone.
- ``multicluster-<cluster>-apps``: the objects of those kinds
  (accounts/multicluster/kubernetes.py): GatewayClass, Gateway, the demo app, its
  route and auth policy. ``kubernetes_manifest`` needs a kind's CRD at plan time,
  hence the two stacks, applied in order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from constructs_lib.kubernetes import ManifestsFromUrl, connect_to_eks, helm_release, kubernetes_manifest
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import Construct

from ..base import AccountStack, Deployment
from ..discovery import RemoteOutputs
from ..registry import required_account
from .config import (
    CLUSTERS_ROLE,
    CONTROLLER_NAMESPACE,
    CONTROLLER_SERVICE_ACCOUNT,
    NAME,
    MulticlusterSettings,
    apps_stack_name,
    eks_cluster_name,
    platform_stack_name,
)
from .controller import (
    CHART,
    CHART_VERSION,
    EXTERNAL_DNS_CHART,
    EXTERNAL_DNS_NAMESPACE,
    EXTERNAL_DNS_REPOSITORY,
    EXTERNAL_DNS_VERSION,
    GATEWAY_API_CRDS,
    external_dns_values,
    records_role_arn,
)
from .kubernetes import demo_objects, platform_objects
from .outputs import CERTIFICATE_ARN, CERTIFICATE_AUTHORITY_ARN, CLUSTER_NAME, VPC_ID, ZONE_ID

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

    from .stacks import MulticlusterClusterStack, MulticlusterEnvironmentStack, MulticlusterZoneAccessStack


class MulticlusterPlatformStack(AccountStack):
    """The Gateway API CRDs, the controller and ExternalDNS (the routes' names in the private zone), in one cluster."""

    def __init__(
        self,
        scope: Construct,
        *,
        deployment: Deployment,
        config: LatticeConfig,
        settings: MulticlusterSettings,
        cluster: str,
        cluster_stack: MulticlusterClusterStack,
        zone_access: MulticlusterZoneAccessStack | None = None,
        environment: MulticlusterEnvironmentStack | None = None,
    ) -> None:
        super().__init__(
            scope, platform_stack_name(cluster), deployment=deployment, account=settings.account_of(config, cluster), pattern=NAME,
            role=f"{cluster}-platform",
        )
        outputs = RemoteOutputs(self, cluster_stack)
        records_role = None
        if zone_access is not None and environment is not None:  # a cluster of another account: its VPC joins the zone here
            self.add_dependency(zone_access)
            aws.route53_zone_association.Route53ZoneAssociation(
                self, "zone-association", zone_id=RemoteOutputs(self, environment).get(ZONE_ID), vpc_id=outputs.get(VPC_ID)
            )
            records_role = records_role_arn(required_account(config, CLUSTERS_ROLE).id, eks_cluster_name(cluster))
        connect_to_eks(self, outputs.get(CLUSTER_NAME), helm=True)
        crds = ManifestsFromUrl(self, "gateway-api-crds", url=GATEWAY_API_CRDS)
        repository, _, chart = CHART.rpartition("/")
        controller = helm_release(
            self,
            "gateway-api-controller",
            name="gateway-api-controller",
            repository=repository,
            chart=chart,
            version=CHART_VERSION,
            namespace=CONTROLLER_NAMESPACE,
            values={
                "clusterName": outputs.get(CLUSTER_NAME),
                "clusterVpcId": outputs.get(VPC_ID),
                "awsRegion": self.region,
                "awsAccountId": self.account_id,
                "serviceAccount": {"create": True, "name": CONTROLLER_SERVICE_ACCOUNT},
                "installExternalDNSCRD": True,  # the DNSEndpoint kind, which ExternalDNS reads
                # no defaultServiceNetwork: Terraform owns the network and this VPC's association
            },
            depends_on=[crds.resource],
        )
        helm_release(
            self,
            "external-dns",
            name="external-dns",
            repository=EXTERNAL_DNS_REPOSITORY,
            chart=EXTERNAL_DNS_CHART,
            version=EXTERNAL_DNS_VERSION,
            namespace=EXTERNAL_DNS_NAMESPACE,
            values=external_dns_values(settings.domain, eks_cluster_name(cluster), records_role),
            depends_on=[controller],
        )


class MulticlusterAppsStack(AccountStack):
    """GatewayClass, Gateway and the cluster's demo app with its route and auth policy."""

    def __init__(
        self,
        scope: Construct,
        *,
        deployment: Deployment,
        config: LatticeConfig,
        settings: MulticlusterSettings,
        cluster: str,
        cluster_stack: MulticlusterClusterStack,
        platform: MulticlusterPlatformStack,
        environment: MulticlusterEnvironmentStack,
    ) -> None:
        super().__init__(
            scope, apps_stack_name(cluster), deployment=deployment, account=settings.account_of(config, cluster), pattern=NAME, role=f"{cluster}-apps"
        )
        self.add_dependency(platform)  # the CRDs and the controller first
        shared = RemoteOutputs(self, environment)
        own = RemoteOutputs(self, cluster_stack)
        connect_to_eks(self, own.get(CLUSTER_NAME))
        # the certificate of this account: the environment's, or the cluster stack's for a cluster of another account
        certificate = (own if cluster in settings.accounts else shared).get(CERTIFICATE_ARN)
        callers = sorted({settings.account_of(config, c).id for c in settings.clusters if c != cluster})
        objects = platform_objects(settings, certificate_arn=certificate) + demo_objects(
            settings, cluster, region=self.region, caller_accounts=callers, certificate_authority_arn=shared.get(CERTIFICATE_AUTHORITY_ARN)
        )
        namespaces = [kubernetes_manifest(self, _object_id(o), manifest=o) for o in objects if o["kind"] == "Namespace"]
        for obj in objects:
            if obj["kind"] != "Namespace":
                kubernetes_manifest(self, _object_id(obj), manifest=obj, depends_on=namespaces)


def _object_id(obj: dict[str, object]) -> str:
    """``<kind>-<name>``, lower case: one construct id per object of a cluster."""
    metadata = obj["metadata"]
    assert isinstance(metadata, dict)
    return f"{str(obj['kind']).lower()}-{metadata['name']}"
