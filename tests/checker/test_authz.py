"""The authorization model of lattice_check: every operator and qualifier against
hand-checked cases, the layers, and properties checked with hypothesis."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lattice_check.authz import INVOKE, Identity, Layer, authorize, request_context
from lattice_check.callers import Request
from lattice_check.conditions import evaluate_condition
from lattice_check.statements import evaluate_policy

SVC = "arn:aws:vpc-lattice:eu-west-1:666666666666:service/svc-0123456789abcdef0"
BLUE, GREEN = "444444444444", "555555555555"


@pytest.mark.parametrize(
    "operator, policy, request_values, expected",
    [
        ("StringEquals", ["GET"], ["GET"], True),
        ("StringEquals", ["GET"], ["get"], False),  # case-sensitive
        ("StringEquals", ["GET", "POST"], ["POST"], True),  # several values: OR
        ("StringEquals", ["GET"], None, False),  # missing key fails a positive operator
        ("StringNotEquals", ["GET"], ["POST"], True),
        ("StringNotEquals", ["GET", "POST"], ["POST"], False),  # negated: NOR
        ("StringNotEquals", ["GET"], None, True),  # missing key passes a negated operator
        ("StringEqualsIgnoreCase", ["anonymous"], ["Anonymous"], True),
        ("StringNotEqualsIgnoreCase", ["anonymous"], ["Anonymous"], False),
        ("StringNotEqualsIgnoreCase", ["anonymous"], ["AssumedRole"], True),
        ("StringLike", ["/orders/*"], ["/orders/42"], True),
        ("StringLike", ["/orders/?"], ["/orders/42"], False),
        ("StringLike", ["/orders/??"], ["/orders/42"], True),
        ("StringNotLike", ["/admin*"], ["/admin/x"], False),
        ("StringEqualsIfExists", ["blue"], None, True),
        ("StringEqualsIfExists", ["blue"], ["green"], False),
        ("Null", ["true"], None, True),
        ("Null", ["true"], ["x"], False),
        ("Null", ["false"], ["x"], True),
        ("ForAnyValue:StringEquals", ["blue"], ["green", "blue"], True),
        ("ForAnyValue:StringEquals", ["blue"], None, False),
        ("ForAllValues:StringEquals", ["blue", "green"], ["green", "blue"], True),
        ("ForAllValues:StringEquals", ["blue"], ["green", "blue"], False),
        ("ForAllValues:StringEquals", ["blue"], None, True),  # absent: vacuously true
        ("ForAllValues:StringEquals", ["blue"], [], True),
        ("StringEquals", ["blue"], ["green", "blue"], True),  # multi-valued, no qualifier: any
        ("NumericEquals", ["443"], ["443"], True),
        ("NumericLessThan", ["1024"], ["443"], True),
        ("NumericGreaterThanEquals", ["443"], ["80"], False),
        ("NumericEquals", ["443"], ["https"], None),  # not a number: not modeled
        ("NumericEquals", ["1_000"], ["1000"], None),  # Python reads these as numbers; IAM does not
        ("NumericLessThan", ["nan"], ["1"], None),
        ("NumericEquals", [" 80"], ["80"], None),
        ("NumericLessThan", ["1.5"], ["-2"], True),
        ("Bool", ["true"], ["True"], True),
        ("ArnLike", ["arn:aws:vpc-lattice:*:111111111111:service/*"], [SVC.replace("666666666666", "111111111111")], True),
        ("ArnLike", ["arn:aws:vpc-lattice:*:111111111111:service/*"], [SVC], False),
        ("ArnEquals", [SVC], [SVC], True),
        ("ArnNotLike", ["arn:aws:vpc-lattice:*:*:servicenetwork/*"], [SVC], True),
        # A pattern of fewer than six components: undocumented unless a component it has differs.
        ("ArnLike", ["arn:aws:vpc-lattice:*"], [SVC], None),
        ("ArnNotLike", ["arn:aws:vpc-lattice:*"], [SVC], None),
        ("ArnLike", ["arn:aws:iam:*"], [SVC], False),
        ("ArnLike", ["arn:aws:vpc-lattice:*:*:service/*"], ["not-an-arn"], False),
        ("StringMatchesRegex", ["x"], ["x"], None),  # unknown operator: not modeled, not guessed
    ],
)
def test_condition_operators(operator: str, policy: list[str], request_values, expected) -> None:
    assert evaluate_condition(operator, policy, request_values) is expected


def directory_policy() -> dict:
    """Seed 001's DirectoryService policy, as the shared pattern synthesizes it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"{colour.capitalize()}TenantQueries",
                "Effect": "Allow",
                "Principal": "*",
                "Action": INVOKE,
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "vpc-lattice-svcs:RequestMethod": "GET",
                        "vpc-lattice-svcs:RequestQueryString/q": colour,
                        "vpc-lattice-svcs:SourceVpcOwnerAccount": account,
                    }
                },
            }
            for colour, account in (("blue", BLUE), ("green", GREEN))
        ],
    }


