"""lattice_check on Terraform it did not synthesize: the JSON of ``terraform show -json``
for a plan and for state. A hand-written HCL project (tests/fixtures/hcl_lattice) is
planned and applied by the real terraform against a local AWS emulator (moto's
server, tools/aws_emulator.py); its plan, its state and its cdktf equivalent answer
every request of its matrix alike, and ``diff --before/--after`` names exactly the
calls a change opens or closes."""
from __future__ import annotations

import copy
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lattice_check.__main__ import main
from lattice_check.backends import state_names
from lattice_check.graph import Model
from lattice_check.matrix import load_matrix, run_matrix
from lattice_check.shown_values import PLAN, STATE
from lattice_check.terraform_show import Input, convert
from tests.helpers import FIXTURES
from tools.aws_emulator import Shown, emulator, plan_and_show

PROJECT = FIXTURES / "hcl_lattice"
MATRIX = PROJECT / "matrix.yaml"
ACCOUNT = "123456789012"
CHECKOUT = f"arn:aws:sts::{ACCOUNT}:assumed-role/checkout/lattice-check"


def _orders_zip(folder: Path) -> None:
    with zipfile.ZipFile(folder / "orders.zip", "w") as archive:
        archive.write(PROJECT / "orders.py", "orders.py")


@pytest.fixture(scope="module")
def hcl(terraform, tmp_path_factory) -> Shown:
    """The project planned and applied against the emulator (in a copy: the fixture
    folder is never written)."""
    before = sorted(p.name for p in PROJECT.rglob("*"))
    with emulator() as url:
        shown = plan_and_show(terraform, PROJECT, tmp_path_factory.mktemp("hcl") / "hcl", url, apply=True, prepare=_orders_zip)
    assert shown.apply_error == ""
    assert sorted(p.name for p in PROJECT.rglob("*")) == before
    return shown


@pytest.fixture(scope="module")
def cdktf_equivalent(tmp_path_factory) -> Path:
    from tests.fixtures.hcl_lattice.equivalent import synthesize

    outdir = synthesize(tmp_path_factory.mktemp("equivalent") / "cdktf.out")
    _orders_zip(outdir / "stacks" / "hcl")
    return outdir


def _answers(model: Model) -> list[tuple[Any, ...]]:
    rows = run_matrix(model, load_matrix(MATRIX))
    assert all(row.passed for row in rows), [(row.request.name, row.mismatches) for row in rows if not row.passed]
    # a denial names the service's ARN: a stand-in, a planned one or the real one
    return [(row.request.name, row.answer.decision, row.answer.status, re.sub(r"svc-[0-9a-f-]+", "svc-ID", row.answer.body)) for row in rows]


def test_the_plan_the_state_and_the_cdktf_equivalent_answer_every_row_alike(hcl, cdktf_equivalent) -> None:
    from_plan = _answers(Model.load(None, [Input(PLAN, hcl.plan, "hcl")]))
    from_state = _answers(Model.load(None, [Input(STATE, hcl.state, "hcl")]))
    from_cdktf = _answers(Model.load(cdktf_equivalent))
    assert from_plan == from_state == from_cdktf
    assert len(from_plan) == 9 and {row[1] for row in from_plan} == {"ALLOW", "DENY", "UNREACHABLE"}


