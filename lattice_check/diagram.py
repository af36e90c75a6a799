"""``diagram``: accounts, VPCs, service networks, services, associations and RAM shares
of a cdktf output, as Mermaid (for Markdown) or Graphviz DOT (for SVG).

One picture model, two renderers: each account is a box holding its stacks, each
stack holds its VPCs, networks and services; associations are solid edges, service
network endpoints dotted, RAM shares dashed from the shared resource to the account
that receives it. Paths outside Lattice (seed 002's original) are drawn too: an
internal load balancer a private zone names, the interface endpoint it targets, and
the private APIs bound to that endpoint, joined by bold edges; and EKS clusters, in
the VPC of their subnets, with the services their Gateway API controller makes
(predicted, in a ``controller@<cluster>`` box).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Literal, Sequence, TypeVar

from .graph import Stack
from .kinds import Network, Service
from .tfjson import block, blocks
from .topology import Topology

_Item = TypeVar("_Item", Network, Service)

Shape = Literal["vpc", "network", "service", "balancer", "interface", "api", "cluster"]
Style = Literal["association", "endpoint", "share", "front"]


@dataclass
class Node:
    id: str
    label: str
    shape: Shape


@dataclass
class Cluster:
    id: str
    label: str
    nodes: list[Node] = field(default_factory=list)
    children: list["Cluster"] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    style: Style


@dataclass
class Diagram:
    accounts: list[Cluster]
    edges: list[Edge]
    outsiders: dict[str, str] = field(default_factory=dict)  # share principals not in the output: id -> label


class GraphvizMissing(RuntimeError):
    """``dot`` is not installed."""


def build(topology: Topology) -> Diagram:
    """The picture of ``topology``; ids depend only on stack and resource names (stable)."""
    ids: dict[str, str] = {}  # Lattice id or ARN, VPC id -> node id
    accounts: dict[str, Cluster] = {}
    for stack in sorted(topology.stacks, key=lambda s: (s.account, s.name)):
        account = accounts.setdefault(stack.account, Cluster(f"account_{stack.account}", f"account {stack.account}"))
        box = Cluster(_id("stack", stack.name), f"{stack.name} ({stack.region})")
        for vpc in sorted(topology.vpcs(stack), key=lambda v: v.element.name):
            node = Node(_id(stack.name, vpc.element.name), f"VPC {vpc.label}<br/>{vpc.cidr}", "vpc")
            ids[vpc.id] = node.id
            box.nodes.append(node)
        lattice: list[tuple[Shape, Network | Service]] = [("network", n) for n in _sorted(topology.networks, stack)]
        lattice += [("service", s) for s in _sorted(topology.services, stack)]
        for shape, item in lattice:
            made = "<br/>predicted: made by the controller" if (item.element.body.get("//") or {}).get("predicted") else ""
            node = Node(_id(stack.name, item.element.name), f"{shape} {item.name}<br/>auth {item.auth_type}{made}", shape)
            ids[item.id] = ids[item.arn] = node.id
            box.nodes.append(node)
        box.nodes.extend(_front_door_nodes(topology, stack, ids))
        box.nodes.extend(_cluster_nodes(topology, stack, ids))
        if box.nodes:
            account.children.append(box)
    outsiders: dict[str, str] = {}
    edges = _associations(topology, ids) + _shares(topology, ids, accounts, outsiders) + _front_door_edges(topology, ids) + _cluster_edges(topology, ids)
    return Diagram([a for a in accounts.values() if a.children], sorted(set(edges), key=lambda e: (e.style, e.source, e.target)), outsiders)


def _sorted(items: Sequence[_Item], stack: Stack) -> list[_Item]:
    return sorted((i for i in items if i.element.stack is stack), key=lambda i: i.element.name)


def _associations(topology: Topology, ids: dict[str, str]) -> list[Edge]:
    edges = []
    for stack in topology.stacks:
        for link in topology.links(stack):
            vpc, network = ids.get(link.vpc_id), ids.get(link.network.id)
            if vpc and network:
                endpoint = link.how.startswith("service-network endpoint")
                edges.append(Edge(vpc, network, "service-network endpoint" if endpoint else "VPC association", "endpoint" if endpoint else "association"))
    for association in topology.service_associations:
        network, service = ids.get(association.network_identifier), ids.get(association.service_identifier)
        if network and service:
            edges.append(Edge(network, service, "service association", "association"))
    return edges


def _shares(topology: Topology, ids: dict[str, str], accounts: dict[str, Cluster], outsiders: dict[str, str]) -> list[Edge]:
    edges = []
    for share in topology.shares:
        for resource in share.resources:
            if resource not in ids:
                continue
            for principal in share.principals:
                receiver = accounts.get(principal)
                target = receiver.id if receiver else _id("principal", principal)
                if receiver is None:
                    outsiders[target] = principal
                accepted = any(account == principal for _, account in share.accepted_in)
                state = "accepted" if accepted or not share.external else "not accepted"
                edges.append(Edge(ids[resource], target, f"RAM share {share.name} ({state})", "share"))
    return edges


def _cluster_nodes(topology: Topology, stack: Stack, ids: dict[str, str]) -> list[Node]:
    """EKS clusters of ``stack`` (seed 004's pods are the clients of its services)."""
    nodes = []
    for cluster in topology.eks_clusters:
        if cluster.element.stack is stack:
            node = Node(_id(stack.name, cluster.element.name), f"EKS cluster {cluster.name}<br/>Kubernetes {cluster.element.body.get('version', '?')}", "cluster")
            ids[f"eks:{cluster.arn}"] = node.id
            nodes.append(node)
    return nodes


def _cluster_edges(topology: Topology, ids: dict[str, str]) -> list[Edge]:
    """Each cluster in the VPC its subnets belong to."""
    return [
        Edge(ids[cluster.vpc_id], ids[f"eks:{cluster.arn}"], "nodes and pods", "association")
        for cluster in topology.eks_clusters if cluster.vpc_id in ids
    ]


def _front_door_nodes(topology: Topology, stack: Stack, ids: dict[str, str]) -> list[Node]:
    """Load balancers, execute-api interface endpoints and private REST APIs of ``stack``."""
    nodes = []
    for element in topology.elements("aws_lb", stack):
        node = Node(_id(stack.name, element.name), f"load balancer {element.body.get('name', element.name)}<br/>{'internal' if element.body.get('internal') else 'internet-facing'}", "balancer")
        ids[topology.model.attribute(stack, "aws_lb", element.name, "dns_name")] = node.id
        nodes.append(node)
    for element in topology.elements("aws_vpc_endpoint", stack):
        service = str(topology.resolve(element.body.get("service_name", ""), element))
        if element.body.get("vpc_endpoint_type") == "Interface" and service.endswith(".execute-api"):
            node = Node(_id(stack.name, element.name), "interface endpoint<br/>execute-api", "interface")
            ids[topology.model.attribute(stack, "aws_vpc_endpoint", element.name, "id")] = node.id
            nodes.append(node)
    for element in topology.elements("aws_api_gateway_rest_api", stack):
        domains = [
            f"{topology.resolve(m.body.get('domain_name'), m)}/{topology.resolve(m.body.get('base_path') or '', m)}"
            for m in topology.elements("aws_api_gateway_base_path_mapping", stack)
            if topology.resolve(m.body.get("api_id"), m) == topology.model.attribute(stack, "aws_api_gateway_rest_api", element.name, "id")
        ]
        node = Node(_id(stack.name, element.name), "<br/>".join([f"private API {element.body.get('name', element.name)}", *domains]), "api")
        ids[f"api:{stack.name}:{element.name}"] = node.id
        nodes.append(node)
    return nodes


def _front_door_edges(topology: Topology, ids: dict[str, str]) -> list[Edge]:
    """VPC -> load balancer (the private zone's names), load balancer -> endpoint (its IP
    targets), endpoint -> private API (the APIs bound to it)."""
    edges = []
    for zone in topology.elements("aws_route53_zone"):
        zone_name = str(topology.resolve(zone.body.get("name", ""), zone)).rstrip(".")
        zone_id = topology.model.attribute(zone.stack, "aws_route53_zone", zone.name, "zone_id")
        by_target: dict[str, list[str]] = {}
        for record in topology.elements("aws_route53_record", zone.stack):
            alias = block(record.body.get("alias"))
            if alias and topology.resolve(record.body.get("zone_id"), record) == zone_id:
                by_target.setdefault(str(topology.resolve(alias["name"], record)), []).append(str(topology.resolve(record.body["name"], record)))
        for vpc in blocks(zone.body.get("vpc")):
            source = ids.get(topology.resolve(vpc.get("vpc_id"), zone))
            for target, names in by_target.items():
                if source and target in ids:
                    edges.append(Edge(source, ids[target], f"private zone {zone_name}: {', '.join(sorted(names))}", "front"))
    for stack in topology.stacks:
        for attachment in topology.elements("aws_lb_target_group_attachment", stack):
            found = _INTERFACE.search(str(stack.data("aws_network_interface").get(_DATA_NAME.sub(r"\1", str(attachment.body.get("target_id", ""))), {}).get("id", "")))
            if not found:
                continue
            endpoint = ids.get(topology.model.attribute(stack, "aws_vpc_endpoint", found.group(1), "id"))
            label = "IP targets: the endpoint's interfaces"
            link = next((l for l in topology.links(stack) if l.element.name == found.group(1)), None)
            if endpoint is None and link is not None:  # a service-network endpoint: drawn as its link to the network
                endpoint, label = ids.get(link.network.id), "IP targets: the service-network endpoint's interfaces"
            group = topology.resolve(attachment.body["target_group_arn"], attachment)
            for listener in topology.elements("aws_lb_listener", stack):
                if not any(topology.resolve(a.get("target_group_arn"), listener) == group for a in blocks(listener.body.get("default_action"))):
                    continue
                balancer_arn = topology.resolve(listener.body["load_balancer_arn"], listener)
                for balancer in topology.elements("aws_lb", stack):
                    source = ids.get(topology.model.attribute(stack, "aws_lb", balancer.name, "dns_name"))
                    if source and endpoint and topology.model.attribute(stack, "aws_lb", balancer.name, "arn") == balancer_arn:
                        edges.append(Edge(source, endpoint, label, "front"))
        for api in topology.elements("aws_api_gateway_rest_api", stack):
            bound = topology.resolve(block(api.body.get("endpoint_configuration")).get("vpc_endpoint_ids") or [], api)
            for endpoint_id in bound:
                if endpoint_id in ids:
                    edges.append(Edge(ids[endpoint_id], ids[f"api:{stack.name}:{api.name}"], "Host header: its custom domain", "front"))
    return edges


_INTERFACE = re.compile(r"aws_vpc_endpoint\.([A-Za-z0-9_-]+)\.network_interface_ids")
_DATA_NAME = re.compile(r"^\$\{data\.aws_network_interface\.([A-Za-z0-9_-]+)\.private_ip\}$")


def _nodes(diagram: Diagram) -> list[Node]:
    return [node for account in diagram.accounts for stack in account.children for node in stack.nodes]


def _node_ids(diagram: Diagram) -> set[str]:
    return {node.id for node in _nodes(diagram)}


def _id(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


# --- Mermaid ---------------------------------------------------------------------------

_MERMAID_SHAPE = {
    "vpc": ('["', '"]'), "network": ('{{"', '"}}'), "service": ('(["', '"])'),
    "balancer": ('[/"', '"/]'), "interface": ('(("', '"))'), "api": ('[["', '"]]'), "cluster": ('[("', '")]'),
}
_MERMAID_ARROW = {"association": "-->", "endpoint": "-.->", "share": "-.->", "front": "==>"}


def mermaid(diagram: Diagram) -> str:
    lines = ["flowchart LR"]

    def cluster(box: Cluster, indent: str) -> None:
        lines.append(f'{indent}subgraph {box.id}["{_mermaid_text(box.label)}"]')
        for node in box.nodes:
            opening, closing = _MERMAID_SHAPE[node.shape]
            lines.append(f"{indent}  {node.id}{opening}{_mermaid_text(node.label)}{closing}")
        for child in box.children:
            cluster(child, indent + "  ")
        lines.append(f"{indent}end")

    for account in diagram.accounts:
        cluster(account, "  ")
    known = _node_ids(diagram) | {a.id for a in diagram.accounts}
    for edge in diagram.edges:
        if edge.target not in known:  # a share principal outside the output (an organization, say)
            lines.append(f'  {edge.target}["{_mermaid_text(diagram.outsiders[edge.target])}"]')
            known.add(edge.target)
        lines.append(f'  {edge.source} {_MERMAID_ARROW[edge.style]}|"{_mermaid_text(edge.label)}"| {edge.target}')
    lines.append("  classDef vpc fill:#eef6ff,stroke:#3b82f6")
    lines.append("  classDef network fill:#fff4e5,stroke:#f59e0b")
    lines.append("  classDef service fill:#ecfdf5,stroke:#10b981")
    lines.append("  classDef balancer fill:#f5f3ff,stroke:#8b5cf6")
    lines.append("  classDef interface fill:#f5f3ff,stroke:#8b5cf6")
    lines.append("  classDef api fill:#fdf2f8,stroke:#db2777")
    lines.append("  classDef cluster fill:#f0fdfa,stroke:#0d9488")
    for shape in ("vpc", "network", "service", "balancer", "interface", "api", "cluster"):
        members = [n.id for n in _nodes(diagram) if n.shape == shape]
        if members:
            lines.append(f"  class {','.join(members)} {shape}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


# --- Graphviz ------------------------------------------------------------------------------

_DOT_SHAPE = {"vpc": "box", "network": "hexagon", "service": "ellipse", "balancer": "trapezium", "interface": "circle", "api": "component", "cluster": "box3d"}
_DOT_STYLE = {"association": "solid", "endpoint": "dotted", "share": "dashed", "front": "bold"}


def dot(diagram: Diagram) -> str:
    lines = ["digraph lattice {", "  rankdir=LR; compound=true; node [fontname=Helvetica fontsize=10]; edge [fontname=Helvetica fontsize=9];"]
    anchors: dict[str, str] = {}  # cluster id -> a node inside it (edges to a cluster need one)

    def cluster(box: Cluster, indent: str) -> str:
        lines.append(f"{indent}subgraph cluster_{box.id} {{")
        lines.append(f"{indent}  label={_dot_text(box.label)};")
        first = ""
        for node in box.nodes:
            lines.append(f"{indent}  {node.id} [label={_dot_text(node.label.replace('<br/>', chr(10)))} shape={_DOT_SHAPE[node.shape]}];")
            first = first or node.id
        for child in box.children:
            first = cluster(child, indent + "  ") or first
        lines.append(f"{indent}}}")
        anchors[box.id] = first
        return first

    for account in diagram.accounts:
        cluster(account, "  ")
    known = _node_ids(diagram)
    for edge in diagram.edges:
        target, extra = edge.target, ""
        if edge.target in anchors:
            target, extra = anchors[edge.target], f" lhead=cluster_{edge.target}"
        elif edge.target not in known:  # a share principal outside the output (an organization, say)
            lines.append(f"  {edge.target} [label={_dot_text(diagram.outsiders[edge.target])} shape=plaintext];")
            known.add(edge.target)
        lines.append(f"  {edge.source} -> {target} [label={_dot_text(edge.label)} style={_DOT_STYLE[edge.style]}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def svg(dot_source: str) -> bytes:
    """``dot_source`` rendered by Graphviz; GraphvizMissing when ``dot`` is not installed."""
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizMissing("Graphviz 'dot' is not installed (Debian: apt-get install graphviz): the Mermaid text needs nothing")
    result = subprocess.run([executable, "-Tsvg"], input=dot_source.encode(), capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout
