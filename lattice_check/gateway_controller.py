"""What the AWS Gateway API controller (aws/aws-application-networking-k8s) makes of
the Kubernetes objects of an output, predicted as Terraform JSON so that every hop
after it reads those Lattice objects as it reads Terraform's own.

For each EKS cluster that runs the controller (its chart, kubernetes.py) the
prediction is one extra stack, ``controller@<cluster>``, in the controller's account
and region, holding what the controller would create, named as it names them
(docs/seed-004-controller.md, read in its source at v2.1.3):

- a Gateway of a GatewayClass the controller owns is the service network of the
  same name that already exists in its account (or one its cluster VPC is
  associated with: a network shared by RAM, v2.0.0+); none found: not programmed;
- an HTTPRoute accepted by such a Gateway (``parentRefs`` and the listener's
  ``allowedRoutes``, enforced from v2.0.0) is a service ``<route[:20]>-<ns[:18]>``,
  its first hostname the custom domain with the certificate of the Gateway's HTTPS
  listener, associated with the network; one listener per attached Gateway
  listener, ``<service>-<port>-<protocol>``, whose default action is a fixed 404;
  one rule per route rule, priority from 1 (no match: path prefix ``/``); one IP
  target group per backend Service, port 80, HTTP, in ``clusterVpcId``, whose
  targets are the Service's ready pods on their container port (registered by the
  controller: the group records which Deployment, targets.py checks it);
- an IAMAuthPolicy on an HTTPRoute is the service's auth policy, auth type AWS_IAM
  (a service without one keeps NONE);
- a route with a hostname gets a DNSEndpoint, which ExternalDNS (if the cluster runs
  it, from the crd source, its domain filter matching) writes into the private
  zones of its account, or of the account of the role it assumes
  (``--aws-assume-role``, whose trust policy must let it), as a CNAME to the
  service's generated name.

The controller and ExternalDNS act only if their image reads the EKS Pod Identity
credentials they are given (their chart's version against the ledger's facts,
pins/ledger.toml: ExternalDNS before chart 1.15.1 cannot; a version the ledger does
not know predicts nothing) and their role allows the calls (checked against the
role's policies when the output holds it). What cannot
be predicted (the target group's random suffix, the rule's timestamp name, pod
addresses) has a stand-in; each prediction's notes say what was skipped and why.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from pins import pod_identity

from .controller_dns import dns_record, key_of
from .graph import Stack, Unresolved
from .identity import session_may
from .kinds import Network
from .kubernetes import ClusterWorkloads, HelmRelease, KubernetesObject, Workloads
from .surroundings import Surroundings

CHART = "aws-gateway-controller-chart"
CONTROLLER_NAME = "application-networking.k8s.aws/gateway-api-controller"
CERTIFICATE_OPTION = "application-networking.k8s.aws/certificate-arn"
SERVICE_ACCOUNT = "gateway-api-controller"  # the chart's default
STACK_PREFIX = "controller@"
GATEWAY_GROUP = "gateway.networking.k8s.io"
TARGET_GROUP_PORT = 80  # what the controller gives every backendRef target group
FIXED_404 = {"fixed_response": {"status_code": 404}}
FIXED_500 = {"fixed_response": {"status_code": 500}}  # every backend invalid (Gateway API spec)
# The calls the controller makes for one route, checked against its role.
_CONTROLLER_CALLS = (
    "vpc-lattice:CreateService", "vpc-lattice:CreateListener", "vpc-lattice:CreateRule", "vpc-lattice:CreateTargetGroup",
    "vpc-lattice:RegisterTargets", "vpc-lattice:CreateServiceNetworkServiceAssociation", "vpc-lattice:PutAuthPolicy",
)


@dataclass
class Prediction:
    """What one cluster's controller makes: a stack of predicted resources, and notes."""

    cluster: str
    stack: Optional[Stack]
    notes: list[str] = field(default_factory=list)