def blue_request(q: str, method: str = "GET", owner: str = BLUE, principal=None, tags=None) -> Request:
    return Request(
        action=INVOKE,
        resource=f"{SVC}/",
        principal=principal,
        context=request_context(
            method=method,
            path="/",
            port=80,
            service_arn=SVC,
            service_network_arn="arn:aws:vpc-lattice:eu-west-1:666666666666:servicenetwork/sn-0123456789abcdef0",
            source_vpc="vpc-0123456789abcdef0",
            source_vpc_owner=owner,
            query={"q": [q]},
            principal=principal,
            principal_tags=tags or {},
        ),
    )


def test_seed_001_blue_may_ask_for_blue_only() -> None:
    service = Layer("service", "AWS_IAM", directory_policy())
    network = Layer("network", "NONE")
    allowed = authorize(blue_request("blue"), network=network, service=service)
    assert (allowed.effect, allowed.reasons[-1]) == ("ALLOW", "service auth policy: allowed by statement BlueTenantQueries")
    denied = authorize(blue_request("green"), network=network, service=service)
    assert (denied.effect, denied.denied_by, denied.explicit) == ("DENY", "service", False)
    assert denied.access_denied_message(blue_request("green")) == (
        f"AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: {SVC}/ "
        "because no service-based policy allows the vpc-lattice-svcs:Invoke action"
    )
    assert authorize(blue_request("blue", method="POST"), network=network, service=service).effect == "DENY"
    assert authorize(blue_request("green", owner=GREEN), network=network, service=service).effect == "ALLOW"


