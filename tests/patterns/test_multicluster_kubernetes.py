"""The multicluster pattern's Kubernetes objects (accounts/multicluster/kubernetes.py),
validated offline against their schemas: core kinds against the Kubernetes 1.35 API
(kubernetes-validate), Gateway API kinds against @kubernetes-models/gateway-api
(node), the controller's IAMAuthPolicy against the fields its CRD documents; and
the wiring the seed's results depend on (names, hosts, tags, ports)."""
from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import kubernetes_validate
import pytest

from accounts.multicluster.config import MulticlusterSettings
from accounts.multicluster.kubernetes import APP_PORT, demo_objects, platform_objects
from tests.helpers import ROOT

SETTINGS = MulticlusterSettings(enabled=True)
CERTIFICATE = "arn:aws:acm:eu-west-1:101010101010:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
AUTHORITY = "arn:aws:acm-pca:eu-west-1:101010101010:certificate-authority/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CORE = {"v1", "apps/v1"}
# What the controller's IAMAuthPolicy CRD takes (docs/api-types/iam-auth-policy.md): a target and a policy document.
IAM_AUTH_POLICY = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "application-networking.k8s.aws/v1alpha1"},
        "kind": {"const": "IAMAuthPolicy"},
        "metadata": {"type": "object", "required": ["name", "namespace"]},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["targetRef", "policy"],
            "properties": {
                "policy": {"type": "string", "minLength": 1},
                "targetRef": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["group", "kind", "name"],
                    "properties": {
                        "group": {"enum": ["gateway.networking.k8s.io"]},
                        "kind": {"enum": ["Gateway", "HTTPRoute", "GRPCRoute"]},
                        "name": {"type": "string", "minLength": 1},
                        "namespace": {"type": "string"},
                    },
                },
            },
        },
    },
}


def every_object() -> list[dict]:
    objects = platform_objects(SETTINGS, certificate_arn=CERTIFICATE)
    for cluster in SETTINGS.clusters:
        objects += demo_objects(SETTINGS, cluster, region="eu-west-1", caller_accounts=["101010101010"], certificate_authority_arn=AUTHORITY)
    return objects


def by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


