"""Your own topology ([patterns.topology]): the config's rules before synth, one
stack per account and layer in a valid deploy order, auth policies compiled from the
intents, and the shipped example topologies synthesized, validated, mock-applied and
verified (every granted call ALLOW, every other DENY or UNREACHABLE)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.topology.policies import service_auth_policy
from app_config.loader import ConfigError, parse_config
from lattice_check.curl import curl
from lattice_check.graph import Model
from lattice_check.tfjson import decode_json_argument
from lattice_check.verify import diff, load_topology, probes, render_matrix, verify
from lattice_model.topology.plan import accepts_invitation, planned_stacks, stack_name
from lattice_model.topology.schema import TopologySettings
from tests.helpers import (
    ACCOUNTS,
    PATTERNS_BESIDE_TOPOLOGY,
    ROOT,
    TOPOLOGY_EXAMPLES,
    cross_stack_problems,
    load_stacks,
    resources,
    synth,
    topology_example_config,
    topology_raw,
)

EXAMPLES = TOPOLOGY_EXAMPLES


@pytest.fixture(scope="module")
def outputs(topology_outputs) -> dict[str, Path]:
    return topology_outputs


def example_config(name: str):
    return topology_example_config(name)


def test_three_shapes_ship(outputs) -> None:
    assert sorted(outputs) == ["distributed", "hub", "mixed"]


# ---- stacks and deploy order


def test_one_stack_per_account_and_layer_in_deploy_order(outputs) -> None:
    manifest = json.loads((outputs["mixed"] / "manifest.json").read_text())
    order = [stack.name for stack in planned_stacks(load_topology(EXAMPLES / "mixed.toml"))]
    assert sorted(manifest["stacks"]) == sorted(order)
    assert order == [
        "topology-platform",  # networks first
        "topology-analytics",  # then consumers
        "topology-partner",
        "topology-platform-consumers",
        "topology-partner-services",  # then services
        "topology-platform-services",
        "topology-reports",
    ]
    depends = {name: set(entry["dependencies"]) for name, entry in manifest["stacks"].items()}
    assert depends["topology-platform"] == set()
    assert depends["topology-partner"] == {"topology-platform"}
    assert depends["topology-reports"] == {"topology-platform", "topology-analytics", "topology-partner", "topology-platform-consumers"}
    # the partner accepted the partner network's share in its first stack; its services stack follows that one
    assert depends["topology-partner-services"] == {"topology-platform", "topology-partner", "topology-analytics"}
    for name, stack in load_stacks(outputs["mixed"]).items():
        assert stack["provider"]["aws"][0]["allowed_account_ids"] == [
            {"platform": "700000000001", "analytics": "700000000003", "partner": "710000000001", "reports": "700000000002"}[
                name.removeprefix("topology-").split("-")[0]
            ]
        ]


@pytest.mark.parametrize("example", ["distributed", "hub", "mixed"])
def test_cross_account_ids_flow_through_remote_state(outputs, example) -> None:
    stacks = load_stacks(outputs[example])
    manifest = json.loads((outputs[example] / "manifest.json").read_text())
    assert cross_stack_problems(stacks, manifest) == []
    assert sorted(stacks) == sorted(s.name for s in planned_stacks(load_topology(EXAMPLES / f"{example}.toml")))


def test_sharing_ram_outside_and_organization_inside(outputs) -> None:
    platform = load_stacks(outputs["mixed"])["topology-platform"]
    shares = {body["name"]: body for body in resources(platform, "aws_ram_resource_share").values()}
    assert shares["topology-platform"]["allow_external_principals"] is False
    # the partner network: its members' share stays inside the organization, the partner's is accepted
    assert shares["topology-partner-members"]["allow_external_principals"] is False
    assert shares["topology-partner"]["allow_external_principals"] is True
    principals = {
        name: sorted(body["principal"] for body in resources(platform, "aws_ram_principal_association").values() if f"{name}_share" in body["resource_share_arn"])
        for name in ("network-platform-share", "network-partner-share-members", "network-partner-share")
    }
    assert principals == {
        "network-platform-share": ["arn:aws:organizations::700000000001:organization/o-mix1234567"],
        "network-partner-share-members": ["700000000002", "700000000003"],
        "network-partner-share": ["710000000001"],
    }
    stacks = load_stacks(outputs["mixed"])
    assert len(resources(stacks["topology-partner"], "aws_ram_resource_share_accepter")) == 1
    assert "aws_ram_resource_share_accepter" not in stacks["topology-partner-services"]["resource"]  # accepted once per account
    (accepter,) = resources(stacks["topology-partner"], "aws_ram_resource_share_accepter").values()
    assert accepter["share_arn"] == "${data.terraform_remote_state.topology-platform.outputs.network_share_arns.partner}"
    # reports and analytics are members: with RAM sharing with Organizations on, RAM sends them no
    # invitation for the partner network's share, and an accepter there would fail (none found)
    for member in ("topology-reports", "topology-analytics"):
        assert "aws_ram_resource_share_accepter" not in stacks[member]["resource"], member
    association = resources(stacks["topology-reports-services"] if "topology-reports-services" in stacks else stacks["topology-reports"], "aws_vpclattice_service_network_service_association")
    assert all("depends_on" not in body for body in association.values())


def test_only_accounts_outside_the_organization_accept_invitations() -> None:
    """Every account was taken to be a member, and every account but the owner got an
    accepter for a RAM share: in an organization with RAM sharing on, those fail."""
    raw = variant(organization={"arn": "arn:aws:organizations::400000000001:organization/o-abcdefghij"})
    settings = parse_config(topology_raw(**raw)).patterns.topology
    assert not accepts_invitation(settings, "app", "hub")  # both members: no invitation
    outside = {**raw, "organization": {**raw["organization"], "members": ["net"]}}
    assert accepts_invitation(parse_config(topology_raw(**outside)).patterns.topology, "app", "hub")
    assert accepts_invitation(parse_config(topology_raw(**BASE)).patterns.topology, "app", "hub")  # no organization declared
    typo = {**raw, "organization": {**raw["organization"], "members": ["nett"]}}
    assert any("organization.members[0] = 'nett': no such name under patterns.topology.accounts" in p for p in problems_of(**typo))


def test_an_existing_vpc_is_looked_up_and_associated_not_created(outputs) -> None:
    analytics = load_stacks(outputs["mixed"])["topology-analytics"]
    lookup = analytics["data"]["aws_vpc"]["legacy-vpc"]
    assert (lookup["id"], lookup["cidr_block"]) == ("vpc-0a1b2c3d4e5f60718", "10.99.0.0/16")
    association = resources(analytics, "aws_vpclattice_service_network_vpc_association")["legacy-vpc_service-network-association_association"]
    assert association["vpc_identifier"] == "vpc-0a1b2c3d4e5f60718"
    assert "data.aws_vpc.legacy-vpc" in association["depends_on"]
    group = resources(analytics, "aws_security_group")["legacy-vpc_lattice-security-group_sg"]
    assert group["vpc_id"] == "vpc-0a1b2c3d4e5f60718"
    assert [v["tags"]["Name"] for v in resources(analytics, "aws_vpc").values()] == ["analytics-vpc"]  # one VPC created, not two


def test_a_vpc_reaches_further_networks_through_endpoints(outputs) -> None:
    analytics = load_stacks(outputs["mixed"])["topology-analytics"]
    (endpoint,) = (e for e in resources(analytics, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "ServiceNetwork")
    assert endpoint["service_network_arn"] == "${data.terraform_remote_state.topology-platform.outputs.network_arns.partner}"
    assert endpoint["subnet_ids"] == ["${aws_subnet.analytics-vpc_network_lattice-1.id}", "${aws_subnet.analytics-vpc_network_lattice-2.id}"]
    lattice_subnets = [s for name, s in resources(analytics, "aws_subnet").items() if "_lattice-" in name]
    assert [s["cidr_block"].split("/")[1] for s in lattice_subnets] == ["28", "28"]  # a /28 per AZ of their own
    associations = resources(analytics, "aws_vpclattice_service_network_vpc_association")
    assert sorted(associations) == ["analytics-vpc_service-network-association_association", "legacy-vpc_service-network-association_association"]


def test_the_test_instances_may_call_every_port_and_path_their_vpc_is_given(outputs) -> None:
    """The instances' egress used to be 80 to Lattice's link-local range only: a call
    through a service-network endpoint (whose addresses are the VPC's) or over HTTPS
    left the instance never; the endpoint's own group admitted it in vain."""
    analytics = load_stacks(outputs["mixed"])["topology-analytics"]
    (group,) = (g for name, g in resources(analytics, "aws_security_group").items() if name.startswith("analytics-vpc_instances"))
    egress = sorted((rule["from_port"], rule["cidr_blocks"][0]) for rule in group["egress"])
    assert egress == [(80, "10.31.0.0/24"), (80, "169.254.171.0/24"), (443, "10.31.0.0/24"), (443, "169.254.171.0/24")]


# ---- auth policies compiled from the intents (the README shows these)


def test_network_policy_grants_by_account(outputs) -> None:
    network = load_stacks(outputs["hub"])["topology-network"]
    (policy,) = resources(network, "aws_vpclattice_auth_policy").values()
    document = json.loads(policy["policy"])
    assert document["Statement"] == [
        {
            "Action": "vpc-lattice-svcs:Invoke",
            "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "500000000004"}},
            "Effect": "Allow",
            "Principal": "*",
            "Resource": "arn:aws:vpc-lattice:eu-west-1:500000000002:service/*",
            "Sid": "FromPaymentsToOrdersServices",
        },
        {
            "Action": "vpc-lattice-svcs:Invoke",
            "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "500000000005"}},
            "Effect": "Allow",
            "Principal": "*",
            "Resource": "arn:aws:vpc-lattice:eu-west-1:500000000003:service/*",
            "Sid": "FromStorefrontToCatalogServices",
        },
        {
            "Action": "vpc-lattice-svcs:Invoke",
            "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "500000000005"}},
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::500000000005:role/storefront-app"},
            "Resource": "arn:aws:vpc-lattice:eu-west-1:500000000002:service/*",
            "Sid": "FromStorefrontToOrdersServices",
        },
    ]


def test_service_policy_grants_by_vpc_method_path_and_principal(outputs) -> None:
    orders = load_stacks(outputs["hub"])["topology-orders"]
    (policy,) = resources(orders, "aws_vpclattice_auth_policy").values()
    document = decode_json_argument(policy["policy"])
    payments, storefront = document["Statement"]
    assert payments == {
        "Action": "vpc-lattice-svcs:Invoke",
        "Condition": {
            "StringEquals": {
                "vpc-lattice-svcs:RequestMethod": "GET",
                "vpc-lattice-svcs:SourceVpc": '${data.terraform_remote_state.topology-payments.outputs.vpc_ids["payments-vpc"]}',
            },
            "StringLike": {"vpc-lattice-svcs:RequestPath": "/orders*"},
        },
        "Effect": "Allow",
        "Principal": "*",
        "Resource": "${aws_vpclattice_service.service-orders_service.arn}/*",
        "Sid": "FromPaymentsVpc",
    }
    assert storefront["Principal"] == {"AWS": "arn:aws:iam::500000000005:role/storefront-app"}
    assert storefront["Condition"]["StringEquals"]["vpc-lattice-svcs:RequestMethod"] == ["GET", "POST"]
    assert "aws_vpclattice_auth_policy" not in load_stacks(outputs["mixed"])["topology-platform"]["resource"] or all(
        "partner" not in name for name in resources(load_stacks(outputs["mixed"])["topology-platform"], "aws_vpclattice_auth_policy")
    ), "an auth_type NONE network has no policy"


def test_routes_become_rules_with_weights(outputs) -> None:
    orders = load_stacks(outputs["hub"])["topology-orders"]
    rules = resources(orders, "aws_vpclattice_listener_rule")
    header_rule, read_rule = (rules[f"service-orders_listener_route-{i}_rule"] for i in (1, 2))
    assert header_rule["priority"] == 1 and header_rule["match"]["http_match"]["header_matches"][0]["name"] == "x-orders-version"
    assert [t["weight"] for t in read_rule["action"]["forward"]["target_groups"]] == [90, 10]
    assert read_rule["match"]["http_match"]["method"] == "GET"
    # two backends of one source folder share one package (one asset)
    functions = resources(orders, "aws_lambda_function")
    assert len(functions) == 2 and len({f["filename"] for f in functions.values()}) == 1


def test_backends_of_every_kind(outputs) -> None:
    stacks = load_stacks(outputs["mixed"])
    groups = resources(stacks["topology-platform-services"], "aws_vpclattice_target_group")
    fleet = groups["service-status_fleet-target_target-group"]
    assert fleet["type"] == "INSTANCE"
    assert (fleet["config"]["port"], fleet["config"]["vpc_identifier"], fleet["config"]["health_check"]["path"]) == (8080, "vpc-0f1e2d3c4b5a69788", "/health")
    attached = [a["target"]["id"] for a in resources(stacks["topology-platform-services"], "aws_vpclattice_target_group_attachment").values()]
    assert {"i-0123456789abcdef0", "i-0fedcba9876543210"} <= set(attached)
    archive = resources(stacks["topology-reports"], "aws_vpclattice_target_group")["service-reports_archive-target_target-group"]
    assert archive["type"] == "ALB" and "health_check" not in archive["config"]
    # only Lambda backends make functions
    assert len(resources(stacks["topology-platform-services"], "aws_lambda_function")) == 1


def test_https_and_a_custom_domain(outputs) -> None:
    stacks = load_stacks(outputs["mixed"])
    platform = stacks["topology-platform-services"]
    listeners = {body["protocol"]: body["port"] for body in resources(platform, "aws_vpclattice_listener").values()}
    assert listeners == {"HTTP": 80, "HTTPS": 443}
    service = resources(platform, "aws_vpclattice_service")["service-status_service"]
    assert service["custom_domain_name"] == "status.platform.example.internal"
    assert service["certificate_arn"].startswith("arn:aws:acm:eu-west-1:700000000001:certificate/")
    assert len(resources(platform, "aws_vpclattice_listener_rule")) == 2  # the route, on both listeners
    # the VPCs that reach it admit HTTPS to the network; the partner's, which does not, only HTTP
    ports = lambda stack, name: [rule["from_port"] for rule in resources(stack, "aws_security_group")[name]["ingress"]]
    assert ports(stacks["topology-analytics"], "analytics-vpc_lattice-security-group_sg") == [80, 443]
    assert ports(stacks["topology-partner"], "partner-vpc_lattice-security-group_sg") == [80]
    assert ("analytics-vpc", "status", "https") in {(p.consumer, p.service, p.scheme) for p in probes(load_topology(EXAMPLES / "mixed.toml"))}


# ---- offline proof: validate, mocked apply, verify


def test_examples_validate_and_mock_apply(outputs, terraform) -> None:
    from tests.helpers import assert_variants_validate_and_apply

    assert_variants_validate_and_apply(terraform, outputs)


def test_examples_pass_the_security_scan(outputs, tmp_path) -> None:
    """checkov over every example's stacks (one run): no failure goes unexplained."""
    from tools.security_scan import scan

    for out in outputs.values():
        for stack in (out / "stacks").iterdir():
            shutil.copytree(stack, tmp_path / "stacks" / stack.name)
    results = scan(tmp_path)
    failures = [f"{stack}: {f.resource}: {f.check_id} {f.check_name}" for stack, r in results.items() for f in r.failed]
    assert failures == [], "\n".join(failures)
    assert sum(r.passed for r in results.values()) > 200


@pytest.mark.parametrize("example", ["distributed", "hub", "mixed"])
def test_verify_finds_exactly_the_granted_calls(outputs, example) -> None:
    settings = load_topology(EXAMPLES / f"{example}.toml")
    results = verify(settings, Model.load(outputs[example]))
    failures = [r for r in results if not r.passed]
    assert failures == [], render_matrix(settings, results)
    decisions = {r.probe.expected for r in results}
    assert "ALLOW" in decisions and (example == "distributed" or "DENY" in decisions)


@pytest.mark.parametrize("example", ["distributed", "hub", "mixed"])
def test_curl_without_org_agrees_with_verify(outputs, example) -> None:
    """curl takes membership from the output (a share RAM keeps inside the organization
    needs no invitation): without --org it answers every call of verify as verify does."""
    from lattice_check.verify import signing_arn

    settings = load_topology(EXAMPLES / f"{example}.toml")
    model = Model.load(outputs[example])
    disagree = []
    for checked in verify(settings, model):
        probe = checked.probe
        source = f"{stack_name(settings, settings.consumers[probe.consumer].account, 'consumers')}/{probe.consumer}"
        answer = curl(
            model, source, f"{probe.scheme}://{probe.service}{probe.path}", method=probe.method,
            principal=signing_arn(probe.principal) if probe.principal else None, invoke=False,
        )
        if answer.decision != checked.decision:
            disagree.append((probe, answer.decision, checked.decision, answer.reasons))
    assert disagree == []


def test_curl_exits_0_for_an_allowed_call_whose_target_answer_is_not_modeled(outputs, capsys) -> None:
    """An instance or IP target: ALLOW with no status once exited 1."""
    from lattice_check.__main__ import main as lattice_check

    assert lattice_check(["curl", "--out", str(outputs["mixed"]), "--from", "topology-analytics/analytics-vpc", "http://status/fleet"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "< ALLOW"
    assert lattice_check(["curl", "--out", str(outputs["mixed"]), "--from", "topology-analytics/analytics-vpc", "-X", "DELETE", "http://reports/reports/x"]) == 1


def test_topology_tables_written_at_the_top_level_are_one_problem_saying_where() -> None:
    raw = topology_raw()
    raw.update({"networks": BASE["networks"], "services": BASE["services"], "consumers": BASE["consumers"], "access": BASE["access"]})
    with pytest.raises(ConfigError) as raised:
        parse_config(raw)
    assert raised.value.problems[0] == (
        "networks, services, consumers, access: tables of [patterns.topology], written at the top level: put them under it with its "
        "prefix ([patterns.topology.networks...]), or in a file that patterns.topology.file names"
    )
    assert not [p for p in raised.value.problems if "unknown key" in p]


def test_ids_can_cross_through_discovery_secrets(tmp_path, terraform) -> None:
    """discovery = "secrets_manager": each producing stack publishes its maps in a
    secret the reading accounts may read; no stack reads another's state; it
    validates, applies against the mocks (secret reads get their producer's payload)
    and verifies."""
    from tests.helpers import assert_variants_validate_and_apply

    config = parse_config(topology_raw(file="examples/topologies/hub.toml", discovery="secrets_manager"))
    out = synth(config, tmp_path / "cdktf.out")
    stacks = load_stacks(out)
    assert all("terraform_remote_state" not in stack.get("data", {}) for stack in stacks.values())
    (secret,) = resources(stacks["topology-network"], "aws_secretsmanager_secret").values()
    assert secret["name"] == "topology-network-ids"
    readers = json.loads(secret["policy"])["Statement"][0]["Principal"]["AWS"]
    assert sorted(readers) == [f"arn:aws:iam::50000000000{i}:root" for i in (2, 3, 4, 5)]
    reads = stacks["topology-orders"]["data"]["aws_secretsmanager_secret_version"]
    assert sorted(r["secret_id"].rsplit(":", 1)[-1] for r in reads.values()) == ["topology-network-ids", "topology-payments-ids", "topology-storefront-ids"]
    assert "aws_secretsmanager_secret" not in stacks["topology-orders"]["resource"], "a services stack publishes to nobody"
    settings = config.patterns.topology
    assert isinstance(settings, TopologySettings)
    assert all(r.passed for r in verify(settings, Model.load(out)))
    assert_variants_validate_and_apply(terraform, {"secrets": out})


def test_verify_counts_every_pair_and_the_calls_just_outside(outputs) -> None:
    settings = load_topology(EXAMPLES / "hub.toml")
    calls = {(p.consumer, p.service, p.method, p.path, p.caller, p.expected) for p in probes(settings)}
    assert ("payments-vpc", "orders", "GET", "/orders", "anyone", "ALLOW") in calls
    assert ("payments-vpc", "orders", "HEAD", "/orders", "anyone", "DENY") in calls  # a method not granted
    assert ("payments-vpc", "orders", "GET", "/lattice-check/not-granted", "anyone", "DENY") in calls  # a path not granted
    assert ("storefront-vpc", "orders", "GET", "/orders", "anyone", "DENY") in calls  # unsigned, where a principal must sign
    assert ("payments-vpc", "catalog", "GET", "/", "anyone", "DENY") in calls  # no intent
    mixed = load_topology(EXAMPLES / "mixed.toml")
    assert ("partner-vpc", "status", "GET", "/", "anyone", "UNREACHABLE") in {
        (p.consumer, p.service, p.method, p.path, p.caller, p.expected) for p in probes(mixed)
    }


def test_verify_fails_on_an_output_that_grants_more(outputs, tmp_path) -> None:
    broken = tmp_path / "cdktf.out"
    shutil.copytree(outputs["hub"], broken)
    path = broken / "stacks" / "topology-orders" / "cdk.tf.json"
    stack = json.loads(path.read_text())
    policy = stack["resource"]["aws_vpclattice_auth_policy"]["service-orders_service_auth-policy"]
    policy["policy"] = policy["policy"].replace('"vpc-lattice-svcs:RequestMethod" = "GET", ', "")
    path.write_text(json.dumps(stack))
    proc = subprocess.run(
        [sys.executable, "-m", "lattice_check", "verify", "--out", str(broken), str(EXAMPLES / "hub.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL payments-vpc -> orders: HEAD http://orders/orders as anyone: expected DENY, got ALLOW" in proc.stdout
    assert "payments-vpc        DENY  ok       ALLOW 1/3  FAIL 1" in proc.stdout


def test_verify_prints_the_matrix(outputs) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lattice_check", "verify", "--out", str(outputs["hub"]), str(EXAMPLES / "hub.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[:3] == [
        "consumer \\ service  catalog        orders",
        "payments-vpc        DENY  ok       ALLOW 1/3  ok",
        "storefront-vpc      ALLOW 2/3  ok  ALLOW 2/5  ok",
    ]
    assert "13 of 13 calls as the topology says" in proc.stdout
    assert proc.stdout in (ROOT / "README.md").read_text(), "README.md shows this run: paste it there"


def test_the_bench_topology_verifies_at_small_scale(tmp_path) -> None:
    """bench/topology_bench.py's generator, at a size the suite can afford, in this
    process: every call as the topology says (the bench runs 50 accounts, 500
    services, 200 consumers)."""
    from bench.topology_bench import generated

    config = parse_config(topology_raw(**generated(accounts=8, services=20, consumers=10)))
    out = synth(config, tmp_path / "cdktf.out")
    settings = config.patterns.topology
    assert isinstance(settings, TopologySettings)
    results = verify(settings, Model.load(out))
    assert [r for r in results if not r.passed] == [] and len(results) >= 200 == len(settings.consumers) * len(settings.services)
    assert len(load_stacks(out)) == 11


def test_the_distributed_pattern_and_its_topology_answer_alike(outputs, default_out) -> None:
    """Same requests, same answers: the pattern's stacks and the topology's."""
    pattern, topology = Model.load(default_out), Model.load(outputs["distributed"])
    requests = [
        ("vpc1", "GET", "/"),
        ("vpc2", "POST", "/some/path?x=1"),
        ("vpc1", "DELETE", "/x"),
    ]
    for vpc, method, path in requests:
        a = curl(pattern, f"distributed-consumer-account/{vpc}", f"http://lambda-service{path}", method=method)
        b = curl(topology, f"topology-consumer-consumers/{vpc}", f"http://lambda-service{path}", method=method)
        assert (a.decision, a.status, a.body) == (b.decision, b.status, b.body) == ("ALLOW", 200, '"Hello from Lambda!"')
    # and a VPC of the pattern's consumer account that is on no network reaches neither
    a = curl(pattern, "distributed-consumer-account/vpc1", "http://central-lambda-service/")
    b = curl(topology, "topology-consumer-consumers/vpc1", "http://central-lambda-service/")
    assert a.decision == b.decision == "UNREACHABLE"


def test_synth_is_deterministic(outputs, tmp_path) -> None:
    again = synth(example_config("hub"), tmp_path / "cdktf.out")
    for stack in load_stacks(outputs["hub"]):
        first = (outputs["hub"] / "stacks" / stack / "cdk.tf.json").read_bytes()
        assert (again / "stacks" / stack / "cdk.tf.json").read_bytes() == first


# ---- diff


def test_diff_names_the_calls_a_change_opens_and_closes(tmp_path) -> None:
    changed = (EXAMPLES / "hub.toml").read_text().replace('methods = ["GET", "POST"]', 'methods = ["GET", "DELETE"]')
    changed = changed.replace('from = "storefront-vpc"\nto = "catalog"\nmethods = ["GET"]', 'from = "payments-vpc"\nto = "catalog"\nmethods = ["GET"]')
    new = tmp_path / "hub.toml"
    new.write_text(changed)
    opened, closed = diff(load_topology(EXAMPLES / "hub.toml"), load_topology(new))
    assert [str(c) for c in opened] == [
        "payments-vpc -> catalog: GET any path as anyone",
        "storefront-vpc -> orders: DELETE /orders* as arn:aws:iam::500000000005:role/storefront-app",
    ]
    assert [str(c) for c in closed] == [
        "storefront-vpc -> catalog: GET any path as anyone",
        "storefront-vpc -> orders: POST /orders* as arn:aws:iam::500000000005:role/storefront-app",
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "lattice_check", "diff", str(EXAMPLES / "hub.toml"), str(new)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1 and proc.stdout.startswith("+ opens  payments-vpc -> catalog: GET any path as anyone\n")
    same = subprocess.run(
        [sys.executable, "-m", "lattice_check", "diff", str(EXAMPLES / "hub.toml"), str(EXAMPLES / "hub.toml")], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (same.returncode, same.stdout) == (0, "no call opens or closes\n")


# ---- the config's rules, before synth


def problems_of(**section: object) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(topology_raw(**section))
    return raised.value.problems


BASE: dict = {
    "accounts": {"net": {"id": "400000000001"}, "app": {"id": "400000000002"}},
    "networks": {"hub": {"owner": "net"}},
    "services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "hello"}}}},
    "consumers": {"client": {"account": "app", "networks": ["hub"]}},
    "access": [{"from": "client", "to": "orders"}],
}


def variant(**changes: object) -> dict:
    raw = json.loads(json.dumps(BASE))
    raw.update(changes)
    return raw


def test_a_network_shared_with_the_organization_is_used_by_members_only() -> None:
    """Found by the generated topologies: a non-member's VPC association with an
    organization share failed at apply, the config having taken it."""
    organization = {"arn": "arn:aws:organizations::400000000001:organization/o-abcdefghij", "members": ["net"]}
    raw = variant(organization=organization, networks={"hub": {"owner": "net", "sharing": "organization"}})
    assert problems_of(**raw) == [
        "patterns.topology.networks.hub.sharing = 'organization': app uses it but is not in patterns.topology.organization.members, "
        "and a share with the organization reaches its members only: make them members, or share the network by RAM (sharing = \"ram\")"
    ]
    parse_config(topology_raw(**{**raw, "organization": {**organization, "members": ["net", "app"]}}))


def test_the_base_topology_is_valid() -> None:
    settings = parse_config(topology_raw(**BASE)).patterns.topology
    assert isinstance(settings, TopologySettings)
    assert [s.name for s in planned_stacks(settings)] == ["topology-net", "topology-app", "topology-app-services"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"networks": {"hub": {"owner": "nobody"}}},
            "patterns.topology.networks.hub.owner = 'nobody': no such name under patterns.topology.accounts (known: app, net)",
        ),
        (
            {"access": [{"from": "client", "to": "payments"}]},
            "patterns.topology.access[0].to = 'payments': no such name under patterns.topology.services (known: orders)",
        ),
        (
            {"networks": {"hub": {"owner": "net"}, "other": {"owner": "net"}}, "consumers": {"client": {"account": "app", "networks": ["other"]}}},
            "patterns.topology.access[0]: client can never reach orders: the consumer's VPC is on other, the service joins hub",
        ),
        (
            {"consumers": {"client": {"account": "app", "networks": ["hub", "hub2"]}}},
            "2 networks: a VPC takes one service-network association; reach the others through service-network endpoints",
        ),
        ({"consumers": {"client": {"account": "app"}}}, "reaches no network: give networks (its association) or endpoints"),
        ({"consumers": {"client": {"account": "app", "networks": ["hub"], "endpoints": ["hub"]}}}, "endpoints: each network once, and not the associated one (hub)"),
        (
            {"consumers": {"client": {"account": "app", "endpoints": ["hub"], "existing_vpc": {"id": "vpc-0a1b2c3d", "cidr_block": "10.0.0.0/16"}}}},
            "existing_vpc.endpoint_subnet_ids is required with endpoints",
        ),
        (
            {"consumers": {"client": {"account": "app", "endpoints": ["hub"], "vpc": {"cidr_block": "10.0.0.0/26"}}}},
            "subnets do not fit",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {}}}},
            "a service needs at least one backend: nothing would serve it",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "hello"}}, "routes": [{"path": "/x", "forward": {"v9": 100}}]}}},
            "patterns.topology.services.orders.routes[0].forward.v9 = 'v9': no such name under patterns.topology.services.orders.backends (known: main)",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "nowhere"}}}}},
            "no folder lambda/nowhere with lambda_function.py (known: caller, directory, hello)",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "hello"}}, "routes": [{"path": "/", "forward": {"main": 1}}] * 11}}},
            "patterns.topology.services.orders.routes: 11 routes (listener rules): more than the default quota of 10; "
            "if your accounts' quota is higher, declare it: patterns.topology.quotas.rules_per_listener = 11",
        ),
        ({"quotas": {"rules_per_listener": 5}}, "rules_per_listener = 5: below the default of 10 (quotas are only raised)"),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "https": True, "custom_domain": "orders.example.internal"}}},
            "https with a custom_domain needs its certificate_arn",
        ),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "certificate_arn": "arn:aws:acm:eu-west-1:400000000002:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}}},
            "certificate_arn without custom_domain",
        ),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "custom_domain": "orders.example.internal",
                                     "certificate_arn": "arn:aws:acm:us-east-1:400000000009:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}}},
            "is in account 400000000009, region us-east-1; it must be in account 400000000002, region eu-west-1",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "hello", "ip": {"vpc_id": "vpc-0a1b2c3d", "targets": ["10.0.0.5"]}}}}}},
            "give exactly one of lambda, alb, ip, instance (given: lambda, ip)",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"instance": {"vpc_id": "vpc-0a1b2c3d", "targets": ["10.0.0.5"]}}}}}},
            "instance.targets: '10.0.0.5' is not an instance id",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"alb": {"vpc_id": "vpc-0a1b2c3d", "arn": "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/x/1"}}}}}},
            "must be an ALB ARN",
        ),
        ({"quotas": {"listeners": 5}}, "'listeners': not a quota the topology checks"),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "x" * 300}}}}},
            "no folder lambda/" + "x" * 300 + " with lambda_function.py (known: caller, directory, hello)",
        ),
        ({"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "../lambda/hello"}}}}}, "no folder lambda/../lambda/hello"),
        ({"file": 5}, "patterns.topology.file = 5: Input should be a valid string"),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "routes": [{"path": "/" + "a" * 200, "forward": {"main": 1}}]}}},
            "routes[0].path = '/aaaa",
        ),
        ({"services": {"orders": {**BASE["services"]["orders"], "routes": [{"path": "/a b", "forward": {"main": 1}}]}}}, "only letters, digits and @:%_+.~#?&/=-"),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "routes": [{"path": "/", "headers": {f"x-{i}": "v" for i in range(6)}, "forward": {"main": 1}}]}}},
            "6 headers: a rule matches at most 5",
        ),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "routes": [{"path": "/", "headers": {"x version": "1"}, "forward": {"main": 1}}]}}},
            "'x version' = '1': a header name is 1-100 of HTTP's token characters",
        ),
        (
            {"services": {"orders": {**BASE["services"]["orders"], "routes": [{"path": "/", "forward": {f"b{i}": 1 for i in range(11)}}]}}},
            "names 11 backends: a forward names 1 to 10 (target groups)",
        ),
        (
            {"services": {"orders": {"owner": "app", "networks": ["hub"], "backends": {"main": {"ip": {"vpc_id": "vpc-0a1b2c3d", "targets": ["10.0.0.5"], "health_check_path": "/health check"}}}}}},
            "health_check_path = '/health check': a health check path starts with '/'",
        ),
        ({"services": {"svc-orders": BASE["services"]["orders"]}, "access": []}, "patterns.topology.services: 'svc-orders': a service name is 3-40"),
        ({"accounts": {**BASE["accounts"], "Ops_Team": {"id": "400000000009"}}}, "patterns.topology.accounts: 'Ops_Team': an account name is 1-47 lowercase"),
        ({"networks": {"hub": {"owner": "net", "sharing": "organization"}}}, "patterns.topology.organization.arn is required"),
        ({"access": [{"from": "client", "to": "orders", "methods": ["FETCH"]}]}, "'FETCH': must be one of GET, HEAD"),
        ({"access": [{"from": "client", "to": "orders", "principals": ["storefront"]}]}, "'storefront': must be an IAM role, user or account root ARN"),
        ({"accounts": {**BASE["accounts"], "spare": {"id": "400000000009"}}}, "patterns.topology.accounts.spare: owns no network, service or consumer"),
        (
            {"consumers": {"client": {"account": "app", "networks": ["hub"], "vpc": {}, "existing_vpc": {"id": "vpc-0a1b2c3d", "cidr_block": "10.0.0.0/16"}}}},
            "set vpc (a VPC created for the consumer) or existing_vpc (one that exists), not both",
        ),
        (
            {"consumers": {"client": {"account": "app", "networks": ["hub"], "existing_vpc": {"id": "vpc-123", "cidr_block": "10.0.0.0/16"}}}},
            "patterns.topology.consumers.client.existing_vpc.id = 'vpc-123': must be a VPC id",
        ),
    ],
)
def test_a_bad_topology_names_the_field_the_value_and_the_rule(changes: dict, expected: str) -> None:
    problems = problems_of(**variant(**changes))
    assert any(expected in problem for problem in problems), problems