def test_seed_004_principal_tags_and_authenticated_only_network() -> None:
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": INVOKE,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/eks-cluster-name": "eks-cluster2", "aws:PrincipalTag/kubernetes-namespace": "apps"}},
            }
        ]
    }
    network = Layer("network", "AWS_IAM", {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalType": "anonymous"}}}]})
    service = Layer("service", "AWS_IAM", policy)
    role = "arn:aws:sts::111111111111:assumed-role/vpc-lattice-sigv4-client/eks-session"
    from_cluster2 = blue_request("x", principal=role, tags={"eks-cluster-name": "eks-cluster2", "kubernetes-namespace": "apps"})
    from_cluster1 = blue_request("x", principal=role, tags={"eks-cluster-name": "eks-cluster1", "kubernetes-namespace": "apps"})
    invoke_access = Identity("role vpc-lattice-sigv4-client", (("VPCLatticeServicesInvokeAccess", {"Statement": [{"Effect": "Allow", "Action": [INVOKE], "Resource": "*"}]}),))
    assert authorize(from_cluster2, network=network, service=service, identity=invoke_access).effect == "ALLOW"
    denied = authorize(from_cluster1, network=network, service=service, identity=invoke_access)
    assert denied.access_denied_message(from_cluster1).startswith(f"AccessDeniedException: User: {role} is not authorized")
    assert denied.access_denied_message(from_cluster1).endswith("because no service-based policy allows the vpc-lattice-svcs:Invoke action")
    anonymous = authorize(blue_request("x"), network=network, service=service)
    assert (anonymous.effect, anonymous.denied_by) == ("DENY", "network")
    unknown_identity = authorize(from_cluster2, network=network, service=service)
    assert unknown_identity.effect == "ALLOW" and "identity-based policy is not in this output (assumed to allow)" in unknown_identity.unmodeled[0]
    no_invoke = Identity("role vpc-lattice-sigv4-client", (("logs", {"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}),))
    assert authorize(from_cluster2, network=network, service=service, identity=no_invoke).denied_by == "identity"


def test_layers_explicit_deny_and_missing_policy() -> None:
    allow_all = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    deny_admin = {"Statement": [{"Sid": "NoAdmin", "Effect": "Deny", "Principal": "*", "Action": INVOKE, "Resource": f"{SVC}/admin*"}]}
    request = Request(INVOKE, f"{SVC}/admin/users")
    decision = authorize(request, network=Layer("network", "AWS_IAM", deny_admin | {"Statement": deny_admin["Statement"] + allow_all["Statement"]}), service=Layer("service", "AWS_IAM", allow_all))
    assert (decision.effect, decision.denied_by, decision.explicit) == ("DENY", "network", True)
    assert decision.access_denied_message(request).endswith("with an explicit deny in a network-based policy")
    no_policy = authorize(request, network=Layer("network", "NONE"), service=Layer("service", "AWS_IAM", None))
    assert (no_policy.effect, no_policy.reasons[-1]) == ("DENY", "service: AWS_IAM with no auth policy denies everything")
    assert authorize(request, network=Layer("network", "NONE"), service=Layer("service", "NONE")).effect == "ALLOW"


def test_unmodeled_parts_are_reported_not_guessed() -> None:
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringMatchesRegex": {"k": "x"}}}]}
    result = evaluate_policy(policy, Request(INVOKE, SVC, context={"k": ["x"]}))
    assert result.effect == "UNKNOWN" and result.unmodeled == ("#0: condition StringMatchesRegex k",)
    decision = authorize(Request(INVOKE, SVC), network=None, service=Layer("service", "AWS_IAM", policy))
    assert decision.effect == "UNKNOWN"
    not_principal = {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "x"}, "Action": "*", "Resource": "*"}, {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    assert evaluate_policy(not_principal, Request(INVOKE, SVC)).effect == "UNKNOWN"  # the unmodeled Deny could win


def test_not_action_and_not_resource() -> None:
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "NotAction": "vpc-lattice-svcs:Connect", "NotResource": f"{SVC}/admin*"}]}
    assert evaluate_policy(policy, Request(INVOKE, f"{SVC}/orders")).effect == "ALLOW"
    assert evaluate_policy(policy, Request(INVOKE, f"{SVC}/admin")).effect == "IMPLICIT_DENY"
    assert evaluate_policy(policy, Request("vpc-lattice-svcs:Connect", SVC)).effect == "IMPLICIT_DENY"


TEXT = st.text(alphabet="abcXYZ/-_.09", min_size=0, max_size=8)


@given(value=TEXT, others=st.lists(TEXT, max_size=3))
def test_negated_operators_are_the_complement_for_present_single_values(value: str, others: list[str]) -> None:
    policy = others + [value] if others else [value]
    for positive, negated in (("StringEquals", "StringNotEquals"), ("StringLike", "StringNotLike"), ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")):
        for candidate in (value, value + "q"):
            assert evaluate_condition(negated, policy, [candidate]) is (not evaluate_condition(positive, policy, [candidate]))


@given(value=TEXT)
def test_like_without_wildcards_is_equals_and_star_matches_everything(value: str) -> None:
    assert evaluate_condition("StringLike", [value], [value]) is True
    assert evaluate_condition("StringLike", ["*"], [value]) is True
    assert evaluate_condition("StringLike", [value], [value + "x"]) is evaluate_condition("StringEquals", [value], [value + "x"])


@given(operator=st.sampled_from(["StringEquals", "StringLike", "StringNotEquals", "ArnLike", "NumericEquals", "Bool"]), policy=st.lists(TEXT, min_size=1, max_size=3))
def test_if_exists_and_for_all_values_pass_on_absent_keys(operator: str, policy: list[str]) -> None:
    assert evaluate_condition(operator + "IfExists", policy, None) is True
    assert evaluate_condition("ForAllValues:" + operator, policy, None) is True
    assert evaluate_condition("ForAnyValue:" + operator, policy, None) is False


@given(allow_first=st.booleans(), extra_allows=st.integers(min_value=0, max_value=3))
def test_a_matching_explicit_deny_always_wins(allow_first: bool, extra_allows: int) -> None:
    allow = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    deny = {"Effect": "Deny", "Principal": "*", "Action": INVOKE, "Resource": "*"}
    statements = [allow] * extra_allows + ([allow, deny] if allow_first else [deny, allow])
    assert evaluate_policy({"Statement": statements}, Request(INVOKE, SVC)).effect == "EXPLICIT_DENY"


@pytest.mark.parametrize(
    "key, principal, effect",
    [
        ("aws:PrincipalAccount", "arn:aws:sts::111111111111:assumed-role/app/s", "IMPLICIT_DENY"),  # known: 111111111111, not x
        ("aws:PrincipalOrgID", "arn:aws:sts::111111111111:assumed-role/app/s", "UNKNOWN"),  # no organization layout declared
        ("aws:PrincipalAccount", None, "IMPLICIT_DENY"),  # an anonymous caller has no principal keys
        ("aws:SourceIp", None, "UNKNOWN"),
        ("aws:ResourceTag/team", "arn:aws:sts::111111111111:assumed-role/app/s", "UNKNOWN"),
        ("aws:PrincipalTag/team", "arn:aws:sts::111111111111:assumed-role/app/s", "IMPLICIT_DENY"),  # the caller has no such tag
        ("vpc-lattice-svcs:RequestHeader/x-team", None, "IMPLICIT_DENY"),  # the request has no such header
    ],
)
def test_a_key_the_model_cannot_know_is_unknown_not_absent(key, principal, effect) -> None:
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {key: "x"}}}]}
    context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, principal=principal)
    result = evaluate_policy(policy, Request(INVOKE, SVC + "/", principal, context))
    assert result.effect == effect
    if effect == "UNKNOWN":
        assert result.unmodeled == (f"#0: condition StringEquals {key}: the model does not know this key's value",)


