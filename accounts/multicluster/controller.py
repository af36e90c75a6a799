"""The AWS Gateway API controller (aws/aws-application-networking-k8s), as this
pattern runs it: the chart version pinned, and its IAM permissions.

Chart ``oci://public.ecr.aws/aws-application-networking-k8s/aws-gateway-controller-chart``
v2.1.3: every released version uses a service network that already exists (found
by the Gateway's name) and reuses an existing VPC association when
``defaultServiceNetwork`` is left unset, so Terraform owns both (research notes:
docs/seed-004-controller.md).

The controller's recommended policy (``files/controller-installation/
recommended-inline-policy.json`` at v2.1.3) grants ``vpc-lattice:*`` on ``*``; users
asked why. With Terraform owning the network, its auth policy and the VPC
associations, the controller only makes services, listeners, rules, target groups
and their registrations, the services' associations with the network and the
services' auth policies, in this account and region. What it does beyond that
(access logs through a ``AccessLogPolicy``, a ``ServiceNetwork`` or
``VpcAssociationPolicy`` object) is left out on purpose: this pattern creates none,
and those objects would take over what Terraform owns."""
from __future__ import annotations

from constructs_lib.documents.policy import Statement
from pins import version

CHART = "oci://public.ecr.aws/aws-application-networking-k8s/aws-gateway-controller-chart"
# Versions: the ledger (pins/ledger.toml) is their one home, with their sources.
CHART_VERSION = version("gateway-controller-chart")
# v2.1 is built against Gateway API v1.5 (its go.mod: v1.5.0) and no longer installs its
# CRDs itself: the v1.5 release file is installed first (v1.5.1: GEP and conformance fixes).
GATEWAY_API_VERSION = version("gateway-api-crds")
GATEWAY_API_CRDS = f"https://github.com/kubernetes-sigs/gateway-api/releases/download/{GATEWAY_API_VERSION}/standard-install.yaml"

_LATTICE_WRITES = [
    "vpc-lattice:CreateService", "vpc-lattice:UpdateService", "vpc-lattice:DeleteService",
    "vpc-lattice:CreateListener", "vpc-lattice:UpdateListener", "vpc-lattice:DeleteListener",
    "vpc-lattice:CreateRule", "vpc-lattice:UpdateRule", "vpc-lattice:DeleteRule", "vpc-lattice:BatchUpdateRule",
    "vpc-lattice:CreateTargetGroup", "vpc-lattice:UpdateTargetGroup", "vpc-lattice:DeleteTargetGroup",
    "vpc-lattice:RegisterTargets", "vpc-lattice:DeregisterTargets",
    "vpc-lattice:CreateServiceNetworkServiceAssociation", "vpc-lattice:DeleteServiceNetworkServiceAssociation",
    "vpc-lattice:PutAuthPolicy", "vpc-lattice:DeleteAuthPolicy",
    "vpc-lattice:TagResource", "vpc-lattice:UntagResource",
]
_LATTICE_READS = [
    "vpc-lattice:Get*", "vpc-lattice:List*",
]
_DISCOVERY = [
    "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeSecurityGroups",
    "tag:GetResources", "tag:TagResources", "tag:UntagResources",
    "acm:ListCertificates",
]


def controller_policy(region: str, account: str, shared_network_arn: str | None = None) -> list[Statement]:
    """The controller's permissions in ``account`` and ``region``; with
    ``shared_network_arn`` (a network of another account, shared by RAM), the
    association of its services with that network too."""
    lattice = f"arn:aws:vpc-lattice:{region}:{account}:*"
    shared = [
        Statement(sid="AssociateWithTheSharedNetwork", effect="Allow", actions="vpc-lattice:CreateServiceNetworkServiceAssociation",
                  resources=shared_network_arn)
    ] if shared_network_arn else []
    return shared + [
        Statement(sid="LatticeServicesRoutesAndTargets", effect="Allow", actions=_LATTICE_WRITES, resources=lattice),
        Statement(sid="LatticeReads", effect="Allow", actions=_LATTICE_READS, resources="*"),
        Statement(sid="Discovery", effect="Allow", actions=_DISCOVERY, resources="*"),
        Statement(
            sid="LatticeServiceLinkedRole",
            effect="Allow",
            actions="iam:CreateServiceLinkedRole",
            resources=f"arn:aws:iam::{account}:role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice",
            conditions={"StringLike": {"iam:AWSServiceName": "vpc-lattice.amazonaws.com"}},
        ),
    ]


# ExternalDNS writes the CNAME the controller asks for (a DNSEndpoint object per
# route: demo-<cluster>.<domain> -> the service's generated name) into the private
# zone, as in the original. Not the original's chart 1.14.3: its image (v0.14.0, on
# aws-sdk-go v1.44) cannot read the EKS Pod Identity credentials the cluster stacks
# give it (the original used IRSA); the ledger holds the version and why.
EXTERNAL_DNS_REPOSITORY = "https://kubernetes-sigs.github.io/external-dns/"
EXTERNAL_DNS_CHART = "external-dns"
EXTERNAL_DNS_VERSION = version("external-dns-chart")
EXTERNAL_DNS_NAMESPACE = "external-dns"
EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns"


def external_dns_policy(zone_id: str) -> list[Statement]:
    """Records in the one private zone; the zone list to find it (in the zone's account)."""
    return [
        Statement(sid="RecordsOfThePrivateZone", effect="Allow", actions=["route53:ChangeResourceRecordSets", "route53:ListTagsForResource"],
                  resources=f"arn:aws:route53:::hostedzone/{zone_id}"),
        Statement(sid="FindTheZone", effect="Allow", actions=["route53:ListHostedZones", "route53:ListResourceRecordSets"], resources="*"),
    ]


def records_role_name(cluster_name: str) -> str:
    """The role of the zone's account that ExternalDNS of a cluster in another account assumes."""
    return f"{cluster_name}-external-dns-records"


def records_role_arn(home_account: str, cluster_name: str) -> str:
    """The zone account's role that ExternalDNS of ``cluster_name`` (in another account) assumes."""
    return f"arn:aws:iam::{home_account}:role/{records_role_name(cluster_name)}"


def external_dns_role_name(cluster_name: str) -> str:
    return f"{cluster_name}-external-dns"


def assume_records_role(role_arn: str) -> list[Statement]:
    """ExternalDNS of a cluster in another account: only the zone account's records role."""
    return [Statement(sid="WriteThroughTheZoneAccount", effect="Allow", actions="sts:AssumeRole", resources=role_arn)]


def external_dns_values(domain: str, cluster_name: str, records_role_arn: str | None = None) -> dict[str, object]:
    """The chart's values; with ``records_role_arn``, ExternalDNS writes through that role (the zone's account)."""
    assume = [f"--aws-assume-role={records_role_arn}"] if records_role_arn else []
    return {
        "provider": "aws",
        "policy": "sync",
        "domainFilters": [domain],
        "sources": ["crd"],
        "txtPrefix": cluster_name,  # each cluster owns its own records
        "extraArgs": ["--crd-source-apiversion=externaldns.k8s.io/v1alpha1", "--crd-source-kind=DNSEndpoint", "--aws-zone-type=private", *assume],
        "serviceAccount": {"create": True, "name": EXTERNAL_DNS_SERVICE_ACCOUNT},
    }
