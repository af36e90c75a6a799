"""Hop 1, name resolution: which VPC the request leaves from, which service networks
that VPC reaches (associations and service-network endpoints), which service the
URL's host names (its generated DNS name, its custom domain, or offline its
Lattice name), and how a custom domain reaches the generated name (Route 53)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .graph import Stack
from .topology import Service, Topology, VpcLink


class BadInput(ValueError):
    """The request itself is wrong (exit status 2)."""


@dataclass(frozen=True)
class Client:
    """The VPC a request leaves from."""

    stack: Stack
    vpc_name: str
    vpc_id: str
    cidr: str
    account: str
    region: str


def client_vpc(topology: Topology, source: str) -> Client:
    """``<stack>/<VPC Name tag>`` as a client."""
    stack_name, _, vpc_name = source.partition("/")
    stack = topology.model.stacks.get(stack_name)
    if stack is None or not vpc_name:
        raise BadInput(f"--from {source!r}: give <stack>/<VPC Name tag>; stacks: {', '.join(topology.model.stacks)}")
    for vpc in topology.vpcs(stack):
        if (vpc.element.body.get("tags") or {}).get("Name") == vpc_name:
            return Client(stack, vpc_name, vpc.id, vpc.cidr, vpc.element.account, vpc.element.region)
    names = sorted(vpc.label for vpc in topology.vpcs(stack))
    raise BadInput(f"--from {source!r}: {stack_name} has no VPC named {vpc_name!r} (VPCs: {', '.join(names)})")


def networks_reached(topology: Topology, client: Client) -> list[VpcLink]:
    """The service networks the client's VPC is linked to, in its own stack."""
    return [link for link in topology.links(client.stack) if link.vpc_id == client.vpc_id]


def service_by_host(topology: Topology, host: str, links: list[VpcLink]) -> Optional[Service]:
    """The service whose generated DNS name or custom domain is ``host``; offline, its
    Lattice name too (unique in the output, or among the services the client's
    networks carry)."""
    by_name = []
    for service in topology.services:
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


def custom_domain(topology: Topology, host: str, dns_name: str) -> str:
    """How a custom domain name reaches the service's own DNS name (a Route 53 record)."""
    for element, name, targets in topology.route53_records:
        if name != host:
            continue
        where = f"aws_route53_record.{element.name} in {element.stack.name}"
        if dns_name in targets:
            return f"DNS: {host} is a {element.body.get('type', 'record')} to {dns_name} ({where}; whether the VPC sees that zone is not modeled)"
        return f"DNS: {where} names {host} but points elsewhere ({', '.join(map(str, targets))}): not modeled further"
    return f"DNS: no Route 53 record for the custom domain {host} in this output (a record elsewhere is not modeled)"
