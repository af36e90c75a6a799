"""``curl`` from a VPC to a Lattice service, answered from the synthesized Terraform.

Layers, in order: name resolution (a service network associated with the client's
VPC, or reached through a service-network endpoint, carries the service), the RAM
shares the associations need across accounts, the association's security groups,
the listener and the rule that match, the network and service auth policies, and
the target's answer (the function's own code, run locally with the event VPC
Lattice or an ALB sends; other target types are reported as not modeled).
"""
from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import json
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

from .authz import INVOKE, Layer, Request, authorize, request_context
from .graph import UNKNOWN_ACCOUNT, Model, Stack

LINK_LOCAL = "169.254.171.0/24"


class BadInput(ValueError):
    """The request itself is wrong (exit status 2)."""


@dataclass
class Answer:
    reachable: bool
    decision: str  # ALLOW, DENY, UNREACHABLE or UNKNOWN
    status: Optional[int] = None
    body: str = ""
    resolution: Optional[str] = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "decision": self.decision,
            "status": self.status,
            "body": self.body,
            "resolution": self.resolution,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Client:
    """The VPC a request leaves from."""

    stack: Stack
    vpc_name: str
    vpc_id: str
    cidr: str
    account: str
    region: str


@dataclass(frozen=True)
class HttpCall:
    method: str
    host: str
    port: int
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    principal: Optional[str]
    tags: dict[str, str]


Found = tuple[Stack, str, dict[str, Any]]  # a resource: its stack, Terraform name and body


def curl(
    model: Model,
    source: str,
    url: str,
    *,
    method: str = "GET",
    headers: Optional[dict[str, str]] = None,
    principal: Optional[str] = None,
    tags: Optional[dict[str, str]] = None,
) -> Answer:
    client = _client_vpc(model, source)
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"URL {url!r}: give http://<service DNS name, custom domain or Lattice service name>/path")
    call = HttpCall(
        method=method.upper(),
        host=parts.hostname,
        port=parts.port or (443 if parts.scheme == "https" else 80),
        path=parts.path or "/",
        query=parse_qs(parts.query, keep_blank_values=True),
        headers={k.lower(): v for k, v in (headers or {}).items()},
        principal=principal,
        tags=dict(tags or {}),
    )
    model.links.clear()
    involved = {client.stack.name}  # the stacks on the request's path
    answer = _reach(model, client, call, involved)
    answer.reasons.extend(
        f"ids from another stack: {reader} reads the {how} of {producer}"
        for reader, how, producer in sorted(model.links) if reader in involved
    )
    return answer


