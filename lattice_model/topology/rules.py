"""The constants of a topology and the rules its tables share."""
from __future__ import annotations

from typing import Literal

from ..fields import NAME as NAME_PATTERN
from ..lattice_rules import DEFAULT_QUOTAS
from ..text_rule import text_rule

NAME = "topology"
Layer = Literal["networks", "consumers", "services"]
LAYERS: tuple[Layer, ...] = ("networks", "consumers", "services")
TABLES = ("accounts", "organization", "networks", "services", "consumers", "access", "quotas")
# The adjustable quotas a topology can outgrow (lattice_model.lattice_rules holds the defaults).
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
_SUBNET_ID = text_rule(r"subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_INSTANCE_ID = text_rule(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ALB_ARN = text_rule(r"arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}")


_ORGANIZATION_ARN = text_rule(r"arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}")


def _name(kind: str, value: str) -> str:
    if not NAME_PATTERN(value):
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(f"{article} {kind} name is 1-47 lowercase letters, digits and hyphens, starting and ending with a letter or digit")
    return value


