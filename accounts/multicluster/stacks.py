"""Multi-cluster secure communication (seed 004), the part the AWS provider makes.

- ``multicluster-environment``: the private zone (anchored to a VPC that holds
  nothing: a private zone needs one at creation), the Pod Identity role the apps
  sign with, the private CA and the certificate for the domain and its wildcard
  (requested only once the CA certificate is installed), and the service network
  with its auth policy (signed callers only), which the original left to the
  controller and to AWS CLI clean-up scripts.
- ``multicluster-<cluster>`` for each cluster: a VPC with the same CIDR as the
  others, an EKS cluster with a managed node group and the add-ons (Pod Identity
  agent included), the cluster security group admitting VPC Lattice (the managed
  prefix list) on the app's port only, the VPC's association with the service
  network, the zone's association with the VPC, the Pod Identity associations of the
  apps and of the Gateway API controller (a role with the controller's documented
  permissions, not ``vpc-lattice:*``).

The Kubernetes objects (controller, Gateway, routes, auth policies, apps) need the
``kubernetes`` and ``helm`` providers, which are made apart from these stacks.
"""
from __future__ import annotations

from app_config.schema import LatticeConfig
from constructs_lib import aws
from constructs_lib.auth_policy import AuthPolicy, AuthStatement, authenticated_only
from constructs_lib.cdk import Construct, TerraformOutput, TerraformResourceLifecycle
from constructs_lib.checkov import accept_risks
from constructs_lib.eks import EksCluster, EksClusterProps
from constructs_lib.iam import POD_IDENTITY_ACTIONS, POD_IDENTITY_PRINCIPAL, ServiceRole
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps
from constructs_lib.policy import Statement
from constructs_lib.private_ca import PrivateCertificate, RootCertificateAuthority, RootCertificateAuthorityProps
from constructs_lib.security_group import association_security_group, tcp
from constructs_lib.vpc import TieredVpc, TieredVpcProps

from ..base import AccountStack, Deployment
from ..discovery import RemoteOutputs
from ..registry import required_account
from .config import (
    APP_NAMESPACE,
    APP_SERVICE_ACCOUNT,
    CLUSTERS_ROLE,
    CONTROLLER_NAMESPACE,
    CONTROLLER_SERVICE_ACCOUNT,
    ENVIRONMENT_STACK,
    NAME,
    MulticlusterSettings,
    cluster_layout,
    cluster_stack_name,
    eks_cluster_name,
)
from .controller import controller_policy

APP_PORT = 8090  # the demo container's port: Lattice sends to pod addresses on it
NODE_MAX = 10
HTTP, HTTPS = 80, 443
# What the environment publishes to the clusters (Terraform outputs, read through remote state).
ZONE_ID = "private_zone_id"
CERTIFICATE_ARN = "certificate_arn"
CERTIFICATE_AUTHORITY_ARN = "certificate_authority_arn"
CLIENT_ROLE_ARN = "vpc_lattice_client_role_arn"
SERVICE_NETWORK_ID = "service_network_id"


class MulticlusterEnvironmentStack(AccountStack):
    def __init__(self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, settings: MulticlusterSettings) -> None:
        super().__init__(scope, ENVIRONMENT_STACK, deployment=deployment, account=required_account(config, CLUSTERS_ROLE), pattern=NAME, role="environment")
        anchor = aws.vpc.Vpc(self, "zone-anchor", cidr_block=settings.cluster_vpc_cidr, tags={"Name": f"{settings.domain}-zone-anchor"})
        accept_risks(anchor, [("CKV2_AWS_11", "holds no subnet and no traffic: it only anchors the private zone, which needs a VPC at creation")])
        aws.default_security_group.DefaultSecurityGroup(self, "zone-anchor-default-security-group", vpc_id=anchor.id)
        zone = aws.route53_zone.Route53Zone(
            self,
            "zone",
            name=settings.domain,
            comment=f"{settings.domain}: the clusters' services, associated with each cluster VPC",
            vpc=[aws.route53_zone.Route53ZoneVpc(vpc_id=anchor.id, vpc_region=self.region)],
            lifecycle=TerraformResourceLifecycle(ignore_changes=["vpc"]),  # the clusters add their associations
        )
        authority = RootCertificateAuthority(
            self, "certificate-authority", RootCertificateAuthorityProps(common_name=settings.domain, organization=settings.organization)
        )
        certificate = PrivateCertificate(
            self,
            "certificate",
            domain_names=[settings.domain, f"*.{settings.domain}"],
            authority_arn=authority.arn,
            depends_on=[authority.activation],  # the original asked before the CA was active
        )
        accept_risks(certificate.resource, [("CKV2_AWS_71", "the wildcard covers demo-<cluster>.<domain> of every cluster, as in the original; a private CA's certificate")])
        client = ServiceRole(
            self,
            "client-role",
            name=settings.client_role_name,
            service=POD_IDENTITY_PRINCIPAL,
            actions=POD_IDENTITY_ACTIONS,
            statements=[
                Statement(sid="InvokeLatticeServices", effect="Allow", actions="vpc-lattice-svcs:Invoke",
                          resources=f"arn:aws:vpc-lattice:{self.region}:{self.account_id}:service/*"),
                # the signing sidecar trusts the private root it reads at start
                Statement(sid="ReadTheRootCertificate", effect="Allow", actions="acm-pca:GetCertificateAuthorityCertificate", resources=authority.arn),
            ],
        )
        network = ServiceNetwork(self, "service-network", ServiceNetworkProps(name=settings.service_network_name))
        network.attach_auth_policy(AuthPolicy([AuthStatement(sid="SignedCallersOnly", conditions=[authenticated_only()])]).render())
        for key, value in {
            ZONE_ID: zone.zone_id,
            CERTIFICATE_ARN: certificate.arn,
            CERTIFICATE_AUTHORITY_ARN: authority.arn,
            CLIENT_ROLE_ARN: client.arn,
            SERVICE_NETWORK_ID: network.id,
        }.items():
            TerraformOutput(self, key, value=value)


