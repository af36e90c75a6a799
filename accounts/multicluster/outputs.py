"""The names of what the multicluster stacks publish to each other (Terraform
outputs, read through remote state): one home, for the stacks that write them and
the stacks that read them."""
from __future__ import annotations

# What the environment publishes to the clusters (Terraform outputs, read through remote state).
ZONE_ID = "private_zone_id"
CERTIFICATE_ARN = "certificate_arn"
CERTIFICATE_AUTHORITY_ARN = "certificate_authority_arn"
CLIENT_ROLE_ARN = "vpc_lattice_client_role_arn"
SERVICE_NETWORK_ID = "service_network_id"
SERVICE_NETWORK_ARN = "service_network_arn"
SERVICE_NETWORK_SHARE_ARN = "service_network_share_arn"
CERTIFICATE_AUTHORITY_SHARE_ARN = "certificate_authority_share_arn"
# What each cluster stack publishes to its Kubernetes stacks.
CLUSTER_NAME = "cluster_name"
VPC_ID = "vpc_id"