def test_a_network_is_never_shared_with_its_owner(tmp_path) -> None:
    """The network account has a VPC on its own network too: RAM shares with the other accounts only."""
    consumers = {**BASE["consumers"], "ops": {"account": "net", "networks": ["hub"]}}
    out = synth(parse_config(topology_raw(**variant(consumers=consumers))), tmp_path / "cdktf.out")
    network = load_stacks(out)["topology-net"]
    assert [a["principal"] for a in resources(network, "aws_ram_principal_association").values()] == ["400000000002"]


def test_a_raised_quota_is_declared_and_holds() -> None:
    routes = [{"path": f"/r{i}", "forward": {"main": 100}} for i in range(12)]
    service = {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "hello"}}, "routes": routes}
    config = parse_config(topology_raw(**variant(services={"orders": service}, quotas={"rules_per_listener": 12})))
    assert config.patterns.topology.quota("rules_per_listener") == 12
    with pytest.raises(ConfigError, match="more than the quota declared of 12"):
        parse_config(topology_raw(**variant(services={"orders": {**service, "routes": routes + routes[:1]}}, quotas={"rules_per_listener": 12})))


ORDERS = BASE["services"]["orders"]
EXISTING = {"id": "vpc-0a1b2c3d", "cidr_block": "10.0.0.0/16"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"services": {"orders": {**ORDERS, "backends": {"main": {"alb": {"vpc_id": "vpc-0a1b2c3d", "port": 70000,
                                                                            "arn": "arn:aws:elasticloadbalancing:eu-west-1:400000000002:loadbalancer/app/web/0123456789abcdef"}}}}}},
            "patterns.topology.services.orders.backends.main.alb.port = 70000: a port is 1-65535",
        ),
        (
            {"services": {"orders-and-more": {**ORDERS, "backends": {"the-primary-backend-of-them-all": {"lambda": "hello"}}}}, "access": []},
            "patterns.topology.services.orders-and-more.backends.the-primary-backend-of-them-all: its function's role would be named "
            "'topology-orders-and-more-the-primary-backend-of-them-all-lambda-role': an IAM role name is 1-64",
        ),
        (
            {"services": {"tg-orders": ORDERS}, "access": []},
            "patterns.topology.services.tg-orders.backends.main: its target group would be named 'tg-orders-main': a target group name is 3-128",
        ),
        (
            {"services": {"abc": {**ORDERS, "backends": {"x-y": {"lambda": "hello"}}}, "abc-x": {**ORDERS, "backends": {"y": {"lambda": "hello"}}}}, "access": []},
            "patterns.topology.services.abc.backends.x-y (its target group) and patterns.topology.services.abc-x.backends.y (its target group) both make 'abc-x-y': "
            "Lattice target group names are unique in account 400000000002; rename one",
        ),
        (
            {"services": {"orders": {**ORDERS, "backends": {"main": {"ip": {"vpc_id": "vpc-0a1b2c3d", "targets": [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(1001)]}}}}}},
            "patterns.topology.services.orders.backends.main: 1001 targets: more than the default quota of 1000; "
            "if your accounts' quota is higher, declare it: patterns.topology.quotas.targets_per_target_group = 1001",
        ),
        (
            {"consumers": {"client": {"account": "app", "networks": ["hub"], "existing_vpc": EXISTING}, "other": {"account": "app", "networks": ["hub"], "existing_vpc": EXISTING}}},
            "patterns.topology.consumers.client.existing_vpc.id and patterns.topology.consumers.other.existing_vpc.id are both vpc-0a1b2c3d: a VPC is one consumer",
        ),
        (
            {"consumers": {"client": {"account": "app", "endpoints": ["hub"], "existing_vpc": {**EXISTING, "endpoint_subnet_ids": ["subnet-1"]}}}},
            "existing_vpc.endpoint_subnet_ids: 'subnet-1': must be a subnet id",
        ),
        (
            {"services": {"orders": {**ORDERS, "custom_domain": "api.example.internal"}, "orders-v2": {**ORDERS, "custom_domain": "api.example.internal"}}, "access": []},
            "patterns.topology.services.orders.custom_domain and patterns.topology.services.orders-v2.custom_domain are both api.example.internal: "
            "they join network hub, where a custom domain names one service",
        ),
        (
            {"accounts": {"net": {"id": "400000000001"}, "app": {"id": "400000000001"}}},
            "patterns.topology.accounts.net.id and patterns.topology.accounts.app.id are both 400000000001: an account has one name in a topology",
        ),
        *[
            (
                {"consumers": {taken: {"account": "app", "networks": ["hub"]}}, "access": [{"from": taken, "to": "orders"}]},
                f"patterns.topology.consumers.{taken}: {taken!r} is taken: construct ids are unique in stack topology-app, and {holder} in topology-app has it",
            )
            for taken, holder in (
                ("aws", "the AWS provider"),
                ("backend", "the state backend"),
                ("amazon-linux", "the AMI lookup"),
                ("instance-profile", "the instance profile"),
                ("accept-hub", "the acceptance of network hub's share"),
                ("topology-net", "the remote state of topology-net"),
                ("topology-net-secret", "the discovery secret reader of topology-net"),
            )
        ],
    ],
)
def test_what_synth_or_apply_would_refuse_is_refused_before(changes: dict, expected: str) -> None:
    """Each of these was accepted by the config and then failed in a construct
    (a traceback after the import) or at apply."""
    problems = problems_of(**variant(**changes))
    assert any(expected in problem for problem in problems), problems


