"""``curl`` from a VPC to a Lattice service, answered from the synthesized Terraform.

The request passes the hops in order, each in its own module: name resolution
(resolution.py; an AWS service's own name, ``<service>.<region>.amazonaws.com``,
leads to its interface or public endpoint instead: aws_endpoints.py), the RAM
shares the associations need across accounts (sharing.py), the link's security
groups (security_groups.py), the listener and rule that match (routing.py), the
caller's identity-based policies (identity.py) and the network and service auth
policies (authz.py), and the target's answer (targets.py). This module checks the
request, runs the hops and writes the answer.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Mapping, Optional, Sequence

from . import aws_endpoints, front_door
from .answer import Answer
from .authz import CONNECT, INVOKE, Layer, authorize, request_context
from .callers import Request, caller
from .certificates import certificate_failure
from .dynamodb import Tables
from .graph import UNKNOWN_ACCOUNT, Model, Unresolved
from .http_call import http_call
from .identity import caller_identity
from .kinds import Element, Network, Service, VpcLink
from .organizations import Organizations
from .pods import Pod, as_sent_by, credential_problem, find_pod, trusted_authority
from .resolution import LINK_LOCAL, BadInput, Client, arrival, client_vpc, custom_domain, networks_reached, resource_configuration, service_by_host
from .routing import HttpCall, listener_on, route
from .security_groups import admission
from .sharing import association_shares
from .targets import TargetCall
from .tfjson import block
from .topology import Topology

__all__ = ["Answer", "BadInput", "Client", "HttpCall", "curl"]



def curl(
    model: Model,
    source: str,
    url: str,
    *,
    method: str = "GET",
    headers: Optional[Mapping[str, "str | Sequence[str]"]] = None,
    principal: Optional[str] = None,
    tags: Optional[dict[str, str]] = None,
    data: str = "",
    topology: Optional[Topology] = None,
    organizations: Organizations = Organizations(),
    now: Optional[datetime] = None,
    tables: Optional[Tables] = None,
    from_cidr: Optional[str] = None,
    pod: Optional[str] = None,
    invoke: bool = True,
) -> Answer:
    """What a client in ``source`` (``<stack>/<VPC Name tag>``) gets for ``url`` (with
    the request body ``data``) at ``now`` (default: the present), with accounts in
    ``organizations`` as declared. With ``from_cidr``, the client is those addresses,
    in ``source`` or arriving through it (on premises over a VPN, a peer). Pass the
    ``topology`` of ``model`` to reuse it across requests, and the same ``tables`` for
    items to outlive one request. With ``pod`` (``<namespace>/<deployment>``), the
    client is a pod of that Deployment in an EKS cluster of ``source`` (pods.py): it
    signs, or not, as its pod spec and Pod Identity association say. With ``invoke``
    false, an allowed request stops at its target: the decision without running the
    function (what ``verify`` needs, thousands of times)."""
    call = http_call(url, method=method, headers=headers, principal=principal, tags=tags, data=data)
    topology = topology or Topology(model)
    client = client_vpc(topology, source, from_cidr, option="--via" if from_cidr else "--from")
    sender = None
    if pod is not None:
        if principal is not None or tags or from_cidr is not None:
            raise BadInput(f"--pod {pod!r}: the pod decides who signs and from where: give no --principal, --tag or --from-cidr with it")
        sender = find_pod(topology, client, pod)
    model.links.clear()
    if call.sent_host.lower() != call.host.lower():
        # The connection goes where the URL's name resolves; which service, custom domain
        # or API then answers is chosen by the Host header (and TLS's SNI): not modeled.
        return Answer(reachable=False, decision="UNKNOWN", reasons=[
            f"not modeled: a Host header ({call.sent_host}) other than the URL's host ({call.host}): which service answers depends on it",
        ])
    involved = {client.stack.name}  # the stacks on the request's path
    answer = _reach(topology, client, call, involved, organizations, now, tables if tables is not None else Tables(), sender, invoke=invoke)
    if call.method == "HEAD" and answer.body:
        answer.body = ""  # an answer to HEAD has no body (RFC 9110 section 9.3.2), whatever the target wrote
        answer.reasons.append("HEAD: the body of the answer is not sent")
    answer.reasons.extend(
        f"ids from another stack: {reader} reads the {how} of {producer}"
        for reader, how, producer in sorted(model.links) if reader in involved
    )
    return answer


def _reach(
    topology: Topology, client: Client, call: HttpCall, involved: set[str], organizations: Organizations, now: Optional[datetime],
    tables: Tables, pod: Optional[Pod] = None, *, invoke: bool = True,
) -> Answer:
    answer = Answer(reachable=False, decision="UNREACHABLE")
    reasons = answer.reasons
    if client.outside and not arrival(topology, client, reasons):
        return answer
    named: list[str] = []  # what a private zone says of the host
    alias = front_door.private_alias(topology, client, call.host, named)
    if alias is not None and front_door.balancer(topology, alias) is not None:

        def onward(link: VpcLink, seen: Client, answer: Answer) -> Answer:
            """Past a load balancer whose targets are a service-network endpoint."""
            return _lattice(topology, seen, call, [link], involved, organizations, now, tables, answer, through_balancer=True, pod=pod, invoke=invoke)

        reached = front_door.reach(topology, client, call, alias, involved, tables, now, onward)
        reached.reasons[:0] = reasons + named  # how the client arrived and the name resolved come first
        return reached
    aws_service = aws_endpoints.service_of(call.host)
    if aws_service is not None and not named:  # an AWS API's own name, which no private zone of this output holds
        if pod is not None:
            reasons.append(f"pod {pod.name}: {call.host} resolves outside {LINK_LOCAL}: its redirect does not apply; a client of {client.vpc_name} like any other")
        return aws_endpoints.reach(
            topology, client, call, *aws_service, answer, involved, organizations=organizations, now=now, signer_known=pod is None,
        )
    links = networks_reached(topology, client)
    if client.outside:
        inside_only = [link for link in links if not link.is_endpoint]
        links = [link for link in links if link.is_endpoint]
        reasons.extend(
            f"{link.how} of {client.vpc_name}: its addresses ({LINK_LOCAL}) are reachable only from inside the VPC, not from {client.cidr}"
            for link in inside_only
        )
    if service_by_host(topology, call.host, links) is None:
        if named:  # a private zone would have named it
            reasons.extend(named)
            if alias is not None:
                answer.decision = "UNKNOWN"
                reasons.append(f"not modeled: {alias.target} is not a load balancer of this output")
            return answer
        resource = resource_configuration(topology, call.host)
        if resource:
            answer.decision = "UNKNOWN"
            reasons.append(f"not modeled: {call.host} is the resource configuration {resource} (TCP to a VPC resource); "
                           "reachability of resource configurations is not modeled")
            return answer
        reasons.append(f"DNS: no Lattice service is named {call.host}: it does not resolve")
        return answer
    return _lattice(topology, client, call, links, involved, organizations, now, tables, answer, pod=pod, invoke=invoke)


def _lattice(
    topology: Topology, client: Client, call: HttpCall, links: list[VpcLink], involved: set[str], organizations: Organizations,
    now: Optional[datetime], tables: Tables, answer: Answer, *, through_balancer: bool = False, pod: Optional[Pod] = None,
    invoke: bool = True,
) -> Answer:
    """The request from ``client`` over one of ``links`` to the service its host names."""
    reasons = answer.reasons
    service = service_by_host(topology, call.host, links)
    if service is None:
        reasons.append(f"no Lattice service behind {call.host} is carried through these links: it is not routed")
        return answer
    if not links:
        reasons.append(f"DNS: {client.vpc_name} is connected to no service network: {call.host} does not resolve")
        return answer
    carrying = [link for link in links if topology.service_association(link.network, service)]
    if not carrying:
        names = ", ".join(link.network.name for link in links)
        reasons.append(f"DNS: no service network of {client.vpc_name} ({names}) carries {service.name}: {call.host} does not resolve")
        return answer
    if not through_balancer:  # the client looked the name up: an endpoint serves it only with its private DNS on
        resolved_by = [link for link in carrying if not link.is_endpoint or link.private_dns is not False]
        if not resolved_by:
            off = " and ".join(link.how for link in carrying)
            reasons.append(f"DNS: {off} of {client.vpc_name}: private DNS off (private_dns_enabled false or unset, which the provider "
                           f"sends as false): {call.host} resolves to VPC Lattice's {LINK_LOCAL} addresses, which no association "
                           "routes from this VPC: the connection times out (the endpoint's own DNS names, or a private zone "
                           "pointing at them, would reach it)")
            return answer
        carrying = resolved_by
        if carrying[0].is_endpoint and carrying[0].private_dns is None:
            answer.decision = "UNKNOWN"
            reasons.append(f"not modeled: whether the private DNS of {carrying[0].how} is on (private_dns_enabled is an expression)")
            return answer
    link = carrying[0]
    network = link.network
    association = topology.service_association(network, service)
    involved.update(e.stack.name for e in (network.element, service.element) + ((association.element,) if association else ()))
    shares, unshared = association_shares(topology, client, link, association, service, organizations)
    if unshared:
        reasons.append(f"{unshared}: {call.host} does not resolve")
        return answer
    named = f"{call.host} (the Lattice name of {service.dns_name}) " if call.host not in (service.dns_name, service.custom_domain) else ""
    if through_balancer:
        reasons.append(f"the endpoint carries it to service network {network.name} ({link.how}), Host {call.host}")
    elif link.is_endpoint:
        answer.resolution = f"{service.dns_name} -> the addresses of {link.how} (through {network.name})"
        reasons.append(f"DNS: {named}resolves to the addresses of {link.how} (its private DNS), through service network {network.name}")
    else:
        answer.resolution = f"{service.dns_name} -> {LINK_LOCAL} (link-local, through {network.name})"
        reasons.append(f"DNS: {named}resolves to a {LINK_LOCAL} address through service network {network.name} ({link.how})")
    if call.host == service.custom_domain and not through_balancer:
        resolved, how = custom_domain(topology, client, call.host, service.dns_name)
        reasons.append(how)
        if resolved is None:
            answer.decision = "UNKNOWN"  # the name leads somewhere the model does not follow
        if not resolved:
            return answer
    made_by = (service.element.body.get("//") or {}).get("predicted")
    if made_by:
        reasons.append(f"service {service.name} (in {service.element.stack.name}) is predicted: made {made_by}")
    reasons.extend(shares)
    if pod is not None:
        if link.is_endpoint or through_balancer:
            reasons.append(f"pod {pod.name}: {call.host} resolves outside {LINK_LOCAL}: its redirect does not apply; sent unsigned, as written")
            call = replace(call, principal=None, tags={})
        else:
            unknown = credential_problem(pod)
            if unknown is not None:  # who it signs as cannot be predicted: nothing after it can
                reasons.append(unknown)
                answer.decision = "UNKNOWN"
                return answer
            call = as_sent_by(topology, pod, call, reasons)

    blocked, admitted = admission(topology, client, link.security_group_ids, call.port, what=link.how if link.is_endpoint else "the association")
    if blocked:
        reasons.append(blocked)
        return answer
    reasons.append(admitted)

    listener = listener_on(topology, service, call.port)
    if listener is None:
        reasons.append(f"no listener of {service.name} on port {call.port}: connection refused")
        return answer
    mismatch = _protocol_mismatch(listener.protocol, call.scheme)
    if mismatch:
        reasons.append(f"listener {listener.name} ({listener.protocol} {call.port}): {mismatch}")
        return answer
    if listener.protocol == "TLS_PASSTHROUGH":
        return _passthrough(topology, client, service, network, listener.name, call, organizations, now, answer)
    if call.scheme == "https":
        failed = _tls(topology, service, call.host, pod, reasons)
        if failed:
            reasons.append(failed)
            return answer
    action, matched = route(listener, call)
    reasons.append(f"listener {listener.name} ({listener.protocol} {call.port}): {matched}")

    facts = caller(call.principal) if call.principal else None
    identity = caller_identity(topology, call.principal)
    request = Request(
        action=INVOKE,
        resource=f"{service.arn}{call.path}",
        principal=call.principal,
        context=request_context(
            method=call.method, path=call.path, port=call.port, service_arn=service.arn, service_network_arn=network.arn,
            source_vpc=client.vpc_id, source_vpc_owner=None if client.account == UNKNOWN_ACCOUNT else client.account,
            headers=call.headers, query=call.query, principal=call.principal,
            principal_arn=identity.arn if identity else None,
            principal_tags={**dict(identity.tags if identity else ()), **call.tags},  # a session tag wins over the role's
            principal_org=organizations.of(facts.account if facts else None), now=now,
        ),
        organizations_declared=organizations.declared,
    )
    try:
        layers = {kind: _layer(topology, kind, part.element, part.auth_type, part.arn) for kind, part in (("network", network), ("service", service))}
    except Unresolved as error:  # a policy a plan knows only after apply: said, never guessed
        reasons.append(f"cannot resolve an auth policy: {error}")
        answer.decision = "UNKNOWN"
        return answer
    decision = authorize(request, network=layers["network"], service=layers["service"], identity=identity)
    reasons.extend(decision.reasons)
    reasons.extend(f"not modeled: {u}" for u in decision.unmodeled)
    answer.reachable = True
    if decision.effect == "DENY":
        answer.decision, answer.status, answer.body = "DENY", 403, decision.access_denied_message(request)
        return answer
    if decision.effect == "UNKNOWN":
        answer.decision = "UNKNOWN"
        return answer
    answer.decision = "ALLOW"
    if "fixed_response" in action:
        answer.status = int(block(action["fixed_response"])["status_code"])
        reasons.append(f"fixed response {answer.status}")
        return answer
    if not invoke:
        reasons.append("target not invoked (decision only)")
        return answer
    target = TargetCall(topology, service.element.stack, call, client, service.arn, network.arn, tables)
    status, body, how = target.answer(action)
    answer.status, answer.body = status, body
    reasons.append(how)
    return answer


def _protocol_mismatch(protocol: str, scheme: str) -> Optional[str]:
    """Why a request of ``scheme`` fails on a listener of ``protocol`` (None when it does not)."""
    if scheme == "https" and protocol == "HTTP":
        return "it speaks plain HTTP, so the client's TLS handshake fails: no HTTP answer"
    if scheme == "http" and protocol in ("HTTPS", "TLS_PASSTHROUGH"):
        return "it expects TLS, so a plain HTTP request gets no HTTP answer"
    return None


def _passthrough(
    topology: Topology, client: Client, service: Service, network: Network, listener: str, call: HttpCall,
    organizations: Organizations, now: Optional[datetime], answer: Answer,
) -> Answer:
    """A TLS passthrough listener: VPC Lattice sees a TLS connection, not an HTTP request.
    It authorizes ``vpc-lattice-svcs:Connect`` on the service with only the connection's
    keys (docs/lattice-rules.md section 5), and a refused connection is reset: no 403.
    What the target answers inside the TLS session is not modeled."""
    reasons = answer.reasons
    reasons.append(f"listener {listener} (TLS_PASSTHROUGH {call.port}): the TLS session passes to the targets unopened, unsigned")
    context = request_context(
        method=call.method, path="/", port=call.port, service_arn=service.arn, service_network_arn=network.arn,
        source_vpc=client.vpc_id, source_vpc_owner=None if client.account == UNKNOWN_ACCOUNT else client.account, now=now,
    )
    # Of Lattice's own keys only the connection's; the global ones (time, principal type) stay.
    connection_keys = {f"vpc-lattice-svcs:{k}" for k in ("Port", "ServiceArn", "ServiceNetworkArn", "SourceVpc", "SourceVpcOwnerAccount")}
    request = Request(
        action=CONNECT, resource=service.arn, principal=None,
        context={k: v for k, v in context.items() if k in connection_keys or not k.startswith("vpc-lattice-svcs:")},
        organizations_declared=organizations.declared,
    )
    decision = authorize(
        request,
        network=_layer(topology, "network", network.element, network.auth_type, network.arn),
        service=_layer(topology, "service", service.element, service.auth_type, service.arn),
    )
    reasons.extend(decision.reasons)
    reasons.extend(f"not modeled: {u}" for u in decision.unmodeled)
    answer.reachable = True
    answer.decision = decision.effect
    if decision.effect == "DENY":
        reasons.append("the connection is reset: a TLS passthrough listener sends no HTTP answer")
    elif decision.effect == "ALLOW":
        reasons.append("what the target answers inside the TLS session is not modeled")
    return answer


def _tls(topology: Topology, service: Service, host: str, pod: Optional[Pod], reasons: list[str]) -> Optional[str]:
    """Why the TLS handshake with the service fails for ``host`` (None when it does not)."""
    if host != service.custom_domain:
        reasons.append(f"TLS: {host} is covered by the certificate VPC Lattice gives the service's own names (publicly trusted)")
        return None
    if service.certificate_arn is None:
        return f"TLS: service {service.name} has no certificate for its custom domain {host}: the handshake fails"
    return certificate_failure(topology, service.certificate_arn, host, reasons, trusts=trusted_authority(pod) if pod else None)


def _layer(topology: Topology, kind: str, element: Element, auth_type: str, arn: str) -> Layer:
    """A network or service as the authorizer sees it: its auth type and policy."""
    return Layer(kind, auth_type, topology.auth_policy(element, arn))  # type: ignore[arg-type]