@dataclass
class PredictionBuilder:
    topology: Surroundings
    workloads: ClusterWorkloads
    release: HelmRelease
    account: str
    region: str
    vpc_id: str
    role: str = ""  # the controller's Pod Identity role
    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def cluster(self) -> str:
        return self.workloads.cluster.name

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}{self.cluster}"

    def add(self, kind: str, name: str, body: dict[str, Any], source: str, **metadata: Any) -> str:
        """Add a predicted resource (``metadata`` goes with the note in its ``//``); its Terraform address."""
        note = {"predicted": f"by the Gateway API controller in {self.cluster}, from {source}", **metadata}
        self.resources.setdefault(kind, {})[name] = {"//": note, **body}
        return f"{kind}.{name}"


def predict(topology: Surroundings, every_cluster: Workloads) -> list[Prediction]:
    """The controllers' objects of ``topology`` (each a stack the topology adds to the
    model's), from the clusters' workloads."""
    predictions: list[Prediction] = []
    try:
        clusters = every_cluster.clusters
    except Unresolved as error:
        return [Prediction("?", None, [f"the clusters' workloads cannot be read: {error}"])]
    for workloads in clusters:
        release = workloads.release(CHART)
        if release is None:
            continue
        try:
            predictions.append(_predict_cluster(topology, workloads, release))
        except Unresolved as error:
            predictions.append(Prediction(workloads.cluster.name, None, [f"not predicted: {error}"]))
    return predictions


def _predict_cluster(topology: Surroundings, workloads: ClusterWorkloads, release: HelmRelease) -> Prediction:
    values = release.values
    cluster = workloads.cluster
    element = release.element
    builder = PredictionBuilder(
        topology, workloads, release,
        account=str(values.get("awsAccountId") or element.account), region=str(values.get("awsRegion") or element.region),
        vpc_id=str(values.get("clusterVpcId") or ""),
    )
    notes = builder.notes
    notes.extend(workloads.unread)
    if not builder.vpc_id:
        notes.append(f"the controller in {cluster.name} has no clusterVpcId: it reads it from the instance metadata (not modeled)")
        builder.vpc_id = cluster.vpc_id
    if not _controller_may_act(builder, release):
        return Prediction(cluster.name, None, notes)
    classes = {o.name for o in workloads.of_kind("GatewayClass") if o.spec.get("controllerName") == CONTROLLER_NAME}
    gateways = {}
    for gateway in workloads.of_kind("Gateway"):
        if gateway.spec.get("gatewayClassName") not in classes:
            continue
        network = _network_of(builder, gateway)
        if network is not None:
            gateways[(gateway.namespace, gateway.name)] = (gateway, network)
    for route in workloads.of_kind("HTTPRoute"):
        _predict_route(builder, route, gateways)
    if not builder.resources:
        return Prediction(cluster.name, None, notes)
    document = {"resource": builder.resources}
    stack = Stack(builder.stack_name, Path(element.stack.directory), document, builder.account, builder.region, {"aws": (builder.account, builder.region)})
    return Prediction(cluster.name, stack, notes)


def _controller_may_act(builder: PredictionBuilder, release: HelmRelease) -> bool:
    """The controller's pod gets credentials from a Pod Identity association, and its role allows the calls."""
    service_account = str((release.values.get("serviceAccount") or {}).get("name") or SERVICE_ACCOUNT)
    role = builder.workloads.identities.get((release.namespace, service_account))
    if role is None:
        builder.notes.append(
            f"no Pod Identity association for {release.namespace}/{service_account} in {builder.cluster}: "
            "the controller has no credentials of this output (IRSA or node roles are not modeled): nothing is predicted"
        )
        return False
    reads, why = pod_identity(chart=release.chart, at=release.version)
    if reads is not True:
        builder.notes.append(f"the controller in {builder.cluster} is given Pod Identity credentials, but {why}: nothing is predicted")
        return False
    builder.role = role
    resource = f"arn:aws:vpc-lattice:{builder.region}:{builder.account}:service/svc-0123456789abcdef0"
    for action in _CONTROLLER_CALLS:
        check = session_may(builder.topology, role, "gateway-api-controller", action, resource)
        if check.allowed is False:
            builder.notes.append(f"the controller's role {role} may not {action} ({check.reason}): it makes nothing")
            return False
    return True