def test_an_auth_policy_is_measured_before_synth(tmp_path) -> None:
    """The policies compiled from the intents stay within Lattice's 10,000 characters;
    the service's is measured with ids as long as AWS's, which exist only at apply."""

    def signed_by(count: int) -> dict:
        principals = [f"arn:aws:iam::400000000002:role/caller-{i:04d}" for i in range(count)]
        return variant(access=[{"from": "client", "to": "orders", "principals": principals}])

    problems = problems_of(**signed_by(216))
    assert [p.split(":")[0] for p in problems] == ["patterns.topology.networks.hub", "patterns.topology.services.orders"], problems
    assert "its auth policy, compiled from patterns.topology.access, would be 10016 characters: VPC Lattice allows 10000" in problems[0]
    out = synth(parse_config(topology_raw(**signed_by(215))), tmp_path / "cdktf.out")  # the construct's own check agrees
    network = load_stacks(out)["topology-net"]
    (policy,) = resources(network, "aws_vpclattice_auth_policy").values()
    assert 9_900 < len(policy["policy"]) <= 10_000


def test_the_checks_beside_a_bad_region_judge_the_region_written_not_the_default() -> None:
    """The certificate check reads the region: with the region refused it used to
    judge against the default one (eu-west-1), which the user never wrote."""
    certificate = "arn:aws:acm:eu-central-1:400000000002:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    raw = topology_raw(**variant(services={"orders": {**ORDERS, "custom_domain": "orders.example.internal", "certificate_arn": certificate}}))
    parse_config({**raw, "region": "eu-central-1"})
    with pytest.raises(ConfigError) as refused:
        parse_config({**raw, "region": "eu-centrall-1"})
    first, *rest = refused.value.problems
    assert first.startswith("region = 'eu-centrall-1': VPC Lattice does not run in this region")
    assert rest == [
        "patterns.topology.services.orders.certificate_arn = '" + certificate + "': is in account 400000000002, region eu-central-1; "
        "it must be in account 400000000002, region eu-centrall-1 (the custom domain of orders)"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"networks": {"hub": {"owner": "nett"}}}, "patterns.topology.networks.hub.owner = 'nett': no such name under patterns.topology.accounts (known: app, net); did you mean 'net'?"),
        (
            {"services": {"orders": {**ORDERS, "networks": ["hubb"]}}},
            "patterns.topology.services.orders.networks[0] = 'hubb': no such name under patterns.topology.networks (known: hub); did you mean 'hub'?",
        ),
        (
            {"consumers": {"client": {"account": "app", "networks": ["hubb"]}}},
            "patterns.topology.consumers.client.networks[0] = 'hubb': no such name under patterns.topology.networks (known: hub); did you mean 'hub'?",
        ),
    ],
)
def test_one_typo_is_one_problem_with_the_name_it_meant(changes: dict, expected: str) -> None:
    """A misspelt owner made its account look unused ("remove it"); a misspelt network
    made an intent look unreachable ("add a shared network"): both wrong advice."""
    assert problems_of(**variant(**changes)) == [expected]