def _reach(model: Model, client: Client, call: HttpCall, involved: set[str]) -> Answer:
    answer = Answer(reachable=False, decision="UNREACHABLE")
    reasons = answer.reasons
    networks = _networks_of_vpc(model, client)
    service = _service_by_host(model, call.host, networks)
    if service is None:
        resource = _resource_configuration(model, call.host)
        if resource:
            answer.decision = "UNKNOWN"
            reasons.append(f"not modeled: {call.host} is the resource configuration {resource} (TCP to a VPC resource); "
                           "reachability of resource configurations is not modeled")
            return answer
        reasons.append(f"DNS: no Lattice service is named {call.host}: it does not resolve")
        return answer
    svc_stack, _, svc_body = service
    svc_id, svc_arn = _ids(model, service)
    if not networks:
        reasons.append(f"DNS: {client.vpc_name} is connected to no service network: {call.host} does not resolve")
        return answer
    carrying = [(n, sgs, how) for n, sgs, how in networks if _service_association(model, n, svc_id, svc_arn)]
    if not carrying:
        names = ", ".join(n[2]["name"] for n, _, _ in networks)
        reasons.append(f"DNS: no service network of {client.vpc_name} ({names}) carries {svc_body['name']}: {call.host} does not resolve")
        return answer
    network, security_groups, vpc_link = carrying[0]
    net_stack, net_name, net_body = network
    net_arn = model.attribute(net_stack, "aws_vpclattice_service_network", net_name, "arn")
    service_association = _service_association(model, network, svc_id, svc_arn)
    involved.update(s.name for s in (net_stack, svc_stack) + ((service_association[0],) if service_association else ()))
    shares, unshared = _sharing(model, client, vpc_link, network, service_association, svc_arn)
    if unshared:
        reasons.append(f"{unshared}: {call.host} does not resolve")
        return answer
    dns_name = model.attribute(svc_stack, "aws_vpclattice_service", service[1], "dns_entry[0].domain_name")
    answer.resolution = f"{dns_name} -> {LINK_LOCAL} (link-local, through {net_body['name']})"
    named = f"{call.host} (the Lattice name of {dns_name}) " if call.host not in (dns_name, svc_body.get("custom_domain_name")) else ""
    reasons.append(f"DNS: {named}resolves to a {LINK_LOCAL} address through service network {net_body['name']} ({vpc_link})")
    if call.host == svc_body.get("custom_domain_name"):
        reasons.append(_custom_domain(model, call.host, dns_name))
    reasons.extend(shares)

    blocked, admitted = _security_groups(model, client, security_groups, call.port)
    if blocked:
        reasons.append(blocked)
        return answer
    reasons.append(admitted)

    listener = _listener(model, svc_stack, svc_id, svc_arn, call.port)
    if listener is None:
        reasons.append(f"no listener of {svc_body['name']} on port {call.port}: connection refused")
        return answer
    listener_name, listener_body = listener
    action, matched = _route(model, svc_stack, listener_name, listener_body, call)
    reasons.append(f"listener {listener_body['name']} ({listener_body['protocol']} {call.port}): {matched}")

    request = Request(
        action=INVOKE,
        resource=f"{svc_arn}{call.path}",
        principal=call.principal,
        context=request_context(
            method=call.method, path=call.path, port=call.port, service_arn=svc_arn, service_network_arn=net_arn,
            source_vpc=client.vpc_id, source_vpc_owner=None if client.account == UNKNOWN_ACCOUNT else client.account, headers=call.headers, query=call.query,
            principal=call.principal, principal_tags=call.tags,
        ),
    )
    decision = authorize(
        request,
        network=_layer(model, "network", net_stack, net_body, net_arn),
        service=_layer(model, "service", svc_stack, svc_body, svc_arn),
        identity_allows=None,
    )
    reasons.extend(decision.reasons)
    reasons.extend(f"not modeled: {u}" for u in decision.unmodeled)
    answer.reachable = True
    if decision.effect == "DENY":
        answer.decision, answer.status, answer.body = "DENY", 403, decision.access_denied_message(request)
        return answer
    if decision.effect == "UNKNOWN":
        answer.decision = "UNKNOWN"
        return answer
    answer.decision = "ALLOW"
    if "fixed_response" in action:
        answer.status = int(_block(action["fixed_response"])["status_code"])
        reasons.append(f"fixed response {answer.status}")
        return answer
    target = _Target(model, svc_stack, call, client, svc_arn, net_arn)
    status, body, how = target.answer(action)
    answer.status, answer.body = status, body
    reasons.append(how)
    return answer


# Terraform JSON writes a nested block as an object or as a list of objects.


def _blocks(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value)


def _block(value: Any) -> dict[str, Any]:
    found = _blocks(value)
    return found[0] if found else {}


# --- the client's side -----------------------------------------------------------------


def _client_vpc(model: Model, source: str) -> Client:
    stack_name, _, vpc_name = source.partition("/")
    if stack_name not in model.stacks or not vpc_name:
        raise BadInput(f"--from {source!r}: give <stack>/<VPC Name tag>; stacks: {', '.join(model.stacks)}")
    stack = model.stacks[stack_name]
    for name, body in stack.resources("aws_vpc").items():
        if (body.get("tags") or {}).get("Name") == vpc_name:
            return Client(stack, vpc_name, model.attribute(stack, "aws_vpc", name, "id"), body["cidr_block"], *stack.placement(body))
    names = sorted((b.get("tags") or {}).get("Name", n) for n, b in stack.resources("aws_vpc").items())
    raise BadInput(f"--from {source!r}: {stack_name} has no VPC named {vpc_name!r} (VPCs: {', '.join(names)})")


# A service network the client's VPC reaches: the network, the security groups of the
# link, and how it is linked (for the answer's reasons).
NetworkLink = tuple[Found, list[str], str]


def _networks_of_vpc(model: Model, client: Client) -> list[NetworkLink]:
    stack = client.stack
    found = []
    for name, body in stack.resources("aws_vpclattice_service_network_vpc_association").items():
        if model.resolve(body["vpc_identifier"], stack) != client.vpc_id:
            continue
        network = _network(model, model.resolve(body["service_network_identifier"], stack))
        if network:
            found.append((network, model.resolve(body.get("security_group_ids") or [], stack), f"VPC association {name}"))
    for name, body in stack.resources("aws_vpc_endpoint").items():
        if body.get("vpc_endpoint_type") == "ServiceNetwork" and model.resolve(body["vpc_id"], stack) == client.vpc_id:
            network = _network(model, model.resolve(body["service_network_arn"], stack))
            if network:
                found.append((network, model.resolve(body.get("security_group_ids") or [], stack), f"service-network endpoint {name}"))
    return found


