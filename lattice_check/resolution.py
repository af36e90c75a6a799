"""Hop 1, name resolution: which VPC the request leaves from, which service networks
that VPC reaches (associations and service-network endpoints), which service the
URL's host names (its generated DNS name, its custom domain, or offline its
Lattice name), and how a custom domain reaches the generated name (Route 53)."""
from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass, replace
from typing import Optional

from .graph import Stack
from .kinds import Element, Service, VpcLink
from .tfjson import blocks
from .topology import Topology

LINK_LOCAL = "169.254.171.0/24"  # where VPC Lattice's names resolve in an associated VPC


class BadInput(ValueError):
    """The request itself is wrong (exit status 2)."""


@dataclass(frozen=True)
class Client:
    """Where a request leaves from: a VPC (any client in it: ``cidr`` is the VPC's),
    or given addresses in or through that VPC (``cidr`` is theirs; ``outside`` when
    they are not the VPC's own, such as an on-premises host arriving over a VPN)."""

    stack: Stack
    vpc_name: str
    vpc_id: str
    cidr: str
    account: str
    region: str
    outside: bool = False

    def seen_from(self, cidr: str) -> "Client":
        """The same client as a hop that sees it come from ``cidr`` (a load balancer's subnet, say)."""
        return replace(self, cidr=cidr)


def client_vpc(topology: Topology, source: str, address: Optional[str] = None, *, option: str = "--from") -> Client:
    """``<stack>/<VPC Name tag>`` as a client; with ``address`` (an address or a CIDR),
    those hosts, in the VPC or arriving through it."""
    stack_name, _, vpc_name = source.partition("/")
    stack = topology.model.stacks.get(stack_name)
    if stack is None or not vpc_name:
        raise BadInput(f"{option} {source!r}: give <stack>/<VPC Name tag>; stacks: {', '.join(topology.model.stacks)}")
    for vpc in topology.vpcs(stack):
        if vpc.label == vpc_name:  # its Name tag; an existing VPC looked up here: its Terraform name
            client = Client(stack, vpc_name, vpc.id, vpc.cidr, vpc.element.account, vpc.element.region)
            if address is None:
                return client
            try:
                hosts = ipaddress.IPv4Network(address, strict=True)
            except ValueError as error:
                raise BadInput(f"--from-cidr {address!r}: give an IPv4 address or CIDR with no host bits set, such as 172.16.5.10 ({error})") from None
            inside = hosts.subnet_of(ipaddress.IPv4Network(vpc.cidr)) if vpc.cidr else False
            return replace(client, cidr=str(hosts), outside=not inside)
    names = sorted(vpc.label for vpc in topology.vpcs(stack))
    raise BadInput(f"{option} {source!r}: {stack_name} has no VPC named {vpc_name!r} (VPCs: {', '.join(names)})")


def networks_reached(topology: Topology, client: Client) -> list[VpcLink]:
    """The service networks the client's VPC is linked to, in its own stack."""
    return [link for link in topology.links(client.stack) if link.vpc_id == client.vpc_id]


def service_by_host(topology: Topology, host: str, links: list[VpcLink]) -> Optional[Service]:
    """The service whose generated DNS name or custom domain is ``host``; offline, its
    Lattice name too (unique in the output, or among the services the client's
    networks carry)."""
    by_name = []
    for service in topology.services_by_name.get(host, ()):  # the services whose DNS name, domain or name is host, in order
        if host in (service.dns_name, service.custom_domain):
            return service
        if service.element.body.get("name") == host:
            by_name.append(service)
    if len(by_name) > 1:
        carried = [s for s in by_name if any(topology.service_association(link.network, s) for link in links)]
        if len(carried) != 1:
            where = ", ".join(s.element.stack.name for s in by_name)
            raise BadInput(f"host {host!r}: services of that name are in {where}: use the service's DNS name")
        return carried[0]
    return by_name[0] if by_name else None


