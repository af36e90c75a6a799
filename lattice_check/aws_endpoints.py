"""An AWS service's own API from a VPC, or from on premises through it (seed 003's
third way in: the VPC Lattice management API without internet, NAT or public
address).

The name ``<service>.<region>.amazonaws.com`` resolves, inside a VPC with an
interface endpoint ``com.amazonaws.<region>.<service>`` whose private DNS is on, to
that endpoint's network interfaces (one in each of its subnets). Private DNS is a
private hosted zone AWS associates with the VPC, used only when the VPC's
``enableDnsSupport`` and ``enableDnsHostnames`` are both true (CreateVpcEndpoint,
PrivateDnsEnabled: "To use a private hosted zone, you must set the following VPC
attributes to true"). Hosts outside the VPC reach the same addresses (over the VPN
or whatever way resolution.arrival finds), but get them only from the VPC's
resolver: that on-premises DNS forwards the name there is assumed, and said. The
endpoint's security groups must admit the client on the request's port; then the
endpoint policy decides (none: full access).

Without such an endpoint, or with its private DNS off, the name resolves to the
service's public endpoint, which a VPC reaches only by a default route through a NAT
gateway (or an internet gateway, for a client with a public address).

What the AWS API itself answers (SigV4, the caller's IAM policies, which operation
the path names) is not modeled: a call that gets there has no status.
"""
from __future__ import annotations

import ipaddress
import json
import re
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

from .answer import Answer
from .callers import Request, caller
from .graph import Unresolved
from .kinds import Element
from .organizations import Organizations
from .resolution import Client
from .routing import HttpCall
from .security_groups import admission
from .statements import PolicyResult, statement_applies
from .tfjson import blocks
from .topology import Topology

HTTPS = 443
# <service>.<region>.amazonaws.com: the default DNS name of a service in a region
_SERVICE_HOST = re.compile(r"([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.amazonaws\.com", re.ASCII)
Tri = Optional[bool]


def service_of(host: str) -> Optional[tuple[str, str]]:
    """(service, region) when ``host`` is an AWS service's default name, else None."""
    found = _SERVICE_HOST.fullmatch(host.lower())
    return (found.group(1), found.group(2)) if found else None