def test_a_name_too_long_for_lambda_is_one_problem_not_its_role_too() -> None:
    backend = "b" * 45
    problems = problems_of(**variant(services={"orders-api": {**ORDERS, "backends": {backend: {"lambda": "hello"}}}}, access=[]))
    assert problems == [
        f"patterns.topology.services.orders-api.backends.{backend}: its function would be named 'topology-orders-api-{backend}', 65 characters: "
        "Lambda allows 64; shorten the service or backend name"
    ]


def test_a_topology_name_meets_another_patterns_in_the_same_account() -> None:
    """Claims of two patterns in one account used to carry different scope texts
    ('account 1 (accounts.service)' and 'account 1') and so never met."""
    raw = topology_raw(
        accounts={"svc": {"id": "111111111111"}, "cons": {"id": "222222222222"}},
        networks={"net": {"owner": "svc"}},
        services={"lambda-service": {"owner": "svc", "networks": ["net"], "backends": {"main": {"lambda": "hello"}}}},
        consumers={"c1": {"account": "cons", "networks": ["net"]}},
        access=[{"from": "c1", "to": "lambda-service"}],
    )
    raw["accounts"] = json.loads(json.dumps(ACCOUNTS))
    raw["patterns"]["distributed"] = {"enabled": True, "target_group_name": "lambda-service-main"}
    with pytest.raises(ConfigError) as refused:
        parse_config(raw)
    assert refused.value.problems == [
        "patterns.distributed.service_name and patterns.topology.services.lambda-service both make 'lambda-service': "
        "Lattice service names are unique in account 111111111111; rename one",
        "patterns.distributed.target_group_name and patterns.topology.services.lambda-service.backends.main (its target group) both make "
        "'lambda-service-main': Lattice target group names are unique in account 111111111111; rename one",
    ]


