"""lattice_check against the synthesized Terraform for what issue 13 added: the
caller's own identity-based policies when its role is in the output, declared
AWS Organizations (aws:PrincipalOrgID and RAM shares inside an organization), and
the request's time (--time, a matrix file's time)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from lattice_check.__main__ import main
from lattice_check.curl import curl
from lattice_check.graph import Model
from lattice_check.organizations import BadLayout, Organizations

BLUE_VPC = "shared-blue-account/blue-sandbox"
BLUE_URL = "http://shared-service/?q=blue"
BLUE_SESSION = "arn:aws:sts::444444444444:assumed-role/shared-blue-caller-lambda-role/shared-BlueFunction"
INVOKE_POLICY = {"Statement": [{"Sid": "CallTheDirectory", "Effect": "Allow", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"}]}


def blue_resources(model: Model) -> dict:
    return model.stacks["shared-blue-account"].document["resource"]


def test_a_role_of_the_output_without_an_invoke_permission_is_denied(model: Model) -> None:
    """Its one managed policy, AWSLambdaVPCAccessExecutionRole, is known: it allows no invoke."""
    denied = curl(model, BLUE_VPC, BLUE_URL, principal=BLUE_SESSION)
    assert (denied.decision, denied.status) == ("DENY", 403)
    assert any("identity of role shared-blue-caller-lambda-role (aws_iam_role.caller_role in shared-blue-account)" in r for r in denied.reasons)
    assert denied.body.endswith("because no identity-based policy allows the vpc-lattice-svcs:Invoke action")
    assert denied.body.startswith(f"AccessDeniedException: User: {BLUE_SESSION} is not authorized")


def test_a_managed_policy_the_checker_does_not_know_leaves_the_answer_open(model: Model) -> None:
    attachment = blue_resources(model)["aws_iam_role_policy_attachment"]["caller_vpc-access-attachment"]
    attachment["policy_arn"] = "arn:aws:iam::aws:policy/AmazonVPCFullAccess"
    answer = curl(model, BLUE_VPC, BLUE_URL, principal=BLUE_SESSION)
    assert answer.decision == "UNKNOWN"
    assert any("AmazonVPCFullAccess (not in this output) could allow" in r for r in answer.reasons)


def test_an_inline_role_policy_that_allows_invoke(model: Model) -> None:
    blue_resources(model)["aws_iam_role_policy"] = {
        "invoke": {"name": "invoke", "role": "${aws_iam_role.caller_role.id}", "policy": json.dumps(INVOKE_POLICY)}
    }
    answer = curl(model, BLUE_VPC, BLUE_URL, principal=BLUE_SESSION)
    assert (answer.decision, answer.status, answer.body) == ("ALLOW", 200, '{"endpoint": "blue"}')
    assert any("allowed by aws_iam_role_policy.invoke, statement CallTheDirectory" in r for r in answer.reasons)
    assert not any("not in this output" in r for r in answer.reasons)  # every policy of the role is known


@pytest.mark.parametrize("written, status", [("role/teams/shared-blue-caller-lambda-role", 200), ("role/shared-blue-caller-lambda-role", 403)])
def test_principal_arn_is_the_roles_arn_with_its_path(model: Model, written: str, status: int) -> None:
    """A session's ARN names the role without its path; aws:PrincipalArn has it."""
    role = blue_resources(model)["aws_iam_role"]["caller_role"]
    role["path"] = "/teams/"
    condition = {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::444444444444:{written}"}}
    policy = {"Statement": [INVOKE_POLICY["Statement"][0] | {"Condition": condition}], "Version": "2012-10-17"}
    role["inline_policy"] = [{"name": "by-arn", "policy": json.dumps(policy)}]
    answer = curl(model, BLUE_VPC, BLUE_URL, principal=BLUE_SESSION)
    assert answer.status == status, answer.reasons


@pytest.mark.parametrize(
    "role_tags, default_tags, session_tags, status",
    [
        ({"team": "blue"}, {}, {}, 200),  # the role's own tags are the session's principal tags
        ({}, {"team": "blue"}, {}, 200),  # the provider's default tags tag the role too
        ({"team": "green"}, {"team": "blue"}, {}, 403),  # the role's own tag wins over a default
        ({"team": "blue"}, {}, {"team": "green"}, 403),  # a session tag wins over the role's
        ({}, {}, {}, 403),
    ],
)
def test_principal_tags_are_the_roles_tags_under_the_sessions(model: Model, role_tags: dict, default_tags: dict, session_tags: dict, status: int) -> None:
    role = blue_resources(model)["aws_iam_role"]["caller_role"]
    role["tags"] = role_tags
    provider = model.stacks["shared-blue-account"].document["provider"]["aws"]
    (provider[0] if isinstance(provider, list) else provider)["default_tags"] = [{"tags": default_tags}]
    condition = {"StringEquals": {"aws:PrincipalTag/team": "blue"}}
    role["inline_policy"] = [{"name": "by-tag", "policy": json.dumps({"Statement": [INVOKE_POLICY["Statement"][0] | {"Condition": condition}]})}]
    answer = curl(model, BLUE_VPC, BLUE_URL, principal=BLUE_SESSION, tags=session_tags)
    assert answer.status == status, answer.reasons


def test_a_deny_in_a_policy_document_data_source_wins(model: Model) -> None:
    stack = model.stacks["shared-blue-account"]
    stack.document.setdefault("data", {})["aws_iam_policy_document"] = {
        "guard": {
            "statement": [
                {"sid": "Invoke", "actions": ["vpc-lattice-svcs:Invoke"], "resources": ["*"]},
                {"sid": "NoGreen", "effect": "Deny", "actions": ["vpc-lattice-svcs:Invoke"], "resources": ["*"],
                 "condition": [{"test": "StringEquals", "variable": "vpc-lattice-svcs:RequestQueryString/q", "values": ["green"]}]},
            ]
        }
    }
    blue_resources(model)["aws_iam_role"]["caller_role"]["inline_policy"] = [{"name": "guard", "policy": "${data.aws_iam_policy_document.guard.json}"}]
    allowed = curl(model, BLUE_VPC, BLUE_URL, principal=BLUE_SESSION)
    assert allowed.decision == "ALLOW" and any("inline policy guard of aws_iam_role.caller_role, statement Invoke" in r for r in allowed.reasons)
    denied = curl(model, BLUE_VPC, "http://shared-service/?q=green", principal=BLUE_SESSION)
    assert denied.status == 403 and "explicitly denied by inline policy guard of aws_iam_role.caller_role, statement NoGreen" in " ".join(denied.reasons)


def test_a_caller_defined_elsewhere_is_assumed_to_allow_and_said(model: Model) -> None:
    answer = curl(model, BLUE_VPC, BLUE_URL, principal="arn:aws:sts::444444444444:assumed-role/some-other-role/s")
    assert answer.decision == "ALLOW"
    assert "not modeled: the caller's identity-based policy is not in this output (assumed to allow)" in answer.reasons


def test_a_share_inside_a_declared_organization(model: Model) -> None:
    service = model.stacks["distributed-service-account"]
    next(iter(service.resources("aws_ram_resource_share").values()))["allow_external_principals"] = False
    model.stacks["distributed-consumer-account"].document["resource"].pop("aws_ram_resource_share_accepter")
    together = Organizations.parse(["o-abc123defg:111111111111,222222222222"])
    inside = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/", organizations=together)
    assert inside.status == 200 and any("inside the organization (both accounts are in o-abc123defg (declared))" in r for r in inside.reasons)
    apart = Organizations.parse(["o-abc123defg:111111111111", "o-zzz987zyxw:222222222222"])
    outside = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/", organizations=apart)
    assert outside.decision == "UNREACHABLE"
    assert any("allow_external_principals = false, but account 222222222222 is in o-zzz987zyxw and the owner 111111111111 is in o-abc123defg" in r for r in outside.reasons)


def test_a_share_with_an_organization_is_decided_by_membership(model: Model) -> None:
    service = model.stacks["distributed-service-account"]
    for association in service.resources("aws_ram_principal_association").values():
        association["principal"] = "arn:aws:organizations::111111111111:organization/o-abc123defg"
    model.stacks["distributed-consumer-account"].document["resource"].pop("aws_ram_resource_share_accepter")
    assumed = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/")
    assert assumed.status == 200 and any("membership of 222222222222 is not declared: assumed; give --org" in r for r in assumed.reasons)
    member = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/", organizations=Organizations.parse(["o-abc123defg:222222222222"]))
    assert member.status == 200 and any("account 222222222222 is in o-abc123defg (declared)" in r for r in member.reasons)
    stranger = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/", organizations=Organizations.parse(["o-abc123defg:111111111111"]))
    assert stranger.decision == "UNREACHABLE" and any("account 222222222222 is not in o-abc123defg (declared)" in r for r in stranger.reasons)


def test_principal_org_id_and_current_time_reach_the_auth_policy(model: Model) -> None:
    policies = model.stacks["distributed-service-account"].resources("aws_vpclattice_auth_policy")
    policy = next(iter(policies.values()))
    policy["policy"] = json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123defg"}, "DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
    }]})
    session = "arn:aws:sts::222222222222:assumed-role/app/s"
    organizations = Organizations.parse(["o-abc123defg:111111111111,222222222222"])
    december = datetime(2026, 12, 1, tzinfo=timezone.utc)
    url = "http://lambda-service/"
    assert curl(model, "distributed-consumer-account/vpc1", url, principal=session, organizations=organizations, now=december).status == 200
    assert curl(model, "distributed-consumer-account/vpc1", url, principal=session, organizations=organizations, now=december.replace(year=2027)).status == 403
    assert curl(model, "distributed-consumer-account/vpc1", url, principal=session, now=december).decision == "UNKNOWN"  # no layout declared
    elsewhere = Organizations.parse(["o-abc123defg:111111111111"])
    assert curl(model, "distributed-consumer-account/vpc1", url, principal=session, organizations=elsewhere, now=december).status == 403


