"""The Kubernetes objects of one cluster, as data: what the original's ``platform``
and ``demo`` charts render, written out (no chart templating, no Kyverno), for the
Gateway API controller to turn into Lattice objects.

- platform: the ``apps`` namespace (labelled so the Gateway admits its routes: the
  controller enforces ``allowedRoutes`` from v2.0.0; the original's namespace had no
  label), the GatewayClass, and the Gateway ``lattice-gateway`` with the original's
  three listeners. No IAMAuthPolicy on the Gateway: the network's auth policy is
  Terraform's (docs/seed-004-controller.md).
- demo: the app's Deployment with the request-signing containers put in the pod
  spec itself (the original injected them with a Kyverno policy), its Service, the
  HTTPRoute ``demo-<cluster>`` for ``demo-<cluster>.<domain>``, and its
  IAMAuthPolicy admitting only the other clusters' ``apps`` namespace by the
  session tags EKS Pod Identity sets.

``settings`` decide every name; the functions return plain dicts, so the stacks, the
schema tests and lattice_check read the same objects.
"""
from __future__ import annotations

import json
from typing import Any

from pins import version

from .config import APP_NAMESPACE, MulticlusterSettings, eks_cluster_name

GATEWAY_API = "gateway.networking.k8s.io/v1"
CONTROLLER_API = "application-networking.k8s.aws/v1alpha1"
GATEWAY_CLASS = "amazon-vpc-lattice"
CONTROLLER_NAME = "application-networking.k8s.aws/gateway-api-controller"
ATTACHMENT_LABEL = "allow-attachment-to-infra-gw"
CERTIFICATE_OPTION = "application-networking.k8s.aws/certificate-arn"
APP_PORT, SERVICE_PORT, PROXY_PORT = 8090, 80, 8080
LATTICE_LINK_LOCAL = "169.254.171.0/24"
# The original's images (personal repositories of the pattern's author: pin your own copies)
APP_IMAGE = f"public.ecr.aws/seb-demo/http-server:{version('http-server-image')}"  # tags: pins/ledger.toml
PROXY_IMAGE = f"public.ecr.aws/seb-demo/envoy-sigv4:{version('envoy-sigv4-image')}"
IPTABLES_IMAGE = f"public.ecr.aws/seb-demo/iptables:{version('iptables-image')}"
PROXY_GROUP = 0  # the proxy's traffic is exempt from the redirect: it runs as group 0
APP_GROUP = 1000
# What checkov's Kubernetes checks flag on the demo Deployment and is kept, with why
# (read by checkov from the object's annotations).
DEMO_RISKS = {
    "CKV_K8S_14": "the original's image tags; pin your own copies",
    "CKV_K8S_43": "the original's images, not pinned by digest; pin your own copies",
    "CKV_K8S_22": "the original's images may write to their file system; not verified offline",
    "CKV_K8S_23": "the original's app image runs as root (runAsUser 0); the redirect only needs its group",
    "CKV_K8S_40": "the original's app image runs as root (runAsUser 0); the redirect only needs its group",
    "CKV_K8S_29": "the app container keeps the original's root user; every other setting is restricted",
    "CKV_K8S_25": "the redirect's init container needs NET_ADMIN and NET_RAW for iptables, as a service mesh's does",
    "CKV_K8S_28": "the redirect's init container needs NET_ADMIN and NET_RAW for iptables, as a service mesh's does",
    "CKV_K8S_37": "the redirect's init container needs NET_ADMIN and NET_RAW for iptables, as a service mesh's does",
    "CKV_K8S_38": "left as EKS sets it: Pod Identity hands the role's credentials to the pod",
    "CKV2_K8S_6": "VPC Lattice reaches the pods through the node security group; a NetworkPolicy engine is left to the operator",
}
RESOURCES = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "250m", "memory": "256Mi"}}
RESTRICTED = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def app_name(cluster: str) -> str:
    return f"demo-{cluster}"


def deployment_name(cluster: str) -> str:
    return f"{app_name(cluster)}-v1"


def app_host(settings: MulticlusterSettings, cluster: str) -> str:
    return f"{app_name(cluster)}.{settings.domain}"


def platform_objects(settings: MulticlusterSettings, *, certificate_arn: str) -> list[dict[str, Any]]:
    """Namespaces, GatewayClass and Gateway of one cluster."""
    gateway = settings.service_network_name
    allowed = {"kinds": [{"kind": "HTTPRoute"}], "namespaces": {"from": "Selector", "selector": {"matchLabels": {ATTACHMENT_LABEL: "true"}}}}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": gateway}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": APP_NAMESPACE, "labels": {ATTACHMENT_LABEL: "true"}}},
        {"apiVersion": GATEWAY_API, "kind": "GatewayClass", "metadata": {"name": GATEWAY_CLASS}, "spec": {"controllerName": CONTROLLER_NAME}},
        {
            "apiVersion": GATEWAY_API,
            "kind": "Gateway",
            "metadata": {"name": gateway, "namespace": gateway},
            "spec": {
                "gatewayClassName": GATEWAY_CLASS,
                # The original also has https-listener-with-default-domain (443 HTTPS, no hostname): the
                # Gateway API v1 CRD refuses two listeners of one port, protocol and hostname, and no route uses it.
                "listeners": [
                    {"name": "http-listener", "port": 80, "protocol": "HTTP", "allowedRoutes": allowed},
                    {
                        "name": "https-listener-with-custom-domain",
                        "port": 443,
                        "protocol": "HTTPS",
                        "allowedRoutes": allowed,
                        "tls": {"mode": "Terminate", "options": {CERTIFICATE_OPTION: certificate_arn}},
                    },
                ],
            },
        },
    ]