def _network(model: Model, identifier: str) -> Optional[Found]:
    for stack in model.stacks.values():
        for name in stack.resources("aws_vpclattice_service_network"):
            if identifier in (model.attribute(stack, "aws_vpclattice_service_network", name, a) for a in ("id", "arn")):
                return stack, name, stack.resources("aws_vpclattice_service_network")[name]
    return None


def _service_by_host(model: Model, host: str, networks: list[NetworkLink]) -> Optional[Found]:
    """The service whose generated DNS name or custom domain is ``host``; offline, its
    Lattice name too (unique in the output, or among the services the client's
    networks carry)."""
    by_name = []
    for stack in model.stacks.values():
        for name, body in stack.resources("aws_vpclattice_service").items():
            dns = model.attribute(stack, "aws_vpclattice_service", name, "dns_entry[0].domain_name")
            if host in (dns, body.get("custom_domain_name")):
                return stack, name, body
            if body.get("name") == host:
                by_name.append((stack, name, body))
    if len(by_name) > 1:
        carried = [s for s in by_name if any(_service_association(model, n, *_ids(model, s)) for n, _, _ in networks)]
        if len(carried) != 1:
            where = ", ".join(s.name for s, _, _ in by_name)
            raise BadInput(f"host {host!r}: services of that name are in {where}: use the service's DNS name")
        return carried[0]
    return by_name[0] if by_name else None


def _resource_configuration(model: Model, host: str) -> Optional[str]:
    """The resource configuration (VPC resource) that ``host`` names, if any."""
    for stack in model.stacks.values():
        for name, body in stack.resources("aws_vpclattice_resource_configuration").items():
            definition = _block(body.get("resource_configuration_definition"))
            names = {body.get("name"), body.get("custom_domain_name"), _block(definition.get("dns_resource")).get("domain_name")}
            if host in names:
                return f"{body.get('name', name)} of {stack.name}"
    return None


def _custom_domain(model: Model, host: str, dns_name: str) -> str:
    """How a custom domain name reaches the service's own DNS name (a Route 53 record)."""
    for stack in model.stacks.values():
        for name, record in stack.resources("aws_route53_record").items():
            if str(model.resolve(record.get("name"), stack)).rstrip(".") != host:
                continue
            targets = [model.resolve(a.get("name"), stack) for a in _blocks(record.get("alias"))] + list(model.resolve(record.get("records") or [], stack))
            if dns_name in targets:
                return f"DNS: {host} is a {record.get('type', 'record')} to {dns_name} (aws_route53_record.{name} in {stack.name}; whether the VPC sees that zone is not modeled)"
            return f"DNS: aws_route53_record.{name} in {stack.name} names {host} but points elsewhere ({', '.join(map(str, targets))}): not modeled further"
    return f"DNS: no Route 53 record for the custom domain {host} in this output (a record elsewhere is not modeled)"


def _ids(model: Model, service: Found) -> tuple[str, str]:
    stack, name, _ = service
    return model.attribute(stack, "aws_vpclattice_service", name, "id"), model.attribute(stack, "aws_vpclattice_service", name, "arn")


def _service_association(model: Model, network: Found, svc_id: str, svc_arn: str) -> Optional[Found]:
    """The association that puts the service in the network, wherever it is declared."""
    net_stack, net_name, _ = network
    net_ids = {model.attribute(net_stack, "aws_vpclattice_service_network", net_name, a) for a in ("id", "arn")}
    for stack in model.stacks.values():
        for name, body in stack.resources("aws_vpclattice_service_network_service_association").items():
            if model.resolve(body["service_network_identifier"], stack) in net_ids and model.resolve(body["service_identifier"], stack) in (svc_id, svc_arn):
                return stack, name, body
    return None


