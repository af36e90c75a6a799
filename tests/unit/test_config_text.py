"""Every text rule of the config holds for the whole value, in ASCII: a trailing
newline or another script's digits are refused, whatever the field. And the VPC
Lattice limits the config and the constructs share are the API's own."""
from __future__ import annotations

import copy
import tomllib
from typing import Any, Iterator

import pytest

from app_config.loader import ConfigError, parse_config
from lattice_model import lattice_rules
from lattice_model.project import SHIPPED_CONFIG
from tests.helpers import TOPOLOGY_EXAMPLES, make_config, topology_raw

Path = tuple[Any, ...]  # keys and indexes down to a string; ("key", k) last: the key itself


def _texts(node: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, ("key", key))
            yield from _texts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, (*path, index))
    elif isinstance(node, str):
        yield path


def _with_suffix(raw: dict, path: Path, suffix: str) -> dict:
    changed = copy.deepcopy(raw)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    last = path[-1]
    if isinstance(last, tuple):
        node[last[1] + suffix] = node.pop(last[1])
    else:
        node[last] += suffix
    return changed


# What the shipped config leaves out or comments out: every backend and pipeline field set.
_BACKENDS_AND_PIPELINE = {
    "s3": {"type": "s3", "bucket": "state", "region": "eu-west-1", "key_prefix": "lattice/cdktf", "role_arn": "arn:aws:iam::111111111111:role/state"},
    "cloud": {"type": "cloud", "organization": "octank", "workspace_prefix": "lattice-", "hostname": "app.terraform.io", "project": "Network team"},
    "local": {"type": "local", "state_dir": "terraform-state"},
}
_PIPELINE = {"oidc_role_name": "deploy", "branch": "release/1", "runner": "ubuntu-latest", "terraform_version": "1.11.4"}


def _shipped_configs() -> dict[str, dict]:
    shipped = tomllib.loads((SHIPPED_CONFIG).read_text())
    configs = {"examples/lattice.toml": shipped}
    for kind, backend in _BACKENDS_AND_PIPELINE.items():
        configs[f"examples/lattice.toml with a {kind} backend"] = {**shipped, "backend": backend, "pipeline": _PIPELINE, "tags": {"Team": "network"}, "project": "lattice"}
    for example in sorted(TOPOLOGY_EXAMPLES.glob("*.toml")):
        configs[example.name] = topology_raw(**tomllib.loads(example.read_text()))
    return configs


