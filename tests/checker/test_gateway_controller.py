"""lattice_check predicts what the AWS Gateway API controller makes of seed 004's
Kubernetes objects (this project's own output), and a pod signs as its EKS Pod
Identity session through its proxy; each object or permission broken one at a time
changes the answer the way the controller, EKS and VPC Lattice would."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from lattice_check.__main__ import main
from lattice_check.curl import BadInput, curl
from lattice_check.graph import Model
from lattice_check.topology import Topology

CLUSTER1 = "multicluster-cluster1/eks-cluster1"
APP1 = "apps/demo-cluster1-v1"
TO_CLUSTER2 = "http://demo-cluster2.vpc-lattice-octank.io/"
TO_CLUSTER1 = "http://demo-cluster1.vpc-lattice-octank.io/"


def said(answer, text: str) -> bool:
    return any(text in reason for reason in answer.reasons)


def stack(model: Model, name: str) -> dict[str, Any]:
    return model.stacks[name].document


def manifests(model: Model, cluster: str) -> Iterator[dict[str, Any]]:
    for body in stack(model, f"multicluster-{cluster}-apps")["resource"]["kubernetes_manifest"].values():
        yield body["manifest"]


def manifest(model: Model, cluster: str, kind: str, name: str) -> dict[str, Any]:
    return next(m for m in manifests(model, cluster) if m["kind"] == kind and m["metadata"]["name"] == name)


def drop_manifest(model: Model, cluster: str, kind: str, name: str) -> None:
    objects = stack(model, f"multicluster-{cluster}-apps")["resource"]["kubernetes_manifest"]
    (key,) = [k for k, b in objects.items() if b["manifest"]["kind"] == kind and b["manifest"]["metadata"]["name"] == name]
    del objects[key]


def notes_of(model: Model, cluster: str) -> list[str]:
    """What the prediction for ``cluster`` says it skipped, and why."""
    return next(p for p in Topology(copy.deepcopy(model)).predictions if p.cluster == cluster).notes


def from_pod(model: Model, url: str = TO_CLUSTER2, pod: str = APP1, source: str = CLUSTER1):
    return curl(model, source, url, pod=pod)


def test_the_controller_makes_what_its_documentation_says(model: Model) -> None:
    topology = Topology(model)
    (prediction,) = [p for p in topology.predictions if p.cluster == "eks-cluster2"]
    assert prediction.stack is not None and prediction.stack.name == "controller@eks-cluster2"
    resources = prediction.stack.document["resource"]
    (service,) = resources["aws_vpclattice_service"].values()
    assert {k: v for k, v in service.items() if k != "//"} == {
        "name": "demo-cluster2-apps", "auth_type": "AWS_IAM", "custom_domain_name": "demo-cluster2.vpc-lattice-octank.io",
        "certificate_arn": topology.model.attribute(model.stacks["multicluster-environment"], "aws_acm_certificate", "wildcard-certificate_certificate", "arn"),
    }
    assert sorted(b["name"] for b in resources["aws_vpclattice_listener"].values()) == ["demo-cluster2-apps-443-https", "demo-cluster2-apps-80-http"]
    assert {b["default_action"]["fixed_response"]["status_code"] for b in resources["aws_vpclattice_listener"].values()} == {404}
    (group,) = resources["aws_vpclattice_target_group"].values()
    assert group["name"].startswith("k8s-apps-demo-cluster2-v1-") and (group["type"], group["config"]["port"]) == ("IP", 80)
    cluster2_vpc = next(v.id for v in topology.vpcs(model.stacks["multicluster-cluster2"]))
    assert group["config"]["vpc_identifier"] == cluster2_vpc
    (association,) = resources["aws_vpclattice_service_network_service_association"].values()
    assert association["service_network_identifier"] == next(n.id for n in topology.networks if n.name == "lattice-gateway")
    (policy,) = resources["aws_vpclattice_auth_policy"].values()
    assert json.loads(policy["policy"])["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalTag/eks-cluster-name"] == "eks-cluster1"
    (record,) = resources["aws_route53_record"].values()
    assert (record["name"], record["type"]) == ("demo-cluster2.vpc-lattice-octank.io", "CNAME")


def test_a_pod_signs_as_its_pod_identity_session_through_its_proxy(model: Model) -> None:
    answer = from_pod(model)
    assert (answer.decision, answer.status) == ("ALLOW", None)
    assert said(answer, "signed (SigV4, vpc-lattice-svcs) as arn:aws:sts::101010101010:assumed-role/vpc-lattice-ccpc-sigv4-client/eks-eks-cluste-demo-clust-")
    assert said(answer, "listener demo-cluster2-apps-443-https (HTTPS 443)"), "the proxy sends it on over HTTPS to 443"
    assert said(answer, "what the pod answers is not modeled")
    denied = from_pod(model, TO_CLUSTER1)
    assert (denied.decision, denied.status) == ("DENY", 403)
    assert denied.body.startswith("AccessDeniedException: User: arn:aws:sts::101010101010:assumed-role/vpc-lattice-ccpc-sigv4-client/eks-eks-cluste-demo-clust-")


def test_without_the_allowed_routes_label_the_gateway_refuses_the_route(model: Model) -> None:
    for obj in manifests(model, "cluster2"):
        if obj["kind"] == "Namespace" and obj["metadata"]["name"] == "apps":
            obj["metadata"]["labels"] = {}
    answer = from_pod(model)
    assert answer.decision == "UNREACHABLE"
    assert said(answer, "has no record demo-cluster2.vpc-lattice-octank.io: NXDOMAIN")
    notes = notes_of(model, "eks-cluster2")
    assert any("lacks the labels {'allow-attachment-to-infra-gw': 'true'} (enforced from controller v2.0.0)" in n for n in notes)


def test_a_gateway_without_a_network_of_its_name_is_not_programmed(model: Model) -> None:
    manifest(model, "cluster2", "Gateway", "lattice-gateway")["metadata"]["name"] = "other-gateway"
    answer = from_pod(model)
    assert answer.decision == "UNREACHABLE"
    notes = notes_of(model, "eks-cluster2")
    assert any("no service network named other-gateway in account 101010101010" in n for n in notes)


def test_the_controller_needs_its_pod_identity_and_its_permissions(model: Model, default_out: Path) -> None:
    del stack(model, "multicluster-cluster2")["resource"]["aws_eks_pod_identity_association"]["eks_controller-identity"]
    assert from_pod(model).decision == "UNREACHABLE"
    fresh = Model.load(default_out)
    policy = stack(fresh, "multicluster-cluster2")["resource"]["aws_iam_role_policy"]["controller-role_inline"]
    assert '"vpc-lattice:CreateService",' in policy["policy"]
    policy["policy"] = policy["policy"].replace('"vpc-lattice:CreateService",', "")
    topology = Topology(fresh)
    (prediction,) = [p for p in topology.predictions if p.cluster == "eks-cluster2"]
    assert prediction.stack is None
    assert any("may not vpc-lattice:CreateService" in n for n in prediction.notes)


def test_without_the_auth_policy_the_service_admits_any_signed_caller(model: Model) -> None:
    drop_manifest(model, "cluster1", "IAMAuthPolicy", "demo-cluster1-iam-auth-policy")
    answer = from_pod(model, TO_CLUSTER1)
    assert answer.decision == "ALLOW"
    assert said(answer, "service: auth type NONE")


def test_the_cluster_security_group_must_admit_lattice_on_the_pod_port(model: Model) -> None:
    del stack(model, "multicluster-cluster2")["resource"]["aws_vpc_security_group_ingress_rule"]["lattice-to-pods"]
    answer = from_pod(model)
    assert (answer.decision, answer.status) == ("ALLOW", 504)
    assert said(answer, "admits no TCP 8090 from VPC Lattice")


def test_no_running_pod_is_no_target(model: Model) -> None:
    manifest(model, "cluster2", "Deployment", "demo-cluster2-v1")["spec"]["replicas"] = 0
    assert from_pod(model).status == 503


def test_a_pod_without_credentials_or_without_the_proxy_is_unsigned(model: Model, default_out: Path) -> None:
    del stack(model, "multicluster-cluster1")["resource"]["aws_eks_pod_identity_association"]["eks_apps-identity"]
    answer = from_pod(model)
    assert (answer.decision, answer.status) == ("DENY", 403)
    assert said(answer, "no credentials, so unsigned") and "User: anonymous" in answer.body
    other = Model.load(default_out)
    del manifest(other, "cluster1", "Deployment", "demo-cluster1-v1")["spec"]["template"]["spec"]["initContainers"]
    plain = from_pod(other)
    assert said(plain, "it sends the request unsigned, as written") and said(plain, "listener demo-cluster2-apps-80-http (HTTP 80)")
    assert plain.decision == "DENY"


def test_the_proxy_trusts_only_its_private_ca(model: Model) -> None:
    container = manifest(model, "cluster1", "Deployment", "demo-cluster1-v1")["spec"]["template"]["spec"]["containers"][1]
    (variable,) = [v for v in container["env"] if v["name"] == "CA_ARN"]
    variable["value"] = "arn:aws:acm-pca:eu-west-1:101010101010:certificate-authority/00000000-0000-0000-0000-000000000000"
    answer = from_pod(model)
    assert (answer.decision, answer.status) == ("UNREACHABLE", None)
    assert said(answer, "not by the private CA the client trusts")


def test_the_zone_must_be_associated_with_the_callers_vpc(model: Model) -> None:
    del stack(model, "multicluster-cluster1")["resource"]["aws_route53_zone_association"]["zone-association"]
    answer = from_pod(model)
    assert answer.decision == "UNREACHABLE"
    assert said(answer, "is not associated with eks-cluster1: demo-cluster2.vpc-lattice-octank.io does not resolve there")


def test_external_dns_writes_only_where_its_role_allows(model: Model) -> None:
    policy = stack(model, "multicluster-cluster2")["resource"]["aws_iam_role_policy"]["external-dns-role_inline"]
    policy["policy"] = policy["policy"].replace("route53:ChangeResourceRecordSets", "route53:GetChange")
    answer = from_pod(model)
    assert answer.decision == "UNREACHABLE" and said(answer, "NXDOMAIN")


def test_external_dns_whose_image_cannot_read_pod_identity_writes_nothing(model: Model) -> None:
    """The original's chart 1.14.3 (image v0.14.0, aws-sdk-go v1.44) given a Pod Identity
    association: it never had credentials, so no CNAME, and the seed's calls failed at
    DNS; lattice_check once answered ALLOW from the role's policy alone."""
    release = stack(model, "multicluster-cluster2-platform")["resource"]["helm_release"]["external-dns"]
    release["version"] = "1.14.3"
    answer = from_pod(model)
    assert answer.decision == "UNREACHABLE" and said(answer, "NXDOMAIN")
    assert any("chart external-dns 1.14.3 cannot read EKS Pod Identity credentials" in note for note in notes_of(model, "eks-cluster2"))
    release["version"] = "1.15.0"  # newer SDK, the session bug still (#4353)
    assert from_pod(model).decision == "UNREACHABLE"