def reach(
    topology: Topology, client: Client, call: HttpCall, service: str, region: str, answer: Answer, involved: set[str],
    *, organizations: Organizations = Organizations(), now: Optional[datetime] = None, signer_known: bool = True,
) -> Answer:
    """``answer`` completed with how ``call`` to ``service`` in ``region`` goes from
    ``client``. ``signer_known`` false: who signs the call is not known (a pod's SDK)."""
    reasons = answer.reasons
    endpoint_service = f"com.amazonaws.{region}.{service}"
    endpoints = _interface_endpoints(topology, client, endpoint_service)
    dns = {e.name: _flag(e.body.get("private_dns_enabled"), default=False) for e in endpoints}
    resolving = [e for e in endpoints if dns[e.name] is True]
    if not resolving:
        unreadable = [e for e in endpoints if dns[e.name] is None]
        if unreadable:
            answer.decision = "UNKNOWN"
            reasons.append(f"not modeled: whether the private DNS of aws_vpc_endpoint.{unreadable[0].name} is on (private_dns_enabled is an expression)")
            return answer
        if endpoints:
            reasons.append(
                f"DNS: interface endpoint aws_vpc_endpoint.{endpoints[0].name} ({endpoint_service}) of {client.vpc_name} has private DNS off "
                f"(private_dns_enabled false or unset, which the provider sends as false): {call.host} is not its name there"
            )
        else:
            reasons.append(f"DNS: {client.vpc_name} has no interface endpoint {endpoint_service} in this output")
        return _public(topology, client, call, service, answer)
    endpoint = resolving[0]
    involved.add(endpoint.stack.name)
    where = f"interface endpoint aws_vpc_endpoint.{endpoint.name} ({endpoint_service})"
    vpc_dns = _vpc_dns(topology, client)
    if vpc_dns is not None:
        off, how = vpc_dns
        reasons.append(how)
        if off is None:
            answer.decision = "UNKNOWN"
            return answer
        if off:
            reasons.append(f"DNS: the private DNS of {where} is not used in {client.vpc_name}")
            return _public(topology, client, call, service, answer)
    subnets = [str(s) for s in topology.resolve(endpoint.body.get("subnet_ids") or [], endpoint)]
    cidrs = [topology.subnet(endpoint.stack, s)[1] or s for s in subnets]
    if not subnets:
        reasons.append(f"DNS: {where} has no subnet, so no network interface: {call.host} has no address in {client.vpc_name}")
        return answer
    if client.outside:
        reasons.append(_resolver_assumed(topology, client, call.host))
    answer.resolution = f"{call.host} -> the addresses of aws_vpc_endpoint.{endpoint.name} (its private DNS; in {', '.join(cidrs)})"
    reasons.append(f"DNS: {call.host} resolves to the addresses of {where}, its private DNS in {client.vpc_name}: "
                   f"{len(subnets)} interfaces, in {', '.join(cidrs)}")
    groups = tuple(str(g) for g in topology.resolve(endpoint.body.get("security_group_ids") or [], endpoint))
    if not groups:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: {where} names no security group, so the VPC's default security group guards it "
                       "(by default it admits only its own members; which hosts are members is not modeled)")
        return answer
    blocked, admitted = admission(topology, client, groups, call.port, stack=endpoint.stack, what=where)
    if blocked:
        reasons.append(blocked)
        return answer
    reasons.append(admitted)
    if call.scheme != "https" or call.port != HTTPS:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: what {service} answers to {call.scheme.upper()} on port {call.port} (its API is HTTPS on {HTTPS})")
        return answer
    reasons.append(f"TLS: the endpoint answers for {call.host} with {service}'s own certificate (publicly trusted)")
    answer.reachable = True
    answer.decision = _endpoint_policy(topology, client, call, endpoint, service, organizations, now, signer_known, reasons)
    reasons.append(f"not modeled: what the {service} API answers (SigV4 and the caller's IAM policies; "
                   f"which operation {call.method} {call.path} is): no status")
    return answer


def _interface_endpoints(topology: Topology, client: Client, service_name: str) -> list[Element]:
    """The interface endpoints of ``service_name`` in the client's VPC, declared in its stack."""
    return [
        e for e in topology.elements("aws_vpc_endpoint", client.stack)
        if e.body.get("vpc_endpoint_type") == "Interface"
        and topology.resolve(e.body.get("vpc_id"), e) == client.vpc_id
        and str(topology.resolve(e.body.get("service_name", ""), e)) == service_name
    ]


def _flag(value: Any, *, default: bool) -> Tri:
    """A Terraform boolean as written: unset is ``default``; None when an expression."""
    if value is None or isinstance(value, bool):
        return default if value is None else value
    return {"true": True, "false": False}.get(str(value).lower())


def _vpc_dns(topology: Topology, client: Client) -> Optional[tuple[Tri, str]]:
    """(whether the VPC's DNS attributes keep private DNS off, why) when they do or
    cannot be read; None when both are on. A VPC looked up (not made here) is assumed
    to have them on, and said."""
    vpc = next((v for v in topology.vpcs(client.stack) if v.id == client.vpc_id), None)
    if vpc is None or vpc.element.body is not client.stack.resources("aws_vpc").get(vpc.element.name):
        return False, f"not modeled: the DNS attributes of {client.vpc_name}, a VPC made elsewhere (assumed on, as private DNS needs)"
    body = vpc.element.body
    support, hostnames = _flag(body.get("enable_dns_support"), default=True), _flag(body.get("enable_dns_hostnames"), default=False)
    if support and hostnames:
        return None
    if support is None or hostnames is None:
        return None, f"not modeled: the DNS attributes of aws_vpc.{vpc.element.name} (an expression): private DNS needs both on"
    off = " and ".join(name for name, on in (("enable_dns_support", support), ("enable_dns_hostnames", hostnames)) if not on)
    return True, (f"DNS: aws_vpc.{vpc.element.name} has {off} false or unset (enable_dns_hostnames defaults to false): "
                  "an endpoint's private DNS needs enableDnsSupport and enableDnsHostnames both on")