def resource_configuration(topology: Topology, host: str) -> Optional[str]:
    """The resource configuration (VPC resource) that ``host`` names, if any."""
    for element, names in topology.resource_configurations:
        if host in names:
            return f"{element.body.get('name', element.name)} of {element.stack.name}"
    return None


def private_zone(topology: Topology, client: Client, host: str) -> Optional[tuple[Element, str, bool]]:
    """The private zone of this output that would answer ``host`` (the longest name
    that holds it, one the client's VPC is associated with first): (zone, its name,
    whether it is associated with the client's VPC); None when no zone holds it. An
    association from another account counts only with the zone account's authorization."""
    zones = []
    for zone in topology.elements("aws_route53_zone"):
        name = str(topology.resolve(zone.body.get("name", ""), zone)).rstrip(".")
        if host != name and not host.endswith(f".{name}"):
            continue
        vpcs = [topology.resolve(v.get("vpc_id"), zone) for v in blocks(zone.body.get("vpc"))]
        if not vpcs:
            continue  # a public zone: not how these names are served here
        zone_id = topology.model.attribute(zone.stack, "aws_route53_zone", zone.name, "zone_id")
        for association in topology.elements("aws_route53_zone_association"):
            if topology.resolve(association.body["zone_id"], association) == zone_id:
                vpc = topology.resolve(association.body["vpc_id"], association)
                if association.account == zone.account or _authorized(topology, zone, zone_id, vpc):
                    vpcs.append(vpc)
        zones.append((client.vpc_id in vpcs, len(name), zone, name))
    if not zones:
        return None
    associated, _, zone, name = max(zones, key=lambda z: (z[0], z[1]))
    return zone, name, associated


def _authorized(topology: Topology, zone: Element, zone_id: str, vpc_id: str) -> bool:
    """A VPC of another account may join a private zone only once the zone's account
    authorizes it (aws_route53_vpc_association_authorization); else the association fails."""
    return any(
        e.account == zone.account and topology.resolve(e.body.get("zone_id"), e) == zone_id and topology.resolve(e.body.get("vpc_id"), e) == vpc_id
        for e in topology.elements("aws_route53_vpc_association_authorization")
    )


def zone_record(topology: Topology, zone: Element, zone_name: str, host: str) -> Optional[Element]:
    """The record of ``zone`` that answers ``host``, wherever it is declared (a record a
    controller writes is predicted elsewhere): the record of that very name, else a
    wildcard (Route 53 answers from the exact name first, in whatever order they were
    declared)."""
    zone_id = topology.model.attribute(zone.stack, "aws_route53_zone", zone.name, "zone_id")
    wildcard: Optional[Element] = None
    for record in topology.elements("aws_route53_record"):
        if topology.resolve(record.body.get("zone_id"), record) != zone_id:
            continue
        name = str(topology.resolve(record.body.get("name", ""), record)).rstrip(".")
        full = name if name == zone_name or name.endswith(f".{zone_name}") else f"{name}.{zone_name}"
        if full == host:
            return record
        if wildcard is None and full.startswith("*.") and fnmatch.fnmatchcase(host, full):
            wildcard = record
    return wildcard