def _sharing(model: Model, client: Client, vpc_link: str, network: Found, service_association: Optional[Found], svc_arn: str) -> tuple[list[str], Optional[str]]:
    """RAM behind each association that uses another account's network or service:
    the shares that make it work, or why the association would fail at apply."""
    net_stack, net_name, _ = network
    net_arn = model.attribute(net_stack, "aws_vpclattice_service_network", net_name, "arn")
    checks = [(vpc_link, client.stack, client.account, net_arn)]
    if service_association:
        assoc_stack, assoc_name, assoc_body = service_association
        assoc_account = assoc_stack.placement(assoc_body)[0]
        checks += [(f"service association {assoc_name}", assoc_stack, assoc_account, arn) for arn in (net_arn, svc_arn)]
    notes: list[str] = []
    for what, stack, account, arn in checks:
        owner = arn.split(":")[4]
        if UNKNOWN_ACCOUNT in (owner, account):
            noun = "service network" if ":servicenetwork/" in arn else "service"
            notes.append(f"not modeled: whether the {what} in {stack.name} may use the {noun} (a provider pins no account: allowed_account_ids)")
            continue
        if owner == account:
            continue
        allowed, why = model.sharing(arn, account)
        if not allowed:
            return notes, f"{what} in {stack.name} fails at apply: {why}"
        notes.append(why)
    return notes, None


@dataclass(frozen=True)
class _Ingress:
    """One ingress rule, from any of the three ways Terraform writes them."""

    protocol: str  # "tcp", "-1" (all), or anything else
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    groups: tuple[str, ...]  # referenced security groups (clients by group membership)
    where: str

    def admits_port(self, port: int) -> bool:
        return self.protocol in ("-1", "all") or (self.protocol in ("tcp", "6") and self.from_port <= port <= self.to_port)


def _ingress_rules(model: Model, stack: Stack, group_id: str) -> list[_Ingress]:
    rules = []
    for name, body in stack.resources("aws_security_group").items():
        if model.attribute(stack, "aws_security_group", name, "id") == group_id:
            for rule in _blocks(body.get("ingress")):
                rules.append(_ingress(model, stack, rule, rule.get("cidr_blocks"), rule.get("security_groups"), f"aws_security_group.{name}"))
    for name, rule in stack.resources("aws_security_group_rule").items():
        if rule.get("type") == "ingress" and model.resolve(rule["security_group_id"], stack) == group_id:
            rules.append(_ingress(model, stack, rule, rule.get("cidr_blocks"), [rule["source_security_group_id"]] if rule.get("source_security_group_id") else [], f"aws_security_group_rule.{name}"))
    for name, rule in stack.resources("aws_vpc_security_group_ingress_rule").items():
        if model.resolve(rule["security_group_id"], stack) == group_id:
            normalized = {**rule, "protocol": rule.get("ip_protocol"), "from_port": rule.get("from_port", 0), "to_port": rule.get("to_port", 65535)}
            cidrs = [rule["cidr_ipv4"]] if rule.get("cidr_ipv4") else []
            groups = [rule["referenced_security_group_id"]] if rule.get("referenced_security_group_id") else []
            rules.append(_ingress(model, stack, normalized, cidrs, groups, f"aws_vpc_security_group_ingress_rule.{name}"))
    return rules


def _ingress(model: Model, stack: Stack, rule: dict[str, Any], cidrs: Any, groups: Any, where: str) -> _Ingress:
    return _Ingress(
        protocol=str(model.resolve(rule.get("protocol"), stack)).lower(),
        from_port=int(model.resolve(rule.get("from_port", 0), stack)),
        to_port=int(model.resolve(rule.get("to_port", 0), stack)),
        cidrs=tuple(str(c) for c in model.resolve(cidrs or [], stack)),
        groups=tuple(str(g) for g in model.resolve(groups or [], stack)),
        where=where,
    )


def _security_groups(model: Model, client: Client, group_ids: list[str], port: int) -> tuple[Optional[str], str]:
    """Whether the association's security groups let the client's VPC in on ``port``:
    (why the connection times out, or None; what admits it)."""
    if not group_ids:
        return None, "the association has no security group"
    source = ipaddress.ip_network(client.cidr)
    partial: list[str] = []
    by_group: list[str] = []
    for group_id in group_ids:
        for rule in _ingress_rules(model, client.stack, group_id):
            if not rule.admits_port(port):
                continue
            for cidr in rule.cidrs:
                allowed = ipaddress.ip_network(cidr)
                if allowed.version != source.version:
                    continue
                if source.subnet_of(allowed):  # type: ignore[arg-type]
                    return None, f"security group {group_id} admits TCP {port} from {cidr} ({rule.where})"
                if allowed.subnet_of(source):  # type: ignore[arg-type]
                    partial.append(cidr)
            by_group.extend(rule.groups)
    if partial:
        return None, f"security groups admit TCP {port} only from {', '.join(partial)}, part of {client.cidr}: clients elsewhere in the VPC time out"
    if by_group:
        return None, f"not modeled: TCP {port} is admitted from members of security group {', '.join(by_group)} (which instances are members is not modeled)"
    return f"security groups {', '.join(group_ids)} of the association admit no TCP {port} from {client.cidr}: the connection times out", ""