def _resolver_assumed(topology: Topology, client: Client, host: str) -> str:
    """What the answer assumes of DNS from outside the VPC: only the VPC's resolver
    holds the endpoint's private zone."""
    inbound = [
        e for e in topology.elements("aws_route53_resolver_endpoint")
        if str(e.body.get("direction", "")).upper() == "INBOUND"
        and any(topology.subnet(e.stack, str(topology.resolve(a.get("subnet_id"), e)))[0] == client.vpc_id for a in blocks(e.body.get("ip_address")))
    ]
    if inbound:
        return (f"DNS from {client.cidr}: the VPC's resolver answers {host} through Route 53 Resolver inbound endpoint "
                f"aws_route53_resolver_endpoint.{inbound[0].name}; assumed: on-premises DNS forwards the name to it")
    return (f"DNS from {client.cidr}: only the resolver of {client.vpc_name} answers {host} with the endpoint's addresses; assumed: "
            "on-premises DNS forwards the name to it (a Route 53 Resolver inbound endpoint or a forwarder in the VPC; none in this output)")


# --- the public endpoint ------------------------------------------------------------------------


def _public(topology: Topology, client: Client, call: HttpCall, service: str, answer: Answer) -> Answer:
    """The call to the service's public endpoint: out of the VPC by a default route."""
    reasons = answer.reasons
    public = f"the public endpoint of {service}"
    if client.outside:
        answer.decision = "UNKNOWN"
        reasons.append(f"DNS: {call.host} resolves to {public}; not modeled: how {client.cidr} reaches it (its own way to the internet, not this output's)")
        return answer
    tables = _route_tables(topology, client)
    routes = _default_routes(topology, client, tables)
    nat = [where for _, kind, where in routes if kind == "NAT gateway"]
    internet = [where for _, kind, where in routes if kind == "internet gateway"]
    by_nat = {t for t, kind, _ in routes if kind == "NAT gateway"}
    by_internet = {t for t, kind, _ in routes if kind == "internet gateway"} - by_nat
    unrouted = set(tables) - {t for t, _, _ in routes}
    caveat = f"; route tables {_names(tables, unrouted)} have no default route: clients of their subnets time out" if unrouted and routes else ""
    if nat:
        answer.reachable, answer.decision = True, "ALLOW"
        answer.resolution = f"{call.host} -> {public} (through a NAT gateway)"
        if by_internet:
            caveat = f"; route tables {_names(tables, by_internet)} go to an internet gateway instead (their clients need a public address){caveat}"
        reasons.append(f"DNS: {call.host} resolves to {public}: the call leaves {client.vpc_name} through a NAT gateway ({', '.join(nat)}) "
                       f"and the internet, with no endpoint policy on the way{caveat}")
        reasons.append(f"not modeled: what the {service} API answers (SigV4 and the caller's IAM policies): no status")
        return answer
    if internet:
        answer.decision = "UNKNOWN"
        reasons.append(f"DNS: {call.host} resolves to {public}: {client.vpc_name} routes it to an internet gateway ({', '.join(internet)}){caveat}; "
                       "not modeled: whether the client has a public IPv4 address, which an internet gateway needs")
        return answer
    if routes:
        answer.decision = "UNKNOWN"
        reasons.append(f"DNS: {call.host} resolves to {public}; not modeled: where the default route {routes[0][2]} ({routes[0][1]}) leads")
        return answer
    reasons.append(f"DNS: {call.host} resolves to {public}, outside {client.vpc_name}, which has no route to the internet "
                   "(no default route to a NAT gateway or an internet gateway): the connection times out")
    return answer


def _names(tables: Mapping[str, Element], ids: set[str]) -> str:
    return ", ".join(sorted(f"aws_route_table.{tables[t].name}" for t in ids))