class MulticlusterClusterStack(AccountStack):
    def __init__(
        self,
        scope: Construct,
        *,
        deployment: Deployment,
        config: LatticeConfig,
        settings: MulticlusterSettings,
        cluster: str,
        environment: MulticlusterEnvironmentStack,
    ) -> None:
        super().__init__(scope, cluster_stack_name(cluster), deployment=deployment, account=required_account(config, CLUSTERS_ROLE), pattern=NAME, role=cluster)
        shared = RemoteOutputs(self, environment)
        name = eks_cluster_name(cluster)
        vpc = TieredVpc(
            self, "vpc", TieredVpcProps(name=name, layout=cluster_layout(settings.cluster_vpc_cidr), public_tier="public", nat_tiers=("private",))
        )
        eks = EksCluster(
            self,
            "eks",
            EksClusterProps(
                name=name,
                version=settings.kubernetes_version,
                subnet_ids=vpc.subnet_ids("private"),
                node_instance_type=settings.node_instance_type,
                node_count=settings.node_count,
                node_max=NODE_MAX,
                iam_name_prefix=name,
            ),
        )
        lattice = aws.data_aws_ec2_managed_prefix_list.DataAwsEc2ManagedPrefixList(self, "lattice-prefix-list", name=f"com.amazonaws.{self.region}.vpc-lattice")
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self,
            "lattice-to-pods",
            security_group_id=eks.security_group_id,
            description="VPC Lattice to the app pods (the original admitted every protocol and port)",
            ip_protocol="tcp",
            from_port=APP_PORT,
            to_port=APP_PORT,
            prefix_list_id=lattice.id,
        )
        clients = association_security_group(
            self,
            "lattice-sg",
            name=f"{name}-lattice",
            description="Service network association: HTTP and HTTPS from this VPC",
            vpc_id=vpc.id,
            clients=[tcp(port, settings.cluster_vpc_cidr, f"port {port} from this VPC") for port in (HTTP, HTTPS)],
        )
        aws.vpclattice_service_network_vpc_association.VpclatticeServiceNetworkVpcAssociation(
            self,
            "service-network-association",
            service_network_identifier=shared.get(SERVICE_NETWORK_ID),
            vpc_identifier=vpc.id,
            security_group_ids=[clients.id],
        )
        aws.route53_zone_association.Route53ZoneAssociation(self, "zone-association", zone_id=shared.get(ZONE_ID), vpc_id=vpc.id)
        eks.pod_identity("apps-identity", namespace=APP_NAMESPACE, service_account=APP_SERVICE_ACCOUNT, role_arn=shared.get(CLIENT_ROLE_ARN))
        controller = ServiceRole(
            self,
            "controller-role",
            name=f"{name}-gateway-api-controller",
            service="pods.eks.amazonaws.com",
            actions=POD_IDENTITY_ACTIONS,
            statements=controller_policy(self.region, self.account_id),
        )
        eks.pod_identity("controller-identity", namespace=CONTROLLER_NAMESPACE, service_account=CONTROLLER_SERVICE_ACCOUNT, role_arn=controller.arn)
        TerraformOutput(self, "cluster_name", value=eks.name)
        TerraformOutput(self, "vpc_id", value=vpc.id)
        TerraformOutput(self, "configure_kubectl", value=f"aws eks update-kubeconfig --name {name} --alias {name} --region {self.region}")


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: MulticlusterSettings) -> None:
    environment = MulticlusterEnvironmentStack(app, deployment=deployment, config=config, settings=settings)
    for cluster in settings.clusters:
        MulticlusterClusterStack(app, deployment=deployment, config=config, settings=settings, cluster=cluster, environment=environment)