# --- the service's side -------------------------------------------------------------------


def _layer(model: Model, kind: str, stack: Stack, body: dict[str, Any], arn: str) -> Layer:
    policy = None
    for candidate in stack.resources("aws_vpclattice_auth_policy").values():
        if model.resolve(candidate["resource_identifier"], stack) == arn:
            resolved = model.resolve(candidate["policy"], stack)
            policy = json.loads(resolved) if isinstance(resolved, str) else resolved  # literal JSON or jsonencode
    return Layer(kind, body.get("auth_type", "NONE"), policy)  # type: ignore[arg-type]


def _listener(model: Model, stack: Stack, svc_id: str, svc_arn: str, port: int) -> Optional[tuple[str, dict[str, Any]]]:
    for name, body in stack.resources("aws_vpclattice_listener").items():
        default_port = {"HTTP": 80, "HTTPS": 443}.get(body["protocol"])
        if model.resolve(body["service_identifier"], stack) in (svc_id, svc_arn) and body.get("port", default_port) == port:
            return name, body
    return None


def _route(model: Model, stack: Stack, listener_name: str, listener: dict[str, Any], call: HttpCall) -> tuple[dict[str, Any], str]:
    listener_id = model.attribute(stack, "aws_vpclattice_listener", listener_name, "listener_id")
    rules = [
        body for body in stack.resources("aws_vpclattice_listener_rule").values()
        if model.resolve(body["listener_identifier"], stack) == listener_id
    ]
    for rule in sorted(rules, key=lambda r: r["priority"]):
        if _rule_matches(_block(_block(rule["match"]).get("http_match")), call):
            return _block(rule["action"]), f"rule {rule['name']} (priority {rule['priority']}) matched"
    return _block(listener["default_action"]), "no rule matched: default action"


def _rule_matches(match: dict[str, Any], call: HttpCall) -> bool:
    if match.get("method") and match["method"] != call.method:
        return False
    path_match = _block(match.get("path_match"))
    if path_match:
        sensitive = path_match.get("case_sensitive", True)
        how = _block(path_match["match"])
        want = how.get("exact") or how.get("prefix") or ""
        have, want = (call.path, want) if sensitive else (call.path.lower(), want.lower())
        if "exact" in how and have != want or "prefix" in how and not have.startswith(want):
            return False
    for header in _blocks(match.get("header_matches")):
        value = call.headers.get(header["name"].lower())
        if value is None:
            return False
        kind, want = next(iter(_block(header["match"]).items()))
        if not header.get("case_sensitive", False):
            value, want = value.lower(), want.lower()
        if not {"exact": value == want, "prefix": value.startswith(want), "contains": want in value}[kind]:
            return False
    return True


# (status or None when not modeled, body, how the answer was found)
TargetAnswer = tuple[Optional[int], str, str]