def _route_tables(topology: Topology, client: Client) -> dict[str, Element]:
    """The route tables of the client's VPC by id; for given addresses of the VPC, those
    of the subnets that hold them."""
    stack = client.stack
    tables = {
        str(topology.model.attribute(stack, "aws_route_table", e.name, "id")): e
        for e in topology.elements("aws_route_table", stack) if topology.resolve(e.body.get("vpc_id"), e) == client.vpc_id
    }
    vpc_cidr = next((v.cidr for v in topology.vpcs(stack) if v.id == client.vpc_id), "")
    if client.cidr == vpc_cidr:
        return tables
    hosts = ipaddress.ip_network(client.cidr)
    subnets: set[Any] = set()
    for subnet in topology.elements("aws_subnet", stack):
        cidr = str(topology.resolve(subnet.body.get("cidr_block", ""), subnet))
        network = ipaddress.ip_network(cidr) if "/" in cidr else None
        if network is not None and network.version == hosts.version and hosts.subnet_of(network):  # type: ignore[arg-type]
            subnets.add(topology.model.attribute(stack, "aws_subnet", subnet.name, "id"))
    chosen = {
        str(topology.resolve(a.body.get("route_table_id"), a))
        for a in topology.elements("aws_route_table_association", stack) if topology.resolve(a.body.get("subnet_id"), a) in subnets
    }
    return {t: e for t, e in tables.items() if t in chosen} or tables


def _default_routes(topology: Topology, client: Client, tables: Mapping[str, Element]) -> list[tuple[str, str, str]]:
    """(route table id, what the 0.0.0.0/0 route goes to, which route) for each of ``tables``."""
    found = []
    for route in topology.elements("aws_route", client.stack):
        table = str(topology.resolve(route.body.get("route_table_id"), route))
        if table in tables and topology.resolve(route.body.get("destination_cidr_block"), route) == "0.0.0.0/0":
            found.append((table, _target(topology, route, route.body), f"aws_route.{route.name}"))
    for table, element in tables.items():
        for inline in blocks(element.body.get("route")):
            if inline.get("cidr_block") == "0.0.0.0/0":
                found.append((table, _target(topology, element, inline), f"a route of aws_route_table.{element.name}"))
    return found


def _target(topology: Topology, element: Element, route: Mapping[str, Any]) -> str:
    if route.get("nat_gateway_id"):
        return "NAT gateway"
    gateway = str(route.get("gateway_id") or "")
    if "aws_internet_gateway." in gateway or str(topology.resolve(gateway, element)).startswith("igw-"):
        return "internet gateway"
    return next((key for key, value in route.items() if key.endswith("_id") and key != "route_table_id" and value), "an unknown target")


# --- the endpoint policy ------------------------------------------------------------------------


