"""The authorization model of lattice_check: every operator and qualifier against
hand-checked cases, the layers, and properties checked with hypothesis."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lattice_check.authz import (
    INVOKE,
    Layer,
    Request,
    authorize,
    evaluate_condition,
    evaluate_policy,
    request_context,
)

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
        ("Bool", ["true"], ["True"], True),
        ("ArnLike", ["arn:aws:vpc-lattice:*:111111111111:service/*"], [SVC.replace("666666666666", "111111111111")], True),
        ("ArnLike", ["arn:aws:vpc-lattice:*:111111111111:service/*"], [SVC], False),
        ("ArnEquals", [SVC], [SVC], True),
        ("ArnNotLike", ["arn:aws:vpc-lattice:*:*:servicenetwork/*"], [SVC], True),
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
    assert authorize(from_cluster2, network=network, service=service, identity_allows=True).effect == "ALLOW"
    denied = authorize(from_cluster1, network=network, service=service, identity_allows=True)
    assert denied.access_denied_message(from_cluster1).startswith(f"AccessDeniedException: User: {role} is not authorized")
    assert denied.access_denied_message(from_cluster1).endswith("because no service-based policy allows the vpc-lattice-svcs:Invoke action")
    anonymous = authorize(blue_request("x"), network=network, service=service)
    assert (anonymous.effect, anonymous.denied_by) == ("DENY", "network")
    unknown_identity = authorize(from_cluster2, network=network, service=service)
    assert unknown_identity.effect == "ALLOW" and "identity-based policy is not modeled" in unknown_identity.unmodeled[0]
    assert authorize(from_cluster2, network=network, service=service, identity_allows=False).denied_by == "identity"


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
        ("aws:PrincipalAccount", "arn:aws:sts::111111111111:assumed-role/app/s", "UNKNOWN"),  # lattice-rules.md: unconfirmed
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