# --- the documented rules of issue 13: resource forms, principal keys, dates ---------------------

ALLOW_ALL = {"Effect": "Allow", "Principal": "*", "Action": INVOKE}


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("*/*", "/anything", "ALLOW"),  # the guide's allow-all short form
        ("*/rates", "/rates", "ALLOW"),
        ("*/rates", "/rates/today", "IMPLICIT_DENY"),
        ("*/rates*", "/rates/today", "ALLOW"),
        ("svc-0123456789abcdef0/*", "/x", "ALLOW"),  # <service id>/<path>
        ("svc-ffffffffffffffff0/*", "/x", "IMPLICIT_DENY"),
        (f"{SVC}/orders/*", "/orders/42", "ALLOW"),  # a full ARN with a path and a wildcard
        (f"{SVC}/orders/*", "/admin", "IMPLICIT_DENY"),
        ("arn:aws:vpc-lattice:eu-west-1:666666666666:service/*", "/x", "ALLOW"),
        ("arn:aws:vpc-lattice:us-east-1:666666666666:service/*", "/x", "IMPLICIT_DENY"),  # another region
        ("arn:aws:vpc-lattice:eu-west-1:666666666666:service/svc-0123456789abcdef?/?", "/x", "ALLOW"),
    ],
)
def test_resource_element_forms(pattern: str, path: str, expected: str) -> None:
    result = evaluate_policy({"Statement": [ALLOW_ALL | {"Resource": pattern}]}, Request(INVOKE, SVC + path))
    assert result.effect == expected


def test_a_resource_form_that_is_no_form_is_unknown_and_said() -> None:
    result = evaluate_policy({"Statement": [ALLOW_ALL | {"Resource": "rates"}]}, Request(INVOKE, SVC + "/rates"))
    assert result.effect == "UNKNOWN" and "neither *, an ARN nor <service>/<path>" in result.unmodeled[0]
    not_resource = evaluate_policy({"Statement": [ALLOW_ALL | {"NotResource": "*/admin*"}]}, Request(INVOKE, SVC + "/admin/x"))
    assert not_resource.effect == "IMPLICIT_DENY"