def test_modules_and_values_known_only_after_apply_become_references(hcl) -> None:
    document = convert(json.loads(hcl.plan.read_text()), PLAN)
    vpcs = document["resource"]["aws_vpc"]
    assert sorted(vpcs) == ["consumer_vpc--this", "isolated_vpc--this"]
    assert vpcs["consumer_vpc--this"]["//"] == {"address": "module.consumer_vpc.aws_vpc.this"}
    assert "consumer_vpc--private-1" in document["resource"]["aws_subnet"]
    association = document["resource"]["aws_vpclattice_service_network_vpc_association"]["consumer"]
    # module.consumer_vpc.vpc_id -> the module's output -> aws_vpc.this.id inside it; a list stays a list
    assert association["vpc_identifier"] == "${aws_vpc.consumer_vpc--this.id}"
    assert association["security_group_ids"] == ["${aws_security_group.consumer_vpc--lattice.id}"]
    attachment = document["resource"]["aws_vpclattice_target_group_attachment"]["orders"]
    assert attachment["target"] == [{"id": "${aws_lambda_function.orders.arn}"}]
    assert document["provider"]["aws"] == [{"region": "eu-west-1", "allowed_account_ids": [ACCOUNT]}]  # [var.account_id]
    # a known policy is used as it is; a destroyed resource is gone
    assert "CheckoutPosts" in document["resource"]["aws_vpclattice_auth_policy"]["payments"]["policy"]


def test_state_uses_the_real_ids_and_arns(hcl) -> None:
    model = Model.load(None, [Input(STATE, hcl.state, "hcl")])
    stack = model.stacks["hcl"]
    deployed = json.loads(hcl.state.read_text())["values"]["root_module"]["resources"]
    real = next(r["values"]["arn"] for r in deployed if r["address"] == "aws_vpclattice_service.orders")
    assert model.attribute(stack, "aws_vpclattice_service", "orders", "arn") == real
    assert stack.account == ACCOUNT and stack.region == "eu-west-1"  # from the ARNs: state names no provider


def test_a_value_no_reference_gives_is_answered_as_unknown_with_its_address(hcl, tmp_path, capsys) -> None:
    plan = json.loads(hcl.plan.read_text())
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_vpclattice_auth_policy.orders")
    del change["change"]["after"]["policy"]  # as a policy naming an ARN made by the apply: unknown, from several references
    change["change"]["after_unknown"]["policy"] = True
    config = next(r for r in plan["configuration"]["root_module"]["resources"] if r["address"] == "aws_vpclattice_auth_policy.orders")
    config["expressions"]["policy"] = {"references": ["aws_vpclattice_service.orders.arn", "aws_vpclattice_service.orders", "var.account_id"]}
    edited = tmp_path / "hcl.json"
    edited.write_text(json.dumps(plan))
    status = main(["curl", "--plan", str(edited), "--from", "hcl/consumer", "--principal", CHECKOUT, "http://orders/"])
    out = capsys.readouterr().out
    assert status == 1
    assert "aws_vpclattice_auth_policy.orders.policy is known only after apply" in out and "< UNKNOWN" in out


def _state_with(hcl: Shown, tmp_path: Path, address: str, edit: Any) -> Path:
    state = json.loads(hcl.state.read_text())
    modules = [state["values"]["root_module"], *state["values"]["root_module"].get("child_modules", [])]
    resource = next(r for module in modules for r in module["resources"] if r["address"] == address)
    edit(resource["values"])
    path = tmp_path / f"edited-{len(list(tmp_path.glob('*.json')))}.json"
    path.write_text(json.dumps(state))
    shutil.copy(hcl.state.parent / "orders.zip", tmp_path)  # the function's package, where the state says
    return path


def _policy_edit(change: Any) -> Any:
    def edit(values: dict[str, Any]) -> None:
        policy = json.loads(values["policy"])
        change(policy["Statement"][0])
        values["policy"] = json.dumps(policy)

    return edit


def _diff(capsys, before: Path, after: Path, *more: str) -> tuple[int, str]:
    status = main(["diff", "--before", f"hcl={before}", "--after", f"hcl={after}", *more])
    return status, capsys.readouterr().out


def test_diff_of_a_plan_that_changes_no_access_opens_and_closes_nothing(hcl, tmp_path, capsys) -> None:
    assert _diff(capsys, hcl.state, hcl.plan) == (0, "no call opens or closes\n24 calls compared: 0 open, 0 close, 0 cannot be told\n")
    tagged = _state_with(hcl, tmp_path, "module.consumer_vpc.aws_vpc.this", lambda v: v["tags"].update(Team="platform"))
    described = _state_with(hcl, tmp_path, "module.consumer_vpc.aws_security_group.lattice", lambda v: v.update(description="changed"))
    for after in (tagged, described):
        assert _diff(capsys, hcl.state, after)[0] == 0


