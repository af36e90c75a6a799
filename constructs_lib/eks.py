"""An EKS cluster with a managed node group, the add-ons it needs, and Pod Identity
associations: the pieces that need only the AWS provider. What runs inside the
cluster (controllers, manifests) is made elsewhere."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .checkov import accept_risks
from .iam import ServiceRole, managed_policy
from .runtime import aws
from .runtime.cdk import Construct

# The add-ons every cluster here runs: the network plugin, DNS, kube-proxy and the
# agent that hands Pod Identity credentials to pods.
ADDONS = ("vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent")


@dataclass(frozen=True)
class EksClusterProps:
    name: str
    version: str  # Kubernetes version, e.g. "1.33"
    subnet_ids: Sequence[str]  # private subnets: control-plane interfaces and nodes
    node_instance_type: str
    node_count: int  # desired and minimum
    node_max: int
    iam_name_prefix: str


class EksCluster(Construct):
    """Secrets encrypted with a key of its own, control-plane logs on, API access
    entries (the creator is admin, as in the original), and the public endpoint
    kept so ``kubectl`` works from where Terraform runs (restrict it to your CIDRs
    in production)."""

    def __init__(self, scope: Construct, id: str, props: EksClusterProps) -> None:
        super().__init__(scope, id)
        cluster_role = ServiceRole(
            self, "cluster-role", name=f"{props.iam_name_prefix}-cluster", service="eks.amazonaws.com", managed=[managed_policy("AmazonEKSClusterPolicy")]
        )
        key = aws.kms_key.KmsKey(self, "secrets-key", description=f"EKS secrets of {props.name}", enable_key_rotation=True, deletion_window_in_days=7)
        accept_risks(key, [("CKV2_AWS_64", "the key's default policy (the account's administrators) is what EKS needs")])
        self.cluster = aws.eks_cluster.EksCluster(
            self,
            "cluster",
            name=props.name,
            version=props.version,
            role_arn=cluster_role.arn,
            vpc_config=aws.eks_cluster.EksClusterVpcConfig(
                subnet_ids=list(props.subnet_ids), endpoint_private_access=True, endpoint_public_access=True
            ),
            encryption_config=aws.eks_cluster.EksClusterEncryptionConfig(
                resources=["secrets"], provider=aws.eks_cluster.EksClusterEncryptionConfigProvider(key_arn=key.arn)
            ),
            enabled_cluster_log_types=["api", "audit", "authenticator"],
            access_config=aws.eks_cluster.EksClusterAccessConfig(authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True),
            depends_on=cluster_role.attachments,
        )
        public = "public endpoint kept for kubectl and Terraform from outside the VPC, as in the original; restrict public_access_cidrs in production"
        accept_risks(
            self.cluster,
            [
                ("CKV_AWS_37", "api, audit and authenticator logs are on; controllerManager and scheduler logs cost ingestion and serve debugging only"),
                ("CKV_AWS_38", public),
                ("CKV_AWS_39", public),
            ],
        )
        self.name: str = self.cluster.name
        self.security_group_id: str = self.cluster.vpc_config.cluster_security_group_id
        node_role = ServiceRole(
            self,
            "node-role",
            name=f"{props.iam_name_prefix}-nodes",
            service="ec2.amazonaws.com",
            managed=[managed_policy(p) for p in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")],
        )
        self.nodes = aws.eks_node_group.EksNodeGroup(
            self,
            "nodes",
            cluster_name=self.name,
            node_group_name="initial",
            node_role_arn=node_role.arn,
            subnet_ids=list(props.subnet_ids),
            instance_types=[props.node_instance_type],
            scaling_config=aws.eks_node_group.EksNodeGroupScalingConfig(desired_size=props.node_count, min_size=props.node_count, max_size=props.node_max),
            depends_on=node_role.attachments,
        )
        for addon in ADDONS:
            aws.eks_addon.EksAddon(
                self,
                f"addon-{addon}",
                cluster_name=self.name,
                addon_name=addon,
                resolve_conflicts_on_create="OVERWRITE",
                # coredns schedules pods: it needs nodes; the others run on each node as they join
                depends_on=[self.nodes] if addon == "coredns" else None,
            )

    def pod_identity(self, id: str, *, namespace: str, service_account: str, role_arn: str) -> None:
        """Pods of ``namespace`` running as ``service_account`` get credentials of ``role_arn``."""
        aws.eks_pod_identity_association.EksPodIdentityAssociation(
            self, id, cluster_name=self.name, namespace=namespace, service_account=service_account, role_arn=role_arn
        )
