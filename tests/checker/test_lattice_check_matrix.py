"""lattice_check matrix: the matrix files of every pattern pass on the default app;
mismatches fail the run and say what differed; bad files are refused with the field."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from lattice_check.__main__ import main
from lattice_check.graph import Model
from lattice_check.matrix import MatrixError, load_matrix, run_matrix
from tests.helpers import FIXTURES, MATRIX_DIR, ROOT, synth
from tools.matrix_variants import VARIANTS, config_with, shipped_matrices, variant_config

MATRICES = sorted(MATRIX_DIR.glob("*.yaml"))



@pytest.fixture(scope="module")
def outputs(default_out, tmp_path_factory) -> dict[str, Path]:
    """The output each matrix file runs on."""
    found = {}
    for path in MATRICES:
        if path.stem not in VARIANTS:
            found[path.stem] = default_out
            continue
        found[path.stem] = synth(variant_config(path.stem), tmp_path_factory.mktemp(path.stem) / "cdktf.out")
    return found


def test_every_pattern_of_the_default_app_has_a_matrix(default_config) -> None:
    enabled = {name for name, pattern in default_config.patterns if pattern is not None and pattern.enabled}
    assert enabled == {"distributed", "centralized", "shared", "microservices", "ingress", "multicluster"}
    assert {m.stem.split("-")[0] for m in MATRICES} == enabled
    assert set(VARIANTS) <= {m.stem for m in MATRICES}
    # make matrix runs these on cdktf.out, then each variant on its own synth
    assert [m.stem for m in shipped_matrices()] == [m.stem for m in MATRICES if m.stem not in VARIANTS]


def test_make_matrix_runs_every_matrix_on_the_shipped_config_in_scratch_it_removes(tmp_path, capsys, monkeypatch) -> None:
    """make matrix synthesizes examples/lattice.toml (never your lattice.toml) and each
    variant under .build/, runs the shipped matrices first, and leaves no scratch."""
    import main as app
    from safe_io.ownership import FolderMark, mark_folder
    from tools import clean, matrix_variants

    build = clean.build_dir(tmp_path)
    stale = build / f"{matrix_variants.SCRATCH_PREFIX}killed"
    stale.mkdir()
    mark_folder(stale, FolderMark("scratch", "make matrix", 2**22 + 4242))  # a run killed earlier
    monkeypatch.setattr(clean, "build_dir", lambda: build)
    synthesized: list[str] = []

    class Quick:
        def __init__(self, outdir: str) -> None:
            self.outdir = outdir

        def synth(self) -> None:
            synthesized.append(Path(self.outdir).parent.name)

    monkeypatch.setattr(app, "build_app", lambda config, outdir, project_root: Quick(outdir))
    ran: list[str] = []
    monkeypatch.setattr("lattice_check.__main__.main", lambda argv: ran.append(Path(argv[-1]).stem) or (2 if "ingress" in argv[-1] else 0))
    assert matrix_variants.main([]) == 2, "the worst status of any matrix"
    assert synthesized == ["shipped", *VARIANTS]
    assert ran == [m.stem for m in shipped_matrices()] + list(VARIANTS)
    assert sorted(p.name for p in build.iterdir()) == [".written-by-lattice-cdktf"], "its scratch and the killed run's are gone"
    assert matrix_variants.main(["--shipped", "cdktf.out"]) == 2
    assert "make matrix: synthesize the shipped config" in capsys.readouterr().err


@pytest.mark.parametrize("path", MATRICES, ids=lambda p: p.stem)
def test_matrix_files_pass_on_the_default_app(outputs, path, capsys) -> None:
    default_out = outputs[path.stem]
    rows = run_matrix(Model.load(default_out), load_matrix(path))
    failed = [(row.request.name, row.mismatches) for row in rows if not row.passed]
    assert failed == []
    assert main(["matrix", "--out", str(default_out), str(path)]) == 0
    table = capsys.readouterr().out
    assert f"{len(rows)} passed, 0 failed" in table
    assert table.count(" pass\n") == len(rows)


def test_the_seeds_expectations_are_in_the_matrices() -> None:
    """The rows the issue asks for, by what they request and expect."""
    rows = {(r.source, r.url, r.expect.decision, r.expect.status) for m in MATRICES for r in load_matrix(m).requests}
    assert ("distributed-consumer-account/vpc1", "http://lambda-service/", "ALLOW", 200) in rows
    assert ("distributed-consumer-account/vpc2", "http://lambda-service/", "ALLOW", 200) in rows
    assert ("shared-common-account/shared-services-main", "http://lambda-service/", "UNREACHABLE", None) in rows
    assert ("shared-blue-account/blue-sandbox", "http://shared-service/?q=blue", "ALLOW", 200) in rows
    assert ("shared-blue-account/blue-sandbox", "http://shared-service/?q=green", "DENY", 403) in rows
    # seed 003's third way in (issue #32): the VPC Lattice API through the edge VPC's interface endpoint
    api = "https://vpc-lattice.eu-west-1.amazonaws.com/"
    assert ("ingress-edge-account/ingress-edge", api, "ALLOW", None) in rows
    over_vpn = {(r.via, r.from_cidr, r.url, r.expect.decision, r.expect.status) for r in load_matrix(MATRIX_DIR / "ingress-vpn.yaml").requests}
    assert ("ingress-edge-account/ingress-edge", "172.16.5.10", api, "ALLOW", None) in over_vpn


@pytest.mark.parametrize("stem, base", [("microservices", "https://food.cross-account-microservices.com/v1/orders"),
                                        ("microservices-lattice", "https://cross-account-microservices-food/v1/orders")])
def test_the_ordering_rows_of_issue_14_are_in_both_transports(stem, base) -> None:
    rows = load_matrix(MATRIX_DIR / f"{stem}.yaml").requests
    client = "microservices-consumer-account/cross-account-microservices"
    wanted = [
        ("POST", base, '{"food": "pizza", "fullName": "Jane Doe"}', 200),
        ("GET", base + "/{{ pizza.json.order.orderId }}", None, 200),
        ("GET", base + "?orderDate={{ pizza.json.order.orderDate }}", None, 200),
        ("POST", base, '{"food": "sushi", "fullName": "Jane Doe"}', 400),
    ]
    found = [(r.method, r.url, json.dumps(r.body) if r.body is not None else None, r.expect.status) for r in rows if r.source == client]
    assert all(w in found for w in wanted)
    by_url = {r.url: r for r in rows}
    assert by_url[base + "/{{ pizza.json.order.orderId }}"].expect.json_body == "{{ pizza.json.order }}"
    assert by_url[base + "?orderDate={{ pizza.json.order.orderDate }}"].expect.json_includes == "{{ pizza.json.order }}"
    assert any(r.source.startswith("microservices-food-account/") and r.expect.decision == "UNREACHABLE" for r in rows)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(text)
    return path


def test_a_wrong_expectation_fails_the_run_and_says_what_differed(default_out, tmp_path, capsys) -> None:
    path = write(tmp_path, """
