"""lattice_check curl against the synthesized default app: the seeds' own expectations."""
from __future__ import annotations

import json

import pytest

from lattice_check.__main__ import main
from lattice_check.curl import BadInput, curl
from lattice_check.graph import Model


@pytest.fixture(scope="module")
def model(default_out) -> Model:
    return Model.load(default_out)


def dns(model: Model, stack: str, service: str) -> str:
    return model.attribute(model.stacks[stack], "aws_vpclattice_service", service, "dns_entry[0].domain_name")


@pytest.fixture(scope="module")
def hello(model) -> str:
    return f"http://{dns(model, 'distributed-service-account', 'lambdaservice_service')}/"


@pytest.fixture(scope="module")
def directory(model) -> str:
    return f"http://{dns(model, 'shared-common-account', 'shared-service_service')}/"


@pytest.mark.parametrize("vpc", ["vpc1", "vpc2"])
def test_both_distributed_consumer_vpcs_get_hello_from_lambda(model, hello, vpc) -> None:
    answer = curl(model, f"distributed-consumer-account/{vpc}", hello)
    assert (answer.reachable, answer.decision, answer.status) == (True, "ALLOW", 200)
    assert json.loads(answer.body) == "Hello from Lambda!"
    assert answer.resolution.endswith(f"(link-local, through {vpc}-service-network)")
    assert any("ran distributed-lambda_function" in r for r in answer.reasons)


def test_centralized_consumer_reaches_its_service_through_the_central_network(model) -> None:
    url = f"http://{dns(model, 'centralized-service-account', 'lambdaservice_service')}/"
    answer = curl(model, "centralized-consumer-account/vpc1", url)
    assert (answer.decision, answer.status, json.loads(answer.body)) == ("ALLOW", 200, "Hello from Lambda!")
    assert "centralized-service-network" in answer.resolution


def test_a_vpc_without_an_association_gets_no_resolution(model, hello) -> None:
    answer = curl(model, "shared-common-account/shared-services-main", hello)
    assert (answer.reachable, answer.decision, answer.status, answer.resolution) == (False, "UNREACHABLE", None, None)
    assert answer.reasons == [f"DNS: shared-services-main is connected to no service network: {hello[7:-1]} does not resolve"]


def test_a_network_that_does_not_carry_the_service_gets_no_resolution(model, directory) -> None:
    answer = curl(model, "distributed-consumer-account/vpc1", directory)
    assert answer.decision == "UNREACHABLE"
    assert answer.reasons[0].startswith("DNS: no service network of vpc1 (vpc1-service-network) carries shared-service")


@pytest.mark.parametrize(
    "tenant, q, status",
    [("blue", "blue", 200), ("blue", "green", 403), ("green", "green", 200), ("green", "blue", 403)],
)
def test_shared_tenants_may_ask_for_their_own_query_only(model, directory, tenant, q, status) -> None:
    answer = curl(model, f"shared-{tenant}-account/{tenant}-sandbox", f"{directory}?q={q}")
    assert answer.status == status
    if status == 200:
        assert (answer.decision, json.loads(answer.body)) == ("ALLOW", {"endpoint": q})
        assert any("internal ALB -> Lambda: ran shared-DirectoryService" in r for r in answer.reasons)
    else:
        assert answer.decision == "DENY"
        assert answer.body.startswith("AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:")
        assert answer.body.endswith("because no service-based policy allows the vpc-lattice-svcs:Invoke action")


def test_shared_service_refuses_other_methods(model, directory) -> None:
    assert curl(model, "shared-blue-account/blue-sandbox", f"{directory}?q=blue", method="POST").status == 403


def test_command_line_exit_codes_and_json(default_out, hello, directory, capsys) -> None:
    assert main(["curl", "--out", str(default_out), "--from", "distributed-consumer-account/vpc1", hello]) == 0
    assert capsys.readouterr().out.rstrip().endswith('< ALLOW 200\n"Hello from Lambda!"')
    assert main(["curl", "--out", str(default_out), "--from", "shared-blue-account/blue-sandbox", "--json", f"{directory}?q=green"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert {k: document[k] for k in ("reachable", "decision", "status")} == {"reachable": True, "decision": "DENY", "status": 403}
    assert isinstance(document["reasons"], list) and document["body"].startswith("AccessDeniedException")
    assert main(["curl", "--out", str(default_out), "--from", "nope/vpc1", hello]) == 2
    assert "--from 'nope/vpc1': give <stack>/<VPC Name tag>" in capsys.readouterr().err
    assert main(["curl", "--out", str(default_out), "--from", "distributed-consumer-account/vpc1", "-H", "no-colon", hello]) == 2


def test_bad_urls_are_bad_input(model) -> None:
    with pytest.raises(BadInput, match="give http://"):
        curl(model, "distributed-consumer-account/vpc1", "ftp://x/")
