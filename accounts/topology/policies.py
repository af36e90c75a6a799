"""The auth policies a topology's stacks compile from its grants (built here, with no
cdktf, so that the config checks measure the same policies the stacks render), and
their sizes against Lattice's limit."""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from constructs_lib.documents.auth_policy import AuthPolicy, AuthStatement, request_method, request_path, source_vpc, source_vpc_owner_account
from lattice_model.lattice_rules import AUTH_POLICY_MAX
from lattice_model.topology.grants import grants_to, network_grants
from lattice_model.topology.rules import NAME
from lattice_model.topology.schema import TopologySettings


def service_auth_policy(settings: TopologySettings, service: str, *, service_arn: str, vpc_id_of: Callable[[str], str]) -> Optional[AuthPolicy]:
    """The auth policy of ``service``: one statement per grant, by source VPC (its id
    from ``vpc_id_of(consumer)``), method, path and principal; None when nothing is
    granted (AWS_IAM without a policy denies every call)."""
    statements = []
    for grant in grants_to(settings, service):
        conditions = [source_vpc(vpc_id_of(grant.consumer))]
        if grant.methods:
            conditions.append(request_method(*grant.methods))
        if grant.paths:
            conditions.append(request_path(*grant.paths))
        statements.append(AuthStatement(sid=grant.sid, principals=list(grant.principals) or "*", resources=[f"{service_arn}/*"], conditions=conditions))
    return AuthPolicy(statements) if statements else None


def network_auth_policy(settings: TopologySettings, network: str, *, region: str) -> Optional[AuthPolicy]:
    """The auth policy of ``network``: the granted consumer accounts may call the
    services of the granted owners (the network layer deploys before VPCs and
    services exist, so it grants by account); None when nothing is granted."""
    statements = [
        AuthStatement(
            sid=grant.sid,
            principals=list(grant.principals) or "*",
            resources=[f"arn:aws:vpc-lattice:{region}:{settings.accounts[owner].id}:service/*" for owner in grant.service_owners],
            conditions=[source_vpc_owner_account(*(settings.accounts[account].id for account in grant.consumer_accounts))],
        )
        for grant in network_grants(settings, network)
    ]
    return AuthPolicy(statements) if statements else None


# Ids only known at apply, as long as AWS makes them: a policy measured with these is as long as the one applied.
_STAND_IN_VPC_ID = "vpc-" + "0" * 17
_STAND_IN_SERVICE_ID = "svc-" + "0" * 17


def policy_size_problems(settings: TopologySettings, region: str) -> Iterable[str]:
    """The auth policies the stacks compile from ``access``, measured before synth:
    each must stay within Lattice's limit."""
    def vpc_id_of(consumer: str) -> str:
        existing = settings.consumers[consumer].existing_vpc
        return existing.id if existing is not None else _STAND_IN_VPC_ID

    where = f"patterns.{NAME}"
    measured = [
        (f"{where}.networks.{name}", network_auth_policy(settings, name, region=region) if network.auth_type == "AWS_IAM" else None, False)
        for name, network in sorted(settings.networks.items())
    ]
    for name, service in sorted(settings.services.items()):
        arn = f"arn:aws:vpc-lattice:{region}:{settings.accounts[service.owner].id}:service/{_STAND_IN_SERVICE_ID}"
        measured.append((f"{where}.services.{name}", service_auth_policy(settings, name, service_arn=arn, vpc_id_of=vpc_id_of), True))
    for field, policy, encoded_at_apply in measured:
        if policy is None:
            continue
        size = applied_size(policy.text(), encoded_by_terraform=encoded_at_apply)
        if size > AUTH_POLICY_MAX:
            yield (
                f"{field}: its auth policy, compiled from {where}.access, would be {size} characters: VPC Lattice allows {AUTH_POLICY_MAX}; "
                "grant fewer principals or paths to it, or split it"
            )


def applied_size(document: str, *, encoded_by_terraform: bool) -> int:
    """The length of the policy AWS receives for ``document`` (compact JSON, sorted
    keys). A policy that names ids known only at apply is written by Terraform's
    jsonencode, which escapes < > & as \\u003c \\u003e \\u0026: five more each."""
    return len(document) + (5 * sum(document.count(c) for c in "<>&") if encoded_by_terraform else 0)