def _network_of(builder: PredictionBuilder, gateway: KubernetesObject) -> Optional[Network]:
    """The existing service network a Gateway names, as the controller finds it."""
    topology = builder.topology
    named = [n for n in topology.networks if n.name == gateway.name]
    own = [n for n in named if (n.element.account, n.element.region) == (builder.account, builder.region)]
    if not own:  # v2.0.0+: a network of another account, through this VPC's own association
        own = [n for n in named if any(link.network is n and link.vpc_id == builder.vpc_id for s in topology.stacks for link in topology.links(s))]
    if len(own) == 1:
        return own[0]
    if not own:
        builder.notes.append(f"{gateway.label}: no service network named {gateway.name} in account {builder.account} ({builder.region}): not programmed")
    else:
        builder.notes.append(f"{gateway.label}: {len(own)} service networks are named {gateway.name}: not programmed")
    return None


def _accepting_listeners(builder: PredictionBuilder, route: KubernetesObject, gateways: dict[tuple[str, str], tuple[KubernetesObject, Network]]) -> list[tuple[dict[str, Any], Network]]:
    """The Gateway listeners that accept ``route`` (parentRefs, then allowedRoutes)."""
    accepted = []
    for ref in route.spec.get("parentRefs") or []:
        if ref.get("group", GATEWAY_GROUP) != GATEWAY_GROUP or ref.get("kind", "Gateway") != "Gateway":
            continue
        found = gateways.get((ref.get("namespace") or route.namespace, ref.get("name")))
        if found is None:
            builder.notes.append(f"{route.label}: parent {ref.get('namespace') or route.namespace}/{ref.get('name')} is no programmed Gateway of this controller")
            continue
        gateway, network = found
        for listener in gateway.spec.get("listeners") or []:
            if ref.get("sectionName") not in (None, listener.get("name")):
                continue
            why = _not_allowed(builder, gateway, listener, route)
            if why:
                builder.notes.append(f"{route.label}: listener {listener.get('name')} of {gateway.label} does not accept it ({why})")
            else:
                accepted.append((listener, network))
    return accepted


def _not_allowed(builder: PredictionBuilder, gateway: KubernetesObject, listener: dict[str, Any], route: KubernetesObject) -> Optional[str]:
    allowed = listener.get("allowedRoutes") or {}
    kinds = [k.get("kind") for k in allowed.get("kinds") or []]
    if kinds and "HTTPRoute" not in kinds:
        return f"kinds {', '.join(map(str, kinds))}"
    namespaces = allowed.get("namespaces") or {}
    where = namespaces.get("from", "Same")
    if where == "Same" and route.namespace != gateway.namespace:
        return f"only routes of namespace {gateway.namespace}"
    if where == "Selector":
        wanted = dict((namespaces.get("selector") or {}).get("matchLabels") or {})
        labels = builder.workloads.namespace_labels(route.namespace)
        if any(labels.get(k) != v for k, v in wanted.items()):
            return f"namespace {route.namespace} lacks the labels {wanted} (enforced from controller v2.0.0)"
        if (namespaces.get("selector") or {}).get("matchExpressions"):
            builder.notes.append(f"{gateway.label}: matchExpressions of allowedRoutes are not modeled")
    return None


