"""Hosts outside Lattice, the original seed 002 path: a Route 53 private hosted zone
of the client's VPC names an internal Application Load Balancer (an alias record);
the balancer's security groups, its listener and certificate on the request's port;
its target group, whose IP targets are the network interfaces of an interface VPC
endpoint; the security groups between balancer and endpoint; then the endpoint's
service (execute-api: api_gateway.py, which goes on to the function).

The balancer passes the request on unchanged, ``Host`` header included, which is how
API Gateway finds the custom domain behind one endpoint (seed-002 inventory)."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Optional

from . import alb, api_gateway
from .answer import Answer
from .certificates import certificate_failure
from .dynamodb import Tables
from .graph import Stack
from .kinds import Element, VpcLink
from .resolution import Client, private_zone, zone_record
from .routing import HttpCall
from .security_groups import admission, between_groups
from .tfjson import block
from .topology import Topology

_INTERFACE_OF_ENDPOINT = re.compile(r"aws_vpc_endpoint\.([A-Za-z0-9_-]+)\.network_interface_ids")
_DATA_INTERFACE = re.compile(r"^\$\{data\.aws_network_interface\.([A-Za-z0-9_-]+)\.private_ip\}$")


@dataclass(frozen=True)
class Alias:
    zone: Element
    record: Element
    target: str  # the DNS name the alias points to


def private_alias(topology: Topology, client: Client, host: str, reasons: list[str]) -> Optional[Alias]:
    """The alias record of a private zone associated with the client's VPC that
    answers ``host`` (None when none does: the reasons say what the zone holds)."""
    zone = private_zone(topology, client, host)
    if zone is None:
        return None
    element, zone_name, associated = zone
    where = f"private zone {zone_name} (aws_route53_zone.{element.name} in {element.stack.name})"
    if not associated:
        reasons.append(f"DNS: {where} is not associated with {client.vpc_name}: {host} does not resolve there")
        return None
    record = zone_record(topology, element, zone_name, host)
    if record is None:
        reasons.append(f"DNS: {where} has no record {host}: NXDOMAIN")
        return None
    alias = block(record.body.get("alias"))
    if not alias:
        reasons.append(f"DNS: {host} is a {record.body.get('type')} record (aws_route53_record.{record.name}) without an alias: not modeled further")
        return None
    target = str(topology.resolve(alias["name"], record)).rstrip(".")
    reasons.append(f"DNS: {host} is an alias to {target} in {where}, associated with {client.vpc_name}")
    return Alias(element, record, target)


def balancer(topology: Topology, alias: Alias) -> Optional[Element]:
    """The load balancer of this output the alias points to, if any."""
    return next(
        (e for e in topology.elements("aws_lb") if topology.model.attribute(e.stack, "aws_lb", e.name, "dns_name") == alias.target), None
    )


# Past a load balancer whose targets are a service-network endpoint: the Lattice hops,
# for the endpoint's link, with the client as the endpoint sees it.
Onward = Callable[[VpcLink, Client, Answer], Answer]


def reach(
    topology: Topology, client: Client, call: HttpCall, alias: Alias, involved: set[str], tables: Tables,
    now: Optional[datetime] = None, onward: Optional[Onward] = None,
) -> Answer:
    """The request through the load balancer the alias names."""
    answer = Answer(reachable=False, decision="UNREACHABLE")
    reasons = answer.reasons
    found = balancer(topology, alias)
    if found is None:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: {alias.target} is not a load balancer of this output")
        return answer
    stack = found.stack
    involved.add(stack.name)
    name = found.body.get("name", found.name)
    network_balancer = found.body.get("load_balancer_type", "application") == "network"
    answer.resolution = f"{call.host} -> {alias.target} (load balancer {name})"
    subnets = tuple(topology.resolve(found.body.get("subnets") or [], found))
    vpcs = {_subnet_of(topology, stack, s)[0] for s in subnets}
    if vpcs != {client.vpc_id}:
        reasons.append(f"load balancer {name} is not in {client.vpc_name} (its subnets are in {', '.join(sorted(map(str, vpcs)))}): no route")
        return answer
    groups = tuple(topology.resolve(found.body.get("security_groups") or [], found))
    if groups or not network_balancer:
        blocked, admitted = admission(topology, client, groups, call.port, stack=stack, what=f"load balancer {name}")
        if blocked:
            reasons.append(blocked)
            return answer
        reasons.append(admitted)
    else:
        reasons.append(f"load balancer {name} (network) has no security group: it takes any source; what it forwards to decides")
    balancer_arn = topology.model.attribute(stack, "aws_lb", found.name, "arn")
    listener = next(
        (
            e for e in topology.elements("aws_lb_listener", stack)
            if topology.resolve(e.body["load_balancer_arn"], e) == balancer_arn and int(e.body.get("port", 0)) == call.port
        ),
        None,
    )
    if listener is None:
        reasons.append(f"load balancer {name} has no listener on port {call.port}: connection refused")
        return answer
    protocol = listener.body.get("protocol", "TCP" if network_balancer else "HTTP")
    if protocol == "HTTPS" and call.scheme == "http":
        answer.reachable, answer.decision, answer.status = True, "ALLOW", 400
        answer.body = "400 The plain HTTP request was sent to HTTPS port"
        reasons.append(f"listener aws_lb_listener.{listener.name} is HTTPS on {call.port}: a plain HTTP request gets 400")
        return answer
    if protocol == "HTTP" and call.scheme == "https":
        reasons.append(f"listener aws_lb_listener.{listener.name} is plain HTTP on {call.port}: the TLS handshake fails")
        return answer
    if protocol in ("HTTPS", "TLS"):
        failed = certificate_failure(topology, str(topology.resolve(listener.body.get("certificate_arn"), listener)), call.host, reasons)
        if failed:
            reasons.append(failed)
            return answer
    action = alb.listener_action(topology, stack, listener, alb.AlbRequest(call, client.cidr))
    if action.kind is None:
        answer.decision = "UNKNOWN"
        reasons.append(action.how)
        return answer
    if action.kind != "forward":
        answer.reachable, answer.decision, answer.status, answer.body = True, "ALLOW", action.status, action.body
        location = f", Location {alb.fill_location(action.location, alb.AlbRequest(call))}" if action.location else ""
        reasons.append(f"listener aws_lb_listener.{listener.name} ({protocol} {call.port}): {action.how}: {action.kind} {action.status}{location}")
        return answer
    weighted = [arn for arn, weight in action.groups if weight > 0]
    if len(weighted) != 1:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: {action.how} spreads requests over {len(weighted)} target groups by weight")
        return answer
    group_arn = weighted[0]
    group = next((e for e in topology.elements("aws_lb_target_group", stack) if topology.model.attribute(stack, "aws_lb_target_group", e.name, "arn") == group_arn), None)
    if group is None:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: target group {group_arn} is not in this output")
        return answer
    chosen = "" if action.how == f"the default action of aws_lb_listener.{listener.name}" else f" by {action.how}"  # said only when it had rules
    reasons.append(f"listener aws_lb_listener.{listener.name} ({protocol} {call.port}) forwards{chosen} to target group {group.body.get('name', group.name)}")
    if group.body.get("target_type") != "ip":
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: target type {group.body.get('target_type', 'instance')} behind a load balancer of a private zone")
        return answer
    attachments = [a for a in topology.elements("aws_lb_target_group_attachment", stack) if topology.resolve(a.body["target_group_arn"], a) == group_arn]
    endpoints = {_endpoint_behind(stack.data("aws_network_interface"), a.body.get("target_id", "")) for a in attachments}
    if not attachments:
        answer.reachable, answer.decision, answer.status, answer.body = True, "ALLOW", 503, "503 Service Temporarily Unavailable"
        reasons.append(f"target group {group.body.get('name')} has no target: the load balancer answers 503")
        return answer
    if None in endpoints or len(endpoints) != 1:
        answer.decision = "UNKNOWN"
        reasons.append("not modeled: IP targets that are not the interfaces of one VPC endpoint")
        return answer
    (endpoint_name,) = endpoints
    endpoint = Element(stack, str(endpoint_name), stack.resources("aws_vpc_endpoint")[str(endpoint_name)])
    endpoint_subnets = tuple(topology.resolve(endpoint.body.get("subnet_ids") or [], endpoint))
    subnet_cidrs = tuple(_subnet_of(topology, stack, s)[1] for s in subnets)
    endpoint_groups = tuple(topology.resolve(endpoint.body.get("security_group_ids") or [], endpoint))
    health = _nlb_health(topology, group, subnet_cidrs, endpoint_groups) if network_balancer else _health(group)
    reasons.append(
        f"its {len(attachments)} IP targets are the addresses of aws_vpc_endpoint.{endpoint.name} "
        f"({len(endpoint_subnets)} interfaces, one per subnet){health}"
    )
    if endpoint.body.get("vpc_endpoint_type") == "ServiceNetwork":
        return _into_service_network(topology, client, endpoint, group, subnet_cidrs, answer, onward)
    port = int(group.body.get("port", call.port))
    blocked, between = between_groups(
        topology, stack, groups, subnet_cidrs, endpoint_groups, tuple(_subnet_of(topology, stack, s)[1] for s in endpoint_subnets), port,
    )
    if blocked:
        reasons.append(f"load balancer to endpoint: {blocked}: the load balancer's requests time out (it answers 504)")
        answer.reachable, answer.decision, answer.status, answer.body = True, "ALLOW", 504, "504 Gateway Time-out"
        return answer
    reasons.append(f"load balancer to endpoint: {'; '.join(between)}")
    service_name = str(topology.resolve(endpoint.body.get("service_name", ""), endpoint))
    if not service_name.endswith(".execute-api"):
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: what {service_name} answers through an interface endpoint")
        return answer
    involved.update(e.stack.name for e in topology.elements("aws_api_gateway_domain_name") if topology.resolve(e.body.get("domain_name"), e) == call.host)
    return api_gateway.reach(topology, call, endpoint, tables, answer, now)


def _into_service_network(
    topology: Topology, client: Client, endpoint: Element, group: Element, balancer_cidrs: tuple[str, ...], answer: Answer, onward: Optional[Onward]
) -> Answer:
    """Through a service-network endpoint: the Lattice hops go on from there. The
    endpoint sees the client's own address when the target group preserves it, else
    the balancer's (each of its subnets must then be admitted)."""
    link = next((l for l in topology.links(endpoint.stack) if l.element.name == endpoint.name), None)
    if link is None or onward is None:
        answer.decision = "UNKNOWN"
        answer.reasons.append(f"not modeled: aws_vpc_endpoint.{endpoint.name} leads to no service network of this output")
        return answer
    preserved = str(group.body.get("preserve_client_ip", "false")).lower() == "true"
    if preserved:
        answer.reasons.append(f"the target group preserves client addresses: the endpoint sees {client.cidr}")
        return onward(link, client, answer)
    answer.reasons.append(f"the target group does not preserve client addresses: the endpoint sees the load balancer's ({', '.join(balancer_cidrs)})")
    for cidr in balancer_cidrs[1:]:
        blocked, _ = admission(topology, client.seen_from(cidr), link.security_group_ids, _group_port(group), stack=endpoint.stack, what=link.how)
        if blocked:
            answer.reasons.append(blocked)
            return answer
    return onward(link, client.seen_from(balancer_cidrs[0]), answer)