def custom_domain(topology: Topology, client: Client, host: str, dns_name: str) -> tuple[Optional[bool], str]:
    """How a custom domain name reaches the service's own DNS name: (whether it
    resolves from the client's VPC to the service, how); None when it resolves to
    something else, which the model does not follow. A private zone of this output
    that holds the name decides; without one, a record anywhere is reported (where the
    client resolves it from is then not modeled)."""
    zone = private_zone(topology, client, host)
    if zone is not None:
        element, zone_name, associated = zone
        where = f"private zone {zone_name} (aws_route53_zone.{element.name} in {element.stack.name})"
        if not associated:
            return False, f"DNS: {where} is not associated with {client.vpc_name}: {host} does not resolve there"
        record = zone_record(topology, element, zone_name, host)
        if record is None:
            return False, f"DNS: {where}, associated with {client.vpc_name}, has no record {host}: NXDOMAIN"
        targets = _record_targets(topology, record)
        written = f"aws_route53_record.{record.name} in {record.stack.name}"
        if dns_name in targets:
            return True, f"DNS: {host} is a {record.body.get('type', 'record')} to {dns_name} ({written}) in {where}, associated with {client.vpc_name}"
        return None, f"DNS: {written} names {host} but points elsewhere ({', '.join(map(str, targets))}): not modeled further"
    for element, name, targets in topology.route53_records:
        if name != host:
            continue
        where = f"aws_route53_record.{element.name} in {element.stack.name}"
        if dns_name in targets:
            return True, f"DNS: {host} is a {element.body.get('type', 'record')} to {dns_name} ({where}; whether the VPC sees that zone is not modeled)"
        return None, f"DNS: {where} names {host} but points elsewhere ({', '.join(map(str, targets))}): not modeled further"
    return True, f"DNS: no Route 53 record for the custom domain {host} in this output (a record elsewhere is not modeled)"


def _record_targets(topology: Topology, record: Element) -> list[str]:
    targets = [str(topology.resolve(a.get("name"), record)).rstrip(".") for a in blocks(record.body.get("alias"))]
    return targets + [str(t).rstrip(".") for t in topology.resolve(record.body.get("records") or [], record)]


def arrival(topology: Topology, client: Client, reasons: list[str]) -> bool:
    """How hosts outside the VPC (``client.outside``) get into it: a Site-to-Site VPN
    of this output attached to the VPC, whose static routes must cover them; else a
    way made elsewhere (Direct Connect, peering, Transit Gateway) is assumed, and said.
    False (the reasons say why) when they cannot arrive."""
    hosts = ipaddress.IPv4Network(client.cidr)
    gateways = [
        e for e in topology.elements("aws_vpn_gateway", client.stack) if topology.resolve(e.body.get("vpc_id"), e) == client.vpc_id
    ]
    gateway_ids = {topology.model.attribute(client.stack, "aws_vpn_gateway", e.name, "id") for e in gateways}
    connections = [
        e for e in topology.elements("aws_vpn_connection", client.stack) if topology.resolve(e.body.get("vpn_gateway_id"), e) in gateway_ids
    ]
    if not connections:
        reasons.append(
            f"not modeled: how {client.cidr} reaches {client.vpc_name} (no Site-to-Site VPN to it in this output: Direct Connect, "
            "a peering or a Transit Gateway made elsewhere is assumed), nor how it resolves the VPC's private names (assumed: a "
            "Route 53 Resolver inbound endpoint or a forwarder)"
        )
        return True
    for connection in connections:
        connection_id = topology.model.attribute(client.stack, "aws_vpn_connection", connection.name, "id")
        routes = [
            str(topology.resolve(r.body.get("destination_cidr_block"), r))
            for r in topology.elements("aws_vpn_connection_route", client.stack)
            if topology.resolve(r.body.get("vpn_connection_id"), r) == connection_id
        ]
        covering = [r for r in routes if hosts.subnet_of(ipaddress.IPv4Network(r))]
        if covering or not connection.body.get("static_routes_only"):
            how = f"static route {covering[0]}" if covering else "BGP routes (not modeled: assumed to cover it)"
            reasons.append(
                f"{client.cidr} arrives in {client.vpc_name} over Site-to-Site VPN aws_vpn_connection.{connection.name} ({how}); "
                "how it resolves the VPC's private names is not modeled (assumed: a Route 53 Resolver inbound endpoint or a forwarder)"
            )
            return True
    reasons.append(f"the Site-to-Site VPN of {client.vpc_name} routes only {', '.join(routes) or 'nothing'}: {client.cidr} does not get in")
    return False
