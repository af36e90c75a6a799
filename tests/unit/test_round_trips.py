"""What keeps synth fast: few round trips between Python and jsii's Node process.

Elements get their readable Terraform names when they are created (no call back
from Node later), stack and path lookups are answered in Python, the bindings'
type hints are resolved once per stub, and the default app stays within a budget
of requests to Node per resource."""
from __future__ import annotations

import json
import types
import typing
from collections import Counter
from typing import Any, Iterator

import jsii._kernel
import pytest
from jsii._kernel.providers import process

from app_config.loader import load_config
from constructs_lib.runtime import aws, cdk, naming, type_hints
from constructs_lib.runtime.cdk import Construct
from constructs_lib.runtime.naming import ReadableIdsStack, construct_path, stack_of
from lattice_model.project import SHIPPED_CONFIG


@pytest.fixture
def node_requests(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every request sent to Node from here on, by kind; callbacks from Node count as ``callback``."""
    counted: Counter[str] = Counter()
    send = process._NodeProcess.send
    handle = jsii._kernel._handle_callback

    def counting_send(self: Any, request: Any, response_type: Any) -> Any:
        counted[type(request).__name__] += 1
        return send(self, request, response_type)

    def counting_handle(kernel: Any, callback: Any) -> Any:
        counted["callback"] += 1
        return handle(kernel, callback)

    monkeypatch.setattr(process._NodeProcess, "send", counting_send)
    monkeypatch.setattr(jsii._kernel, "_handle_callback", counting_handle)
    return counted


def test_elements_are_named_at_creation_and_node_never_asks(node_requests: Counter[str]) -> None:
    stack = ReadableIdsStack(cdk.Testing.app(), "unit")
    outer = Construct(stack, "outer")
    inner = Construct(outer, "in/ner")  # "/" is sanitized to "--", as the constructs library does
    aws.lambda_permission.LambdaPermission(inner, "permission", action="x", function_name="f", principal="p")
    aws.lambda_permission.LambdaPermission(stack, "top", action="x", function_name="f", principal="p")
    doc = json.loads(cdk.Testing.synth(stack))
    assert sorted(doc["resource"]["aws_lambda_permission"]) == ["outer_in--ner_permission", "top"]
    assert node_requests["callback"] == 0


def test_paths_and_stacks_are_answered_in_python(node_requests: Counter[str]) -> None:
    stack = ReadableIdsStack(cdk.Testing.app(), "unit")
    leaf = Construct(Construct(stack, "a"), "b")
    before = sum(node_requests.values())
    assert construct_path(leaf) == "unit/a/b" and stack_of(leaf) is stack and construct_path(stack) == "unit"
    assert sum(node_requests.values()) == before
    assert construct_path(leaf) == leaf.node.path  # what Node says


def test_a_construct_python_has_no_record_of_is_asked_of_node_once() -> None:
    stack = ReadableIdsStack(cdk.Testing.app(), "unit")
    scope = Construct(Construct(stack, "a"), "b")
    del vars(scope)[naming._SCOPE]  # as for a construct handed over by Node as a fresh proxy
    aws.lambda_permission.LambdaPermission(scope, "c", action="x", function_name="f", principal="p")
    assert list(json.loads(cdk.Testing.synth(stack))["resource"]["aws_lambda_permission"]) == ["a_b_c"]


def test_elements_of_a_plain_stack_keep_cdktf_names(node_requests: Counter[str]) -> None:
    stack = cdk.TerraformStack(cdk.Testing.app(), "plain")
    aws.lambda_permission.LambdaPermission(Construct(stack, "outer"), "p", action="x", function_name="f", principal="p")
    (name,) = json.loads(cdk.Testing.synth(stack))["resource"]["aws_lambda_permission"]
    assert name.startswith("outer_p_") and len(name) == len("outer_p_") + 8  # cdktf's own <path>_<hash>


def test_type_hints_are_resolved_once_per_stub_and_still_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: Counter[Any] = Counter()
    real = typing.get_type_hints

    def counting(obj: Any, *args: Any, **kwargs: Any) -> Any:
        resolved[obj] += 1
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(type_hints, "_hints", {})
    monkeypatch.setattr(typing, "get_type_hints", counting)
    stack = ReadableIdsStack(cdk.Testing.app(), "unit")
    for index in range(3):
        aws.vpc.Vpc(stack, f"vpc{index}", cidr_block="10.0.0.0/16")
    assert resolved and max(resolved.values()) == 1
    with pytest.raises(TypeError, match="cidr_block"):
        aws.vpc.Vpc(stack, "wrong", cidr_block=16)  # type: ignore[arg-type]


def test_a_plain_value_is_judged_once_per_annotation_and_a_wrong_one_still_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import typeguard

    judged: list[str] = []
    real = typeguard.check_type

    def counting(argname: str, value: Any, expected_type: Any, *args: Any, **kwargs: Any) -> Any:
        judged.append(argname)
        return real(argname, value, expected_type, *args, **kwargs)

    monkeypatch.setattr(type_hints, "_passed", set())
    monkeypatch.setattr(typeguard, "check_type", counting)
    stack = ReadableIdsStack(cdk.Testing.app(), "unit")
    aws.vpc.Vpc(stack, "first", cidr_block="10.0.0.0/16")
    first = len(judged)
    judged.clear()
    aws.vpc.Vpc(stack, "second", cidr_block="10.1.0.0/16")
    assert first > 20 and judged == ["argument scope"], "the second time only the construct is judged"
    judged.clear()
    aws.vpc.Vpc(stack, "third", cidr_block="10.2.0.0/16", ipv4_netmask_length=16)
    assert judged.count("argument ipv4_netmask_length") >= 1, "a number where only None was seen is judged"
    with pytest.raises(TypeError, match="cidr_block"):
        aws.vpc.Vpc(stack, "wrong", cidr_block=16)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ipv4_netmask_length"):  # a string where a number was judged fine before
        aws.vpc.Vpc(stack, "wrong2", cidr_block="10.3.0.0/16", ipv4_netmask_length="16")  # type: ignore[arg-type]


def test_a_literal_annotation_is_judged_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(type_hints, "_passed", set())
    module = types.ModuleType("bindings_like")
    module.check_type = lambda argname, value, expected_type: typeguard_check(argname, value, expected_type)  # type: ignore[attr-defined]
    module.check_type.__module__ = "bindings_like"
    type_hints.cache_type_hints(module)
    module.check_type(argname="argument mode", value="a", expected_type=typing.Literal["a"])  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="mode"):
        module.check_type(argname="argument mode", value="b", expected_type=typing.Literal["a"])  # type: ignore[attr-defined]
    module.check_type(argname="argument name", value="a", expected_type=str)  # type: ignore[attr-defined]
    assert type_hints._passed == {(str, str)}


def typeguard_check(argname: str, value: Any, expected_type: Any) -> Any:
    import typeguard

    return typeguard.check_type(argname=argname, value=value, expected_type=expected_type)


def _requests_of(counted: Counter[str]) -> Iterator[int]:
    yield sum(count for kind, count in counted.items() if kind != "callback")


def test_the_default_app_stays_within_its_round_trip_budget(node_requests: Counter[str], tmp_path: Any) -> None:
    """Measured 2,551 requests for 608 resources (4.2 each) when written; the budget
    leaves room for new patterns, not for a per-element call back."""
    from main import build_app

    app = build_app(load_config(SHIPPED_CONFIG), str(tmp_path / "out"))
    app.synth()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    resources = 0
    for entry in manifest["stacks"].values():
        doc = json.loads((tmp_path / "out" / entry["synthesizedStackPath"]).read_text())
        resources += sum(len(group) for group in doc.get("resource", {}).values())
    (requests,) = _requests_of(node_requests)
    assert requests / resources <= 4.6, f"{requests} requests to Node for {resources} resources"
    assert node_requests["callback"] <= 0.05 * resources, f"{node_requests['callback']} calls back from Node"