@pytest.mark.parametrize(
    "principal, principal_type, arn",
    [
        ("arn:aws:iam::111111111111:user/alice", "User", "arn:aws:iam::111111111111:user/alice"),
        ("arn:aws:iam::111111111111:user/team/alice", "User", "arn:aws:iam::111111111111:user/team/alice"),
        ("arn:aws:sts::111111111111:assumed-role/app/session-1", "AssumedRole", "arn:aws:iam::111111111111:role/app"),
        ("arn:aws:iam::111111111111:role/app", "AssumedRole", "arn:aws:iam::111111111111:role/app"),
        ("arn:aws:sts::111111111111:federated-user/bob", "FederatedUser", "arn:aws:sts::111111111111:federated-user/bob"),
        ("arn:aws:iam::111111111111:root", "Account", "arn:aws:iam::111111111111:root"),
    ],
)
def test_principal_keys_come_from_the_caller(principal: str, principal_type: str, arn: str) -> None:
    context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, principal=principal)
    assert context["aws:PrincipalType"] == [principal_type]
    assert context["aws:PrincipalAccount"] == ["111111111111"]
    assert context["aws:PrincipalArn"] == [arn]
    for wanted in ("User", "AssumedRole", "FederatedUser", "Account"):
        policy = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": wanted}}}]}
        expected = "ALLOW" if wanted == principal_type else "IMPLICIT_DENY"
        assert evaluate_policy(policy, Request(INVOKE, SVC + "/", principal, context)).effect == expected


def test_anonymous_callers_have_type_anonymous_and_no_other_principal_key() -> None:
    context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE)
    assert context["aws:PrincipalType"] == ["Anonymous"] and "aws:PrincipalAccount" not in context
    for key in ("aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID"):
        policy = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"Null": {key: "true"}}}]}
        assert evaluate_policy(policy, Request(INVOKE, SVC + "/", None, context)).effect == "ALLOW"


def test_principal_account_and_arn_decide_a_policy() -> None:
    session = "arn:aws:sts::111111111111:assumed-role/app/s"
    context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, principal=session)
    by_account = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111111111111"}}}]}
    by_role = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/app"}}}]}
    by_session = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:sts::*"}}}]}
    assert evaluate_policy(by_account, Request(INVOKE, SVC + "/", session, context)).effect == "ALLOW"
    assert evaluate_policy(by_role, Request(INVOKE, SVC + "/", session, context)).effect == "ALLOW"
    assert evaluate_policy(by_session, Request(INVOKE, SVC + "/", session, context)).effect == "IMPLICIT_DENY"  # the role's ARN, not the session's
    role_principal = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/teams/app"}, "Action": INVOKE, "Resource": "*"}]}
    assert evaluate_policy(role_principal, Request(INVOKE, SVC + "/", session, context)).effect == "ALLOW"  # a role written with its path


NOON = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "operator, value, expected",
    [
        ("DateLessThan", "2027-01-01T00:00:00Z", True),
        ("DateLessThan", "2026-12-01T12:00:00Z", False),
        ("DateLessThanEquals", "2026-12-01T12:00:00Z", True),
        ("DateGreaterThan", "2026-12-01", True),  # a date alone is its midnight, UTC
        ("DateGreaterThanEquals", "2026-12-01T13:00:00+01:00", True),  # the same moment in another zone
        ("DateEquals", "2026-12-01T12:00:00Z", True),
        ("DateNotEquals", "2026-12-01T12:00:00Z", False),
        ("DateEquals", str(int(NOON.timestamp())), True),  # epoch seconds
        ("DateLessThan", "next tuesday", None),  # not a date: unknown, not false
    ],
)
def test_date_operators_on_current_time(operator: str, value: str, expected) -> None:
    context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, now=NOON)
    assert context["aws:CurrentTime"] == ["2026-12-01T12:00:00Z"]
    assert evaluate_condition(operator, [value], context["aws:CurrentTime"]) is expected


def test_date_if_exists_and_a_time_window_policy() -> None:
    assert evaluate_condition("DateLessThanIfExists", ["2020-01-01T00:00:00Z"], None) is True
    assert evaluate_condition("DateLessThan", ["2020-01-01T00:00:00Z"], None) is False
    window = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2026-12-02T00:00:00Z"}}}]}
    for moment, effect in ((NOON, "ALLOW"), (NOON.replace(day=3), "IMPLICIT_DENY"), (NOON.replace(month=11), "IMPLICIT_DENY")):
        context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, now=moment)
        assert evaluate_policy(window, Request(INVOKE, SVC + "/", None, context)).effect == effect