@pytest.mark.parametrize(
    ("address", "change", "opened"),
    [
        # one method: payments also answers GET to checkout
        ("aws_vpclattice_auth_policy.payments",
         lambda s: s["Condition"]["StringEquals"].update({"vpc-lattice-svcs:RequestMethod": ["POST", "GET"]}),
         [f"hcl/consumer -> GET http://payments/ as {CHECKOUT}"]),
        # one principal: the role reporting may post to payments too
        ("aws_vpclattice_auth_policy.payments",
         lambda s: s["Principal"].update(AWS=[s["Principal"]["AWS"], f"arn:aws:iam::{ACCOUNT}:role/reporting"]),
         [f"hcl/consumer -> POST http://payments/ as arn:aws:sts::{ACCOUNT}:assumed-role/reporting/lattice-check"]),
        # one account: the network admits callers of 210987654321, and orders answers their GET
        ("aws_vpclattice_auth_policy.network",
         lambda s: s["Condition"]["StringEquals"].update({"aws:PrincipalAccount": [ACCOUNT, "210987654321"]}),
         ["hcl/consumer -> GET http://orders/ as arn:aws:sts::210987654321:assumed-role/lattice-check/lattice-check"]),
    ],
    ids=["method", "principal", "account"],
)
def test_diff_of_a_widened_policy_names_exactly_the_calls_it_opens(hcl, tmp_path, capsys, address, change, opened) -> None:
    widened = _state_with(hcl, tmp_path, address, _policy_edit(change))
    status = main(["diff", "--before", f"hcl={hcl.state}", "--after", f"hcl={widened}", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [f"{c['origin']} -> {c['method']} {c['url']} as {c['principal']}" for c in result["opened"]] == opened
    assert result["closed"] == [] and result["unknown"] == []
    # the other way round, the same calls close
    status, out = _diff(capsys, widened, hcl.state)
    assert status == 1 and [line.split("  (")[0] for line in out.splitlines() if line.startswith("- closes")] == [f"- closes  {call}" for call in opened]


def test_diff_asks_a_matrix_files_requests_when_given(hcl, tmp_path, capsys) -> None:
    narrowed = _state_with(hcl, tmp_path, "aws_vpclattice_auth_policy.orders", _policy_edit(lambda s: s["Condition"]["StringEquals"].update({"vpc-lattice-svcs:RequestMethod": "HEAD"})))
    status, out = _diff(capsys, hcl.state, narrowed, "--requests", str(MATRIX))
    assert status == 1
    assert out.splitlines()[0].startswith(f"- closes  hcl/consumer -> GET http://orders/v1/orders as arn:aws:sts::{ACCOUNT}:assumed-role/checkout/session  (ALLOW 200 -> DENY 403")
    assert out.splitlines()[-1] == "9 calls compared: 0 open, 2 close, 0 cannot be told"


def test_drift_a_console_edit_in_state_fails_the_matrix_row_it_changes(hcl, tmp_path, capsys) -> None:
    opened = _state_with(hcl, tmp_path, "aws_vpclattice_auth_policy.payments", _policy_edit(lambda s: s.update(Principal="*")))
    status = main(["matrix", "--tfstate", f"hcl={opened}", str(MATRIX)])
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.endswith("  FAIL")]
    assert status == 1 and "8 passed, 1 failed" in out
    assert len(failed) == 1 and "another role of the account may not post to payments" in failed[0] and "ALLOW 200" in failed[0]


@pytest.mark.parametrize(
    ("write", "option", "message"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04\xff\xfe binary"), "--plan", "not text: a saved plan is binary; give what `terraform show -json"),
        (lambda p: p.write_text('{"format_version": "1.0", "values": {}}'), "--plan", "not a plan (it is state: give it with --tfstate)"),
        (lambda p: p.write_text('{"format_version": "1.2", "planned_values": {}}'), "--tfstate", "a plan, not state: give it with --plan"),
        (lambda p: p.write_text('{"format_version": "1.2", "planned_values": {}, "errored": true}'), "--plan", "the plan errored"),
        (lambda p: p.write_text("[1, 2]"), "--plan", "not the JSON of terraform show -json"),
        (lambda p: p.write_text("{"), "--tfstate", "hcl.json"),
    ],
    ids=["binary-plan", "state-as-plan", "plan-as-state", "errored", "not-show-json", "broken-json"],
)
def test_a_bad_plan_or_state_is_one_line_and_exit_2(tmp_path, capsys, write, option, message) -> None:
    path = tmp_path / "hcl.json"
    write(path)
    assert main(["curl", option, str(path), "--from", "hcl/consumer", "http://orders/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {option} ") and message in err and len(err.strip().splitlines()) == 1


def test_a_folder_of_plans_is_read_by_file_name_and_an_empty_one_is_refused(hcl, tmp_path, capsys) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(hcl.plan, folder / "hcl.json")
    assert main(["curl", "--plan", str(folder), "--from", "hcl/consumer", "--principal", CHECKOUT, "-X", "POST", "http://payments/"]) == 0
    capsys.readouterr()
    (tmp_path / "empty").mkdir()
    assert main(["matrix", "--plan", str(tmp_path / "empty"), str(MATRIX)]) == 2
    assert "a folder without *.json files" in capsys.readouterr().err


def test_diff_needs_both_sides_and_not_topologies_as_well(tmp_path, capsys) -> None:
    assert main(["diff", "--before", "x.json"]) == 2
    assert "--before and --after go together" in capsys.readouterr().err
    assert main(["diff", "a.toml", "b.toml", "--after", "x.json"]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_plan_replaces_the_cdktf_stack_of_its_name(hcl, cdktf_equivalent) -> None:
    model = Model.load(cdktf_equivalent, [Input(PLAN, hcl.plan, "hcl")])
    assert model.stacks["hcl"].source == PLAN
    assert "consumer_vpc--this" in model.stacks["hcl"].resources("aws_vpc")


def test_remote_state_locations_name_their_stacks() -> None:
    assert state_names(("local", "../../../terraform-state/network.tfstate", None, None)) == {"network"}
    assert state_names(("local", "terraform.network.tfstate", None, None)) == {"network"}
    assert state_names(("s3", None, "bucket", "env/network/terraform.tfstate")) == {"network"}
    assert state_names(("hcp", "app.terraform.io", "org", "network")) == {"network"}
    assert copy.deepcopy(state_names(("local", None, None, None))) == set()


def test_the_plan_kept_for_the_docs_is_the_projects_plan_today(hcl) -> None:
    """tests/fixtures/hcl_lattice/shown/hcl.json (the docs' sessions read it) is what
    python -m tools.aws_emulator makes of the project now."""
    from tools.aws_emulator import stable_plan

    kept = json.loads((PROJECT / "shown" / "hcl.json").read_text())
    assert convert(kept, PLAN) == convert(stable_plan(json.loads(hcl.plan.read_text())), PLAN)
    assert "127.0.0.1" not in json.dumps(kept) and "timestamp" not in kept


def test_a_function_whose_package_is_not_beside_the_plan_says_so(capsys) -> None:
    """The kept plan names ./orders.zip, which only its apply would upload: the call is
    allowed, and the answer says the package is not there (no traceback, no guess)."""
    status = main(["curl", "--plan", str(PROJECT / "shown" / "hcl.json"), "--from", "hcl/consumer", "--principal", CHECKOUT, "http://orders/"])
    out = capsys.readouterr().out
    assert status == 1 and "< ALLOW 502" in out
    assert f"its package {PROJECT / 'shown' / 'orders.zip'} is not there to run" in out and "Traceback" not in out