requests:
  - name: green asks for blue (wrongly expected to pass)
    from: shared-green-account/green-sandbox
    url: http://shared-service/?q=blue
    expect: {decision: ALLOW, status: 200, body_contains: endpoint, reason_contains: [no such reason]}
  - name: green asks for green
    from: shared-green-account/green-sandbox
    url: http://shared-service/?q=green
    expect: {status: 200}
""")
    assert main(["matrix", "--out", str(default_out), str(path)]) == 1
    out = capsys.readouterr().out
    assert "1 passed, 1 failed" in out
    assert 'decision: expected "ALLOW", got "DENY"' in out
    assert "status: expected 200, got 403" in out
    assert 'body: expected to contain "endpoint", got "AccessDeniedException: User: anonymous' in out
    assert 'reasons: none contains "no such reason"' in out
    assert "* service auth policy: " in out  # the failing row's reasons follow
    lines = out.splitlines()
    assert lines[0].split() == ["#", "request", "from", "expected", "got", "result"]
    assert lines[2].endswith("FAIL") and lines[3].endswith("pass")


@pytest.mark.parametrize(
    "text, message",
    [
        ("requests: [", "not valid YAML"),
        ("- a list", "expected a mapping with a 'requests' list, got list"),
        ("requests: []", "requests: List should have at least 1 item"),
        (
            "requests:\n  - {name: a, from: s/v, url: 'http://x/', expect: {stauts: 200}}",
            "requests[0].expect.stauts: unknown key (allowed here: body, body_contains, decision, json, json_includes, reachable, reason_contains, status); did you mean 'status'?",
        ),
        ("requests:\n  - {name: a, from: s/v, url: 'http://x/', expect: {}}", "expect is empty: give at least one of reachable"),
        ("requests:\n  - {name: a, from: s/v, url: 'http://x/', expect: {status: '200'}}", "requests[0].expect.status = '200': Input should be a valid integer"),
        ("requests:\n  - {name: a, from: nostack, url: 'http://x/', expect: {status: 200}}", "requests[0].from = 'nostack': String should match pattern"),
        ("requests:\n  - {name: a, url: 'http://x/', expect: {status: 200}}", "requests[0]: give from: <stack>/<VPC Name tag>, or via: <stack>/<VPC Name tag> with from_cidr (not both)"),
        ("requests:\n  - {name: a, from: s/v, via: s/v, from_cidr: 10.0.0.1, url: 'http://x/', expect: {status: 200}}", "requests[0]: give from: <stack>/<VPC Name tag>, or via:"),
        ("requests:\n  - {name: a, via: s/v, url: 'http://x/', expect: {status: 200}}", "requests[0]: via and from_cidr go together"),
        ("requests:\n  - {name: a, from: s/v, url: 'http://x/', expect: {decision: MAYBE}}", "requests[0].expect.decision = 'MAYBE': Input should be 'ALLOW', 'DENY', 'UNREACHABLE' or 'UNKNOWN'"),
        ("requests:\n  - {name: a, from: s/v, url: 'http://x/{{ b.json.id }}', expect: {status: 200}}", "requests[0] (a): {{ b.json.id }} names no earlier row (ids so far: none)"),
        (
            "requests:\n  - {name: a, id: a, from: s/v, url: 'http://x/', expect: {status: 200}}\n  - {name: b, from: s/v, url: 'http://x/', expect: {json: '{{ c.json }}'}}",
            "requests[1] (b): {{ c.json }} names no earlier row (ids so far: a)",
        ),
        (
            "requests:\n  - {name: a, id: a, from: s/v, url: 'http://x/', expect: {status: 200}}\n  - {name: b, from: s/v, url: 'http://x/{{ a.headers }}', expect: {status: 200}}",
            "requests[1] (b): {{ a.headers }}: refer to <id>.status, <id>.body or <id>.json.<key>...",
        ),
        (
            "requests:\n  - {name: a, id: a, from: s/v, url: 'http://x/', expect: {status: 200}}\n  - {name: b, id: a, from: s/v, url: 'http://x/', expect: {status: 200}}",
            "requests[1] (b): id 'a' is used by an earlier row",
        ),
        ("requests:\n  - {name: a, id: 1a, from: s/v, url: 'http://x/', expect: {status: 200}}", "requests[0].id = '1a': String should match pattern"),
    ],
)
def test_bad_matrix_files_are_refused_with_the_field(tmp_path, text, message) -> None:
    with pytest.raises(MatrixError) as error:
        load_matrix(write(tmp_path, text))
    assert message in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "matrix.yaml"))


def test_a_request_naming_an_unknown_vpc_is_bad_input(default_out, tmp_path, capsys) -> None:
    path = write(tmp_path, "requests:\n  - {name: lost, from: distributed-consumer-account/vpc9, url: 'http://lambda-service/', expect: {status: 200}}")
    assert main(["matrix", "--out", str(default_out), str(path)]) == 2
    err = capsys.readouterr().err
    assert "requests[0] (lost): --from 'distributed-consumer-account/vpc9': distributed-consumer-account has no VPC named 'vpc9' (VPCs: vpc1, vpc2)" in err


def test_missing_files_exit_2(default_out, tmp_path, capsys) -> None:
    assert main(["matrix", "--out", str(default_out), str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: no such file" in capsys.readouterr().err
    assert main(["matrix", "--out", str(tmp_path / "no-out"), str(MATRICES[0])]) == 2
    assert "no-out: no such directory (synthesize first: make synth, or give --out DIR)" in capsys.readouterr().err


MULTICLUSTER = FIXTURES / "multicluster"


def test_hand_written_terraform_of_the_multicluster_seed(capsys) -> None:
    """Any Terraform JSON of cdktf.out's shape: this one is written by hand (object-form
    blocks, literal JSON policies, S3 remote state, custom domains with Route 53
    records, IP targets, a fixed-response rule), with the seed's expectations:
    cluster1 -> cluster2 allowed, cluster1 -> itself denied, and the reverse."""
    assert "//" not in (MULTICLUSTER / "stacks" / "cluster1" / "main.tf.json").read_text()
    rows = run_matrix(Model.load(MULTICLUSTER), load_matrix(MULTICLUSTER / "matrix.yaml"))
    assert [row.mismatches for row in rows] == [[]] * 7
    by_name = {row.request.name: row.answer for row in rows}
    allowed = by_name["cluster1 app1 calls cluster2 app2 (success)"]
    assert (allowed.decision, allowed.status) == ("ALLOW", None)
    assert "not modeled: the caller's identity-based policy is not in this output (assumed to allow)" in allowed.reasons
    assert "ids from another stack: cluster1 reads the remote state of environment" in allowed.reasons
    assert main(["matrix", "--out", str(MULTICLUSTER), str(MULTICLUSTER / "matrix.yaml")]) == 0
    assert "7 passed, 0 failed" in capsys.readouterr().out


def test_the_command_is_a_script_of_the_project_environment() -> None:
    scripts = tomllib.loads((ROOT / "Pipfile").read_text())["scripts"]
    assert scripts["lattice_check"] == "python -m lattice_check"  # pipenv run lattice_check ...


def test_rows_refer_to_what_earlier_rows_got(default_out, tmp_path) -> None:
    """A reference in the URL, the body and the expectations; a whole-value reference
    keeps its type; a missing key fails that row without sending it."""
    path = write(tmp_path, """