def test_a_controller_version_the_ledger_does_not_know_predicts_nothing(model: Model) -> None:
    stack(model, "multicluster-cluster2-platform")["resource"]["helm_release"]["gateway-api-controller"]["version"] = "v1.0.5"
    notes = notes_of(model, "eks-cluster2")
    assert any("whether chart aws-gateway-controller-chart v1.0.5 reads EKS Pod Identity credentials is not known" in note for note in notes)
    assert from_pod(model).decision == "UNREACHABLE"


def test_a_signing_proxy_whose_image_may_not_read_pod_identity_predicts_nothing(model: Model) -> None:
    deployment = manifest(model, "cluster1", "Deployment", "demo-cluster1-v1")
    (proxy,) = [c for c in deployment["spec"]["template"]["spec"]["containers"] if "envoy-sigv4" in c["image"]]
    proxy["image"] = "docker.io/example/some-proxy:1.0"
    answer = from_pod(model)
    assert answer.decision == "UNKNOWN"
    assert said(answer, "is given EKS Pod Identity credentials, but whether image docker.io/example/some-proxy:1.0 reads EKS Pod Identity credentials is not known")


def test_pod_input_errors_name_the_option(model: Model) -> None:
    with pytest.raises(BadInput, match="no Deployment apps/nope in the clusters of eks-cluster1 \\(Deployments: apps/demo-cluster1-v1\\)"):
        from_pod(model, pod="apps/nope")
    with pytest.raises(BadInput, match="no EKS cluster of this output runs in vpc1"):
        from_pod(model, source="distributed-consumer-account/vpc1")
    with pytest.raises(BadInput, match="give no --principal"):
        curl(model, CLUSTER1, TO_CLUSTER2, pod=APP1, principal="arn:aws:iam::101010101010:role/x")