def _endpoint_policy(
    topology: Topology, client: Client, call: HttpCall, endpoint: Element, service: str, organizations: Organizations,
    now: Optional[datetime], signer_known: bool, reasons: list[str],
) -> str:
    """The endpoint policy's decision (ALLOW, DENY or UNKNOWN), the reasons noted."""
    label = f"aws_vpc_endpoint.{endpoint.name}"
    endpoint_id = topology.model.attribute(endpoint.stack, "aws_vpc_endpoint", endpoint.name, "id")
    written = [
        (f"aws_vpc_endpoint_policy.{p.name}", p.body.get("policy")) for p in topology.elements("aws_vpc_endpoint_policy", endpoint.stack)
        if topology.resolve(p.body.get("vpc_endpoint_id"), p) == endpoint_id
    ] or ([(label, endpoint.body["policy"])] if endpoint.body.get("policy") else [])
    if not written:
        reasons.append(f"{label} has no policy: the default endpoint policy allows full access")
        return "ALLOW"
    where, policy = written[-1]
    try:
        resolved = topology.resolve(policy, endpoint)
        document = json.loads(resolved) if isinstance(resolved, str) else resolved
    except (Unresolved, ValueError) as unreadable:
        reasons.append(f"not modeled: the endpoint policy of {where} cannot be read ({unreadable})")
        return "UNKNOWN"
    if not isinstance(document, dict):
        reasons.append(f"not modeled: the endpoint policy of {where} is not a JSON object")
        return "UNKNOWN"
    if not signer_known:
        reasons.append(f"not modeled: who signs the call, which the endpoint policy of {where} reads")
        return "UNKNOWN"
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    context: dict[str, list[str]] = {
        "aws:SourceVpce": [str(endpoint_id)],
        "aws:SourceVpc": [client.vpc_id],
        "aws:CurrentTime": [moment.strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:EpochTime": [str(int(moment.timestamp()))],
    }
    facts = caller(call.principal) if call.principal else None
    if facts is None:
        context["aws:PrincipalType"] = ["Anonymous"]
    else:
        context |= {"aws:PrincipalType": [facts.type], "aws:PrincipalAccount": [facts.account], "aws:PrincipalArn": [facts.arn]}
        org = organizations.of(facts.account)
        if org:
            context["aws:PrincipalOrgID"] = [org]
    request = Request(f"{service}:*", "*", call.principal, context, organizations_declared=organizations.declared)
    result = policy_effect(document, service, request)
    reasons.extend(f"not modeled: {u}" for u in result.unmodeled)
    verdict = {
        "ALLOW": f"allows it (statement {result.statement})",
        "EXPLICIT_DENY": f"denies it (statement {result.statement}): {service} refuses the call (AccessDenied)",
        "IMPLICIT_DENY": f"allows no call like it: {service} refuses the call (AccessDenied)",
        "UNKNOWN": "depends on what the model does not cover",
    }[result.effect]
    reasons.append(f"endpoint policy of {where}: {verdict}")
    return {"ALLOW": "ALLOW", "UNKNOWN": "UNKNOWN"}.get(result.effect, "DENY")


def policy_effect(document: Mapping[str, Any], service: str, request: Request) -> PolicyResult:
    """An endpoint policy for a call whose operation and resource are not known (which
    API action a path is, and what it names, are not modeled): a statement's Action
    covers it only as ``*`` or ``<service>:*``, its Resource only as ``*``; any other
    Action or Resource leaves the statement unknown. Principal and conditions are
    read by the authorizer (authz.statement_applies). Explicit deny wins, then allow."""
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, Mapping) else statements
    allow: Optional[str] = None
    unknown_allow, unknown_deny = False, False
    unmodeled: list[str] = []
    for index, statement in enumerate(statements):
        label = str(statement.get("Sid") or f"#{index}")
        action, resource = _covers_any_operation(statement, service), _covers_any_resource(statement)
        rest = {k: v for k, v in statement.items() if k not in ("Action", "NotAction", "Resource", "NotResource")}
        others, missing = statement_applies({**rest, "Action": "*", "Resource": "*"}, request, version=document.get("Version"))
        unmodeled.extend(f"{label}: {m}" for m in missing)
        if action is None:
            unmodeled.append(f"{label}: an Action other than * or {service}:* (which operation the call is, is not modeled)")
        if resource is None:
            unmodeled.append(f"{label}: a Resource other than * (which resource the call names is not modeled)")
        applies = _all((action, resource, others))
        deny = statement.get("Effect") == "Deny"
        if applies and deny:
            return PolicyResult("EXPLICIT_DENY", label, tuple(unmodeled))
        if applies and not deny and allow is None:
            allow = label
        if applies is None:
            unknown_deny, unknown_allow = unknown_deny or deny, unknown_allow or not deny
    if unknown_deny:
        return PolicyResult("UNKNOWN", None, tuple(unmodeled))  # an unmodeled Deny could win
    if allow is not None:
        return PolicyResult("ALLOW", allow, tuple(unmodeled))
    return PolicyResult("UNKNOWN" if unknown_allow else "IMPLICIT_DENY", None, tuple(unmodeled))


def _covers_any_operation(statement: Mapping[str, Any], service: str) -> Tri:
    if "NotAction" in statement or "Action" not in statement:
        return None
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    return True if any(str(a).lower() in ("*", f"{service}:*") for a in actions) else None


def _covers_any_resource(statement: Mapping[str, Any]) -> Tri:
    if "NotResource" in statement or "Resource" not in statement:
        return None
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return True if "*" in resources else None


def _all(values: tuple[Tri, ...]) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True