requests:
  - name: place
    id: place
    from: microservices-consumer-account/cross-account-microservices
    method: POST
    url: https://food.cross-account-microservices.com/v1/orders
    body: {food: salat, fullName: Ann}
    expect: {status: 200}
  - name: again, by its id, with the name from the first answer
    id: again
    from: microservices-consumer-account/cross-account-microservices
    method: POST
    url: https://food.cross-account-microservices.com/v1/orders
    body: {food: "{{ place.json.order.food }}", fullName: "{{ place.json.order.fullName }} {{ place.status }}"}
    expect: {status: 200, json_includes: {order: {food: salat}}}
  - name: expected wrongly
    from: microservices-consumer-account/cross-account-microservices
    url: https://food.cross-account-microservices.com/v1/orders/{{ again.json.order.orderId }}
    expect: {json: "{{ place.json.order }}", json_includes: {fullName: Bob}}
  - name: a key that is not there
    from: microservices-consumer-account/cross-account-microservices
    url: https://food.cross-account-microservices.com/v1/orders/{{ again.json.order.id }}
    expect: {status: 200}
""")
    rows = run_matrix(Model.load(default_out), load_matrix(path))
    assert [row.passed for row in rows] == [True, True, False, False]
    second = json.loads(rows[1].answer.body)["order"]
    assert second["fullName"] == "Ann 200"
    third = rows[2].mismatches
    assert third[0].startswith('json: expected {"orderId": "' + json.loads(rows[0].answer.body)["order"]["orderId"])
    assert third[1].startswith('json: expected to include {"fullName": "Bob"}, got {"')
    assert rows[3].mismatches == [f"not sent: {{{{ again.json.order.id }}}}: 'id' is not in {json.dumps(second)[:79]}…"]
    assert rows[3].answer.reasons == ["not sent: " + rows[3].mismatches[0].removeprefix("not sent: ")]


@pytest.mark.parametrize("stem", ["microservices", "microservices-lattice"])
def test_the_ordering_matrices_pass_over_the_secret_channel_too(stem, tmp_path) -> None:
    """discovery = "secrets_manager": the ids reach the microservices through the
    consumer's secret instead of remote state; every row answers the same."""
    out = synth(config_with("microservices", {**VARIANTS.get(stem, {}), "discovery": "secrets_manager"}), tmp_path / "cdktf.out")
    rows = run_matrix(Model.load(out), load_matrix(MATRIX_DIR / f"{stem}.yaml"))
    assert [(row.request.name, row.mismatches) for row in rows if not row.passed] == []
    assert any("reads the Secrets Manager secret cross-account-microservices of microservices-consumer-account" in r for r in rows[0].answer.reasons)
    assert not any("remote state" in r for r in rows[0].answer.reasons)