def _predict_route(builder: PredictionBuilder, route: KubernetesObject, gateways: dict[tuple[str, str], tuple[KubernetesObject, Network]]) -> None:
    accepted = _accepting_listeners(builder, route, gateways)
    if not accepted:
        return
    rules = route.spec.get("rules") or []
    if any(len(rule.get("matches") or []) > 1 for rule in rules):
        builder.notes.append(f"{route.label}: a rule with several matches is refused by the controller (LATTICE_NO_SUPPORT_FOR_MULTIPLE_MATCHES)")
        return
    name = f"{route.name[:20]}-{route.namespace[:18]}"
    key = key_of(name)
    source = route.label
    hostnames = route.spec.get("hostnames") or []
    certificate = next(
        (str((listener.get("tls") or {}).get("options", {}).get(CERTIFICATE_OPTION)) for listener, _ in accepted
         if listener.get("protocol") == "HTTPS" and (listener.get("tls") or {}).get("options", {}).get(CERTIFICATE_OPTION)),
        None,
    )
    policy = _auth_policy(builder, route)
    service: dict[str, Any] = {"name": name, "auth_type": "AWS_IAM" if policy else "NONE"}
    if hostnames:
        service["custom_domain_name"] = hostnames[0]
    if certificate:
        service["certificate_arn"] = certificate
    address = builder.add("aws_vpclattice_service", key, service, source)
    service_id = f"${{{address}.id}}"
    networks = {network.id: network for _, network in accepted}
    for network in networks.values():
        check = session_may(builder.topology, builder.role, "gateway-api-controller", "vpc-lattice:CreateServiceNetworkServiceAssociation", network.arn)
        if check.allowed is False:
            builder.notes.append(f"{route.label}: the controller's role may not associate its service with {network.name} ({check.reason})")
            continue
        builder.add(
            "aws_vpclattice_service_network_service_association", f"{key}-{key_of(network.name)}",
            {"service_identifier": service_id, "service_network_identifier": network.id}, source,
        )
    if policy:
        builder.add("aws_vpclattice_auth_policy", key, {"resource_identifier": f"${{{address}.arn}}", "policy": policy[1]}, policy[0])
    listeners = sorted({(str(listener.get("protocol")), int(listener.get("port", 0))) for listener, _ in accepted}, key=lambda p: p[1])
    for protocol, port in listeners:
        listener_name = f"{name}-{port}-{protocol.lower()}"
        listener_address = builder.add(
            "aws_vpclattice_listener", key_of(listener_name),
            {"name": listener_name, "protocol": protocol, "port": port, "service_identifier": service_id, "default_action": FIXED_404}, source,
        )
        for index, rule in enumerate(rules):
            builder.add(
                "aws_vpclattice_listener_rule", f"{key_of(listener_name)}-rule-{index + 1}",
                {
                    "name": f"rule-{index + 1}",  # the controller names rules by a timestamp
                    "priority": index + 1,
                    "service_identifier": service_id,
                    "listener_identifier": f"${{{listener_address}.listener_id}}",
                    "match": {"http_match": _http_match(rule)},
                    "action": _action(builder, route, rule, source),
                },
                source,
            )
    if hostnames:
        dns_record(builder, route, hostnames[0], address)


def _http_match(rule: dict[str, Any]) -> dict[str, Any]:
    matches = rule.get("matches") or []
    match = matches[0] if matches else {}
    path = match.get("path") or {"type": "PathPrefix", "value": "/"}
    how = "exact" if path.get("type") == "Exact" else "prefix"
    found: dict[str, Any] = {"path_match": {"case_sensitive": True, "match": {how: path.get("value", "/")}}}
    if match.get("method"):
        found["method"] = match["method"]
    headers = [
        {"name": h["name"], "case_sensitive": False, "match": {"exact": h["value"]}}
        for h in match.get("headers") or [] if h.get("type", "Exact") == "Exact"
    ]
    if headers:
        found["header_matches"] = headers
    return found


