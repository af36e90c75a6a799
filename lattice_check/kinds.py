"""The typed elements of an output's topology: VPCs, networks, services and the
ways between them, listeners and target groups, security rules, functions, IAM
identities, EKS clusters and RAM shares. Plain data: declared.py builds them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar

from .graph import Stack

_ARN_NOUN = {"service": "service", "servicenetwork": "service network"}

T = TypeVar("T")


@dataclass(frozen=True)
class Element:
    """A resource of the output: its stack, Terraform name and (raw) body."""

    stack: Stack
    name: str
    body: dict[str, Any] = field(compare=False, hash=False)

    @property
    def account(self) -> str:
        return self.stack.placement(self.body)[0]

    @property
    def region(self) -> str:
        return self.stack.placement(self.body)[1]


@dataclass(frozen=True)
class Vpc:
    element: Element
    id: str
    cidr: str
    label: str  # its Name tag (or Terraform name)


@dataclass(frozen=True)
class Network:
    element: Element
    id: str
    arn: str
    name: str
    auth_type: str


@dataclass(frozen=True)
class Service:
    element: Element
    id: str
    arn: str
    name: str
    dns_name: str
    custom_domain: Optional[str]
    auth_type: str
    certificate_arn: Optional[str] = None  # for the custom domain on HTTPS


@dataclass(frozen=True)
class VpcLink:
    """How a VPC reaches a service network: an association or a service-network endpoint."""

    vpc_id: str
    network: Network
    security_group_ids: tuple[str, ...]
    how: str  # "VPC association <name>" or "service-network endpoint <name>"
    element: Element

    @property
    def is_endpoint(self) -> bool:
        """A service-network endpoint: its addresses are in the VPC's subnets, so hosts
        outside the VPC (over a VPN, a peering, a load balancer) can reach it too."""
        return self.element.body.get("vpc_endpoint_type") == "ServiceNetwork"

    @property
    def private_dns(self) -> Optional[bool]:
        """Whether a service-network endpoint's private DNS is on: only then do the
        services' names resolve to its addresses in the VPC. Unset is off: the provider
        sends false (hashicorp/terraform-provider-aws#37715), though the API's own
        default is true. None when the value is an expression the model cannot read."""
        value = self.element.body.get("private_dns_enabled")
        if value is None or isinstance(value, bool):
            return bool(value)
        return {"true": True, "false": False}.get(str(value).lower())


@dataclass(frozen=True)
class ServiceAssociation:
    element: Element
    network_identifier: str
    service_identifier: str


@dataclass(frozen=True)
class Rule:
    name: str
    priority: int
    match: dict[str, Any]  # the http_match block
    action: dict[str, Any]


@dataclass(frozen=True)
class Listener:
    element: Element
    id: str
    name: str
    protocol: str
    port: Optional[int]
    service_identifier: str
    default_action: dict[str, Any]
    rules: tuple[Rule, ...]  # by priority


@dataclass(frozen=True)
class Target:
    id: str
    port: Optional[int]


@dataclass(frozen=True)
class TargetGroup:
    element: Element
    id: str
    arn: str
    name: str
    type: str
    config: dict[str, Any]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class SecurityRule:
    """One ingress or egress rule of a security group, from any of the three ways
    Terraform writes them; ``cidrs``, ``groups`` and ``prefix_lists`` are the peers."""

    protocol: str  # "tcp", "-1" (all), or anything else
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    groups: tuple[str, ...]  # referenced security groups (peers by group membership)
    where: str
    prefix_lists: tuple[str, ...] = ()

    def admits_port(self, port: int) -> bool:
        return self.protocol in ("-1", "all") or (self.protocol in ("tcp", "6") and self.from_port <= port <= self.to_port)


@dataclass(frozen=True)
class Function:
    element: Element
    arn: str
    function_name: str
    handler: str
    package: str  # the zip file, relative to the stack's directory
    environment: dict[str, str]
    role_arn: str
    timeout_s: int
    memory_mb: int
    subnet_ids: tuple[str, ...]  # empty: not in a VPC
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class IamPolicy:
    """One identity-based policy of a role or user: where it comes from, and its
    document; None when the output does not hold it (a policy made elsewhere or an
    AWS managed policy the checker does not know, or a document it cannot read)."""

    label: str
    document: Optional[dict[str, Any]]


def lambda_unqualified(arn: str) -> str:
    """A Lambda function ARN without its alias or version (``...:function:<name>[:<qualifier>]``)."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) == 8 and parts[5] == "function" else arn


def lambda_qualifier(arn: str) -> Optional[str]:
    """The alias or version a Lambda function ARN names, None for the function itself."""
    parts = arn.split(":")
    return parts[7] if len(parts) == 8 and parts[5] == "function" else None


@dataclass(frozen=True)
class IamIdentity:
    """An IAM role or user of the output, with the policies that grant it permissions."""

    element: Element
    kind: str  # "role" or "user"
    name: str
    arn: str
    policies: tuple[IamPolicy, ...]
    boundary: Optional[IamPolicy]  # the permissions boundary, if set
    tags: tuple[tuple[str, str], ...] = ()  # its IAM tags, the provider's default tags included: aws:PrincipalTag

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name} (aws_iam_{self.kind}.{self.element.name} in {self.element.stack.name})"


@dataclass(frozen=True)
class EksCluster:
    """An EKS cluster of the output: where its nodes and pods run, and the security
    group EKS makes for them (managed node groups without a launch template use it)."""

    element: Element
    name: str
    arn: str
    vpc_id: str  # the VPC of its subnets ("" when they are not in this output)
    security_group_id: str  # the cluster security group


@dataclass
class Share:
    stack: Stack
    name: str
    arn: str
    resources: list[str]
    principals: list[str]
    accepted_in: list[tuple[str, str]]  # (stack, account) of each accepter
    external: bool


def arn_noun(arn: str) -> str:
    """'service', 'service network' or 'resource', from a Lattice ARN."""
    return _ARN_NOUN.get(arn.split(":")[5].split("/")[0], "resource")
