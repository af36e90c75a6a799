"""What an output declares about VPCs, service networks, services and the ways
between them (associations, endpoints, listeners, rules, target groups, functions,
load balancers, auth policies, security rules), typed and built once from the
references (graph.py). A reference the checker cannot follow is reported only when a
question needs it."""
from __future__ import annotations

import json
from functools import cached_property
from typing import Any, Callable, Optional, TypeVar, cast

from .graph import Model, Stack
from .kinds import (
    Element,
    Function,
    Listener,
    Network,
    Rule,
    SecurityRule,
    Service,
    ServiceAssociation,
    Target,
    TargetGroup,
    Vpc,
    VpcLink,
    lambda_unqualified,
)
from .tfjson import block, blocks

T = TypeVar("T")


class Declared:
    """What the output declares about networks, services and the ways to them, typed
    and built on first use (surroundings.py adds identities, shares and clusters;
    topology.py what controllers make of the clusters)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._vpcs: dict[str, list[Vpc]] = {}
        self._links: dict[str, list[VpcLink]] = {}
        self._rules: dict[tuple[str, str, str], list[SecurityRule]] = {}
        self._by_kind: dict[tuple[str, str], list[Element]] = {}
        self._memo: dict[tuple[Any, ...], tuple[Any, frozenset[tuple[str, str, str]]]] = {}
        self._predicted: list[Stack] = []  # stacks a subclass adds (topology.py: the controllers' predictions)

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