def _action(builder: PredictionBuilder, route: KubernetesObject, rule: dict[str, Any], source: str) -> dict[str, Any]:
    groups = []
    for ref in rule.get("backendRefs") or []:
        if ref.get("kind", "Service") != "Service" or ref.get("group", "") not in ("", "core"):
            continue
        namespace = ref.get("namespace") or route.namespace
        service = builder.workloads.find("Service", namespace, str(ref.get("name")))
        if service is None:
            builder.notes.append(f"{route.label}: backend Service {namespace}/{ref.get('name')} is not in this output: invalid backendRef")
            continue
        tg_name = _target_group_name(namespace, service.name, builder.cluster)
        address = builder.add(
            "aws_vpclattice_target_group", key_of(tg_name),
            {
                "name": tg_name,
                "type": "IP",
                "config": {"port": TARGET_GROUP_PORT, "protocol": "HTTP", "protocol_version": "HTTP1", "vpc_identifier": builder.vpc_id,
                           "health_check": {"enabled": True, "path": "/", "matcher": {"value": "200"}}},
            },
            source,
            registered=_registration(builder, service, ref),
        )
        groups.append({"target_group_identifier": f"${{{address}.id}}", "weight": int(ref.get("weight", 1))})
    return {"forward": {"target_groups": groups}} if groups else FIXED_500


def _registration(builder: PredictionBuilder, service: KubernetesObject, ref: dict[str, Any]) -> dict[str, Any]:
    """What the controller registers in the group: the ready pods the Service selects,
    on the container port its port maps to (targets.py reads this)."""
    ports: list[dict[str, Any]] = list(service.spec.get("ports") or [])
    port = next((p for p in ports if ref.get("port") in (None, p.get("port"))), {})
    selector = dict(service.spec.get("selector") or {})
    pods = []
    for deployment in builder.workloads.of_kind("Deployment"):
        template = (deployment.spec.get("template") or {})
        labels = (template.get("metadata") or {}).get("labels") or {}
        if deployment.namespace == service.namespace and selector and all(labels.get(k) == v for k, v in selector.items()):
            pods.append({"deployment": f"{deployment.namespace}/{deployment.name}", "replicas": int(deployment.spec.get("replicas", 1))})
    return {
        "service": f"{service.namespace}/{service.name}",
        "port": port.get("targetPort", port.get("port")),
        "pods": pods,
        "security_group_id": builder.workloads.cluster.security_group_id,
        "security_group_stack": builder.workloads.cluster.element.stack.name,
        "pods_vpc_id": builder.workloads.cluster.vpc_id,
    }


def _auth_policy(builder: PredictionBuilder, route: KubernetesObject) -> Optional[tuple[str, str]]:
    """(source, document) of the IAMAuthPolicy that targets ``route``, if any."""
    for policy in builder.workloads.of_kind("IAMAuthPolicy"):
        target = policy.spec.get("targetRef") or {}
        if target.get("kind") == "Gateway":
            builder.notes.append(f"{policy.label} targets a Gateway: it would replace the network's auth policy (not modeled)")
            continue
        if target.get("kind") == "HTTPRoute" and target.get("name") == route.name and (target.get("namespace") or policy.namespace) == route.namespace:
            return policy.label, str(policy.spec.get("policy", ""))
    return None


def _target_group_name(namespace: str, service: str, cluster: str) -> str:
    """``k8s-<namespace>-<service>-<10 letters>``: the controller's suffix is random; this one is a digest."""
    suffix = "".join(chr(ord("a") + b % 26) for b in hashlib.sha256(f"{cluster}/{namespace}/{service}".encode()).digest()[:10])
    return f"k8s-{namespace}-{service}"[:117] + f"-{suffix}"


def registration(body: dict[str, Any]) -> Optional[dict[str, Any]]:
    """What the controller registers in a predicted target group (None for Terraform's own)."""
    found = (body.get("//") or {}).get("registered")
    return dict(found) if isinstance(found, dict) else None