LOGS = ("logs", {"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]})
INVOKE_ALL = ("invoke", {"Statement": [{"Sid": "Lattice", "Effect": "Allow", "Action": "vpc-lattice-svcs:*", "Resource": "*"}]})
DENY_ADMIN = ("guard", {"Statement": [{"Sid": "NoAdmin", "Effect": "Deny", "Action": INVOKE, "Resource": "*/admin*"}]})


@pytest.mark.parametrize(
    "policies, boundary, path, effect, reason",
    [
        ((LOGS, INVOKE_ALL), None, "/", "ALLOW", "allowed by invoke, statement Lattice"),
        ((LOGS,), None, "/", "IMPLICIT_DENY", "no identity-based policy allows vpc-lattice-svcs:Invoke"),
        ((INVOKE_ALL, DENY_ADMIN), None, "/admin/x", "EXPLICIT_DENY", "explicitly denied by guard, statement NoAdmin"),
        ((LOGS, ("AWS managed policy X", None)), None, "/", "UNKNOWN", "depends on what the model does not cover"),
        ((INVOKE_ALL, ("AWS managed policy X", None)), None, "/", "ALLOW", "allowed by invoke"),
        ((INVOKE_ALL,), LOGS, "/", "IMPLICIT_DENY", "its permissions boundary logs does not allow"),
        ((INVOKE_ALL,), ("boundary", {"Statement": [{"Effect": "Allow", "Action": INVOKE, "Resource": "*"}]}), "/", "ALLOW", "allowed by invoke"),
        ((INVOKE_ALL,), ("boundary", None), "/", "UNKNOWN", "depends on its permissions boundary boundary"),
        # the boundary's explicit deny wins even where the policies allow nothing or may allow
        ((LOGS,), ("fence", {"Statement": [{"Sid": "Fence", "Effect": "Deny", "Action": INVOKE, "Resource": "*"}]}), "/", "EXPLICIT_DENY",
         "its permissions boundary fence explicitly denies (Fence)"),
        ((LOGS, ("AWS managed policy X", None)), ("fence", {"Statement": [{"Sid": "Fence", "Effect": "Deny", "Action": INVOKE, "Resource": "*"}]}),
         "/", "EXPLICIT_DENY", "its permissions boundary fence explicitly denies (Fence)"),
    ],
)
def test_the_callers_identity_policies(policies, boundary, path, effect, reason) -> None:
    caller_arn = "arn:aws:sts::111111111111:assumed-role/app/s"
    request = Request(INVOKE, SVC + path, caller_arn)
    open_layer = Layer("service", "NONE")
    decision = authorize(request, network=None, service=open_layer, identity=Identity("role app", policies, boundary))
    assert any(reason in r for r in decision.reasons), decision.reasons
    assert decision.effect == {"ALLOW": "ALLOW", "UNKNOWN": "UNKNOWN"}.get(effect, "DENY")
    if decision.effect == "DENY":
        assert decision.denied_by == "identity" and decision.explicit == (effect == "EXPLICIT_DENY")
        tail = "with an explicit deny in an identity-based policy" if decision.explicit else "because no identity-based policy allows the vpc-lattice-svcs:Invoke action"
        assert decision.access_denied_message(request).endswith(tail)
    if policies[-1][1] is None and effect == "ALLOW":
        assert any("is not evaluated (assumed to hold no Deny)" in u for u in decision.unmodeled)


def test_principal_org_id_is_decided_when_organizations_are_declared() -> None:
    session = "arn:aws:sts::111111111111:assumed-role/app/s"
    policy = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123defg"}}}]}
    inside = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, principal=session, principal_org="o-abc123defg")
    outside = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, principal=session)
    assert evaluate_policy(policy, Request(INVOKE, SVC + "/", session, inside, organizations_declared=True)).effect == "ALLOW"
    assert evaluate_policy(policy, Request(INVOKE, SVC + "/", session, outside, organizations_declared=True)).effect == "IMPLICIT_DENY"
    assert evaluate_policy(policy, Request(INVOKE, SVC + "/", session, outside)).effect == "UNKNOWN"  # not declared: not known