def test_a_service_policy_is_measured_as_terraform_writes_it(terraform, tmp_path) -> None:
    """A service's policy goes out through jsonencode: its length is the one Terraform
    gives, & < > escaped included (asked of terraform console itself)."""
    from accounts.topology.policies import applied_size

    settings = parse_config(topology_raw(**variant(access=[{"from": "client", "to": "orders", "paths": ["/a&b*", "/c&d&e*"]}]))).patterns.topology
    arn = "arn:aws:vpc-lattice:eu-west-1:400000000002:service/svc-0123456789abcdef0"
    policy = service_auth_policy(settings, "orders", service_arn=arn, vpc_id_of=lambda consumer: "vpc-0123456789abcdef0")
    assert policy is not None
    text = policy.text()
    expression = f"length(jsonencode(jsondecode({json.dumps(text)})))"
    console = subprocess.run([terraform.terraform, "console"], input=expression, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert console.returncode == 0, console.stderr
    assert applied_size(text, encoded_by_terraform=True) == int(console.stdout.strip()) == len(text) + 15


def test_routes_stop_at_the_last_rule_priority_whatever_the_quota() -> None:
    routes = [{"path": f"/r{i}", "forward": {"main": 100}} for i in range(101)]
    service = {"owner": "app", "networks": ["hub"], "backends": {"main": {"lambda": "hello"}}, "routes": routes}
    problems = problems_of(**variant(services={"orders": service}, quotas={"rules_per_listener": 200}))
    assert problems == ["patterns.topology.services.orders.routes: 101 routes: each is a listener rule, and rules take the priorities 1-100 whatever the quota; merge routes"]
    parse_config(topology_raw(**variant(services={"orders": {**service, "routes": routes[:100]}}, quotas={"rules_per_listener": 200})))


def test_a_topology_file_and_inline_tables_do_not_mix() -> None:
    problems = problems_of(file="examples/topologies/hub.toml", networks={})
    assert any("the topology is read from the file; remove networks" in p for p in problems), problems
    assert any("no such file" in p for p in problems_of(file="examples/topologies/absent.toml")), "missing file"


def test_main_exits_2_and_writes_nothing_on_a_bad_topology(tmp_path) -> None:
    config = tmp_path / "lattice.toml"
    lines = [f"[patterns.{name}]\nenabled = false" for name in PATTERNS_BESIDE_TOPOLOGY]
    lines.append('[patterns.topology]\nenabled = true\n[patterns.topology.accounts.a]\nid = "400000000001"\n')
    lines.append('[patterns.topology.networks.hub]\nowner = "b"\n')
    config.write_text("\n".join(lines))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "main.py", "--config", str(config), "--outdir", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert "patterns.topology.networks.hub.owner = 'b': no such name under patterns.topology.accounts (known: a)" in proc.stderr
    assert not out.exists()
