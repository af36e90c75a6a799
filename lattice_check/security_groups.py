"""Hop 3, security groups: whether the security groups of the client VPC's link to
the service network (which clients of the VPC may use it) admit the request's port
from the VPC's CIDR (docs/lattice-rules.md section 4)."""
from __future__ import annotations

import ipaddress
from typing import Optional

from .resolution import Client
from .topology import Topology


def admission(topology: Topology, client: Client, group_ids: tuple[str, ...], port: int) -> tuple[Optional[str], str]:
    """(why the connection times out, or None; what admits it)."""
    if not group_ids:
        return None, "the association has no security group"
    source = ipaddress.ip_network(client.cidr)
    partial: list[str] = []
    by_group: list[str] = []
    for group_id in group_ids:
        for rule in topology.ingress(client.stack, group_id):
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