def test_the_command_line_takes_a_pod(default_out: Path, capsys) -> None:
    status = main(["curl", "--out", str(default_out), "--from", CLUSTER1, "--pod", APP1, "--json", TO_CLUSTER1])
    answer = json.loads(capsys.readouterr().out)
    assert (status, answer["decision"], answer["status"]) == (1, "DENY", 403)
    assert main(["curl", "--out", str(default_out), "--pod", APP1, "--via", CLUSTER1, "--from-cidr", "10.0.0.1", TO_CLUSTER1]) == 2
    assert "--pod goes with --from" in capsys.readouterr().err


@pytest.fixture(scope="module")
def across_out(tmp_path_factory) -> Path:
    """The shipped config with cluster2 in an account of its own (the matrix variant)."""
    from tests.helpers import synth
    from tools.matrix_variants import variant_config

    return synth(variant_config("multicluster-accounts"), tmp_path_factory.mktemp("across") / "cdktf.out")


@pytest.fixture()
def across(across_out: Path) -> Model:
    return copy.deepcopy(Model.load(across_out))


def test_across_accounts_the_pods_reach_each_other(across: Model) -> None:
    assert from_pod(across).decision == "ALLOW"
    back = from_pod(across, TO_CLUSTER1, pod="apps/demo-cluster2-v1", source="multicluster-cluster2/eks-cluster2")
    assert back.decision == "ALLOW" and said(back, "as arn:aws:sts::121212121212:assumed-role/vpc-lattice-ccpc-sigv4-client/")