def _group_port(group: Element) -> int:
    return int(group.body.get("port", 80))


def _nlb_health(topology: Topology, group: Element, balancer_cidrs: tuple[str, ...], endpoint_groups: tuple[str, ...]) -> str:
    """NLB health checks come from the balancer's own subnets: the endpoint must admit them."""
    check = block(group.body.get("health_check"))
    port = int(str(check.get("port") or "").replace("traffic-port", "") or _group_port(group))
    where = group.stack
    unadmitted = [
        cidr for cidr in balancer_cidrs
        if not any(
            rule.admits_port(port) and any(_covers(c, cidr) for c in rule.cidrs)
            for g in endpoint_groups for rule in topology.ingress(where, g)
        )
    ]
    if unadmitted:
        return (f"; the health checks from {', '.join(unadmitted)} are not admitted on {port}: "
                "those targets are unhealthy (with none healthy, the load balancer fails open)")
    return f"; the health checks ({check.get('protocol', 'TCP')} {port}) come from the balancer's subnets, which the endpoint admits"


def _covers(outer: str, inner: str) -> bool:
    a, b = ipaddress.ip_network(outer), ipaddress.ip_network(inner)
    return a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]


def _subnet_of(topology: Topology, stack: Stack, subnet_id: str) -> tuple[str, str]:
    vpc, cidr = topology.subnet(stack, subnet_id)
    return vpc or f"the VPC of {subnet_id}", cidr


def _endpoint_behind(interfaces: dict[str, dict[str, Any]], target_id: str) -> Optional[str]:
    """The VPC endpoint whose interface address ``target_id`` is: a
    ``data.aws_network_interface`` looked up from the endpoint's network_interface_ids."""
    found = _DATA_INTERFACE.match(str(target_id))
    if found is None or found.group(1) not in interfaces:
        return None
    endpoint = _INTERFACE_OF_ENDPOINT.search(str(interfaces[found.group(1)].get("id", "")))
    return endpoint.group(1) if endpoint else None


def _health(group: Element) -> str:
    """What the health check makes of execute-api, which answers 403 to a request naming no API."""
    check = block(group.body.get("health_check"))
    matcher = str(check.get("matcher", "200"))
    codes: set[int] = set()
    for part in matcher.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit():
            codes.update(range(int(low), int(high or low) + 1))
    if 403 in codes:
        return f"; the health check (matcher {matcher}) passes: execute-api answers 403 to {check.get('path', '/')}"
    return f"; the health check (matcher {matcher}) fails (execute-api answers 403): every target is unhealthy and the load balancer fails open"
