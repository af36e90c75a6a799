"""A pod as the client (``curl --pod <namespace>/<deployment>``): who it signs as and
how its request leaves it.

- The Deployment must be one of the output's, in an EKS cluster whose VPC is the
  ``--from`` VPC.
- Credentials: the EKS Pod Identity association of the pod's namespace and service
  account gives a session of the association's role,
  ``arn:aws:sts::<account>:assumed-role/<role>/eks-<cluster[:10]>-<pod[:10]>-<uuid>``,
  with the session tags EKS sets (``eks-cluster-arn``, ``eks-cluster-name``,
  ``kubernetes-namespace``, ``kubernetes-service-account``, ``kubernetes-pod-name``,
  ``kubernetes-pod-uid``). The pod's name and uid are stand-ins (a digest).
- Signing: the seed's pod spec has an init container that redirects TCP to the
  Lattice link-local range (169.254.171.0/24) to a local port, and a proxy container
  on that port, which signs with SigV4 for ``vpc-lattice-svcs`` and sends the request
  on over HTTPS to port 443 of the Host (the original's envoy image; its
  configuration is baked in the image and not verified offline). Without
  credentials, the proxy forwards unsigned. A pod without that redirect sends the
  request as written, unsigned.
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, replace
from typing import Any, Optional

from pins import pod_identity

from .callers import session_arn
from .kubernetes import ClusterWorkloads, KubernetesObject
from .resolution import LINK_LOCAL, BadInput, Client
from .routing import HttpCall
from .topology import Topology

LATTICE_RANGE = ipaddress.IPv4Network(LINK_LOCAL)
SIGNED_PORT = 443
_REDIRECT = re.compile(r"-d\s+(\d+\.\d+\.\d+\.\d+/\d+)\s+-j\s+(\S+)")
_TO_PORT = re.compile(r"REDIRECT\s+--to-ports\s+(\d+)")
_POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what Kubernetes draws pod name suffixes from


@dataclass(frozen=True)
class Pod:
    cluster: ClusterWorkloads
    deployment: KubernetesObject
    name: str  # a stand-in pod name of the Deployment
    uid: str
    service_account: str


def find_pod(topology: Topology, client: Client, reference: str) -> Pod:
    """The pod ``<namespace>/<deployment>`` of a cluster in the client's VPC."""
    namespace, _, name = reference.partition("/")
    clusters = topology.workloads.of_vpc(client.vpc_id)
    if not clusters:
        raise BadInput(f"--pod {reference!r}: no EKS cluster of this output runs in {client.vpc_name}")
    deployments = [(c, d) for c in clusters for d in c.of_kind("Deployment")]
    for cluster, deployment in deployments:
        if (deployment.namespace, deployment.name) == (namespace, name):
            template = deployment.spec.get("template") or {}
            digest = hashlib.sha256(f"{cluster.cluster.arn}/{namespace}/{name}".encode()).digest()
            letters = "".join(_POD_ALPHABET[b % len(_POD_ALPHABET)] for b in digest[:15])
            uid = digest[16:32].hex()
            return Pod(
                cluster, deployment, f"{name}-{letters[:10]}-{letters[10:]}", f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}",
                str((template.get("spec") or {}).get("serviceAccountName") or "default"),
            )
    known = ", ".join(sorted(f"{d.namespace}/{d.name}" for _, d in deployments)) or "none"
    raise BadInput(f"--pod {reference!r}: no Deployment {reference} in the clusters of {client.vpc_name} (Deployments: {known})")


