"""``curl`` from a VPC to a Lattice service, answered from the synthesized Terraform.

Layers, in order: name resolution (a service network associated with the client's
VPC carries the service), the association's security groups, the listener and the
rule that match, the network and service auth policies, and the target's answer
(the function's own code, run locally with the event VPC Lattice or an ALB sends).
"""
from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import json
import os
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

from .authz import INVOKE, Layer, Request, authorize, request_context
from .graph import Model, Stack

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
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    stack, vpc_name, vpc_id, vpc_cidr = _client_vpc(model, source)
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"URL {url!r}: give http://<service DNS name or custom domain>/path")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    answer = Answer(reachable=False, decision="UNREACHABLE")
    reasons = answer.reasons

    networks = _networks_of_vpc(model, stack, vpc_id)
    service = _service_by_host(model, parts.hostname)
    if service is None:
        reasons.append(f"DNS: no Lattice service is named {parts.hostname}: it does not resolve")
        return answer
    svc_stack, svc_name, svc_body = service
    svc_id = model.attribute(svc_stack, "aws_vpclattice_service", svc_name, "id")
    svc_arn = model.attribute(svc_stack, "aws_vpclattice_service", svc_name, "arn")
    carrying = [(n, sgs) for n, sgs in networks if _associated(model, n, svc_id, svc_arn)]
    if not networks:
        reasons.append(f"DNS: {vpc_name} is connected to no service network: {parts.hostname} does not resolve")
        return answer
    if not carrying:
        names = ", ".join(n[2]["name"] for n, _ in networks)
        reasons.append(f"DNS: no service network of {vpc_name} ({names}) carries {svc_body['name']}: {parts.hostname} does not resolve")
        return answer
    (net_stack, net_name, net_body), security_groups = carrying[0]
    net_arn = model.attribute(net_stack, "aws_vpclattice_service_network", net_name, "arn")
    answer.resolution = f"{parts.hostname} -> {LINK_LOCAL} (link-local, through {net_body['name']})"
    reasons.append(f"DNS: resolves to a {LINK_LOCAL} address through service network {net_body['name']}")

    blocked = _security_groups_block(model, stack, security_groups, port, vpc_cidr)
    if blocked:
        reasons.append(blocked)
        return answer
    reasons.append(f"security groups of the association admit TCP {port} from {vpc_cidr}" if security_groups else "the association has no security group")

    listener = _listener(model, svc_stack, svc_id, svc_arn, port)
    if listener is None:
        reasons.append(f"no listener of {svc_body['name']} on port {port}: connection refused")
        return answer
    listener_name, listener_body = listener
    query = parse_qs(parts.query, keep_blank_values=True)
    action, matched = _route(model, svc_stack, listener_name, listener_body, method, path, headers)
    reasons.append(f"listener {listener_body['name']} ({listener_body['protocol']} {port}): {matched}")

    request = Request(
        action=INVOKE,
        resource=f"{svc_arn}{path}",
        principal=principal,
        context=request_context(
            method=method, path=path, port=port, service_arn=svc_arn, service_network_arn=net_arn,
            source_vpc=vpc_id, source_vpc_owner=stack.account, headers=headers, query=query,
            principal=principal, principal_tags=tags or {},
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
        answer.status = int(action["fixed_response"]["status_code"])
        reasons.append(f"fixed response {answer.status}")
        return answer
    status, body, how = _target_answer(model, svc_stack, action, method, path, headers, query, svc_arn, net_arn, vpc_id, stack)
    answer.status, answer.body = status, body
    reasons.append(how)
    return answer


# --- the client's side -----------------------------------------------------------------


def _client_vpc(model: Model, source: str) -> tuple[Stack, str, str, str]:
    stack_name, _, vpc_name = source.partition("/")
    if stack_name not in model.stacks or not vpc_name:
        raise BadInput(f"--from {source!r}: give <stack>/<VPC Name tag>; stacks: {', '.join(model.stacks)}")
    stack = model.stacks[stack_name]
    for name, body in stack.resources("aws_vpc").items():
        if (body.get("tags") or {}).get("Name") == vpc_name:
            return stack, vpc_name, model.attribute(stack, "aws_vpc", name, "id"), body["cidr_block"]
    names = sorted((b.get("tags") or {}).get("Name", n) for n, b in stack.resources("aws_vpc").items())
    raise BadInput(f"--from {source!r}: {stack_name} has no VPC named {vpc_name!r} (VPCs: {', '.join(names)})")


def _networks_of_vpc(model: Model, stack: Stack, vpc_id: str) -> list[tuple[tuple[Stack, str, dict[str, Any]], list[str]]]:
    found = []
    for name, body in stack.resources("aws_vpclattice_service_network_vpc_association").items():
        if model.resolve(body["vpc_identifier"], stack) != vpc_id:
            continue
        network = _network(model, model.resolve(body["service_network_identifier"], stack))
        if network:
            found.append((network, model.resolve(body.get("security_group_ids") or [], stack)))
    for name, body in stack.resources("aws_vpc_endpoint").items():
        if body.get("vpc_endpoint_type") == "ServiceNetwork" and model.resolve(body["vpc_id"], stack) == vpc_id:
            network = _network(model, model.resolve(body["service_network_arn"], stack))
            if network:
                found.append((network, model.resolve(body.get("security_group_ids") or [], stack)))
    return found


def _network(model: Model, identifier: str) -> Optional[tuple[Stack, str, dict[str, Any]]]:
    for stack in model.stacks.values():
        for name in stack.resources("aws_vpclattice_service_network"):
            if identifier in (model.attribute(stack, "aws_vpclattice_service_network", name, a) for a in ("id", "arn")):
                return stack, name, stack.resources("aws_vpclattice_service_network")[name]
    return None


def _service_by_host(model: Model, host: str) -> Optional[tuple[Stack, str, dict[str, Any]]]:
    for stack in model.stacks.values():
        for name, body in stack.resources("aws_vpclattice_service").items():
            dns = model.attribute(stack, "aws_vpclattice_service", name, "dns_entry[0].domain_name")
            if host in (dns, body.get("custom_domain_name")):
                return stack, name, body
    return None


def _associated(model: Model, network: tuple[Stack, str, dict[str, Any]], svc_id: str, svc_arn: str) -> bool:
    net_stack, net_name, _ = network
    net_ids = {model.attribute(net_stack, "aws_vpclattice_service_network", net_name, a) for a in ("id", "arn")}
    for stack in model.stacks.values():
        for body in stack.resources("aws_vpclattice_service_network_service_association").values():
            if model.resolve(body["service_network_identifier"], stack) in net_ids and model.resolve(body["service_identifier"], stack) in (svc_id, svc_arn):
                return True
    return False


def _security_groups_block(model: Model, stack: Stack, group_ids: list[str], port: int, cidr: str) -> Optional[str]:
    if not group_ids:
        return None
    client = ipaddress.IPv4Network(cidr)
    for name, body in stack.resources("aws_security_group").items():
        if model.attribute(stack, "aws_security_group", name, "id") not in group_ids:
            continue
        for rule in body.get("ingress") or []:
            ports_ok = rule["protocol"] == "-1" or (rule["protocol"] == "tcp" and rule["from_port"] <= port <= rule["to_port"])
            if ports_ok and any(client.subnet_of(ipaddress.IPv4Network(c)) for c in rule.get("cidr_blocks") or []):
                return None
    return f"security groups {', '.join(group_ids)} of the association admit no TCP {port} from {cidr}: the connection times out"


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


def _route(model: Model, stack: Stack, listener_name: str, listener: dict[str, Any], method: str, path: str, headers: dict[str, str]) -> tuple[dict[str, Any], str]:
    listener_id = model.attribute(stack, "aws_vpclattice_listener", listener_name, "listener_id")
    rules = [
        body for body in stack.resources("aws_vpclattice_listener_rule").values()
        if model.resolve(body["listener_identifier"], stack) == listener_id
    ]
    for rule in sorted(rules, key=lambda r: r["priority"]):
        if _rule_matches(rule["match"]["http_match"], method, path, headers):
            action = rule["action"]
            forward = action.get("forward")
            return ({"forward": [forward]} if isinstance(forward, dict) else action), f"rule {rule['name']} (priority {rule['priority']}) matched"
    return listener["default_action"], "no rule matched: default action"


def _rule_matches(match: dict[str, Any], method: str, path: str, headers: dict[str, str]) -> bool:
    if match.get("method") and match["method"] != method:
        return False
    path_match = match.get("path_match")
    if path_match:
        sensitive = path_match.get("case_sensitive", True)
        want = path_match["match"].get("exact") or path_match["match"].get("prefix") or ""
        have, want = (path, want) if sensitive else (path.lower(), want.lower())
        if "exact" in path_match["match"] and have != want or "prefix" in path_match["match"] and not have.startswith(want):
            return False
    for header in match.get("header_matches") or []:
        value = headers.get(header["name"].lower())
        if value is None:
            return False
        kind, want = next(iter(header["match"].items()))
        if not header.get("case_sensitive", False):
            value, want = value.lower(), want.lower()
        if not {"exact": value == want, "prefix": value.startswith(want), "contains": want in value}[kind]:
            return False
    return True


def _target_answer(model: Model, stack: Stack, action: dict[str, Any], method: str, path: str, headers: dict[str, str], query: dict[str, list[str]], svc_arn: str, net_arn: str, vpc_id: str, client: Stack) -> tuple[Optional[int], str, str]:
    groups = [g for forward in action.get("forward") or [] for g in forward.get("target_groups") or []]
    if not groups:
        return None, "", "the action forwards to no target group"
    chosen = max(groups, key=lambda g: g.get("weight", 100))
    tg_id = model.resolve(chosen["target_group_identifier"], stack)
    for name, body in stack.resources("aws_vpclattice_target_group").items():
        if model.attribute(stack, "aws_vpclattice_target_group", name, "id") != tg_id:
            continue
        targets = [model.resolve(a["target"]["id"], stack) for a in stack.resources("aws_vpclattice_target_group_attachment").values()
                   if model.resolve(a["target_group_identifier"], stack) == tg_id]
        if not targets:
            return 503, "", f"target group {body['name']} has no target"
        tg_arn = model.attribute(stack, "aws_vpclattice_target_group", name, "arn")
        if body["type"] == "LAMBDA":
            version = (body.get("config") or {}).get("lambda_event_structure_version", "V1")
            event = _lattice_event(version, method, path, headers, query, svc_arn, net_arn, tg_arn, vpc_id, client)
            return _invoke(model, stack, targets[0], event, f"target group {body['name']} (LAMBDA, event {version})")
        if body["type"] == "ALB":
            return _through_alb(model, stack, targets[0], method, path, headers, query, body["name"])
        return None, "", f"target group {body['name']} ({body['type']}): answers are not modeled for this type"
    return None, "", f"target group {tg_id} is not in this output"


def _through_alb(model: Model, stack: Stack, alb_arn: str, method: str, path: str, headers: dict[str, str], query: dict[str, list[str]], tg_name: str) -> tuple[Optional[int], str, str]:
    for name, body in stack.resources("aws_lb_listener").items():
        if model.resolve(body["load_balancer_arn"], stack) != alb_arn:
            continue
        forward = next((a for a in body.get("default_action") or [] if a.get("type") == "forward"), None)
        if not forward:
            return None, "", "the ALB listener does not forward"
        lb_tg_arn = model.resolve(forward["target_group_arn"], stack)
        for attachment in stack.resources("aws_lb_target_group_attachment").values():
            if model.resolve(attachment["target_group_arn"], stack) == lb_tg_arn:
                event = {
                    "requestContext": {"elb": {"targetGroupArn": lb_tg_arn}},
                    "httpMethod": method,
                    "path": path,
                    "queryStringParameters": {k: v[-1] for k, v in query.items()},
                    "headers": headers,
                    "body": "",
                    "isBase64Encoded": False,
                }
                return _invoke(model, stack, model.resolve(attachment["target_id"], stack), event, f"target group {tg_name} (ALB) -> internal ALB -> Lambda")
    return None, "", "the ALB behind the target group is not in this output"


def _lattice_event(version: str, method: str, path: str, headers: dict[str, str], query: dict[str, list[str]], svc_arn: str, net_arn: str, tg_arn: str, vpc_id: str, client: Stack) -> dict[str, Any]:
    if version == "V2":
        return {
            "version": "2.0", "path": path, "method": method,
            "headers": {k: [v] for k, v in headers.items()}, "queryStringParameters": query,
            "body": None, "isBase64Encoded": False,
            "requestContext": {
                "serviceNetworkArn": net_arn, "serviceArn": svc_arn, "targetGroupArn": tg_arn,
                "identity": {"sourceVpcArn": f"arn:aws:ec2:{client.region}:{client.account}:vpc/{vpc_id}", "type": "AnonymousIdentity"},
                "region": client.region, "timeEpoch": str(int(time.time() * 1_000_000)),
            },
        }
    return {
        "method": method, "raw_path": path, "headers": headers,
        "query_string_parameters": {k: v[-1] for k, v in query.items()},  # last value wins
        "body": "", "is_base64_encoded": False,
    }


def _invoke(model: Model, stack: Stack, function_arn: str, event: dict[str, Any], route: str) -> tuple[Optional[int], str, str]:
    for name, body in stack.resources("aws_lambda_function").items():
        if model.attribute(stack, "aws_lambda_function", name, "arn") != function_arn:
            continue
        package = stack.directory / body["filename"]
        module_name, _, handler_name = body["handler"].rpartition(".")
        environment = (body.get("environment") or {}).get("variables") or {}
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
