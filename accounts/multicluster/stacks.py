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

The platform and apps stacks of each cluster, which the Kubernetes and Helm
providers make, are in kubernetes_stacks.py; ``build`` makes all of them, in order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from constructs_lib.checkov import accept_risks
from constructs_lib.documents.auth_policy import AuthPolicy, AuthStatement, authenticated_only
from constructs_lib.documents.policy import Statement
from constructs_lib.eks import EksCluster, EksClusterProps
from constructs_lib.iam import POD_IDENTITY_ACTIONS, POD_IDENTITY_PRINCIPAL, ServiceRole
from constructs_lib.lattice import ServiceNetwork, ServiceNetworkProps
from constructs_lib.private_ca import PrivateCertificate, RootCertificateAuthority, RootCertificateAuthorityProps
from constructs_lib.ram import RamShare, RamShareAccepter, RamShareProps
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import Construct, TerraformOutput, TerraformResourceLifecycle
from constructs_lib.security_group import association_security_group, tcp
from constructs_lib.vpc import TieredVpc, TieredVpcProps

from ..base import AccountStack, Deployment
from ..discovery import RemoteOutputs
from ..registry import required_account
from .config import (
    APP_NAMESPACE,
    APP_SERVICE_ACCOUNT,
    CA_KEY_ALGORITHM,
    CA_SIGNING_ALGORITHM,
    CLUSTERS_ROLE,
    CONTROLLER_NAMESPACE,
    CONTROLLER_SERVICE_ACCOUNT,
    ENVIRONMENT_STACK,
    NAME,
    MulticlusterSettings,
    cluster_layout,
    cluster_stack_name,
    eks_cluster_name,
    zone_access_stack_name,
)
from .controller import (
    EXTERNAL_DNS_NAMESPACE,
    EXTERNAL_DNS_SERVICE_ACCOUNT,
    assume_records_role,
    controller_policy,
    external_dns_policy,
    external_dns_role_name,
    records_role_arn,
    records_role_name,
)
from .kubernetes_stacks import MulticlusterAppsStack, MulticlusterPlatformStack
from .outputs import (
    CERTIFICATE_ARN,
    CERTIFICATE_AUTHORITY_ARN,
    CERTIFICATE_AUTHORITY_SHARE_ARN,
    CLIENT_ROLE_ARN,
    CLUSTER_NAME,
    SERVICE_NETWORK_ARN,
    SERVICE_NETWORK_ID,
    SERVICE_NETWORK_SHARE_ARN,
    VPC_ID,
    ZONE_ID,
)

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

APP_PORT = 8090  # the demo container's port: Lattice sends to pod addresses on it
NODE_MAX = 10
HTTP, HTTPS = 80, 443


