"""Configs generated from the schema: each is either refused with a message (what
main.py turns into exit 2) or synthesizes stacks that pass `terraform validate`;
never a traceback.

The generator walks the config models (registry included) field by field; strings
come from pools per field that mix good values, bad values and the names the
stacks already use (fixed construct ids, stack names, Lattice names), so that name
collisions between parts of a config are likely. ``LATTICE_GENERATED_CONFIGS``
sets how many configs to try (default 30; the session notes give larger runs).
"""
from __future__ import annotations

import hashlib
import os
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from accounts.registry import patterns
from app_config.loader import ConfigError, parse_config
from app_config.schema import LatticeConfig
from lattice_model.backends import CloudBackendConfig, LocalBackendConfig, S3BackendConfig
from lattice_model.fields import AccountConfig
from tests.helpers import synth
from tools.terraform_offline import describe_diagnostics

EXAMPLES = int(os.environ.get("LATTICE_GENERATED_CONFIGS", "30"))

GOOD_ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"]
REGIONS = ["eu-west-1", "us-east-1"]


def mostly(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    """Good values four times as often as bad ones: most generated configs get past
    the field checks, so the rules across sections and the synth get exercised."""
    return st.sampled_from(good * 4 + bad) if bad else st.sampled_from(good)


# Per field name: (good values, bad values).
POOLS: dict[str, tuple[list[Any], list[Any]]] = {
    "id": (GOOD_ACCOUNTS, ["12345"]),
    "cidr_block": (["10.0.0.0/24", "10.0.0.0/16"] * 3 + ["10.0.0.0/26"], ["10.0.0.1/24", "10.0.0.0/8"]),
    "main_vpc_cidr": (["10.0.0.0/16", "172.16.0.0/16"], ["10.0.0.0/8"]),
    "network_vpc_cidr": (["192.168.0.0/23", "192.168.2.0/23", "192.168.4.0/24", "10.0.1.0/24"], []),
    "vpc_cidr": (["10.100.0.0/16", "10.200.0.0/16", "10.0.0.0/24"], ["10.0.0.0/8"]),
    "service_name": (["lambda-service", "central-lambda-service", "shared-service", "orders"], ["svc-bad", "a--b"]),
    "target_group_name": (["lambdatarget", "central-lambdatarget", "shared-service-target"], ["tg-bad"]),
    "service_network_name": (["centralized-service-network", "vpc1-service-network", "blue-service-network"], ["servicenetwork-x"]),
    "service_network": (["blue-service-network", "green-service-network", "vpc1-service-network", "centralized-service-network"], ["a--b"]),
    "region": (REGIONS, ["xx-mars-1"]),
    "state_dir": (["terraform-state", "state", "ops/state"], ["cdktf.out/state", "lambda/state", "../up"]),
    "bucket": (["state-bucket"], ["Bad_Bucket"]),
    "key_prefix": (["lattice-cdktf", "team/lattice"], ["/x"]),
    "instance_type": (["t3.micro", "t2.micro"] * 3, ["large"]),
    "number_azs": ([1, 2, 3] * 2, [0, 9]),
    "workload_subnet_netmask": ([27, 28] * 3, [26, 29]),
    "endpoints_subnet_netmask": ([27, 28] * 3, [26, 29]),
    "role_arn": ([None] * 9 + ["arn:aws:iam::111111111111:role/deploy"], ["not-an-arn"]),
    "profile": ([None] * 9 + ["ops"], [" "]),
    "query": ([None, "blue", "green"], []),
    "project": (["lattice-cdktf", "net team"] * 3, [""]),
    "tags": ([{}, {}, {"CostCenter": "network"}], [{"aws:owner": "x"}, {"Project": "y"}, {"": "z"}]),
    "extra_regions": ([[], [], ["mx-central-1"]], [["nowhere"]]),
    "application_name": (["cross-account-microservices", "orders", "a"], ["Bad_Name", "a" * 33]),
    "domain": (["cross-account-microservices.com", "example.internal"], ["not a domain"]),
    "consumer_vpc_cidr": (["192.168.0.0/16", "10.0.0.0/22"], ["10.0.0.0/24"]),
    "options": ([["pizza", "hamburger", "salat"], ["tea"]], [[], ["a", "a"], ["bad!"]]),
    "certificate_arn": ([None] * 3 + ["arn:aws:acm:eu-west-1:444444444444:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"], ["not-an-arn"]),
    "alb_certificate_arn": ([None] * 3 + ["arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"], ["not-an-arn"]),
    "custom_domain_name": (["hello.lattice-ingress.internal", "api.example.internal"], ["hello", "Hello.Example.Internal"]),
    "edge_vpc_cidr": (["10.100.0.0/24", "172.16.0.0/24", "10.0.0.0/16"], ["10.100.0.0/26"]),
    "onprem_cidrs": ([["172.16.0.0/16"], [], ["192.168.0.0/16", "172.16.0.0/12"]], [["172.16.0.1/16"], ["10.0.0.0/8", "10.1.0.0/16"]]),
    "customer_gateway_ip": (["203.0.113.10", "198.51.100.7"], ["10.0.0.1", "not-an-address"]),
    "bgp_asn": ([65000, 64512], [0]),
    "organization": (["octank", "example"], []),
    "clusters": ([["cluster1", "cluster2"], ["east", "west", "north"]], [["solo"], ["a", "a"]]),
    "cluster_vpc_cidr": (["10.0.0.0/16"], ["10.0.0.0/24"]),
    "kubernetes_version": (["1.35", "1.36"], ["1.30"]),
    "node_instance_type": (["m5.large", "t3.medium"], []),
    "node_count": ([3, 1], [0, 11]),
    "client_role_name": (["vpc-lattice-ccpc-sigv4-client"], ["bad role name"]),
    "workspace_prefix": (["lattice-cdktf-", "net_"], ["bad prefix", "x" * 85]),
    "hostname": (["app.terraform.io", "tfe.example.com"], ["https://app.terraform.io"]),
    "oidc_role_name": (["lattice-cdktf-github", "ci"], ["bad role"]),
    "branch": (["main", "release/1.x"], ["../x", "/main"]),
    "runner": (["ubuntu-latest"], []),
    "terraform_version": (["1.11.4", "1.10.0"], ["0.12.0", "latest"]),
}


def _names_in_use() -> list[str]:
    """Names the stacks themselves take (fixed construct ids, stack names), from the
    claims of a config with every pattern on: good candidates for collisions."""
    config = parse_config(
        {
            "accounts": {role: {"id": account} for role, account in zip(("service", "consumer", "network", "common", "edge", "clusters"), GOOD_ACCOUNTS)},
            "patterns": {
                "centralized": {"enabled": True},
                "ingress": {"enabled": True},
                "multicluster": {"enabled": True},
                "shared": {
                    "enabled": True,
                    "tenants": {
                        "blue": {"account": {"id": GOOD_ACCOUNTS[4]}, "service_network": "blue-net", "network_vpc_cidr": "192.168.0.0/23", "vpc_cidr": "10.1.0.0/16"},
                        "green": {"account": {"id": "777777777777"}, "service_network": "green-net", "network_vpc_cidr": "192.168.2.0/23", "vpc_cidr": "10.2.0.0/16"},
                    },
                },
            },
        }
    )
    found = {claim.name for spec in patterns() for claim in spec.claims(config, spec.settings_of(config))}
    return sorted(name for name in found if name.islower() and "_" not in name and len(name) <= 47)


# Names for vpcs and tenants: plain ones, every name the stacks use, a bad one.
PLAIN = ["vpc1", "vpc2", "blue", "green", "a", "a-service", "common", "shared"]
IN_USE = [name for name in _names_in_use() if name not in PLAIN]
KEYS = PLAIN + IN_USE + ["Vpc_1"]
NAMES = st.one_of(st.sampled_from(PLAIN), st.sampled_from(IN_USE), st.just("Vpc_1"))


def _tenants(tenant: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Two or three tenants that are isolated most of the time (own account, own
    network VPC and service network), drawn like any other model otherwise."""

    def isolated(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        drawn = _model(tenant)
        cidrs = ["192.168.0.0/23", "192.168.2.0/23", "192.168.4.0/23"]
        accounts = ["444444444444", "555555555555", "777777777777"]
        return st.fixed_dictionaries(
            {
                name: drawn.map(
                    lambda entry, i=i, name=name: {
                        **entry,
                        "account": {**entry["account"], "id": accounts[i]},
                        "network_vpc_cidr": cidrs[i],
                        "service_network": f"{name}-service-network" if len(name) < 40 else entry["service_network"],
                    }
                )
                for i, name in enumerate(names)
            }
        )

    names = st.lists(NAMES, min_size=2, max_size=3, unique=True)
    return mostly([True], [False]).flatmap(
        lambda tidy: names.flatmap(isolated) if tidy else st.dictionaries(NAMES, _model(tenant), max_size=3)
    )


# The topology section: field-by-field values rarely make a coherent topology, so it is
# drawn whole: off, a shipped example, or an example with one reference broken.
TOPOLOGIES = (
    [{"enabled": False}] * 6 + [{"enabled": True, "file": "examples/topologies/hub.toml"}],
    [
        {"enabled": True, "file": "examples/topologies/absent.toml"},
        {"enabled": True, "accounts": {"a": {"id": "111111111111"}}, "networks": {"hub": {"owner": "b"}}},
        {"enabled": True, "file": "examples/topologies/hub.toml", "networks": {}},
    ],
)


def _value(name: str, annotation: Any) -> st.SearchStrategy[Any]:
    if name == "topology":
        return mostly(*TOPOLOGIES)
    if name == "accounts" and typing.get_origin(annotation) is dict:  # multicluster: clusters in accounts of their own
        return mostly([{}, {}, {"cluster2": {"id": "121212121212"}}], [{"nowhere": {"id": "121212121212"}}])
    if name in POOLS:
        return mostly(*POOLS[name])
    if name == "tenants":
        return _tenants(typing.get_args(annotation)[1])
    if name == "enabled":
        return mostly([True], [False])
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is typing.Annotated:
        return _value(name, args[0])
    if origin in (typing.Union, types.UnionType):
        members = [typing.get_args(a)[0] if typing.get_origin(a) is typing.Annotated else a for a in args if a is not type(None)]
        if set(members) == {LocalBackendConfig, S3BackendConfig, CloudBackendConfig}:
            return st.one_of(_model(LocalBackendConfig), _model(LocalBackendConfig), _model(S3BackendConfig), _model(CloudBackendConfig))
        (member,) = members  # Optional[X]: mostly present
        return mostly([True], [False]).flatmap(lambda present: _value(name, member) if present else st.none())
    if origin is dict:
        return st.dictionaries(NAMES, _value(name, args[1]), min_size=1, max_size=3)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation)
    if annotation is bool:
        return st.booleans()
    raise TypeError(f"no generator for the field {name}: {annotation!r} (add it to POOLS)")


# Sections always written (with their own defaults they would rarely meet the rules across sections).
ALWAYS = {"accounts", "patterns", "vpcs", "enabled", "tenants"}


def _accounts(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Every role, with distinct ids most of the time (sharing one is a rule of its
    own), each account otherwise drawn like any other model."""
    roles = list(model.model_fields)
    account = _model(AccountConfig)

    def assign(ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {role: account.map(lambda entry, i=ids[n]: {**entry, "id": i} if entry.get("id") in GOOD_ACCOUNTS else entry) for n, role in enumerate(roles)}
        )

    distinct = st.permutations(GOOD_ACCOUNTS).map(list)
    shared = st.lists(st.sampled_from(GOOD_ACCOUNTS[:2]), min_size=len(roles), max_size=len(roles))
    return mostly([distinct], [shared]).flatmap(lambda ids: ids).flatmap(assign)


def _model(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts for ``model``: required fields always, the others sometimes."""
    if model.__name__ == "Accounts":
        return _accounts(model)
    required, optional = {}, {}
    for name, field in model.model_fields.items():
        strategy = _value(name, field.annotation)
        if field.default is PydanticUndefined and field.default_factory is None or name in ALWAYS:
            required[name] = strategy
        else:
            optional[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


CONFIGS = _model(LatticeConfig)


@pytest.fixture(scope="module")
def accepted(tmp_path_factory) -> dict[str, Path]:
    """Every generated config that passed validation, synthesized: stack -> its directory."""
    return {}


@pytest.fixture(scope="module")
def counts() -> dict[str, int]:
    return {"tried": 0, "refused": 0, "synthesized": 0}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    database=None,
)
@given(raw=CONFIGS)
def test_a_generated_config_is_refused_clearly_or_synthesizes(raw: dict[str, Any], accepted, counts, tmp_path_factory) -> None:
    counts["tried"] += 1
    try:
        config = parse_config(raw)
    except ConfigError as refused:
        counts["refused"] += 1
        assert refused.problems and all(isinstance(p, str) and p.strip() and "\n" not in p for p in refused.problems)
        return
    outdir = synth(config, tmp_path_factory.mktemp("generated") / "cdktf.out")  # any exception fails the test
    counts["synthesized"] += 1
    for stack_dir in sorted((outdir / "stacks").iterdir()):
        digest = hashlib.sha256((stack_dir / "cdk.tf.json").read_bytes()).hexdigest()[:12]
        accepted.setdefault(f"{stack_dir.name}-{digest}", stack_dir)  # identical stacks validate once


# ---- topologies: drawn whole and coherent (names that resolve), then sometimes broken
# once; each accepted one is synthesized, validated with the configs above, and verified.

TOPOLOGY_EXAMPLES = int(os.environ.get("LATTICE_GENERATED_TOPOLOGIES", "12"))
METHODS = ["GET", "POST", "PUT", "DELETE"]
BREAKAGES = [
    ("access", 0, "to", "no-such-service"),
    ("services", None, "networks", ["no-such-network"]),
    ("consumers", None, "account", "no-such-account"),
    ("services", None, "routes", [{"path": "/a b", "forward": {"main": 1}}]),
    ("access", 0, "methods", ["FETCH"]),
    ("consumers", None, "vpc", {"cidr_block": "10.0.0.0/8"}),
]


@st.composite
def topologies(draw: st.DrawFn) -> dict[str, Any]:
    """A topology section: 1-4 accounts, 1-3 networks, 1-4 services with backends of
    every kind, 1-3 consumers (created or existing VPCs, endpoints), an organization
    sometimes, and access intents with methods, paths and principals."""
    account_names = [f"acct{i}" for i in range(draw(st.integers(1, 4)))]
    accounts = {name: {"id": f"{800000000001 + i}"} for i, name in enumerate(account_names)}
    organization = None
    if draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(account_names), unique=True, min_size=1)) if draw(st.booleans()) else None
        organization = {"arn": "arn:aws:organizations::800000000001:organization/o-gen1234567", **({"members": members} if members else {})}
    network_names = [f"net{i}" for i in range(draw(st.integers(1, 3)))]
    networks = {}
    for name in network_names:
        network: dict[str, Any] = {"owner": draw(st.sampled_from(account_names)), "auth_type": draw(st.sampled_from(["AWS_IAM", "AWS_IAM", "NONE"]))}
        members = (organization or {}).get("members")
        if organization and (members is None or network["owner"] in members) and draw(st.booleans()):
            network["sharing"] = "organization"
        if draw(st.booleans()):
            network["access_logs"] = True
        networks[name] = network
    services = {}
    for i in range(draw(st.integers(1, 4))):
        owner = draw(st.sampled_from(account_names))
        backends: dict[str, Any] = {"main": {"lambda": "hello"}}
        kind = draw(st.sampled_from(["lambda", "ip", "instance", "alb"]))
        if kind == "ip":
            backends["extra"] = {"ip": {"vpc_id": "vpc-0a0b0c0d0e0f10111", "targets": ["10.9.0.5"], "port": 8080}}
        elif kind == "instance":
            backends["extra"] = {"instance": {"vpc_id": "vpc-0a0b0c0d0e0f10111", "targets": ["i-0123456789abcdef0"]}}
        elif kind == "alb":
            backends["extra"] = {"alb": {"arn": f"arn:aws:elasticloadbalancing:eu-west-1:{accounts[owner]['id']}:loadbalancer/app/gen{i}/0123456789abcdef", "vpc_id": "vpc-0a0b0c0d0e0f10111"}}
        service: dict[str, Any] = {
            "owner": owner, "networks": draw(st.lists(st.sampled_from(network_names), unique=True, min_size=1, max_size=2)), "backends": backends,
        }
        if len(backends) > 1:
            service["default"] = {"main": 100}
            service["routes"] = [{"path": "/extra", **({"method": "GET"} if draw(st.booleans()) else {}), "forward": {"extra": 100}}]
        if draw(st.integers(0, 3)) == 0:
            service["https"] = True
        services[f"svc{i}"] = service
    consumers = {}
    for i in range(draw(st.integers(1, 3))):
        reached = draw(st.lists(st.sampled_from(network_names), unique=True, min_size=1, max_size=2))
        consumer: dict[str, Any] = {"account": draw(st.sampled_from(account_names)), "networks": reached[:1], "endpoints": reached[1:]}
        if draw(st.integers(0, 3)) == 0 and not consumer["endpoints"]:
            consumer["existing_vpc"] = {"id": f"vpc-0{i}1b2c3d4e5f60718", "cidr_block": f"10.{90 + i}.0.0/16"}
        else:
            consumer["vpc"] = {"cidr_block": f"10.{10 + i}.0.0/24"}
        consumers[f"vpc{i}"] = consumer
    access = []
    pairs = [(c, s) for c in sorted(consumers) for s in sorted(services) if set(consumers[c]["networks"] + consumers[c]["endpoints"]) & set(services[s]["networks"])]
    for _ in range(draw(st.integers(0, 4)) if pairs else 0):
        consumer_name, service_name = draw(st.sampled_from(pairs))
        intent: dict[str, Any] = {"from": consumer_name, "to": service_name}
        if draw(st.booleans()):
            intent["methods"] = draw(st.lists(st.sampled_from(METHODS), unique=True, min_size=1, max_size=2))
        if draw(st.booleans()):
            intent["paths"] = [draw(st.sampled_from(["/orders*", "/a/?", "/reports/*"]))]
        if draw(st.integers(0, 3)) == 0:
            intent["principals"] = [f"arn:aws:iam::{accounts[draw(st.sampled_from(account_names))]['id']}:role/caller"]
        access.append(intent)
    used = {n["owner"] for n in networks.values()} | {s["owner"] for s in services.values()} | {c["account"] for c in consumers.values()}
    accounts = {name: account for name, account in accounts.items() if name in used}
    if organization and organization.get("members"):
        organization["members"] = [m for m in organization["members"] if m in used] or None
        if organization["members"] is None:
            del organization["members"]
    topology: dict[str, Any] = {"enabled": True, "accounts": accounts, "networks": networks, "services": services, "consumers": consumers, "access": access}
    if organization:
        topology["organization"] = organization
    if draw(st.integers(0, 3)) == 0:  # broken once: the config must say where
        table, index, key, value = draw(st.sampled_from(BREAKAGES))
        entries = topology[table]
        if entries:
            target = entries[index] if isinstance(entries, list) else entries[sorted(entries)[0]]
            target[key] = value
    return topology


@pytest.fixture(scope="module")
def topology_counts() -> dict[str, int]:
    return {"tried": 0, "refused": 0, "synthesized": 0, "verified": 0}


@settings(
    max_examples=TOPOLOGY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    database=None,
)
@given(section=topologies())
def test_a_generated_topology_is_refused_clearly_or_synthesizes_and_verifies(section: dict[str, Any], accepted, topology_counts, tmp_path_factory) -> None:
    from lattice_check.graph import Model
    from lattice_check.verify import render_matrix, verify
    from tests.helpers import topology_raw

    topology_counts["tried"] += 1
    try:
        config = parse_config(topology_raw(**{k: v for k, v in section.items() if k != "enabled"}))
    except ConfigError as refused:
        topology_counts["refused"] += 1
        assert refused.problems and all(isinstance(p, str) and p.strip() and "\n" not in p and "Traceback" not in p for p in refused.problems)
        return
    outdir = synth(config, tmp_path_factory.mktemp("topology") / "cdktf.out")
    topology_counts["synthesized"] += 1
    settings_ = config.patterns.topology
    results = verify(settings_, Model.load(outdir))
    assert all(r.passed for r in results), render_matrix(settings_, results)
    topology_counts["verified"] += 1
    for stack_dir in sorted((outdir / "stacks").iterdir()):
        digest = hashlib.sha256((stack_dir / "cdk.tf.json").read_bytes()).hexdigest()[:12]
        accepted.setdefault(f"{stack_dir.name}-{digest}", stack_dir)


def test_generated_topologies_were_tried(topology_counts) -> None:
    print(
        f"generated topologies: {topology_counts['tried']} tried, {topology_counts['refused']} refused, "
        f"{topology_counts['synthesized']} synthesized, {topology_counts['verified']} verified"
    )
    assert topology_counts["tried"] == TOPOLOGY_EXAMPLES


def test_every_synthesized_config_validates(accepted, counts, terraform) -> None:
    """Runs after the property tests in this module: all their outputs (configs and topologies), one Terraform run."""
    print(f"generated configs: {counts['tried']} tried, {counts['refused']} refused, {counts['synthesized']} synthesized; "
          f"{len(accepted)} distinct stacks validated")
    if not accepted:
        pytest.skip("no generated config was valid")
    reports = terraform.validate_many(accepted)
    failures = {name: describe_diagnostics(report) for name, report in reports.items() if not report["valid"]}
    assert failures == {}
