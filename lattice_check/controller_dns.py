"""The DNS record of a route: the DNSEndpoint the controller makes for a route with a
hostname, which ExternalDNS (if the cluster runs it, from the crd source, its domain
filter matching, and its image able to read the EKS Pod Identity credentials it is
given: the ledger, pins/ledger.toml) writes into the private zones of its account, or
of the account of the role it assumes (``--aws-assume-role``, whose trust policy must
let it), as a CNAME to the service's generated name."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pins import pod_identity

from .identity import may_assume, session_may
from .kubernetes import KubernetesObject

if TYPE_CHECKING:
    from .gateway_controller import PredictionBuilder

EXTERNAL_DNS_CHART = "external-dns"
_ZONE_TYPE = re.compile(r"^--aws-zone-type=(public|private)$")
_ASSUME_ROLE = re.compile(r"^--aws-assume-role=(arn:aws[a-z-]*:iam::\d{12}:role/.+)$")


def key_of(name: str) -> str:
    """A Terraform resource name for ``name``."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def dns_record(builder: PredictionBuilder, route: KubernetesObject, host: str, service_address: str) -> None:
    """The CNAME ExternalDNS writes for the route's DNSEndpoint, if the cluster runs it."""
    external_dns = builder.workloads.release(EXTERNAL_DNS_CHART)
    endpoint = f"DNSEndpoint {route.namespace}/{route.name}-dns"
    if external_dns is None:
        builder.notes.append(f"{endpoint}: no ExternalDNS in {builder.cluster}: nobody writes {host}")
        return
    values = external_dns.values
    sources = values.get("sources") or ["service", "ingress"]
    filters = [str(f) for f in values.get("domainFilters") or []]
    zone_types = {m.group(1) for a in values.get("extraArgs") or [] if (m := _ZONE_TYPE.match(str(a)))}
    if "crd" not in sources:
        builder.notes.append(f"{endpoint}: ExternalDNS in {builder.cluster} does not read the crd source")
        return
    if filters and not any(host == f or host.endswith(f".{f}") for f in filters):
        builder.notes.append(f"{endpoint}: {host} is outside ExternalDNS's domain filters {filters}")
        return
    service_account = str((values.get("serviceAccount") or {}).get("name") or EXTERNAL_DNS_CHART)
    role = builder.workloads.identities.get((external_dns.namespace, service_account))
    topology = builder.topology
    if role is None:
        builder.notes.append(f"{endpoint}: ExternalDNS ({external_dns.namespace}/{service_account}) has no Pod Identity association in {builder.cluster}")
        return
    reads, why = pod_identity(chart=external_dns.chart, at=external_dns.version)
    if reads is not True:
        builder.notes.append(f"{endpoint}: ExternalDNS in {builder.cluster} is given Pod Identity credentials, but {why}: no record of {host} is predicted")
        return
    zone_account = builder.account
    assumed = next((m.group(1) for a in values.get("extraArgs") or [] if (m := _ASSUME_ROLE.match(str(a)))), None)
    if assumed is not None:  # it writes through a role of the zone's account
        check = session_may(topology, role, "external-dns", "sts:AssumeRole", assumed)
        if check.allowed is False:
            builder.notes.append(f"{endpoint}: ExternalDNS's role may not assume {assumed} ({check.reason})")
            return
        trusted = may_assume(topology, assumed, role, session_name="external-dns")
        if trusted.allowed is False:
            builder.notes.append(f"{endpoint}: {trusted.reason}")
            return
        if trusted.allowed is None and trusted.unmodeled:  # decided by what the model does not cover: assumed to let it, and said
            builder.notes.append(f"{endpoint}: {trusted.reason} (not modeled: {'; '.join(trusted.unmodeled)}): assumed to let it")
        role, zone_account = assumed, assumed.split(":")[4]
    written = 0
    for zone in topology.elements("aws_route53_zone"):
        zone_name = str(topology.resolve(zone.body.get("name", ""), zone)).rstrip(".")
        private = bool(zone.body.get("vpc"))
        if (zone.account, host == zone_name or host.endswith(f".{zone_name}")) != (zone_account, True):
            continue
        if zone_types and ("private" if private else "public") not in zone_types:
            continue
        zone_id = str(topology.model.attribute(zone.stack, "aws_route53_zone", zone.name, "zone_id"))
        check = session_may(topology, role, "external-dns", "route53:ChangeResourceRecordSets", f"arn:aws:route53:::hostedzone/{zone_id}")
        if check.allowed is False:
            builder.notes.append(f"{endpoint}: ExternalDNS's role may not write zone {zone_name} ({check.reason})")
            continue
        builder.add(
            "aws_route53_record", f"{key_of(host)}-{zone.name}",
            {"zone_id": zone_id, "name": host, "type": "CNAME", "ttl": 300, "records": [f"${{{service_address}.dns_entry[0].domain_name}}"]},
            f"{endpoint}, written by ExternalDNS",
        )
        written += 1
    if not written:
        builder.notes.append(f"{endpoint}: no zone of account {zone_account} that ExternalDNS may write holds {host}")
