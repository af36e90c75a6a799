"""What runs in the EKS clusters of an output: the Kubernetes objects of
``kubernetes_manifest`` resources, the ``helm_release`` charts with their values,
and the EKS Pod Identity associations (namespace and service account -> role).

A stack's objects belong to the cluster its ``kubernetes`` (or ``helm``) provider
connects to: the provider's host is ``data.aws_eks_cluster.<name>.endpoint``, and
that data source names the cluster. Objects Terraform makes from a ``for_each``
(the Gateway API CRDs, read from a URL at plan time) are not read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

import yaml

from .graph import Stack, Unresolved
from .kinds import EksCluster, Element
from .surroundings import Surroundings

_ENDPOINT = re.compile(r"data\.aws_eks_cluster\.([A-Za-z0-9_-]+)\.endpoint")


@dataclass(frozen=True)
class KubernetesObject:
    element: Element  # the kubernetes_manifest resource
    manifest: dict[str, Any]  # references resolved

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.manifest.get("metadata", {}).get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.manifest.get("metadata", {}).get("namespace") or "default")

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self.manifest.get("spec") or {})

    @property
    def label(self) -> str:
        """``Kind namespace/name`` (``Kind name`` for a cluster-wide kind), for the reasons."""
        scoped = "namespace" in self.manifest.get("metadata", {})
        return f"{self.kind} {self.namespace}/{self.name}" if scoped else f"{self.kind} {self.name}"


@dataclass(frozen=True)
class HelmRelease:
    element: Element
    chart: str
    version: str
    namespace: str
    values: dict[str, Any]  # the release's values documents, merged in order


@dataclass
class ClusterWorkloads:
    """One EKS cluster with what Terraform puts into it."""

    cluster: EksCluster
    objects: list[KubernetesObject] = field(default_factory=list)
    releases: list[HelmRelease] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # objects that could not be read, and why
    identities: dict[tuple[str, str], str] = field(default_factory=dict)  # (namespace, service account) -> role ARN

    def of_kind(self, kind: str) -> list[KubernetesObject]:
        return [o for o in self.objects if o.kind == kind]

    def find(self, kind: str, namespace: str, name: str) -> Optional[KubernetesObject]:
        return next((o for o in self.objects if o.kind == kind and o.name == name and o.namespace == namespace), None)

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        found = next((o for o in self.of_kind("Namespace") if o.name == namespace), None)
        return dict(found.manifest.get("metadata", {}).get("labels") or {}) if found else {}

    def release(self, chart: str) -> Optional[HelmRelease]:
        return next((r for r in self.releases if r.chart.rsplit("/", 1)[-1] == chart), None)


class Workloads:
    """The clusters of ``topology`` and their workloads, read once."""

    def __init__(self, topology: Surroundings) -> None:
        self.topology = topology

    @cached_property
    def clusters(self) -> list[ClusterWorkloads]:
        topology = self.topology
        by_key = {(c.element.account, c.element.region, c.name): ClusterWorkloads(c) for c in topology.eks_clusters}
        for association in topology.elements("aws_eks_pod_identity_association"):
            body = topology.resolve(association.body, association)
            workloads = by_key.get((association.account, association.region, str(body.get("cluster_name"))))
            if workloads is not None:
                workloads.identities[(str(body["namespace"]), str(body["service_account"]))] = str(body["role_arn"])
        for stack in topology.stacks:
            target = self._cluster_of(stack)
            workloads = by_key.get((stack.account, stack.region, target)) if target else None
            if workloads is None:
                continue
            for element in topology.elements("kubernetes_manifest", stack):
                self._read_object(workloads, element)
            for element in topology.elements("helm_release", stack):
                workloads.releases.append(self._release(element))
        return list(by_key.values())

    def of_vpc(self, vpc_id: str) -> list[ClusterWorkloads]:
        return [w for w in self.clusters if w.cluster.vpc_id == vpc_id]

    def _cluster_of(self, stack: Stack) -> Optional[str]:
        """The name of the EKS cluster the stack's Kubernetes providers connect to."""
        providers = stack.document.get("provider", {})
        hosts = [p.get("host") for p in _listed(providers.get("kubernetes"))]
        hosts += [k.get("host") for p in _listed(providers.get("helm")) for k in _listed(p.get("kubernetes"))]
        for host in hosts:
            found = _ENDPOINT.search(str(host or ""))
            source = stack.data("aws_eks_cluster").get(found.group(1)) if found else None
            if source is not None:
                return str(self.topology.model.resolve(source.get("name"), stack))
        return None

    def _read_object(self, workloads: ClusterWorkloads, element: Element) -> None:
        where = f"kubernetes_manifest.{element.name} in {element.stack.name}"
        if "for_each" in element.body:
            workloads.unread.append(f"{where}: made by for_each at plan time (not read)")
            return
        try:
            manifest = self.topology.resolve(element.body.get("manifest"), element)
        except Unresolved as error:
            workloads.unread.append(f"{where}: {error}")
            return
        if isinstance(manifest, dict):
            workloads.objects.append(KubernetesObject(element, manifest))

    def _release(self, element: Element) -> HelmRelease:
        body = element.body
        values: dict[str, Any] = {}
        for document in _listed(body.get("values")):
            resolved = self.topology.resolve(document, element)
            parsed = yaml.safe_load(resolved) if isinstance(resolved, str) else resolved  # JSON is YAML
            if isinstance(parsed, dict):
                values.update(parsed)
        return HelmRelease(element, str(body.get("chart", "")), str(body.get("version", "")), str(body.get("namespace") or "default"), values)


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