# --- forms an auth policy may take that the model once misread ------------------------------------

SESSION = "arn:aws:sts::111111111111:assumed-role/app/s"


def _signed(path: str = "/", **context: object) -> Request:
    base = dict(method="GET", path=path, port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE, principal=SESSION)
    return Request(INVOKE, SVC + path, SESSION, request_context(**(base | context)))


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_every_form_of_everyone_admits_and_denies_anonymous_callers(principal) -> None:
    anonymous = Request(INVOKE, SVC + "/admin", None, request_context(
        method="GET", path="/admin", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE,
    ))
    assert evaluate_policy({"Statement": [{"Effect": "Allow", "Principal": principal, "Action": INVOKE, "Resource": "*"}]}, anonymous).effect == "ALLOW"
    deny = {"Effect": "Deny", "Principal": principal, "Action": INVOKE, "Resource": f"{SVC}/admin"}
    assert evaluate_policy({"Statement": [ALLOW_ALL | {"Resource": "*"}, deny]}, anonymous).effect == "EXPLICIT_DENY"


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("arn:*", "ALLOW"),  # a * that ends a component runs past the colons after it
        ("arn:aws:vpc-lattice:*", "ALLOW"),
        ("arn:aws:vpc-lattice:eu-west-1:*", "ALLOW"),
        ("arn:aws:vpc-lattice:eu-*:666666666666:service/*", "ALLOW"),
        ("arn:aws:vpc-lattice:us-*", "IMPLICIT_DENY"),
        ("arn:aws:vpc-lattice:e*1:666666666666:service/*", "ALLOW"),  # inside a component: within it
        ("arn:aws:vpc-lattice:e*t:666666666666:service/*", "IMPLICIT_DENY"),
        ("arn:aws:vpc-lattice:eu-west-1", "IMPLICIT_DENY"),  # a prefix without a wildcard is no match
    ],
)
def test_a_star_that_ends_an_arn_component(pattern: str, expected: str) -> None:
    assert evaluate_policy({"Statement": [ALLOW_ALL | {"Resource": pattern}]}, _signed("/x")).effect == expected
    deny = {"Effect": "Deny", "Principal": "*", "Action": INVOKE, "Resource": pattern}
    denied = evaluate_policy({"Statement": [ALLOW_ALL | {"Resource": "*"}, deny]}, _signed("/x")).effect
    assert denied == ("EXPLICIT_DENY" if expected == "ALLOW" else "ALLOW")


@pytest.mark.parametrize(
    "condition, expected",
    [
        ({"NumericEquals": {"vpc-lattice-svcs:Port": 80}}, "ALLOW"),  # JSON numbers, as jsonencode writes them
        ({"NumericLessThan": {"vpc-lattice-svcs:Port": [79, 81.5]}}, "ALLOW"),
        ({"NumericEquals": {"vpc-lattice-svcs:Port": 443}}, "IMPLICIT_DENY"),
        ({"Null": {"aws:PrincipalTag/team": True}}, "ALLOW"),  # JSON booleans
        ({"Null": {"aws:PrincipalTag/team": False}}, "IMPLICIT_DENY"),
        ({"StringEquals": {"vpc-lattice-svcs:RequestHeader/x-flag": [True]}}, "ALLOW"),  # read as "true", not "True"
    ],
)
def test_condition_values_may_be_numbers_and_booleans(condition: dict, expected: str) -> None:
    policy = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": condition}]}
    assert evaluate_policy(policy, _signed(headers={"x-flag": "true"})).effect == expected


TEAM = "${aws:PrincipalTag/team}"