@dataclass(frozen=True)
class _Target:
    """The answer of whatever the matched action forwards to."""

    model: Model
    stack: Stack  # the service's stack, where its target groups live
    call: HttpCall
    client: Client
    service_arn: str
    network_arn: str

    def answer(self, action: dict[str, Any]) -> TargetAnswer:
        model, stack = self.model, self.stack
        groups = [g for forward in _blocks(action.get("forward")) for g in _blocks(forward.get("target_groups"))]
        if not groups:
            return None, "", "the action forwards to no target group"
        chosen = max(groups, key=lambda g: g.get("weight", 100))
        tg_id = model.resolve(chosen["target_group_identifier"], stack)
        for name, body in stack.resources("aws_vpclattice_target_group").items():
            if model.attribute(stack, "aws_vpclattice_target_group", name, "id") != tg_id:
                continue
            attachments = [a for a in stack.resources("aws_vpclattice_target_group_attachment").values()
                           if model.resolve(a["target_group_identifier"], stack) == tg_id]
            targets = [model.resolve(_block(a["target"])["id"], stack) for a in attachments]
            if not targets:
                return 503, "", f"target group {body['name']} has no target"
            tg_arn = model.attribute(stack, "aws_vpclattice_target_group", name, "arn")
            config = _block(body.get("config"))
            if body["type"] == "LAMBDA":
                version = config.get("lambda_event_structure_version", "V1")
                return self._invoke(targets[0], self._lattice_event(version, tg_arn), f"target group {body['name']} (LAMBDA, event {version})")
            if body["type"] == "ALB":
                return self._through_alb(targets[0], body["name"])
            port = _block(attachments[0]["target"]).get("port") or config.get("port")
            return None, "", (f"target group {body['name']} ({body['type']}): forwards to {targets[0]} port {port}; "
                              "what that host answers is not modeled")
        return None, "", f"target group {tg_id} is not in this output"

    def _through_alb(self, alb_arn: str, tg_name: str) -> TargetAnswer:
        model, stack, call = self.model, self.stack, self.call
        for body in stack.resources("aws_lb_listener").values():
            if model.resolve(body["load_balancer_arn"], stack) != alb_arn:
                continue
            forward = next((a for a in _blocks(body.get("default_action")) if a.get("type") == "forward"), None)
            if not forward:
                return None, "", "the ALB listener does not forward (not modeled)"
            lb_tg_arn = model.resolve(forward["target_group_arn"], stack)
            for attachment in stack.resources("aws_lb_target_group_attachment").values():
                if model.resolve(attachment["target_group_arn"], stack) == lb_tg_arn:
                    event = {
                        "requestContext": {"elb": {"targetGroupArn": lb_tg_arn}},
                        "httpMethod": call.method,
                        "path": call.path,
                        "queryStringParameters": {k: v[-1] for k, v in call.query.items()},
                        "headers": call.headers,
                        "body": "",
                        "isBase64Encoded": False,
                    }
                    return self._invoke(model.resolve(attachment["target_id"], stack), event, f"target group {tg_name} (ALB) -> internal ALB -> Lambda")
        return None, "", "the ALB behind the target group is not in this output"

    def _lattice_event(self, version: str, tg_arn: str) -> dict[str, Any]:
        call, client = self.call, self.client
        if version == "V2":
            return {
                "version": "2.0", "path": call.path, "method": call.method,
                "headers": {k: [v] for k, v in call.headers.items()}, "queryStringParameters": call.query,
                "body": None, "isBase64Encoded": False,
                "requestContext": {
                    "serviceNetworkArn": self.network_arn, "serviceArn": self.service_arn, "targetGroupArn": tg_arn,
                    "identity": {
                        "sourceVpcArn": f"arn:aws:ec2:{client.region}:{client.account}:vpc/{client.vpc_id}",
                        **({"type": "AWS_IAM", "principal": call.principal} if call.principal else {"type": "AnonymousIdentity"}),
                    },
                    "region": client.region, "timeEpoch": str(int(time.time() * 1_000_000)),
                },
            }
        return {
            "method": call.method, "raw_path": call.path, "headers": call.headers,
            "query_string_parameters": {k: v[-1] for k, v in call.query.items()},  # last value wins
            "body": "", "is_base64_encoded": False,
        }

    def _invoke(self, function_arn: str, event: dict[str, Any], route: str) -> TargetAnswer:
        model, stack = self.model, self.stack
        for name, body in stack.resources("aws_lambda_function").items():
            if model.attribute(stack, "aws_lambda_function", name, "arn") != function_arn:
                continue
            package = stack.directory / body["filename"]
            module_name, _, handler_name = body["handler"].rpartition(".")
            environment = _block(body.get("environment")).get("variables") or {}
            with tempfile.TemporaryDirectory() as workdir, _environment(model.resolve(environment, stack)):
                with zipfile.ZipFile(package) as archive:
                    archive.extractall(workdir)
                spec = importlib.util.spec_from_file_location(f"lattice_check_fn_{name}", Path(workdir) / f"{module_name.replace('.', '/')}.py")
                if spec is None or spec.loader is None:
                    return 502, "", f"{route}: handler {body['handler']} not found in the package"
                module = importlib.util.module_from_spec(spec)
                try:
                    spec.loader.exec_module(module)
                    response = getattr(module, handler_name)(event, None)
                except Exception as error:  # the function failed: Lattice answers 502
                    return 502, "", f"{route}: {body['function_name']} raised {type(error).__name__}: {error}"
            return int(response.get("statusCode", 200)), str(response.get("body", "")), f"{route}: ran {body['function_name']} ({body['handler']})"
        return None, "", f"{route}: function {function_arn} is not in this output"


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update({k: str(v) for k, v in variables.items()})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
