"""TLS: whether the certificate a listener or a Lattice service presents names the
host (a wildcard covers one label), and whether the client trusts its issuer."""
from __future__ import annotations

from typing import Optional

from .topology import Topology


def certificate_failure(topology: Topology, arn: str, host: str, reasons: list[str], *, trusts: Optional[str] = None) -> Optional[str]:
    """Why TLS to ``host`` fails with the certificate ``arn`` (None when it does not,
    the reasons saying which name covers it). ``trusts``: the private CA a client
    trusts (its ARN), when it trusts only that one besides the public roots."""
    for element in topology.elements("aws_acm_certificate"):
        if topology.model.attribute(element.stack, "aws_acm_certificate", element.name, "arn") != arn:
            continue
        body = topology.resolve(element.body, element)
        names = [str(n) for n in [body.get("domain_name"), *(body.get("subject_alternative_names") or [])] if n]
        authority = body.get("certificate_authority_arn")
        if body.get("certificate_body"):
            issuer = "imported"
        elif authority:
            issuer = "issued by a private CA: clients trust it with curl --cacert <the CA certificate>"
        else:
            issuer = "issued by ACM (publicly trusted once validated)"
        covered = [n for n in names if n == host or (n.startswith("*.") and host.count(".") == n.count(".") and host.endswith(n[1:]))]
        where = f"aws_acm_certificate.{element.name} in {element.stack.name}"
        if not covered:
            return f"TLS: the certificate ({where}: {', '.join(names)}) does not name {host}: the handshake fails"
        if trusts is not None and authority:
            if authority != trusts:
                return f"TLS: the certificate ({where}) is issued by {authority}, not by the private CA the client trusts ({trusts}): the handshake fails"
            issuer = "issued by the private CA the client trusts"
        reasons.append(f"TLS: the certificate {where} names {covered[0]} ({issuer})")
        return None
    reasons.append("not modeled: the certificate is not in this output (its names are not checked)")
    return None
