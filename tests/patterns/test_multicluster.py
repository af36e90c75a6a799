"""Multi-cluster secure communication (seed 004; ../shared/spec/seed-004-multicluster.md),
the part the AWS provider makes: the environment (zone, Pod Identity role, private CA
and certificate, the service network Terraform owns) and one stack per cluster (VPC
with the same CIDR, EKS, node group, add-ons, Lattice ingress to the pods, the
associations), resource for resource against the original's inventory."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app_config.loader import ConfigError
from lattice_check.tfjson import decode_json_argument
from tests.helpers import VariantsCheck, cross_stack_problems, load_stacks, make_config, resources, synth, validate_and_apply
from tools.security_scan import scan

ENVIRONMENT, CLUSTER1, CLUSTER2 = "multicluster-environment", "multicluster-cluster1", "multicluster-cluster2"
AWS_ONLY = {ENVIRONMENT, CLUSTER1, CLUSTER2}  # the stacks whose providers are on this machine
ACCOUNTS = {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}, "clusters": {"id": "101010101010"}}


def multicluster_config(**settings: object):
    return make_config(accounts=ACCOUNTS, patterns={"distributed": {"enabled": False}, "multicluster": {"enabled": True, **settings}})


def only(stack: dict, kind: str) -> dict:
    (body,) = resources(stack, kind).values()
    return body


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return synth(multicluster_config(), tmp_path_factory.mktemp("multicluster") / "cdktf.out")


@pytest.fixture(scope="module")
def stacks(out) -> dict:
    return load_stacks(out)


def test_deploy_order_is_one_line_environment_first(out, stacks) -> None:
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert set(stacks) == AWS_ONLY | {f"{c}-{part}" for c in (CLUSTER1, CLUSTER2) for part in ("platform", "apps")}
    assert manifest["stacks"][ENVIRONMENT]["dependencies"] == []
    assert manifest["stacks"][CLUSTER1]["dependencies"] == [ENVIRONMENT]
    assert manifest["stacks"][CLUSTER2]["dependencies"] == [ENVIRONMENT]
    assert manifest["stacks"][f"{CLUSTER1}-platform"]["dependencies"] == [CLUSTER1]
    assert sorted(manifest["stacks"][f"{CLUSTER1}-apps"]["dependencies"]) == sorted([f"{CLUSTER1}-platform", ENVIRONMENT, CLUSTER1])
    assert cross_stack_problems(stacks, manifest) == []


def test_the_environment_owns_the_network_the_role_and_the_certificate(stacks) -> None:
    environment = stacks[ENVIRONMENT]
    network = only(environment, "aws_vpclattice_service_network")
    assert (network["name"], network["auth_type"]) == ("lattice-gateway", "AWS_IAM")
    (statement,) = decode_json_argument(only(environment, "aws_vpclattice_auth_policy")["policy"])["Statement"]
    assert statement["Condition"] == {"StringNotEqualsIgnoreCase": {"aws:PrincipalType": "anonymous"}}  # signed callers only, as the original
    role = resources(environment, "aws_iam_role")["client-role_role"]
    assert role["name"] == "vpc-lattice-ccpc-sigv4-client"
    trust = decode_json_argument(role["assume_role_policy"])["Statement"][0]
    assert (trust["Principal"], trust["Action"]) == ({"Service": "pods.eks.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"])
    inline = decode_json_argument(only(environment, "aws_iam_role_policy")["policy"])["Statement"]
    assert {s["Action"] for s in inline} == {"vpc-lattice-svcs:Invoke", "acm-pca:GetCertificateAuthorityCertificate"}
    certificate = only(environment, "aws_acm_certificate")
    assert (certificate["domain_name"], certificate["subject_alternative_names"]) == ("vpc-lattice-octank.io", ["*.vpc-lattice-octank.io"])
    assert certificate["depends_on"] == ["aws_acmpca_certificate_authority_certificate.certificate-authority_activation"]
    authority = only(environment, "aws_acmpca_certificate_authority")
    subject = authority["certificate_authority_configuration"]["subject"]
    assert (subject["common_name"], subject["organization"]) == ("vpc-lattice-octank.io", "octank")
    zone = only(environment, "aws_route53_zone")
    assert (zone["name"], zone["lifecycle"]["ignore_changes"]) == ("vpc-lattice-octank.io", ["vpc"])


@pytest.mark.parametrize("cluster, stack", [("cluster1", CLUSTER1), ("cluster2", CLUSTER2)])
def test_each_cluster_as_in_the_original_with_the_same_cidr(stacks, cluster: str, stack: str) -> None:
    body = stacks[stack]
    vpc = only(body, "aws_vpc")
    assert (vpc["cidr_block"], vpc["tags"]["Name"]) == ("10.0.0.0/16", f"eks-{cluster}")
    subnets = sorted(s["cidr_block"] for s in resources(body, "aws_subnet").values())
    assert subnets == sorted(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/24", "10.0.49.0/24", "10.0.50.0/24"])
    assert len(resources(body, "aws_nat_gateway")) == 1  # one, as the original
    eks = only(body, "aws_eks_cluster")
    assert (eks["name"], eks["version"]) == (f"eks-{cluster}", "1.35")
    assert eks["encryption_config"]["resources"] == ["secrets"]
    assert eks["access_config"]["bootstrap_cluster_creator_admin_permissions"] is True
    nodes = only(body, "aws_eks_node_group")
    assert (nodes["instance_types"], nodes["scaling_config"]) == (["m5.large"], {"desired_size": 3, "max_size": 10, "min_size": 3})
    assert sorted(a["addon_name"] for a in resources(body, "aws_eks_addon").values()) == ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
    rule = only(body, "aws_vpc_security_group_ingress_rule")
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 8090, 8090)
    assert rule["security_group_id"] == "${aws_eks_cluster.eks_cluster.vpc_config[0].cluster_security_group_id}"
    association = only(body, "aws_vpclattice_service_network_vpc_association")
    assert association["service_network_identifier"] == "${data.terraform_remote_state.multicluster-environment.outputs.service_network_id}"
    assert only(body, "aws_route53_zone_association")["zone_id"] == "${data.terraform_remote_state.multicluster-environment.outputs.private_zone_id}"
    identities = {(p["namespace"], p["service_account"]) for p in resources(body, "aws_eks_pod_identity_association").values()}
    assert identities == {("apps", "default"), ("aws-application-networking-system", "gateway-api-controller"), ("external-dns", "external-dns")}


def test_pod_identity_roles_trust_only_clusters_of_their_account(stacks) -> None:
    """pods.eks.amazonaws.com alone would let a cluster of any account borrow the role
    (confused deputy): every such trust is held to its own account."""
    trusted = 0
    for name in (ENVIRONMENT, CLUSTER1, CLUSTER2):
        account = stacks[name]["provider"]["aws"][0]["allowed_account_ids"][0]
        for role in resources(stacks[name], "aws_iam_role").values():
            (statement,) = decode_json_argument(role["assume_role_policy"])["Statement"]
            if statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}:
                trusted += 1
                assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}, role["name"]
    assert trusted == 5  # the apps' client role, and per cluster the controller's and ExternalDNS's


def test_the_private_zone_can_be_destroyed_with_the_records_externaldns_left(stacks) -> None:
    (zone,) = resources(stacks[ENVIRONMENT], "aws_route53_zone").values()
    assert zone["force_destroy"] is True


def test_the_controller_role_is_not_vpc_lattice_star(stacks) -> None:
    inline = resources(stacks[CLUSTER1], "aws_iam_role_policy")["controller-role_inline"]
    actions = [a for s in decode_json_argument(inline["policy"])["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert "vpc-lattice:*" not in actions and "*" not in actions
    assert "vpc-lattice:CreateService" in actions and "vpc-lattice:RegisterTargets" in actions


def test_checkov_has_nothing_unexplained(out) -> None:
    results = scan(out)
    failures = [f"{stack}: {f.resource}: {f.check_id} {f.check_name}" for stack, r in results.items() for f in r.failed]
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"clusters": ["cluster1"]}, "give at least two clusters"),
        ({"clusters": ["a", "a"]}, "'a': a cluster name is 2-32"),
        ({"clusters": ["one", "one"]}, "cluster names must be distinct"),
        ({"kubernetes_version": "1.30"}, "'1.30' is not in EKS standard support (as of 2026-12-07, pins/ledger.toml)"),
        ({"kubernetes_version": "1.34"}, "choose one of 1.35, 1.36"),
        ({"node_count": 0}, "must be between 1 and 10"),
        ({"domain": "Not A Domain"}, "must be a lowercase DNS domain"),
        ({"cluster_vpc_cidr": "10.0.0.0/24"}, "patterns.multicluster.cluster_vpc_cidr"),
        ({"accounts": {"cluster3": {"id": "121212121212"}}}, "accounts names 'cluster3', which is not one of clusters (cluster1, cluster2)"),
        ({"accounts": {"cluster2": {"id": "101010101010"}}}, "patterns.multicluster.accounts.cluster2.id = '101010101010': is accounts.clusters.id"),
        ({"node_instance_type": "large"}, "patterns.multicluster.node_instance_type = 'large': must be an EC2 instance type such as t3.micro"),
        ({"organization": "o" * 65}, "patterns.multicluster.organization = 'ooo"),
        ({"organization": ""}, "an organization name (the certificates' O) is 1-64 printable characters"),
    ],
)
def test_bad_settings_are_refused_with_the_field(settings: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        multicluster_config(**settings)
    assert expected in str(refused.value)


@pytest.fixture(scope="module")
def checked(out, across, terraform) -> VariantsCheck:
    """Both variants in one validate and one mocked run."""
    return validate_and_apply(terraform, {"multicluster": out, "multicluster-accounts": across})


def test_validate_and_apply_against_mocks(checked) -> None:
    """Every stack; of the Kubernetes ones only their AWS part (the kubernetes, helm
    and http providers are not on this machine: their objects are schema-checked)."""
    checked.assert_clean("multicluster")


def test_the_platform_stack_installs_the_crds_and_the_pinned_controller(stacks) -> None:
    platform = stacks[f"{CLUSTER1}-platform"]
    assert set(platform["terraform"]["required_providers"]) == {"aws", "kubernetes", "helm", "http"}
    (connection,) = platform["provider"]["kubernetes"]
    assert connection == {
        "host": "${data.aws_eks_cluster.eks-cluster.endpoint}",
        "cluster_ca_certificate": "${base64decode(data.aws_eks_cluster.eks-cluster.certificate_authority[0].data)}",
        "token": "${data.aws_eks_cluster_auth.eks-auth.token}",
    }
    assert platform["provider"]["helm"] == [{"kubernetes": connection}]
    assert platform["data"]["aws_eks_cluster"]["eks-cluster"]["name"] == "${data.terraform_remote_state.multicluster-cluster1.outputs.cluster_name}"
    (source,) = platform["data"]["http"].values()
    assert source["url"] == "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml"
    crds = only(platform, "kubernetes_manifest")
    assert 'split("\\n---", data.http.gateway-api-crds_source.response_body) : yamldecode(part)' in crds["for_each"]
    releases = resources(platform, "helm_release")
    release = releases["gateway-api-controller"]
    assert (release["repository"], release["chart"], release["version"]) == (
        "oci://public.ecr.aws/aws-application-networking-k8s", "aws-gateway-controller-chart", "v2.1.3"
    )
    assert release["depends_on"] == ["kubernetes_manifest.gateway-api-crds_manifests"]
    values = decode_json_argument(release["values"][0])
    assert "defaultServiceNetwork" not in values  # Terraform owns the network and the association
    assert values["serviceAccount"] == {"create": True, "name": "gateway-api-controller"}  # the Pod Identity association's
    assert values["installExternalDNSCRD"] is True
    dns = releases["external-dns"]
    # not the original's 1.14.3: its image cannot read the Pod Identity credentials it is given (pins/ledger.toml)
    assert (dns["chart"], dns["version"], dns["namespace"], dns["depends_on"]) == ("external-dns", "1.21.1", "external-dns", ["helm_release.gateway-api-controller"])
    dns_values = decode_json_argument(dns["values"][0])
    assert (dns_values["sources"], dns_values["domainFilters"], dns_values["txtPrefix"]) == (["crd"], ["vpc-lattice-octank.io"], "eks-cluster1")
    assert "--aws-zone-type=private" in dns_values["extraArgs"]


CRD_FILE = """# Copyright The Kubernetes Authors (a release file starts with comments)
---
#
# config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml
#
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gatewayclasses.gateway.networking.k8s.io
spec:
  description: "a --- inside a value"
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gateways.gateway.networking.k8s.io
---
"""


def test_the_crds_expression_splits_a_release_file_as_terraform_evaluates_it(stacks, terraform, tmp_path) -> None:
    """The synthesized for_each, run by terraform console on a file shaped like the
    release's standard-install.yaml: one object per document, comments skipped."""
    expression = only(stacks[f"{CLUSTER1}-platform"], "kubernetes_manifest")["for_each"]
    assert expression.startswith("${") and expression.endswith("}")
    (tmp_path / "install.yaml").write_text(CRD_FILE)
    (tmp_path / "main.tf").write_text('locals {\n  body = file("install.yaml")\n}\n')
    keys = expression[2:-1].replace("data.http.gateway-api-crds_source.response_body", "local.body")
    result = subprocess.run(
        [str(terraform.terraform), "console", "-no-color"], cwd=tmp_path, env=terraform.env, input=f"jsonencode(keys({keys}))\n",
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(json.loads(result.stdout)) == [
        "CustomResourceDefinition/gatewayclasses.gateway.networking.k8s.io", "CustomResourceDefinition/gateways.gateway.networking.k8s.io",
    ]


def test_external_dns_may_change_the_private_zone_only(stacks) -> None:
    policy = decode_json_argument(resources(stacks[CLUSTER1], "aws_iam_role_policy")["external-dns-role_inline"]["policy"])
    writes = next(s for s in policy["Statement"] if "route53:ChangeResourceRecordSets" in s["Action"])
    assert writes["Resource"] == "arn:aws:route53:::hostedzone/${data.terraform_remote_state.multicluster-environment.outputs.private_zone_id}"


def test_the_apps_stack_applies_the_objects_the_schema_tests_check(stacks) -> None:
    """The manifests are exactly accounts/multicluster/kubernetes.py's objects, the
    environment's ARNs read through remote state."""
    from accounts.multicluster.config import MulticlusterSettings
    from accounts.multicluster.kubernetes import demo_objects, platform_objects

    apps = stacks[f"{CLUSTER1}-apps"]
    manifests = [body["manifest"] for body in resources(apps, "kubernetes_manifest").values()]
    settings = MulticlusterSettings(enabled=True)
    remote = "${data.terraform_remote_state.multicluster-environment.outputs.%s}"
    expected = platform_objects(settings, certificate_arn=remote % "certificate_arn") + demo_objects(
        settings, "cluster1", region="eu-west-1", caller_accounts=["101010101010"], certificate_authority_arn=remote % "certificate_authority_arn"
    )
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(manifests, key=key) == sorted(expected, key=key)
    for name, body in resources(apps, "kubernetes_manifest").items():
        if not name.startswith("namespace-"):
            assert body["depends_on"] == ["kubernetes_manifest.namespace-lattice-gateway", "kubernetes_manifest.namespace-apps"]


def test_the_diagram_draws_the_clusters_on_one_network(out) -> None:
    from lattice_check import diagram as pictures
    from lattice_check.graph import Model
    from lattice_check.topology import Topology

    text = pictures.mermaid(pictures.build(Topology(Model.load(out))))
    for cluster in ("cluster1", "cluster2"):
        stack = f"multicluster_{cluster}"
        assert f'{stack}_eks_cluster[("EKS cluster eks-{cluster}<br/>Kubernetes 1.35")]' in text
        assert f'{stack}_vpc -->|"nodes and pods"| {stack}_eks_cluster' in text
        assert f'{stack}_vpc -->|"VPC association"| multicluster_environment_service_network_network' in text


OTHER = "121212121212"  # cluster2's own account in the cross-account variant


@pytest.fixture(scope="module")
def across(tmp_path_factory) -> Path:
    return synth(multicluster_config(accounts={"cluster2": {"id": OTHER}}), tmp_path_factory.mktemp("multicluster-accounts") / "cdktf.out")


def test_a_cluster_in_its_own_account_gets_the_network_zone_and_ca_by_ram(across) -> None:
    import json

    stacks = load_stacks(across)
    manifest = json.loads((across / "manifest.json").read_text())
    access = f"{CLUSTER2}-zone-access"
    assert sorted(manifest["stacks"][access]["dependencies"]) == sorted([ENVIRONMENT, CLUSTER2])
    assert access in manifest["stacks"][f"{CLUSTER2}-platform"]["dependencies"]
    assert cross_stack_problems(stacks, manifest) == []
    environment = stacks[ENVIRONMENT]
    principals = {b["principal"] for b in resources(environment, "aws_ram_principal_association").values()}
    assert principals == {OTHER}
    shared = {b["resource_arn"] for b in resources(environment, "aws_ram_resource_association").values()}
    assert shared == {"${aws_vpclattice_service_network.service-network_network.arn}", "${aws_acmpca_certificate_authority.certificate-authority_authority.arn}"}
    records = resources(environment, "aws_iam_role")["cluster2-records-role_role"]
    trust = decode_json_argument(records["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
    assert trust["Condition"] == {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{OTHER}:role/eks-cluster2-external-dns"}}
    cluster2 = stacks[CLUSTER2]
    assert cluster2["provider"]["aws"][0]["allowed_account_ids"] == [OTHER]
    assert len(resources(cluster2, "aws_ram_resource_share_accepter")) == 2
    association = only(cluster2, "aws_vpclattice_service_network_vpc_association")
    assert association["depends_on"] == ["aws_ram_resource_share_accepter.service-network-accepter_accepter"]
    assert "aws_route53_zone_association" not in cluster2["resource"], "after the zone account's authorization: the platform stack"
    certificate = only(cluster2, "aws_acm_certificate")
    assert certificate["certificate_authority_arn"] == "${data.terraform_remote_state.multicluster-environment.outputs.certificate_authority_arn}"
    assert resources(cluster2, "aws_iam_role")["client-role_role"]["name"] == "vpc-lattice-ccpc-sigv4-client"
    statements = decode_json_argument(resources(cluster2, "aws_iam_role_policy")["controller-role_inline"]["policy"])["Statement"]
    assert statements[0]["Sid"] == "AssociateWithTheSharedNetwork"
    authorization = only(stacks[access], "aws_route53_vpc_association_authorization")
    assert authorization["vpc_id"] == "${data.terraform_remote_state.multicluster-cluster2.outputs.vpc_id}"
    platform = stacks[f"{CLUSTER2}-platform"]
    assert only(platform, "aws_route53_zone_association")["zone_id"] == "${data.terraform_remote_state.multicluster-environment.outputs.private_zone_id}"
    values = json.loads(resources(platform, "helm_release")["external-dns"]["values"][0])
    assert "--aws-assume-role=arn:aws:iam::101010101010:role/eks-cluster2-external-dns-records" in values["extraArgs"]
    policy = next(o for o in (b["manifest"] for b in resources(stacks[f"{CLUSTER1}-apps"], "kubernetes_manifest").values()) if o["kind"] == "IAMAuthPolicy")
    assert json.loads(policy["spec"]["policy"])["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}


def test_the_cross_account_variant_validates_and_applies(checked) -> None:
    checked.assert_clean("multicluster-accounts")
