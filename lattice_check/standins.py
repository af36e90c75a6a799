"""Stand-ins for the values AWS computes at apply: ids, ARNs and DNS names shaped
like the real ones (docs/lattice-rules.md section 1: ``svc-`` and 17 characters,
``arn:aws:vpc-lattice:<region>:<account>:service/svc-...``, the generated DNS name).

The checker derives each from a digest of the resource's stack and name, so every
run gives the same values; the mocked apply (tools/mock_apply.py) uses the same
shapes with a fixed id, because the provider's own argument checks reject anything
else.
"""
from __future__ import annotations

import hashlib

# resource type -> the prefix of its id
ID_PREFIXES = {
    "aws_vpc": "vpc-",
    "aws_subnet": "subnet-",
    "aws_security_group": "sg-",
    "aws_vpclattice_service": "svc-",
    "aws_vpclattice_service_network": "sn-",
    "aws_vpclattice_target_group": "tg-",
    "aws_vpclattice_listener": "listener-",
    "aws_vpclattice_listener_rule": "rule-",
    "aws_vpclattice_service_network_vpc_association": "snva-",
    "aws_vpclattice_service_network_service_association": "snsa-",
    "aws_vpclattice_resource_gateway": "rgw-",
    "aws_vpclattice_resource_configuration": "rcfg-",
    "aws_vpc_endpoint": "vpce-",
    "aws_route_table": "rtb-",
    "aws_internet_gateway": "igw-",
    "aws_vpc_peering_connection": "pcx-",
    "aws_instance": "i-",
}
# Lattice resource type -> the resource part of its ARN
LATTICE_ARN_KINDS = {
    "aws_vpclattice_service": "service",
    "aws_vpclattice_service_network": "servicenetwork",
    "aws_vpclattice_target_group": "targetgroup",
    "aws_vpclattice_service_network_vpc_association": "servicenetworkvpcassociation",
    "aws_vpclattice_service_network_service_association": "servicenetworkserviceassociation",
    "aws_vpclattice_resource_gateway": "resourcegateway",
    "aws_vpclattice_resource_configuration": "resourceconfiguration",
}
# Route 53 zone of internal and internet-facing ALBs (one per region in AWS; one here)
LOAD_BALANCER_HOSTED_ZONE_ID = "Z32O12XQLNTSW2"
SERVICE_DNS_HASH = "7d67968"  # the 7 characters between a service's id and vpc-lattice-svcs
SERVICE_HOSTED_ZONE_ID = "Z03015023A3ML7CQ8UDS0"


def digest(*parts: str) -> str:
    """17 characters of [0-9a-f], as the suffix of a Lattice id has."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:17]


def resource_id(resource_type: str, suffix: str) -> str:
    return ID_PREFIXES.get(resource_type, f"{resource_type}-") + suffix


def lattice_arn(region: str, account: str, resource_type: str, resource_id: str) -> str:
    return f"arn:aws:vpc-lattice:{region}:{account}:{LATTICE_ARN_KINDS[resource_type]}/{resource_id}"


def listener_arn(region: str, account: str, service_id: str, listener_id: str) -> str:
    return f"arn:aws:vpc-lattice:{region}:{account}:service/{service_id}/listener/{listener_id}"


def service_dns_name(name: str, service_id: str, region: str) -> str:
    """``<service name>-<id without svc->.<7 characters>.vpc-lattice-svcs.<region>.on.aws``."""
    return f"{name}-{service_id.removeprefix('svc-')}.{SERVICE_DNS_HASH}.vpc-lattice-svcs.{region}.on.aws"


def ram_share_arn(region: str, account: str, share_id: str) -> str:
    return f"arn:aws:ram:{region}:{account}:resource-share/{share_id}"


def share_id(suffix: str) -> str:
    """A RAM share's id in the 8-4-4-rest grouping of a UUID."""
    return f"{suffix[:8]}-{suffix[8:12]}-{suffix[12:16]}-{suffix[16:]}"


def iam_arn(account: str, noun: str, name: str, path: str = "/") -> str:
    """An IAM role, user or customer-managed policy: ``arn:aws:iam::<account>:<noun><path><name>``."""
    return f"arn:aws:iam::{account}:{noun}{path}{name}"


def lambda_arn(region: str, account: str, function_name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{function_name}"


def load_balancer_arn(region: str, account: str, name: str, suffix: str) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{suffix}"


def lb_target_group_arn(region: str, account: str, name: str, suffix: str) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{suffix}"


def load_balancer_dns_name(name: str, internal: bool, suffix: str, region: str) -> str:
    """``internal-<name>-<digits>.<region>.elb.amazonaws.com`` (no ``internal-`` when internet-facing)."""
    digits = str(int(suffix[:8], 16)).rjust(10, "0")[:10]
    return f"{'internal-' if internal else ''}{name}-{digits}.{region}.elb.amazonaws.com"


def rest_api_id(suffix: str) -> str:
    """An API Gateway REST API id: 10 lower-case letters and digits."""
    return suffix[:10]


def execute_api_arn(region: str, account: str, api_id: str) -> str:
    """A REST API's ``execution_arn``; methods are ``<it>/<stage>/<METHOD>/<path>``."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}"


def dynamodb_table_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def uuid_like(*parts: str) -> str:
    """A UUID-shaped stand-in (8-4-4-4-12 hex digits), as ACM and ACM PCA ids are."""
    text = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"


def certificate_arn(region: str, account: str, certificate_id: str) -> str:
    return f"arn:aws:acm:{region}:{account}:certificate/{certificate_id}"


def certificate_authority_arn(region: str, account: str, authority_id: str) -> str:
    return f"arn:aws:acm-pca:{region}:{account}:certificate-authority/{authority_id}"
