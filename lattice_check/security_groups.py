"""Hop 3, security groups: whether the security groups of the client VPC's link to
the service network (which clients of the VPC may use it) admit the request's port
from the VPC's CIDR (docs/lattice-rules.md section 4)."""
from __future__ import annotations

import ipaddress
import re
from typing import Callable, Optional

from .graph import Stack
from .kinds import SecurityRule
from .resolution import LINK_LOCAL, Client
from .topology import Topology

_DATA_PREFIX_LIST = re.compile(r"data:([^:]+):aws_ec2_managed_prefix_list\.([A-Za-z0-9_-]+)\.id")


def admission(
    topology: Topology, client: Client, group_ids: tuple[str, ...], port: int, *, stack: Optional[Stack] = None, what: str = "the association"
) -> tuple[Optional[str], str]:
    """(why the connection times out, or None; what admits it). The groups are
    declared in ``stack`` (default: the client's); ``what`` they guard, for the reasons."""
    if not group_ids:
        return None, f"{what} has no security group"
    stack = stack or client.stack
    source = ipaddress.ip_network(client.cidr)
    partial: list[str] = []
    by_group: list[str] = []
    for group_id in group_ids:
        for rule in topology.ingress(stack, group_id):
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
    return f"security groups {', '.join(group_ids)} of {what} admit no TCP {port} from {client.cidr}: the connection times out", ""


def between_groups(
    topology: Topology, stack: Stack, source: tuple[str, ...], source_cidrs: tuple[str, ...], destination: tuple[str, ...],
    destination_cidrs: tuple[str, ...], port: int,
) -> tuple[Optional[str], list[str]]:
    """Whether members of the ``source`` groups (in subnets ``source_cidrs``) may open
    TCP ``port`` to members of ``destination`` (in ``destination_cidrs``): an egress
    rule of a source group and an ingress rule of a destination group must both admit
    it. (why not, or None; what admits it)."""
    out = _first_admitting(topology.egress, stack, source, port, destination, destination_cidrs)
    if out is None:
        return f"no egress rule of {', '.join(source)} admits TCP {port} to {', '.join(destination)}", []
    into = _first_admitting(topology.ingress, stack, destination, port, source, source_cidrs)
    if into is None:
        return f"no ingress rule of {', '.join(destination)} admits TCP {port} from {', '.join(source)}", []
    return None, [f"egress TCP {port} by {out}", f"ingress TCP {port} by {into}"]


def _first_admitting(
    rules_of: Callable[[Stack, str], list[SecurityRule]], stack: Stack, groups: tuple[str, ...], port: int, peers: tuple[str, ...], peer_cidrs: tuple[str, ...]
) -> Optional[str]:
    """The first rule of ``groups`` that admits ``port`` to or from the peer groups, or
    from CIDRs that hold every peer subnet."""
    subnets = [ipaddress.ip_network(c) for c in peer_cidrs]
    for group_id in groups:
        for rule in rules_of(stack, group_id):
            if not rule.admits_port(port):
                continue
            if set(rule.groups) & set(peers):
                return rule.where
            allowed = [ipaddress.ip_network(c) for c in rule.cidrs]
            if subnets and all(any(s.version == a.version and s.subnet_of(a) for a in allowed) for s in subnets):  # type: ignore[arg-type]
                return rule.where
    return None


def from_lattice(topology: Topology, stack: Stack, group_id: str, port: int) -> Optional[str]:
    """The ingress rule of ``group_id`` (declared in ``stack``) that admits TCP ``port``
    from VPC Lattice: the managed prefix list ``com.amazonaws.<region>.vpc-lattice``
    or a range holding its link-local addresses; None when no rule does."""
    lattice = ipaddress.ip_network(LINK_LOCAL)
    for rule in topology.ingress(stack, group_id):
        if not rule.admits_port(port):
            continue
        for prefix_list in rule.prefix_lists:
            found = _DATA_PREFIX_LIST.fullmatch(prefix_list)
            source = stack.data("aws_ec2_managed_prefix_list").get(found.group(2)) if found else None
            if source is not None and str(topology.model.resolve(source.get("name"), stack)) == f"com.amazonaws.{stack.region}.vpc-lattice":
                return f"{rule.where} (the prefix list com.amazonaws.{stack.region}.vpc-lattice)"
        for cidr in rule.cidrs:
            allowed = ipaddress.ip_network(cidr)
            if allowed.version == 4 and lattice.subnet_of(allowed):  # type: ignore[arg-type]
                return f"{rule.where} ({cidr})"
    return None