class MulticlusterEnvironmentStack(AccountStack):
    def __init__(self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, settings: MulticlusterSettings) -> None:
        super().__init__(scope, ENVIRONMENT_STACK, deployment=deployment, account=required_account(config, CLUSTERS_ROLE), pattern=NAME, role="environment")
        others = settings.other_accounts(config)
        external = not settings.ram_within_organization
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
            # ExternalDNS writes the services' records here, outside Terraform: a destroy that runs
            # before it has removed them would stop at HostedZoneNotEmpty
            force_destroy=True,
        )
        authority = RootCertificateAuthority(
            self, "certificate-authority",
            RootCertificateAuthorityProps(
                common_name=settings.domain, organization=settings.organization, share_with=others,
                key_algorithm=CA_KEY_ALGORITHM, signing_algorithm=CA_SIGNING_ALGORITHM,  # the original's root
            ),
        )
        outputs: dict[str, str] = {}
        if any(c not in settings.accounts for c in settings.clusters):  # clusters of this account serve with this certificate
            certificate = PrivateCertificate(
                self,
                "wildcard-certificate",
                domain_names=[settings.domain, f"*.{settings.domain}"],
                authority_arn=authority.arn,
                depends_on=[authority.activation],  # the original asked before the CA was active
            )
            accept_risks(certificate.resource, [("CKV2_AWS_71", WILDCARD_REASON)])
            outputs[CERTIFICATE_ARN] = certificate.arn
        client = client_role(self, settings, config, authority.arn)
        network = ServiceNetwork(self, "service-network", ServiceNetworkProps(name=settings.service_network_name))
        network.attach_auth_policy(AuthPolicy([AuthStatement(sid="SignedCallersOnly", conditions=[authenticated_only()])]).render())
        if others:
            share = RamShare(
                self, "service-network-share",
                RamShareProps(name=f"{settings.service_network_name} share", principals=others, resources={"service-network": network.arn},
                              allow_external_principals=external),
            )
            outputs[SERVICE_NETWORK_SHARE_ARN] = share.arn
            assert authority.share_arn is not None
            outputs[CERTIFICATE_AUTHORITY_SHARE_ARN] = authority.share_arn
        for cluster, account in sorted(settings.accounts.items()):
            # ExternalDNS of a cluster of another account writes the zone through this role
            name = eks_cluster_name(cluster)
            ServiceRole(
                self, f"{cluster}-records-role", name=records_role_name(name),
                role_of_account=f"arn:aws:iam::{account.id}:role/{external_dns_role_name(name)}",
                statements=external_dns_policy(zone.zone_id),
            )
        outputs.update({
            ZONE_ID: zone.zone_id,
            CERTIFICATE_AUTHORITY_ARN: authority.arn,
            CLIENT_ROLE_ARN: client.arn,
            SERVICE_NETWORK_ID: network.id,
            SERVICE_NETWORK_ARN: network.arn,
        })
        for key, value in outputs.items():
            TerraformOutput(self, key, value=value)


WILDCARD_REASON = "the wildcard covers demo-<cluster>.<domain> of every cluster, as in the original; a private CA's certificate"


def client_role(scope: AccountStack, settings: MulticlusterSettings, config: LatticeConfig, authority_arn: str) -> ServiceRole:
    """The role the apps of this account's clusters sign with (EKS Pod Identity): it
    may invoke the Lattice services of every cluster's account and read the root
    certificate the signing proxy trusts."""
    accounts = sorted({settings.account_of(config, c).id for c in settings.clusters})
    return ServiceRole(
        scope,
        "client-role",
        name=settings.client_role_name,
        service=POD_IDENTITY_PRINCIPAL,
        actions=POD_IDENTITY_ACTIONS,
        statements=[
            Statement(sid="InvokeLatticeServices", effect="Allow", actions="vpc-lattice-svcs:Invoke",
                      resources=[f"arn:aws:vpc-lattice:{scope.region}:{account}:service/*" for account in accounts]),
            # the signing sidecar trusts the private root it reads at start
            Statement(sid="ReadTheRootCertificate", effect="Allow", actions="acm-pca:GetCertificateAuthorityCertificate",
                      resources=authority_arn),
        ],
    )


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
        super().__init__(scope, cluster_stack_name(cluster), deployment=deployment, account=settings.account_of(config, cluster), pattern=NAME, role=cluster)
        elsewhere = cluster in settings.accounts  # an account of its own: the network, the zone and the CA are shared with it
        accepts = elsewhere and not settings.ram_within_organization
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
        network_accepted = (
            [RamShareAccepter(self, "service-network-accepter", share_arn=shared.get(SERVICE_NETWORK_SHARE_ARN)).resource] if accepts else []
        )
        aws.vpclattice_service_network_vpc_association.VpclatticeServiceNetworkVpcAssociation(
            self,
            "service-network-association",
            service_network_identifier=shared.get(SERVICE_NETWORK_ID),
            vpc_identifier=vpc.id,
            security_group_ids=[clients.id],
            depends_on=network_accepted or None,
        )
        if elsewhere:  # the zone's account authorizes this VPC first (zone-access stack); the platform stack associates it
            authority_accepted = (
                [RamShareAccepter(self, "certificate-authority-accepter", share_arn=shared.get(CERTIFICATE_AUTHORITY_SHARE_ARN)).resource] if accepts else []
            )
            certificate = PrivateCertificate(
                self, "wildcard-certificate", domain_names=[settings.domain, f"*.{settings.domain}"],
                authority_arn=shared.get(CERTIFICATE_AUTHORITY_ARN), depends_on=authority_accepted,
            )
            accept_risks(certificate.resource, [("CKV2_AWS_71", WILDCARD_REASON)])
            TerraformOutput(self, CERTIFICATE_ARN, value=certificate.arn)
            client_arn = client_role(self, settings, config, shared.get(CERTIFICATE_AUTHORITY_ARN)).arn
        else:
            aws.route53_zone_association.Route53ZoneAssociation(self, "zone-association", zone_id=shared.get(ZONE_ID), vpc_id=vpc.id)
            client_arn = shared.get(CLIENT_ROLE_ARN)
        eks.pod_identity("apps-identity", namespace=APP_NAMESPACE, service_account=APP_SERVICE_ACCOUNT, role_arn=client_arn)
        controller = ServiceRole(
            self,
            "controller-role",
            name=f"{name}-gateway-api-controller",
            service=POD_IDENTITY_PRINCIPAL,
            actions=POD_IDENTITY_ACTIONS,
            statements=controller_policy(self.region, self.account_id, shared.get(SERVICE_NETWORK_ARN) if elsewhere else None),
        )
        eks.pod_identity("controller-identity", namespace=CONTROLLER_NAMESPACE, service_account=CONTROLLER_SERVICE_ACCOUNT, role_arn=controller.arn)
        home = required_account(config, CLUSTERS_ROLE).id
        external_dns = ServiceRole(
            self,
            "external-dns-role",
            name=external_dns_role_name(name),
            service=POD_IDENTITY_PRINCIPAL,
            actions=POD_IDENTITY_ACTIONS,
            statements=assume_records_role(records_role_arn(home, name)) if elsewhere else external_dns_policy(shared.get(ZONE_ID)),
        )
        eks.pod_identity("external-dns-identity", namespace=EXTERNAL_DNS_NAMESPACE, service_account=EXTERNAL_DNS_SERVICE_ACCOUNT, role_arn=external_dns.arn)
        TerraformOutput(self, CLUSTER_NAME, value=eks.name)
        TerraformOutput(self, VPC_ID, value=vpc.id)
        TerraformOutput(self, "configure_kubectl", value=f"aws eks update-kubeconfig --name {name} --alias {name} --region {self.region}")


