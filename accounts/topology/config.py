"""Your own topology, config side: accounts, service networks, services, consumer
VPCs and who may call what (``[patterns.topology]``, or a file it names).

From it the pattern builds one stack per account and layer (stacks.py), and
``lattice_check verify`` proves that exactly the granted calls pass. The layers
deploy in a fixed order, so ``cdktf deploy 'topology-*'`` never meets a cycle:

1. networks: each account's service networks, their auth policies and RAM shares;
2. consumers: each account's VPCs, associated with a network (after its share is accepted);
3. services: each account's services, joined to their networks, with auth policies
   that name the consumer VPCs (whose ids the consumer stacks published).

An account with one layer has one stack, ``topology-<account>``; an account with
several has ``topology-<account>`` for its first and ``topology-<account>-<layer>``
for the others."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from lattice_model.fields import certificate_placement_problem
from lattice_model.topology.checks import topology_problems
from lattice_model.topology.plan import accepts_invitation, function_name, planned_stacks, secret_name, share_accepter_id, stack_name, target_group_name
from lattice_model.topology.rules import NAME, TABLES
from lattice_model.topology.schema import TopologySettings

from ..registry import NameClaim, PatternSpec, account_scope
from ..stack_ids import consumer_stack_fixed_ids
from .policies import policy_size_problems

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig


def _checks(config: "LatticeConfig", settings: TopologySettings) -> Iterable[str]:
    problems = list(topology_problems(settings))
    yield from problems
    if not problems:  # the policies are compiled from a topology whose names all resolve
        yield from policy_size_problems(settings, config.region)
    for name, service in settings.services.items():
        owner = settings.accounts.get(service.owner)
        if service.certificate_arn is not None and owner is not None:
            problem = certificate_placement_problem(
                f"patterns.{NAME}.services.{name}.certificate_arn", service.certificate_arn, owner.id, config.region, f"the custom domain of {name}"
            )
            if problem:
                yield problem


def _claims(config: "LatticeConfig", settings: TopologySettings) -> Iterable[NameClaim]:
    where = f"patterns.{NAME}"
    for stack in planned_stacks(settings):
        yield NameClaim("stack name", "the app", stack.name, f"{where}.accounts.{stack.account}")
        if settings.discovery == "secrets_manager" and stack.layer != "services":
            yield NameClaim("secret name", account_scope(settings.accounts[stack.account].id), secret_name(stack.name), f"{where}.discovery")
    for name, network in settings.networks.items():
        account = settings.accounts.get(network.owner)
        if account is not None:
            yield NameClaim("Lattice service network name", account_scope(account.id), name, f"{where}.networks.{name}")
    for name, service in settings.services.items():
        account = settings.accounts.get(service.owner)
        if account is not None:
            yield NameClaim("Lattice service name", account_scope(account.id), name, f"{where}.services.{name}")
            for backend, serving in service.backends.items():
                field = f"{where}.services.{name}.backends.{backend}"
                yield NameClaim("Lattice target group name", account_scope(account.id), target_group_name(name, backend), f"{field} (its target group)")
                if serving.lambda_source is not None:
                    yield NameClaim("Lambda function name", account_scope(account.id), function_name(name, backend), field)
    yield from _consumer_stack_claims(settings)


def _consumer_stack_claims(settings: TopologySettings) -> Iterable[NameClaim]:
    """A consumers stack has a construct per consumer VPC, named as the consumer,
    beside the fixed ones: no consumer may take their ids."""
    for stack in planned_stacks(settings):
        if stack.layer != "consumers":
            continue
        where = f"stack {stack.name}"
        mine = sorted(name for name, consumer in settings.consumers.items() if consumer.account == stack.account)
        for name in mine:
            yield NameClaim("construct id", where, name, f"patterns.{NAME}.consumers.{name}")
        reached = sorted({network for name in mine for network in settings.consumers[name].reached if network in settings.networks})
        owners = {settings.networks[network].owner for network in reached} & set(settings.accounts)
        fixed = consumer_stack_fixed_ids(sorted(stack_name(settings, owner, "networks") for owner in owners))
        for network in reached:
            if accepts_invitation(settings, stack.account, network):
                fixed[share_accepter_id(network)] = f"the acceptance of network {network}'s share"
        for construct_id, holder in fixed.items():
            yield NameClaim("construct id", where, construct_id, f"{holder} in {stack.name}", fixed=True)


def _stack_names(settings: TopologySettings) -> tuple[str, ...]:
    return tuple(stack.name for stack in planned_stacks(settings))


PATTERN = PatternSpec(
    name=NAME,
    summary="Your own accounts, networks, services, consumers and access intents; one stack per account and layer.",
    settings=TopologySettings,
    position=80,
    roles=(),
    stack_names=_stack_names,
    checks=_checks,
    claims=_claims,
    own_tables=tuple(table for table in TABLES if table != "accounts"),  # [accounts] is the config's own too
)