@pytest.mark.parametrize(
    "specs, message",
    [
        (["o-abc123defg"], "--org 'o-abc123defg': expected ORG_ID:ACCOUNT[,ACCOUNT...]"),
        (["org1:111111111111"], "'org1' is not an organization id"),
        (["o-abc123defg:1111"], "'1111' is not an account id (12 digits)"),
        (["o-abc123defg:111111111111", "o-zzz987zyxw:111111111111"], "account 111111111111 is in o-abc123defg and o-zzz987zyxw"),
    ],
)
def test_bad_organization_layouts(specs: list[str], message: str) -> None:
    with pytest.raises(BadLayout, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")):
        Organizations.parse(specs)


def test_the_cli_takes_time_and_org(default_out: Path, capsys) -> None:
    args = ["curl", "--out", str(default_out), "--from", "distributed-consumer-account/vpc1", "http://lambda-service/"]
    assert main([*args, "--time", "2026-12-01T09:30:00Z", "--org", "o-abc123defg:111111111111,222222222222"]) == 0
    capsys.readouterr()
    assert main([*args, "--org", "o-abc123defg"]) == 2
    assert capsys.readouterr().err.startswith("error: --org 'o-abc123defg': expected ORG_ID:ACCOUNT")
    with pytest.raises(SystemExit) as exited:
        main([*args, "--time", "yesterday"])
    assert exited.value.code == 2 and "'yesterday' is not an ISO 8601 time" in capsys.readouterr().err


def test_a_matrix_file_sets_time_and_organizations(default_out: Path, tmp_path: Path, capsys) -> None:
    matrix = tmp_path / "m.yaml"
    matrix.write_text(
        "time: 2026-12-01T09:30:00Z\n"
        "organizations:\n  o-abc123defg: ['111111111111', '222222222222']\n"
        "requests:\n"
        "  - name: vpc1\n    from: distributed-consumer-account/vpc1\n    url: http://lambda-service/\n"
        "    time: '2026-12-02T00:00:00+01:00'\n    expect: {status: 200}\n"
    )
    assert main(["matrix", "--out", str(default_out), str(matrix)]) == 0
    matrix.write_text(matrix.read_text().replace("o-abc123defg", "org"))
    assert main(["matrix", "--out", str(default_out), str(matrix)]) == 2
    assert "'org' is not an organization id" in capsys.readouterr().err


def test_a_session_whose_policies_the_model_cannot_decide_is_neither_allowed_nor_denied() -> None:
    from types import SimpleNamespace

    from lattice_check.identity import session_may
    from lattice_check.kinds import IamIdentity, IamPolicy

    by_region = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
                                                          "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}
    element = SimpleNamespace(account="111111111111", name="fn", stack=SimpleNamespace(name="s"))
    role = IamIdentity(element, "role", "fn", "arn:aws:iam::111111111111:role/fn", (IamPolicy("inline p", by_region),), None)
    topology = SimpleNamespace(iam_identities=[role])
    check = session_may(topology, role.arn, "fn", "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:111111111111:table/t")
    assert check.allowed is None and "aws:RequestedRegion" in " ".join(check.unmodeled)
    assert session_may(topology, role.arn, "fn", "dynamodb:PutItem", "*").allowed is False