def test_across_accounts_an_unaccepted_network_share_breaks_the_associations(across: Model) -> None:
    del stack(across, "multicluster-cluster2")["resource"]["aws_ram_resource_share_accepter"]["service-network-accepter_accepter"]
    answer = from_pod(across)
    assert answer.decision == "UNREACHABLE"
    assert said(answer, "fails at apply: RAM share 'lattice-gateway share' of multicluster-environment gives the service network to 121212121212, but no stack of that account accepts the invitation")


def test_across_accounts_the_zone_needs_its_owners_authorization(across: Model) -> None:
    del stack(across, "multicluster-cluster2-zone-access")["resource"]["aws_route53_vpc_association_authorization"]
    answer = from_pod(across, TO_CLUSTER1, pod="apps/demo-cluster2-v1", source="multicluster-cluster2/eks-cluster2")
    assert answer.decision == "UNREACHABLE" and said(answer, "is not associated with eks-cluster2")


def test_across_accounts_external_dns_needs_the_records_role_to_trust_it(across: Model) -> None:
    role = stack(across, "multicluster-environment")["resource"]["aws_iam_role"]["cluster2-records-role_role"]
    role["assume_role_policy"] = role["assume_role_policy"].replace("eks-cluster2-external-dns", "someone-else")
    answer = from_pod(across)
    assert answer.decision == "UNREACHABLE" and said(answer, "NXDOMAIN")
    notes = notes_of(across, "eks-cluster2")
    assert any("does not let arn:aws:iam::121212121212:role/eks-cluster2-external-dns assume it" in n for n in notes)


def test_across_accounts_a_trust_condition_the_model_cannot_read_is_assumed_to_allow_and_said(across: Model) -> None:
    role = stack(across, "multicluster-environment")["resource"]["aws_iam_role"]["cluster2-records-role_role"]
    trust = json.loads(role["assume_role_policy"])
    trust["Statement"][0]["Condition"]["StringEquals"] = {"aws:SourceIdentity": "external-dns"}  # not in the model
    role["assume_role_policy"] = json.dumps(trust)
    answer = from_pod(across)
    assert answer.decision == "ALLOW", "an unknown is not a refusal: the record is predicted"
    notes = notes_of(across, "eks-cluster2")
    assert any("may or may not let arn:aws:iam::121212121212:role/eks-cluster2-external-dns assume it" in n and "aws:SourceIdentity" in n and n.endswith("assumed to let it") for n in notes)


def test_across_accounts_the_controller_needs_the_shared_network_in_its_policy(across: Model) -> None:
    policy = stack(across, "multicluster-cluster2")["resource"]["aws_iam_role_policy"]["controller-role_inline"]
    document = json.loads(policy["policy"]) if not policy["policy"].startswith("${") else None
    assert document is None or document["Statement"][0]["Sid"] == "AssociateWithTheSharedNetwork"
    policy["policy"] = policy["policy"].replace("AssociateWithTheSharedNetwork", "X").replace("vpc-lattice:CreateServiceNetworkServiceAssociation", "vpc-lattice:GetService", 1)
    answer = from_pod(across)
    assert answer.decision == "UNREACHABLE"
    notes = notes_of(across, "eks-cluster2")
    assert any("the controller's role may not associate its service with lattice-gateway" in n for n in notes)