def test_the_lattice_transport_answers_on_the_services_dns_name(outputs) -> None:
    """The matrix uses the offline Lattice name; the generated DNS name (the stack's url output) answers the same."""
    from lattice_check.curl import curl
    from lattice_check.dynamodb import Tables
    from lattice_check.topology import Topology

    model = Model.load(outputs["microservices-lattice"])
    topology = Topology(model)
    (food,) = [s for s in topology.services if s.name == "cross-account-microservices-food"]
    tables = Tables()
    placed = curl(model, "microservices-consumer-account/cross-account-microservices", f"https://{food.dns_name}/v1/orders", method="POST",
                  headers={"Content-Type": "application/json"}, data=json.dumps({"food": "pizza", "fullName": "Jane Doe"}), topology=topology, tables=tables)
    assert (placed.decision, placed.status) == ("ALLOW", 200)
    order = json.loads(placed.body)["order"]
    read = curl(model, "microservices-consumer-account/cross-account-microservices", f"https://{food.dns_name}/v1/orders/{order['orderId']}", topology=topology, tables=tables)
    assert (read.status, json.loads(read.body)) == (200, order)
    stack = model.stacks["microservices-food-account"]
    assert model.resolve(stack.document["output"]["url"]["value"], stack) == f"https://{food.dns_name}/v1/orders"
