"""lattice_check diagram: every account, VPC, network, service, association and share
of the default app, as Mermaid and as Graphviz SVG."""
from __future__ import annotations

import copy
import os
import re
import shutil
import xml.etree.ElementTree as ElementTree

import pytest

from lattice_check import diagram as pictures
from lattice_check.__main__ import main
from lattice_check.graph import Model
from lattice_check.topology import Topology


@pytest.fixture(scope="module")
def model(default_out) -> Model:
    return Model.load(default_out)


# 10 accounts; 18 stacks: 13, the 3 AWS stacks of the multi-cluster pattern and its 2
# predicted controller stacks (its Kubernetes stacks hold nothing the picture draws)
BOXES = 10 + 18
KUBERNETES_STACKS = {f"multicluster-cluster{n}-{part}" for n in (1, 2) for part in ("platform", "apps")}


def count(model: Model, kind: str) -> int:
    return sum(len(stack.resources(kind)) for stack in model.stacks.values())


def test_every_account_vpc_network_and_service_is_drawn(model) -> None:
    drawing = pictures.build(Topology(model))
    assert [a.label for a in drawing.accounts] == ["account 101010101010"] + [
        f"account {n * 4}" for n in ("111", "222", "333", "444", "555", "666", "777", "888", "999")
    ]
    nodes = [n for a in drawing.accounts for s in a.children for n in s.nodes]
    shapes = [n.shape for n in nodes]
    assert shapes.count("vpc") == count(model, "aws_vpc") == 16
    assert shapes.count("network") == count(model, "aws_vpclattice_service_network") == 7
    # Terraform's services, and the two the Gateway API controllers make (predicted)
    assert shapes.count("service") == count(model, "aws_vpclattice_service") + 2 == 6
    assert shapes.count("balancer") == count(model, "aws_lb") == 3
    assert shapes.count("cluster") == count(model, "aws_eks_cluster") == 2
    assert len({n.id for n in nodes}) == len(nodes)
    stacks = {s.label.split(" ")[0] for a in drawing.accounts for s in a.children}
    assert stacks == set(model.stacks) - KUBERNETES_STACKS | {"controller@eks-cluster1", "controller@eks-cluster2"}


def test_every_association_and_share_is_an_edge(model) -> None:
    edges = pictures.build(Topology(model)).edges
    labels = [e.label for e in edges]
    assert labels.count("VPC association") == count(model, "aws_vpclattice_service_network_vpc_association")
    assert labels.count("service association") == count(model, "aws_vpclattice_service_network_service_association") + 2  # + the controllers' own
    shares = [e for e in edges if e.style == "share"]
    assert [(e.source.split("_account_")[0], e.target) for e in shares] == [
        ("centralized_service", "account_333333333333"),
        ("centralized_service_network", "account_222222222222"),
        ("distributed_service", "account_222222222222"),
        ("ingress_service", "account_999999999999"),
        ("shared_common", "account_444444444444"),
        ("shared_common", "account_555555555555"),
    ]
    assert all(e.label.endswith("(accepted)") for e in shares)


def test_an_unaccepted_share_says_so(default_out) -> None:
    model = copy.deepcopy(Model.load(default_out))
    model.stacks["shared-blue-account"].document["resource"].pop("aws_ram_resource_share_accepter")
    labels = {e.target: e.label for e in pictures.build(Topology(model)).edges if e.style == "share"}
    assert labels["account_444444444444"] == "RAM share blue-service-network share (not accepted)"
    assert labels["account_555555555555"] == "RAM share green-service-network share (accepted)"


def test_the_original_seed_002_path_is_drawn(model) -> None:
    """Private zone -> internal ALB -> execute-api endpoint -> each microservice's private API."""
    text = pictures.mermaid(pictures.build(Topology(model)))
    consumer, food, beverage = "microservices_consumer_account", "microservices_food_account", "microservices_beverage_account"
    assert f'{consumer}_alb[/"load balancer cross-account-microservices<br/>internal"/]' in text
    assert f'{consumer}_execute_api_endpoint(("interface endpoint<br/>execute-api"))' in text
    assert f'{food}_api[["private API cross-account-microservices-food<br/>food.cross-account-microservices.com/v1"]]' in text
    assert f'{consumer}_vpc ==>|"private zone cross-account-microservices.com: beverage, food"| {consumer}_alb' in text
    assert f'{consumer}_alb ==>|"IP targets: the endpoint\'s interfaces"| {consumer}_execute_api_endpoint' in text
    for api in (food, beverage):
        assert f'{consumer}_execute_api_endpoint ==>|"Host header: its custom domain"| {api}_api' in text
    assert "bold" in pictures.dot(pictures.build(Topology(model)))