def test_no_text_field_takes_a_trailing_newline() -> None:
    """``^...$`` with re.match let 'x\\n' through every pattern; each value and
    each key of the shipped config and the example topologies is tried."""
    accepted, tried = [], 0
    for name, raw in _shipped_configs().items():
        parse_config(raw)  # valid as shipped
        for path in _texts(raw):
            tried += 1
            try:
                parse_config(_with_suffix(raw, path, "\n"))
            except ConfigError:
                continue
            accepted.append(f"{name}: {path}")
    assert tried > 400
    assert accepted == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"accounts": {"service": {"id": "١١١١١١١١١١١١"}}}, "accounts.service.id"),  # Arabic-Indic digits
        ({"region": "eu-west-١"}, "region"),
        ({"pipeline": {"terraform_version": "1.11.٤"}}, "pipeline.terraform_version"),
        ({"accounts": {"service": {"id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/té"}}}, "accounts.service.role_arn"),
    ],
)
def test_digits_and_letters_are_ascii(raw: dict, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config(**raw)
    assert any(problem.startswith(field) for problem in caught.value.problems), caught.value.problems


def test_tags_may_use_letters_of_any_script() -> None:
    """AWS tags take Unicode letters: that rule alone is not ASCII."""
    assert make_config(tags={"Équipe": "réseau"}).tags == {"Équipe": "réseau"}


def test_the_shared_lattice_limits_are_the_apis_own() -> None:
    """lattice_rules holds the limits the config and the constructs check; botocore's
    VPC Lattice service model is the API's definition of them."""
    botocore = pytest.importorskip("botocore.session")
    model = botocore.get_session().get_service_model("vpc-lattice")

    def limits(shape: str) -> tuple[int, int]:
        meta = model.shape_for(shape).metadata
        return meta["min"], meta["max"]

    assert limits("RulePriority") == lattice_rules.RULE_PRIORITIES
    assert limits("WeightedTargetGroupList") == lattice_rules.FORWARD_TARGET_GROUPS
    assert limits("HeaderMatchList")[1] == lattice_rules.MATCH_HEADERS_MAX
    assert limits("HeaderMatchName") == (1, lattice_rules.HEADER_NAME_MAX)
    for kind in ("Exact", "Prefix", "Contains"):
        assert limits(f"HeaderMatch{kind}") == (1, lattice_rules.HEADER_VALUE_MAX)
    assert limits("HttpMethod")[1] == lattice_rules.MATCH_METHOD_MAX
    assert limits("AuthPolicyString")[1] == lattice_rules.AUTH_POLICY_MAX
    for shape in ("PathMatchExact", "PathMatchPrefix"):
        assert limits(shape) == (1, lattice_rules.MATCH_PATH_MAX)
        assert model.shape_for(shape).metadata["pattern"] == "^/[a-zA-Z0-9@:%_+.~#?&/=-]*$"
    assert limits("HealthCheckPath")[1] == lattice_rules.HEALTH_CHECK_PATH_MAX
    low, high, reserved = lattice_rules.NAME_RULES["target group"]
    assert limits("TargetGroupName") == (low, high) and f"(?!{reserved})" in model.shape_for("TargetGroupName").metadata["pattern"]
    for kind, shape in (("service", "ServiceName"), ("service network", "ServiceNetworkName"), ("listener", "ListenerName"), ("rule", "RuleName")):
        low, high, reserved = lattice_rules.NAME_RULES[kind]
        assert limits(shape) == (low, high), kind
        # the API reserves each prefix but the service network's, which the guide says to avoid: refused too
        assert kind == "service network" or f"(?!{reserved})" in model.shape_for(shape).metadata["pattern"], kind


@pytest.mark.parametrize(
    ("path", "ok"),
    [("/orders", True), ("/a?b=c&d=%20", True), ("/" + "a" * 199, True), ("/" + "a" * 200, False), ("orders", False), ("/or ders", False), ("/orders*", False), ("/x!", False)],
)
def test_a_rule_path_follows_the_api_pattern(path: str, ok: bool) -> None:
    assert (lattice_rules.match_path_problem(path) is None) is ok


def test_every_commented_key_of_the_shipped_config_is_a_key_where_it_stands() -> None:
    """Uncommented one at a time, each `# key = value` line of examples/lattice.toml is
    a key of the section it stands in (a `# extra_regions` under [backend] was not)."""
    import re

    from app_config.loader import parse_config as parse

    lines = SHIPPED_CONFIG.read_text().splitlines()
    tried = 0
    for index, line in enumerate(lines):
        found = re.match(r"# ?([a-z_]+ = .+?)(\s+#.*)?$", line)
        if not found:
            continue
        candidate = lines[:index] + [found.group(1)] + lines[index + 1 :]
        # a key of another backend counts under its own type: the commented `# type = ...` above it
        kind = next((re.match(r'# type = "(\w+)"', l) for l in reversed(lines[:index]) if re.match(r"# type = |\[", l)), None)
        if kind is not None and not found.group(1).startswith("type"):
            candidate = [re.sub(r'^type = "local".*', f'type = "{kind.group(1)}"', l) for l in candidate]
        try:
            raw = tomllib.loads("\n".join(candidate))
        except tomllib.TOMLDecodeError:
            continue  # a second `type = ...` of an alternative backend: a duplicate key, not an unknown one
        tried += 1
        try:
            parse(raw)
        except ConfigError as error:
            assert not [p for p in error.problems if "unknown key" in p], (line, error.problems)
    assert tried >= 10