@pytest.mark.parametrize("obj", [o for o in every_object() if o["apiVersion"] in CORE], ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_core_kinds_match_the_kubernetes_api(obj: dict) -> None:
    kubernetes_validate.validate(obj, SETTINGS.kubernetes_version, strict=True)


def test_gateway_api_kinds_match_their_schemas() -> None:
    node = shutil.which("node")
    assert node, "node is installed with the project's npm packages"
    objects = [o for o in every_object() if o["apiVersion"].startswith("gateway.networking.k8s.io/")]
    assert {o["kind"] for o in objects} == {"GatewayClass", "Gateway", "HTTPRoute"}
    run = subprocess.run([node, str(ROOT / "tools" / "validate_gateway_api.mjs")], input=json.dumps(objects), capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []
    broken = [{**objects[-1], "spec": {**objects[-1]["spec"], "hostnames": ["Not A Host"]}}]
    run = subprocess.run([node, str(ROOT / "tools" / "validate_gateway_api.mjs")], input=json.dumps(broken), capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "hostnames/0 must match pattern" in json.loads(run.stdout)[0]["problem"], "the validator can fail"


def listener_rule_problems(gateway: dict) -> list[str]:
    """The Gateway CRD's own x-kubernetes-validations on spec.listeners (Gateway API
    v1.x, standard channel), which the schema validators above do not evaluate: the
    API server refuses a Gateway that breaks one."""
    listeners = gateway["spec"]["listeners"]
    problems = []
    if len({l["name"] for l in listeners}) != len(listeners):
        problems.append("Listener name must be unique within the Gateway")
    if len({(l["port"], l["protocol"], l.get("hostname")) for l in listeners}) != len(listeners):
        problems.append("Combination of port, protocol and hostname must be unique for each listener")
    if any(l["protocol"] == "HTTPS" and "tls" in l and l["tls"].get("mode", "Terminate") != "Terminate" for l in listeners):
        problems.append("tls mode must be Terminate for protocol HTTPS")
    return problems


def test_the_gateway_passes_the_crds_listener_rules() -> None:
    """The original's Gateway has two 443 HTTPS listeners without a hostname, which
    the v1 CRD refuses (so nothing of the seed deployed); the unused one is left out."""
    (gateway,) = by_kind(every_object(), "Gateway")
    assert listener_rule_problems(gateway) == []
    assert [l["name"] for l in gateway["spec"]["listeners"]] == ["http-listener", "https-listener-with-custom-domain"]
    routed = {p["sectionName"] for r in by_kind(every_object(), "HTTPRoute") for p in r["spec"]["parentRefs"]}
    assert routed == {l["name"] for l in gateway["spec"]["listeners"]}, "every listener is used by a route"
    original = {**gateway, "spec": {**gateway["spec"], "listeners": [*gateway["spec"]["listeners"], {"name": "https-listener-with-default-domain", "port": 443, "protocol": "HTTPS"}]}}
    assert listener_rule_problems(original) == ["Combination of port, protocol and hostname must be unique for each listener"]


def test_auth_policies_match_the_crd_and_admit_only_the_other_clusters_apps() -> None:
    policies = by_kind(every_object(), "IAMAuthPolicy")
    assert [p["metadata"]["name"] for p in policies] == ["demo-cluster1-iam-auth-policy", "demo-cluster2-iam-auth-policy"]
    for policy, other in zip(policies, ("eks-cluster2", "eks-cluster1")):
        jsonschema.validate(policy, IAM_AUTH_POLICY)
        (statement,) = json.loads(policy["spec"]["policy"])["Statement"]
        assert statement["Principal"] == {"AWS": "arn:aws:iam::101010101010:root"}
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalTag/eks-cluster-name": other, "aws:PrincipalTag/kubernetes-namespace": "apps"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**policies[0], "spec": {"policy": "{}"}}, IAM_AUTH_POLICY)


def test_routes_hosts_and_ports_as_the_seed_needs_them() -> None:
    objects = every_object()
    (gateway,) = by_kind(objects, "Gateway")
    assert gateway["metadata"]["name"] == "lattice-gateway"  # the service network Terraform owns, found by this name
    custom = next(l for l in gateway["spec"]["listeners"] if l["name"] == "https-listener-with-custom-domain")
    assert custom["tls"]["options"] == {"application-networking.k8s.aws/certificate-arn": CERTIFICATE}
    (apps,) = [n for n in by_kind(objects, "Namespace") if n["metadata"]["name"] == "apps"]
    assert apps["metadata"]["labels"] == {"allow-attachment-to-infra-gw": "true"}  # the controller enforces allowedRoutes from v2.0.0
    routes = by_kind(objects, "HTTPRoute")
    assert [r["spec"]["hostnames"] for r in routes] == [["demo-cluster1.vpc-lattice-octank.io"], ["demo-cluster2.vpc-lattice-octank.io"]]
    for route in routes:
        assert [p["sectionName"] for p in route["spec"]["parentRefs"]] == ["http-listener", "https-listener-with-custom-domain"]
    for deployment in by_kind(objects, "Deployment"):
        containers = {c["name"]: c for c in deployment["spec"]["template"]["spec"]["containers"]}
        app = containers[deployment["metadata"]["name"]]
        assert app["ports"] == [{"containerPort": APP_PORT}]  # what the cluster security group admits from Lattice
        assert containers["envoy-sigv4"]["securityContext"]["runAsGroup"] == 0  # exempt from the redirect
        assert app["securityContext"]["runAsGroup"] != 0  # redirected to the signing proxy
        assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "default"  # the Pod Identity association's
    assert not by_kind(objects, "ClusterPolicy"), "no Kyverno: the signing containers are in the pod spec"


def test_checkov_kubernetes_has_nothing_unexplained(tmp_path) -> None:
    """checkov --framework kubernetes over every object; what it flags and the pattern
    keeps carries its reason in a checkov.io/skip annotation."""
    import sys

    import yaml

    for index, obj in enumerate(every_object()):
        (tmp_path / f"{index:02d}-{obj['kind']}.yaml").write_text(yaml.safe_dump(obj))
    run = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-d", str(tmp_path), "--framework", "kubernetes", "-o", "json", "--compact"],
        capture_output=True, text=True, timeout=600,
    )
    report = json.loads(run.stdout)
    results = (report if isinstance(report, dict) else report[0])["results"]
    assert [(f["check_id"], f["resource"]) for f in results["failed_checks"]] == []
    assert len(results["passed_checks"]) > 50
    skipped = results["skipped_checks"]
    assert skipped and all(len(s["check_result"]["suppress_comment"]) > 20 for s in skipped)