@pytest.mark.parametrize(
    "statement, path, tags, expected",
    [
        ({"Resource": f"{SVC}/{TEAM}/*"}, "/blue/x", {"team": "blue"}, "ALLOW"),
        ({"Resource": f"{SVC}/{TEAM}/*"}, "/green/x", {"team": "blue"}, "IMPLICIT_DENY"),
        ({"Resource": f"{SVC}/{TEAM}/*"}, "/blue/x", {}, "IMPLICIT_DENY"),  # no such tag: the variable matches nothing
        ({"Resource": f"{SVC}/${{aws:PrincipalTag/team, 'shared'}}/*"}, "/shared/x", {}, "ALLOW"),  # its default
        ({"Resource": "*", "Condition": {"StringEquals": {"vpc-lattice-svcs:RequestHeader/x-team": TEAM}}}, "/", {"team": "blue"}, "ALLOW"),
        ({"Resource": "*", "Condition": {"StringEquals": {"vpc-lattice-svcs:RequestHeader/x-team": TEAM}}}, "/", {"team": "red"}, "IMPLICIT_DENY"),
        ({"Resource": "*", "Condition": {"StringNotEquals": {"vpc-lattice-svcs:RequestHeader/x-team": TEAM}}}, "/", {}, "ALLOW"),  # equals nothing
        ({"Resource": "*", "Condition": {"StringEquals": {"vpc-lattice-svcs:RequestHeader/x-team": "${aws:ResourceTag/team}"}}}, "/", {}, "UNKNOWN"),
        ({"Resource": f"{SVC}/${{*}}"}, "/x", {}, "UNKNOWN"),  # a literal *: not modeled
    ],
)
def test_policy_variables(statement: dict, path: str, tags: dict, expected: str) -> None:
    request = _signed(path, headers={"x-team": "blue"}, principal_tags=tags)
    policy = {"Version": "2012-10-17", "Statement": [ALLOW_ALL | statement]}
    result = evaluate_policy(policy, request)
    assert result.effect == expected
    if expected == "UNKNOWN":
        assert "policy variable" in " ".join(result.unmodeled)
    unversioned = evaluate_policy({"Statement": [ALLOW_ALL | statement]}, request)  # 2008-10-17: plain text
    assert "policy variable" not in " ".join(unversioned.unmodeled)
    if path == "/blue/x" and tags:
        assert unversioned.effect == "IMPLICIT_DENY", "the path is not the text ${aws:PrincipalTag/team}"


def test_a_policy_variable_in_an_identity_policy_is_read_by_its_own_version() -> None:
    uses = {"Effect": "Allow", "Action": INVOKE, "Resource": f"{SVC}/{TEAM}/*"}
    request = _signed("/blue/x", principal_tags={"team": "blue"})
    for version, effect in (("2012-10-17", "ALLOW"), (None, "DENY")):
        document = {"Statement": [uses]} | ({"Version": version} if version else {})
        identity = Identity("role app", (("other", {"Version": "2012-10-17", "Statement": []}), ("p", document)))
        assert authorize(request, network=None, service=Layer("service", "NONE"), identity=identity).effect == effect


def test_principal_arn_carries_the_roles_path_when_the_output_defines_the_role() -> None:
    with_path = request_context(
        method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1", source_vpc_owner=BLUE,
        principal=SESSION, principal_arn="arn:aws:iam::111111111111:role/teams/app",
    )
    assert with_path["aws:PrincipalArn"] == ["arn:aws:iam::111111111111:role/teams/app"]
    by_arn = {"Statement": [ALLOW_ALL | {"Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/app"}}}]}
    assert evaluate_policy(by_arn, Request(INVOKE, SVC + "/", SESSION, with_path)).effect == "IMPLICIT_DENY"


def test_a_deny_on_a_short_arn_pattern_is_not_skipped() -> None:
    """Before, a pattern of fewer than six components matched nothing, so this Deny was skipped: ALLOW."""
    session = "arn:aws:sts::111111111111:assumed-role/app/s"
    context = request_context(method="GET", path="/", port=80, service_arn=SVC, service_network_arn=None, source_vpc="vpc-1",
                              source_vpc_owner=BLUE, principal=session, principal_arn="arn:aws:iam::111111111111:role/app")
    deny = {"Effect": "Deny", "Principal": "*", "Action": INVOKE, "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}}
    assert evaluate_policy({"Statement": [ALLOW_ALL | {"Resource": "*"}, deny]}, Request(INVOKE, SVC + "/", session, context)).effect == "UNKNOWN"