class MulticlusterZoneAccessStack(AccountStack):
    """For a cluster of another account, in the zone's account: the authorization of
    the cluster's VPC to associate with the private zone (Route 53 asks the zone's
    owner first), after the VPC exists and before the platform stack associates it."""

    def __init__(
        self, scope: Construct, *, deployment: Deployment, config: LatticeConfig, cluster: str,
        cluster_stack: MulticlusterClusterStack, environment: MulticlusterEnvironmentStack,
    ) -> None:
        super().__init__(
            scope, zone_access_stack_name(cluster), deployment=deployment, account=required_account(config, CLUSTERS_ROLE), pattern=NAME,
            role=f"{cluster}-zone-access",
        )
        aws.route53_vpc_association_authorization.Route53VpcAssociationAuthorization(
            self, "zone-authorization", zone_id=RemoteOutputs(self, environment).get(ZONE_ID),
            vpc_id=RemoteOutputs(self, cluster_stack).get(VPC_ID), vpc_region=self.region,
        )


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: MulticlusterSettings) -> None:
    environment = MulticlusterEnvironmentStack(app, deployment=deployment, config=config, settings=settings)
    for cluster in settings.clusters:
        cluster_stack = MulticlusterClusterStack(app, deployment=deployment, config=config, settings=settings, cluster=cluster, environment=environment)
        zone_access = (
            MulticlusterZoneAccessStack(app, deployment=deployment, config=config, cluster=cluster, cluster_stack=cluster_stack, environment=environment)
            if cluster in settings.accounts else None
        )
        platform = MulticlusterPlatformStack(
            app, deployment=deployment, config=config, settings=settings, cluster=cluster, cluster_stack=cluster_stack,
            zone_access=zone_access, environment=environment if zone_access else None,
        )
        MulticlusterAppsStack(
            app, deployment=deployment, config=config, settings=settings, cluster=cluster,
            cluster_stack=cluster_stack, platform=platform, environment=environment,
        )