def as_sent_by(topology: Topology, pod: Pod, call: HttpCall, reasons: list[str]) -> HttpCall:
    """``call`` as it leaves ``pod``: through its signing proxy when its redirect
    catches the Lattice range, else as written; signed when the pod has credentials."""
    cluster = pod.cluster.cluster
    where = f"pod {pod.name} of Deployment {pod.deployment.namespace}/{pod.deployment.name} in {cluster.name}"
    proxy = _signing_proxy(pod.deployment)
    if proxy is None:
        reasons.append(f"{where}: no redirect of {LINK_LOCAL} to a proxy in its pod spec: it sends the request unsigned, as written")
        return replace(call, principal=None, tags={})
    container, port = proxy
    role = pod.cluster.identities.get((pod.deployment.namespace, pod.service_account))
    through = (
        f"{where}: its init container redirects {LINK_LOCAL} to port {port}, container {container}, which sends it on over HTTPS to port "
        f"{SIGNED_PORT} (the image's configuration: not verified offline)"
    )
    sent = replace(call, port=SIGNED_PORT, scheme="https")
    if role is None:
        reasons.append(f"{through}; no EKS Pod Identity association for {pod.deployment.namespace}/{pod.service_account}: no credentials, so unsigned")
        return replace(sent, principal=None, tags={})
    principal = session_arn(role, f"eks-{cluster.name[:10]}-{pod.name[:10]}-{pod.uid}")
    tags = {
        "eks-cluster-arn": cluster.arn,
        "eks-cluster-name": cluster.name,
        "kubernetes-namespace": pod.deployment.namespace,
        "kubernetes-service-account": pod.service_account,
        "kubernetes-pod-name": pod.name,
        "kubernetes-pod-uid": pod.uid,
    }
    reasons.append(
        f"{through}, signed (SigV4, vpc-lattice-svcs) as {principal}, the EKS Pod Identity session of {role} for "
        f"{pod.deployment.namespace}/{pod.service_account}, with tags eks-cluster-name={cluster.name}, kubernetes-namespace={pod.deployment.namespace}"
    )
    return replace(sent, principal=principal, tags=tags)


def credential_problem(pod: Pod) -> Optional[str]:
    """Why the pod's signed call cannot be predicted: it has a Pod Identity association,
    but its signing proxy's image is not known (the ledger, pins/ledger.toml) to read
    those credentials; None when it is, or when nothing signs."""
    proxy = _signing_proxy(pod.deployment)
    if proxy is None or pod.cluster.identities.get((pod.deployment.namespace, pod.service_account)) is None:
        return None
    container = next(c for c in _containers(pod.deployment, "containers") if c.get("name") == proxy[0])
    repository, _, tag = str(container.get("image", "")).rpartition(":")
    reads, why = pod_identity(image=repository, at=tag)
    if reads is True:
        return None
    return f"pod {pod.name}: its signing proxy ({proxy[0]}) is given EKS Pod Identity credentials, but {why}: who the call signs as is not predicted"


def trusted_authority(pod: Pod) -> Optional[str]:
    """The private CA the pod's proxy trusts (its ``CA_ARN``), if it names one."""
    proxy = _signing_proxy(pod.deployment)
    if proxy is None:
        return None
    for container in _containers(pod.deployment, "containers"):
        if container.get("name") == proxy[0]:
            for variable in container.get("env") or []:
                if variable.get("name") == "CA_ARN":
                    return str(variable.get("value"))
    return None


def _signing_proxy(deployment: KubernetesObject) -> Optional[tuple[str, int]]:
    """(container, port) that the pod's iptables redirect of the Lattice range sends to."""
    for init in _containers(deployment, "initContainers"):
        script = " ".join(str(part) for part in (init.get("command") or []) + (init.get("args") or []))
        ranges = [ipaddress.IPv4Network(m.group(1), strict=False) for m in _REDIRECT.finditer(script)]
        port = _TO_PORT.search(script)
        if port is None or not any(r.overlaps(LATTICE_RANGE) for r in ranges):
            continue
        for container in _containers(deployment, "containers"):
            if any(p.get("containerPort") == int(port.group(1)) for p in container.get("ports") or []):
                return str(container.get("name")), int(port.group(1))
    return None


def _containers(deployment: KubernetesObject, key: str) -> list[dict[str, Any]]:
    template = deployment.spec.get("template") or {}
    return list((template.get("spec") or {}).get(key) or [])