def test_the_ingress_path_is_drawn(model) -> None:
    """Seed 003: the edge VPC's private zone names the NLB, whose targets are the service-network endpoint."""
    text = pictures.mermaid(pictures.build(Topology(model)))
    edge, service = "ingress_edge_account", "ingress_service_account"
    assert f'{edge}_nlb[/"load balancer ingress-service-edge<br/>internal"/]' in text
    assert f'{edge}_vpc ==>|"private zone lattice-ingress.internal: hello"| {edge}_nlb' in text
    assert f'{edge}_nlb ==>|"IP targets: the service-network endpoint\'s interfaces"| {service}_service_network_network' in text
    assert f'{edge}_vpc -.->|"service-network endpoint"| {service}_service_network_network' in text


def test_mermaid_is_well_formed_and_stable(model, default_out) -> None:
    text = pictures.mermaid(pictures.build(Topology(model)))
    assert text == pictures.mermaid(pictures.build(Topology(Model.load(default_out))))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines) == BOXES
    assert '{{"network blue-service-network<br/>auth AWS_IAM"}}' in text
    assert '(["service lambda-service<br/>auth AWS_IAM"])' in text
    assert '-.->|"RAM share Amazon VPC Lattice service (accepted)"| account_222222222222' in text
    defined = set(re.findall(r"^\s+([A-Za-z0-9_]+)(?:\[|\{\{|\(\[|\(\()", text, re.M))
    used = set(re.findall(r"^\s+([A-Za-z0-9_]+) -", text, re.M)) | set(re.findall(r"\| ([A-Za-z0-9_]+)$", text, re.M))
    accounts = {f"account_{n * 4}" for n in ("111", "222", "333", "444", "555", "666", "777", "888", "999")}
    assert used <= defined | accounts


@pytest.fixture()
def graphviz() -> str:
    executable = shutil.which("dot")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and Graphviz dot is missing: .ci/run installs it")
        pytest.skip("Graphviz dot is not installed")
    return executable


def test_svg_through_graphviz(model, default_out, tmp_path, graphviz, capsys) -> None:
    path = tmp_path / "lattice.svg"
    assert main(["diagram", "--out", str(default_out), "--svg", str(path)]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR\n")
    root = ElementTree.fromstring(path.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for label in ("account 222222222222", "VPC vpc1", "network centralized-service-network", "service shared-service", "RAM share blue-service-network share (accepted)"):
        assert label in texts
    clusters = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "cluster"]
    assert len(clusters) == BOXES


def test_dot_text_and_a_missing_graphviz(default_out, tmp_path, monkeypatch, capsys) -> None:
    assert main(["diagram", "--out", str(default_out), "--format", "dot"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("digraph lattice {") and text.count("subgraph cluster_") == BOXES
    assert "lhead=cluster_account_444444444444" in text
    monkeypatch.setattr(pictures.shutil, "which", lambda name: None)
    assert main(["diagram", "--out", str(default_out), "--svg", str(tmp_path / "x.svg")]) == 2
    assert "Graphviz 'dot' is not installed (Debian: apt-get install graphviz)" in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


def test_a_hand_written_output_is_drawn_too() -> None:
    from tests.helpers import FIXTURES

    drawing = pictures.build(Topology(Model.load(FIXTURES / "multicluster")))
    assert [a.label for a in drawing.accounts] == ["account 123456789012"]
    assert sorted(s.label for s in drawing.accounts[0].children) == ["cluster1 (eu-west-1)", "cluster2 (eu-west-1)", "environment (eu-west-1)"]
    assert sorted((e.source, e.label, e.target) for e in drawing.edges) == [
        ("cluster1_cluster", "VPC association", "environment_lattice"),
        ("cluster2_cluster", "VPC association", "environment_lattice"),
        ("environment_lattice", "service association", "cluster1_demo"),
        ("environment_lattice", "service association", "cluster2_demo"),
    ]