def demo_objects(
    settings: MulticlusterSettings, cluster: str, *, region: str, caller_accounts: list[str], certificate_authority_arn: str
) -> list[dict[str, Any]]:
    """The demo app of ``cluster``: Deployment, Service, HTTPRoute and its auth policy,
    which admits the apps of the other clusters (in ``caller_accounts``)."""
    name, deployment = app_name(cluster), deployment_name(cluster)
    others = [eks_cluster_name(c) for c in settings.clusters if c != cluster]
    roots = [f"arn:aws:iam::{account}:root" for account in caller_accounts]
    labels = {"app": deployment}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AppsOfTheOtherClusters",
                "Effect": "Allow",
                "Principal": {"AWS": roots if len(roots) > 1 else roots[0]},
                "Action": "vpc-lattice-svcs:Invoke",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "aws:PrincipalTag/eks-cluster-name": others if len(others) > 1 else others[0],
                        "aws:PrincipalTag/kubernetes-namespace": APP_NAMESPACE,
                    }
                },
            }
        ],
    }
    redirect = " ".join(
        [
            "iptables -t nat -N EGRESS_PROXY;",
            f"iptables -t nat -A OUTPUT -p tcp -d {LATTICE_LINK_LOCAL} -j EGRESS_PROXY;",
            f"iptables -t nat -A EGRESS_PROXY -m owner --gid-owner {PROXY_GROUP} -j RETURN;",
            f"iptables -t nat -A EGRESS_PROXY -p tcp -j REDIRECT --to-ports {PROXY_PORT};",
        ]
    )
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": deployment,
                "namespace": APP_NAMESPACE,
                "labels": labels,
                "annotations": {f"checkov.io/skip{i + 1}": f"{check}={why}" for i, (check, why) in enumerate(DEMO_RISKS.items())},
            },
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": "default",  # the Pod Identity association's
                        "terminationGracePeriodSeconds": 15,
                        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                        "initContainers": [
                            {
                                "name": "iptables-init",
                                "image": IPTABLES_IMAGE,
                                "command": ["/bin/sh", "-c", redirect],
                                "imagePullPolicy": "Always",
                                "resources": RESOURCES,
                                "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN", "NET_RAW"]}},
                            }
                        ],
                        "containers": [
                            {
                                "name": deployment,
                                "image": APP_IMAGE,
                                "env": [{"name": "PodName", "value": f"Hello from {deployment}"}],
                                "ports": [{"containerPort": APP_PORT}],
                                "imagePullPolicy": "Always",
                                "resources": RESOURCES,
                                "readinessProbe": {"tcpSocket": {"port": APP_PORT}},
                                "livenessProbe": {"tcpSocket": {"port": APP_PORT}},
                                "securityContext": {"runAsUser": 0, "runAsGroup": APP_GROUP, **RESTRICTED},
                                "lifecycle": {"preStop": {"exec": {"command": ["/bin/sleep", "15"]}}},
                            },
                            {
                                "name": "envoy-sigv4",
                                "image": PROXY_IMAGE,
                                "args": ["-l", "info"],
                                "env": [
                                    {"name": "APP_DOMAIN", "value": settings.domain},
                                    {"name": "CA_ARN", "value": certificate_authority_arn},
                                    {"name": "AWS_REGION", "value": region},
                                ],
                                "ports": [{"containerPort": PROXY_PORT, "name": "proxy"}],
                                "imagePullPolicy": "Always",
                                "resources": RESOURCES,
                                "readinessProbe": {"tcpSocket": {"port": PROXY_PORT}},
                                "livenessProbe": {"tcpSocket": {"port": PROXY_PORT}},
                                "securityContext": {"runAsGroup": PROXY_GROUP, **RESTRICTED},
                            },
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": deployment, "namespace": APP_NAMESPACE},
            "spec": {"selector": labels, "ports": [{"protocol": "TCP", "port": SERVICE_PORT, "targetPort": APP_PORT}]},
        },
        {
            "apiVersion": GATEWAY_API,
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": APP_NAMESPACE},
            "spec": {
                "hostnames": [app_host(settings, cluster)],
                "parentRefs": [
                    {"name": settings.service_network_name, "namespace": settings.service_network_name, "sectionName": section}
                    for section in ("http-listener", "https-listener-with-custom-domain")
                ],
                "rules": [
                    {
                        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                        "backendRefs": [{"name": deployment, "kind": "Service", "port": SERVICE_PORT}],
                    }
                ],
            },
        },
        {
            "apiVersion": CONTROLLER_API,
            "kind": "IAMAuthPolicy",
            "metadata": {"name": f"{name}-iam-auth-policy", "namespace": APP_NAMESPACE},
            "spec": {
                "targetRef": {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": name, "namespace": APP_NAMESPACE},
                "policy": json.dumps(policy, separators=(",", ":"), sort_keys=True),
            },
        },
    ]
