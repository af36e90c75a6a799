"""The Lattice topology of an output, typed and built once from the references
(graph.py): VPCs, service networks and how VPCs reach them, services and their
associations, listeners with their rules, target groups with their targets, auth
policies, security-group ingress, RAM shares, and the few other resources a request
passes (Lambda functions, ALBs, Route 53 records, resource configurations).

``curl``, ``matrix`` and ``diagram`` read this, never the raw JSON. Collections are
built on first use and kept, so a reference the checker cannot follow is reported
only when a question needs it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Optional, TypeVar, cast

from .graph import Model, Stack, Unresolved
from .managed_policies import AWS_MANAGED
from .tfjson import block, blocks

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


class Topology:
    def __init__(self, model: Model) -> None:
        self.model = model
        self._vpcs: dict[str, list[Vpc]] = {}
        self._links: dict[str, list[VpcLink]] = {}
        self._rules: dict[tuple[str, str, str], list[SecurityRule]] = {}
        self._by_kind: dict[tuple[str, str], list[Element]] = {}
        self._memo: dict[tuple[Any, ...], tuple[Any, frozenset[tuple[str, str, str]]]] = {}
        # what the Gateway API controller makes of the clusters' objects (both modules
        # read this topology: imported here, not at the top)
        from .gateway_controller import predict
        from .kubernetes import Workloads

        self.workloads = Workloads(self)
        self._predicted: list[Stack] = []
        self.predictions = predict(self)
        self._predicted = [p.stack for p in self.predictions if p.stack is not None]

    @property
    def stacks(self) -> list[Stack]:
        """The output's stacks, then the predicted ones (``controller@<cluster>``: not in the model)."""
        return list(self.model.stacks.values()) + self._predicted

    def elements(self, kind: str, stack: Optional[Stack] = None) -> list[Element]:
        """The resources of ``kind`` in ``stack`` (every stack when None)."""
        return self._elements(kind, stack)

    def resolve(self, value: Any, element: Element) -> Any:
        """``value`` (part of ``element``'s body) with its references resolved."""
        return self.model.resolve(value, element.stack)

    def _elements(self, kind: str, stack: Optional[Stack] = None) -> list[Element]:
        if stack is None:
            return [element for each in self.stacks for element in self._elements(kind, each)]
        key = (kind, stack.name)
        if key not in self._by_kind:  # a stack's resources never change: list them once
            self._by_kind[key] = [Element(stack, name, body) for name, body in stack.resources(kind).items()]
        return list(self._by_kind[key])

    def _remembered(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per key. The ids it read from other stacks' state are
        recorded again for every later request, as a fresh reading would."""
        if key not in self._memo:
            outer, self.model.links = self.model.links, set()
            try:
                self._memo[key] = (compute(), frozenset(self.model.links))
            finally:
                self.model.links = outer | self.model.links
        value, links = self._memo[key]
        self.model.links |= links
        return cast(T, value)

    def _resolve(self, value: Any, element: Element) -> Any:
        return self.model.resolve(value, element.stack)

    def _attribute(self, element: Element, kind: str, attribute: str) -> Any:
        return self.model.attribute(element.stack, kind, element.name, attribute)

    # --- VPCs and how they reach networks ---------------------------------------------------

    def vpcs(self, stack: Stack) -> list[Vpc]:
        if stack.name not in self._vpcs:
            self._vpcs[stack.name] = [
                Vpc(e, self._attribute(e, "aws_vpc", "id"), e.body.get("cidr_block", ""), (e.body.get("tags") or {}).get("Name", e.name))
                for e in self._elements("aws_vpc", stack)
            ] + [
                # An existing VPC, looked up by a literal id and CIDR: its clients are known.
                Vpc(Element(stack, name, body), body["id"], body["cidr_block"], name)
                for name, body in stack.data("aws_vpc").items()
                if isinstance(body.get("id"), str) and isinstance(body.get("cidr_block"), str) and "${" not in body["id"] + body["cidr_block"]
            ]
        return self._vpcs[stack.name]

    def links(self, stack: Stack) -> list[VpcLink]:
        """The VPC associations and service-network endpoints declared in ``stack``,
        to networks of this output."""
        if stack.name not in self._links:
            found = []
            for element in self._elements("aws_vpclattice_service_network_vpc_association", stack):
                network = self.network(self._resolve(element.body["service_network_identifier"], element))
                if network:
                    vpc_id = self._resolve(element.body["vpc_identifier"], element)
                    groups = tuple(self._resolve(element.body.get("security_group_ids") or [], element))
                    found.append(VpcLink(vpc_id, network, groups, f"VPC association {element.name}", element))
            for element in self._elements("aws_vpc_endpoint", stack):
                if element.body.get("vpc_endpoint_type") != "ServiceNetwork":
                    continue
                network = self.network(self._resolve(element.body["service_network_arn"], element))
                if network:
                    vpc_id = self._resolve(element.body["vpc_id"], element)
                    groups = tuple(self._resolve(element.body.get("security_group_ids") or [], element))
                    found.append(VpcLink(vpc_id, network, groups, f"service-network endpoint {element.name}", element))
            self._links[stack.name] = found
        return self._links[stack.name]

    # --- networks and services -----------------------------------------------------------------

    @cached_property
    def networks(self) -> list[Network]:
        kind = "aws_vpclattice_service_network"
        return [
            Network(e, self._attribute(e, kind, "id"), self._attribute(e, kind, "arn"), e.body["name"], e.body.get("auth_type", "NONE"))
            for e in self._elements(kind)
        ]

    def network(self, identifier: str) -> Optional[Network]:
        """The network of this output named by ``identifier`` (its id or ARN)."""
        return next((n for n in self.networks if identifier in (n.id, n.arn)), None)

    @cached_property
    def services(self) -> list[Service]:
        kind = "aws_vpclattice_service"
        return [
            Service(
                e,
                self._attribute(e, kind, "id"),
                self._attribute(e, kind, "arn"),
                e.body.get("name", e.name),
                self._attribute(e, kind, "dns_entry[0].domain_name"),
                e.body.get("custom_domain_name"),
                e.body.get("auth_type", "NONE"),
                self._resolve(e.body["certificate_arn"], e) if e.body.get("certificate_arn") else None,
            )
            for e in self._elements(kind)
        ]

    @cached_property
    def service_associations(self) -> list[ServiceAssociation]:
        return [
            ServiceAssociation(e, self._resolve(e.body["service_network_identifier"], e), self._resolve(e.body["service_identifier"], e))
            for e in self._elements("aws_vpclattice_service_network_service_association")
        ]

    @cached_property
    def _associations_by_ids(self) -> dict[tuple[Any, Any], tuple[int, ServiceAssociation]]:
        found: dict[tuple[Any, Any], tuple[int, ServiceAssociation]] = {}
        for position, a in enumerate(self.service_associations):
            if isinstance(a.network_identifier, str) and isinstance(a.service_identifier, str):
                found.setdefault((a.network_identifier, a.service_identifier), (position, a))
        return found

    def service_association(self, network: Network, service: Service) -> Optional[ServiceAssociation]:
        """The association that puts ``service`` in ``network``, wherever it is declared."""
        index = self._associations_by_ids
        matches = [
            found
            for key in ((network.id, service.id), (network.id, service.arn), (network.arn, service.id), (network.arn, service.arn))
            if (found := index.get(key)) is not None
        ]
        # the first declared, as a scan of the associations in order would find
        return min(matches, key=lambda found: found[0])[1] if matches else None

    @cached_property
    def services_by_name(self) -> dict[str, list[Service]]:
        """Services by their DNS name, custom domain and Lattice name (offline, a name
        stands for its service), each list in declaration order."""
        found: dict[str, list[Service]] = {}
        for service in self.services:
            for key in {service.dns_name, service.custom_domain, service.element.body.get("name")}:
                if isinstance(key, str):
                    found.setdefault(key, []).append(service)
        return found

    # --- listeners, rules, targets ---------------------------------------------------------------

    def listeners(self, service: Service) -> list[Listener]:
        """The listeners of ``service`` with their rules (read once per service)."""
        return list(self._remembered(("listeners", service.element.stack.name, service.element.name), lambda: self._listeners(service)))

    def _listeners(self, service: Service) -> list[Listener]:
        stack = service.element.stack
        found = []
        for element in self._elements("aws_vpclattice_listener", stack):
            identifier = self._resolve(element.body["service_identifier"], element)
            if identifier not in (service.id, service.arn):
                continue
            listener_id = self._attribute(element, "aws_vpclattice_listener", "listener_id")
            named_by = (listener_id, self._attribute(element, "aws_vpclattice_listener", "arn"))  # a rule names its listener by either
            rules = [
                Rule(r.body["name"], r.body["priority"], block(block(r.body["match"]).get("http_match")), block(r.body["action"]))
                for r in self._elements("aws_vpclattice_listener_rule", stack)
                if self._resolve(r.body["listener_identifier"], r) in named_by
            ]
            protocol = element.body["protocol"]
            found.append(
                Listener(
                    element,
                    listener_id,
                    element.body["name"],
                    protocol,
                    element.body.get("port", {"HTTP": 80, "HTTPS": 443}.get(protocol)),
                    identifier,
                    block(element.body["default_action"]),
                    tuple(sorted(rules, key=lambda r: r.priority)),
                )
            )
        return found

    def target_group(self, stack: Stack, identifier: str) -> Optional[TargetGroup]:
        kind = "aws_vpclattice_target_group"
        for element in self._elements(kind, stack):
            tg_id, tg_arn = self._attribute(element, kind, "id"), self._attribute(element, kind, "arn")
            if identifier not in (tg_id, tg_arn):  # a forward or an attachment names it by either
                continue
            targets = tuple(
                Target(self._resolve(block(a.body["target"])["id"], a), block(a.body["target"]).get("port"))
                for a in self._elements("aws_vpclattice_target_group_attachment", stack)
                if self._resolve(a.body["target_group_identifier"], a) in (tg_id, tg_arn)
            )
            return TargetGroup(element, tg_id, tg_arn, element.body["name"], element.body["type"], block(element.body.get("config")), targets)
        return None

    def function(self, stack: Stack, arn: str) -> Optional[Function]:
        """The function ``arn`` names: its own ARN, or qualified by an alias or version
        (``<function ARN>:<qualifier>``, which runs the same package here)."""
        kind = "aws_lambda_function"
        unqualified = lambda_unqualified(arn)
        for element in self._elements(kind, stack):
            if self._attribute(element, kind, "arn") == unqualified:
                environment = block(element.body.get("environment")).get("variables") or {}
                network = block(element.body.get("vpc_config"))
                return Function(
                    element,
                    arn,
                    element.body["function_name"],
                    element.body["handler"],
                    element.body["filename"],
                    {k: str(v) for k, v in self._resolve(environment, element).items()},
                    str(self._resolve(element.body["role"], element)),
                    int(element.body.get("timeout", 3)),
                    int(element.body.get("memory_size", 128)),
                    tuple(self._resolve(network.get("subnet_ids") or [], element)),
                    tuple(self._resolve(network.get("security_group_ids") or [], element)),
                )
        return None

    def lb_listeners(self, stack: Stack, load_balancer_arn: str) -> list[Element]:
        """The listeners (``aws_lb_listener``) of the load balancer ``load_balancer_arn`` declared in ``stack``."""
        return [e for e in self._elements("aws_lb_listener", stack) if self._resolve(e.body["load_balancer_arn"], e) == load_balancer_arn]

    def lb_listener_port(self, listener: Element) -> Optional[int]:
        port = self._resolve(listener.body.get("port"), listener)
        return int(port) if isinstance(port, int) or (isinstance(port, str) and port.isdigit()) else None

    def lb_targets(self, stack: Stack, group_arn: str) -> list[str]:
        """The target ids registered in the load balancer target group ``group_arn``, in order."""
        return [
            self._resolve(a.body["target_id"], a)
            for a in self._elements("aws_lb_target_group_attachment", stack)
            if self._resolve(a.body["target_group_arn"], a) == group_arn
        ]

    # --- policies and security groups -------------------------------------------------------------

    def auth_policy(self, element: Element, arn: str) -> Optional[dict[str, Any]]:
        """The auth policy attached to ``arn`` (in the stack of ``element``), parsed
        (once per resource)."""

        def read() -> Optional[dict[str, Any]]:
            policy = None
            for candidate in self._elements("aws_vpclattice_auth_policy", element.stack):
                if self._resolve(candidate.body["resource_identifier"], candidate) == arn:
                    resolved = self._resolve(candidate.body["policy"], candidate)
                    policy = json.loads(resolved) if isinstance(resolved, str) else resolved  # literal JSON or jsonencode
            return policy

        return self._remembered(("auth_policy", element.stack.name, arn), read)

    def ingress(self, stack: Stack, group_id: str) -> list[SecurityRule]:
        """Every ingress rule of the security group ``group_id`` declared in ``stack``."""
        return self.security_rules(stack, group_id, "ingress")

    def egress(self, stack: Stack, group_id: str) -> list[SecurityRule]:
        """Every egress rule of the security group ``group_id`` declared in ``stack``."""
        return self.security_rules(stack, group_id, "egress")

    def security_rules(self, stack: Stack, group_id: str, direction: str) -> list[SecurityRule]:
        key = (stack.name, group_id, direction)
        if key not in self._rules:
            self._rules[key] = self._security_rules(stack, group_id, direction)
        return self._rules[key]

    def _security_rules(self, stack: Stack, group_id: str, direction: str) -> list[SecurityRule]:
        rules = []
        for group in self._elements("aws_security_group", stack):
            if self._attribute(group, "aws_security_group", "id") == group_id:
                for rule in blocks(group.body.get(direction)):
                    peers = list(rule.get("security_groups") or []) + ([group_id] if rule.get("self") else [])
                    rules.append(self._rule(group, rule, rule.get("cidr_blocks"), peers, rule.get("prefix_list_ids"), f"aws_security_group.{group.name}"))
        for element in self._elements("aws_security_group_rule", stack):
            rule = element.body
            if rule.get("type") == direction and self._resolve(rule["security_group_id"], element) == group_id:
                peers = [rule["source_security_group_id"]] if rule.get("source_security_group_id") else []
                peers += [group_id] if rule.get("self") else []
                rules.append(self._rule(element, rule, rule.get("cidr_blocks"), peers, rule.get("prefix_list_ids"), f"aws_security_group_rule.{element.name}"))
        kind = f"aws_vpc_security_group_{direction}_rule"
        for element in self._elements(kind, stack):
            rule = element.body
            if self._resolve(rule["security_group_id"], element) == group_id:
                normalized = {**rule, "protocol": rule.get("ip_protocol"), "from_port": rule.get("from_port", 0), "to_port": rule.get("to_port", 65535)}
                cidrs = [rule["cidr_ipv4"]] if rule.get("cidr_ipv4") else []
                peers = [rule["referenced_security_group_id"]] if rule.get("referenced_security_group_id") else []
                lists = [rule["prefix_list_id"]] if rule.get("prefix_list_id") else []
                rules.append(self._rule(element, normalized, cidrs, peers, lists, f"{kind}.{element.name}"))
        return rules

    def _rule(self, element: Element, rule: dict[str, Any], cidrs: Any, groups: Any, prefix_lists: Any, where: str) -> SecurityRule:
        return SecurityRule(
            protocol=str(self._resolve(rule.get("protocol"), element)).lower(),
            from_port=int(self._resolve(rule.get("from_port", 0), element)),
            to_port=int(self._resolve(rule.get("to_port", 0), element)),
            cidrs=tuple(str(c) for c in self._resolve(cidrs or [], element)),
            groups=tuple(str(g) for g in self._resolve(groups or [], element)),
            where=where,
            prefix_lists=tuple(str(p) for p in self._resolve(prefix_lists or [], element)),
        )

    def subnet(self, stack: Stack, subnet_id: str) -> tuple[str, str]:
        """(VPC id, CIDR) of a subnet of ``stack``; ("", "") when it is not there."""
        for element in self._elements("aws_subnet", stack):
            if self._attribute(element, "aws_subnet", "id") == subnet_id:
                return str(self._resolve(element.body["vpc_id"], element)), str(self._resolve(element.body.get("cidr_block", ""), element))
        return "", ""

    @cached_property
    def eks_clusters(self) -> list[EksCluster]:
        kind = "aws_eks_cluster"
        found = []
        for element in self._elements(kind):
            subnets = self._resolve(block(element.body.get("vpc_config")).get("subnet_ids") or [], element)
            vpcs = sorted({self.subnet(element.stack, str(s))[0] for s in subnets} - {""})
            found.append(
                EksCluster(
                    element, str(self._resolve(element.body["name"], element)), str(self._attribute(element, kind, "arn")),
                    vpcs[0] if vpcs else "", str(self._attribute(element, kind, "vpc_config[0].cluster_security_group_id")),
                )
            )
        return found

    # --- names outside Lattice ------------------------------------------------------------------------

    @cached_property
    def route53_records(self) -> list[tuple[Element, str, list[str]]]:
        """(record, its name without the trailing dot, where it points: alias names and records)."""
        found = []
        for element in self._elements("aws_route53_record"):
            name = str(self._resolve(element.body.get("name"), element)).rstrip(".")
            targets = [self._resolve(a.get("name"), element) for a in blocks(element.body.get("alias"))]
            targets += list(self._resolve(element.body.get("records") or [], element))
            found.append((element, name, targets))
        return found

    @cached_property
    def resource_configurations(self) -> list[tuple[Element, set[str]]]:
        """Each resource configuration and the names it answers to."""
        found = []
        for element in self._elements("aws_vpclattice_resource_configuration"):
            definition = block(element.body.get("resource_configuration_definition"))
            names = {element.body.get("name"), element.body.get("custom_domain_name"), block(definition.get("dns_resource")).get("domain_name")}
            found.append((element, {n for n in names if n}))
        return found

    # --- IAM identities -------------------------------------------------------------------------------

    @cached_property
    def iam_identities(self) -> list[IamIdentity]:
        """Every IAM role and user of the output that has a fixed name (a generated name
        cannot be matched to a caller's ARN)."""
        found = []
        for kind, noun in (("aws_iam_role", "role"), ("aws_iam_user", "user")):
            for element in self._elements(kind):
                if "name" not in element.body:
                    continue
                name = str(self._resolve(element.body["name"], element))
                policies = [
                    self._iam_policy(element, f"inline policy {p.get('name', '?')} of {kind}.{element.name}", p.get("policy"))
                    for p in blocks(element.body.get("inline_policy"))
                    if p.get("policy")
                ]
                policies += [self._iam_policy_by_arn(element, arn) for arn in self._resolve(element.body.get("managed_policy_arns") or [], element)]
                policies += self._attached_policies(element, noun, name)
                boundary = element.body.get("permissions_boundary")
                tags = {**element.stack.default_tags(element.body), **(element.body.get("tags") or {})}
                found.append(
                    IamIdentity(
                        element, noun, name, str(self._attribute(element, kind, "arn")), tuple(policies),
                        self._iam_policy_by_arn(element, self._resolve(boundary, element)) if boundary else None,
                        tuple(sorted((str(k), str(v)) for k, v in self._resolve(tags, element).items())),
                    )
                )
        return found

    def _attached_policies(self, identity: Element, noun: str, name: str) -> list[IamPolicy]:
        """Policies attached to the role or user ``name`` by separate resources of its stack."""
        stack = identity.stack
        found = []
        for element in self._elements(f"aws_iam_{noun}_policy", stack):
            if self._resolve(element.body.get(noun), element) == name:
                found.append(self._iam_policy(element, f"aws_iam_{noun}_policy.{element.name}", element.body.get("policy")))
        for element in self._elements(f"aws_iam_{noun}_policy_attachment", stack):
            if self._resolve(element.body.get(noun), element) == name:
                found.append(self._iam_policy_by_arn(element, self._resolve(element.body["policy_arn"], element)))
        for element in self._elements("aws_iam_policy_attachment", stack):
            if name in self._resolve(element.body.get(f"{noun}s") or [], element):
                found.append(self._iam_policy_by_arn(element, self._resolve(element.body["policy_arn"], element)))
        if noun == "user":
            for kind, key in (("aws_iam_user_group_membership", "user"), ("aws_iam_group_membership", "users")):
                for element in self._elements(kind, stack):
                    members = self._resolve(element.body.get(key), element)
                    if name == members or (isinstance(members, list) and name in members):
                        found.append(IamPolicy(f"the policies of the groups of {kind}.{element.name} (groups are not modeled)", None))
        return found

    def _iam_policy_by_arn(self, where: Element, arn: str) -> IamPolicy:
        """A managed policy named by ARN: a customer-managed one of the output (same
        account), an AWS managed one the checker knows, or neither (no document)."""
        for element in self._elements("aws_iam_policy"):
            if element.account == where.account and self._attribute(element, "aws_iam_policy", "arn") == arn:
                return self._iam_policy(element, f"aws_iam_policy.{element.name} ({arn})", element.body.get("policy"))
        if arn in AWS_MANAGED:
            return IamPolicy(f"AWS managed policy {arn}", AWS_MANAGED[arn])
        return IamPolicy(f"policy {arn} (not in this output)", None)

    def _iam_policy(self, element: Element, label: str, policy: Any) -> IamPolicy:
        try:
            document = self._resolve(policy, element)
            parsed = json.loads(document) if isinstance(document, str) else document
        except (Unresolved, ValueError) as unreadable:
            return IamPolicy(f"{label} (its document cannot be read: {unreadable})", None)
        return IamPolicy(label, parsed if isinstance(parsed, dict) else None)

    # --- RAM ------------------------------------------------------------------------------------------

    @cached_property
    def shares(self) -> list[Share]:
        """Every RAM resource share in the output, with its resources, principals and acceptors."""
        found: list[Share] = []
        for element in self._elements("aws_ram_resource_share"):
            arn = self._attribute(element, "aws_ram_resource_share", "arn")
            found.append(
                Share(
                    stack=element.stack,
                    name=element.body.get("name", element.name),
                    arn=arn,
                    resources=sorted(self._share_members(element.stack, "aws_ram_resource_association", arn, "resource_arn")),
                    principals=sorted(self._share_members(element.stack, "aws_ram_principal_association", arn, "principal")),
                    accepted_in=sorted(
                        (accepter.stack.name, accepter.account)
                        for accepter in self._elements("aws_ram_resource_share_accepter")
                        if self._resolve(accepter.body["share_arn"], accepter) == arn
                    ),
                    external=bool(element.body.get("allow_external_principals", False)),  # the provider default
                )
            )
        return found

    def _share_members(self, stack: Stack, kind: str, share_arn: str, wanted: str) -> set[str]:
        return {
            str(self._resolve(e.body[wanted], e))
            for e in self._elements(kind, stack)
            if self._resolve(e.body["resource_share_arn"], e) == share_arn
        }


def arn_noun(arn: str) -> str:
    """'service', 'service network' or 'resource', from a Lattice ARN."""
    return _ARN_NOUN.get(arn.split(":")[5].split("/")[0], "resource")
