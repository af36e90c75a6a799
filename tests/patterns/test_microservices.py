"""Serverless cross-account microservices (seed 002; ../shared/spec/seed-002-microservices.md)
against the original's inventory, both transports, both discovery channels, and
both certificate sources."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app_config.loader import ConfigError
from lattice_check.tfjson import decode_json_argument
from tests.helpers import assert_variants_validate_and_apply, cross_stack_problems, data_sources, load_stacks, make_config, resources, synth

CONSUMER, FOOD, BEVERAGE = "microservices-consumer-account", "microservices-food-account", "microservices-beverage-account"
APP = "cross-account-microservices"
SERVICES = {
    "beverage": {"account": {"id": "777777777777"}, "options": ["tea", "coffee", "water"]},
    "food": {"account": {"id": "888888888888"}, "options": ["pizza", "hamburger", "salat"]},
}
ACM = "arn:aws:acm:eu-west-1:{account}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def microservices_config(**settings: object):
    services = json.loads(json.dumps(SERVICES))
    for name, changes in dict(settings.pop("service_changes", {})).items():  # type: ignore[call-overload]
        services[name].update(changes)
    return make_config(patterns={"distributed": {"enabled": False}, "microservices": {"enabled": True, "services": services, **settings}})


def only(stack: dict, kind: str) -> dict:
    found = resources(stack, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def document(value: object) -> dict:
    return decode_json_argument(value) if isinstance(value, str) and value.startswith("${jsonencode(") else json.loads(value)  # type: ignore[arg-type]


def remote(output: str) -> str:
    return f"${{data.terraform_remote_state.{CONSUMER}.outputs.{output}}}"


@pytest.fixture(scope="module")
def stacks(default_stacks) -> dict:
    return {name: default_stacks[name] for name in (CONSUMER, FOOD, BEVERAGE)}


@pytest.fixture(scope="module")
def lattice(tmp_path_factory) -> dict:
    return load_stacks(synth(microservices_config(transport="lattice"), tmp_path_factory.mktemp("lattice") / "cdktf.out"))


def test_deploy_order_is_one_line_consumer_first(default_manifest, default_stacks) -> None:
    assert default_manifest["stacks"][CONSUMER]["dependencies"] == []
    for service in (FOOD, BEVERAGE):
        assert default_manifest["stacks"][service]["dependencies"] == [CONSUMER]
    assert cross_stack_problems(default_stacks, default_manifest) == []


def test_each_microservice_is_pinned_to_its_own_account(stacks) -> None:
    accounts = {name: stack["provider"]["aws"][0]["allowed_account_ids"] for name, stack in stacks.items()}
    assert accounts == {CONSUMER: ["222222222222"], BEVERAGE: ["777777777777"], FOOD: ["888888888888"]}


def test_consumer_vpc_as_in_the_original(stacks) -> None:
    consumer = stacks[CONSUMER]
    vpc = only(consumer, "aws_vpc")
    assert (vpc["cidr_block"], vpc["enable_dns_hostnames"], vpc["tags"]["Name"]) == ("192.168.0.0/16", True, APP)
    subnets = {s["tags"]["Name"]: s["cidr_block"] for s in resources(consumer, "aws_subnet").values()}
    assert subnets == {
        f"{APP}-public-1": "192.168.0.0/24", f"{APP}-public-2": "192.168.1.0/24",
        f"{APP}-private-1": "192.168.2.0/24", f"{APP}-private-2": "192.168.3.0/24",
    }
    assert [r["destination_cidr_block"] for r in resources(consumer, "aws_route").values()] == ["0.0.0.0/0"] * 2


def test_load_balancer_forwards_to_the_execute_api_endpoint(stacks) -> None:
    consumer = stacks[CONSUMER]
    endpoint = next(e for e in resources(consumer, "aws_vpc_endpoint").values() if e["service_name"].endswith("execute-api"))
    assert (endpoint["service_name"], endpoint["vpc_endpoint_type"], endpoint["private_dns_enabled"]) == ("com.amazonaws.eu-west-1.execute-api", "Interface", False)
    assert endpoint["subnet_ids"] == ["${aws_subnet.vpc_private-1.id}", "${aws_subnet.vpc_private-2.id}"]
    alb = only(consumer, "aws_lb")
    assert (alb["name"], alb["internal"], alb["load_balancer_type"]) == (APP, True, "application")
    listener = only(consumer, "aws_lb_listener")
    assert (listener["port"], listener["protocol"], listener["ssl_policy"]) == (443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert listener["certificate_arn"] == "${aws_acm_certificate.alb-certificate_certificate.arn}"
    group = only(consumer, "aws_lb_target_group")
    assert (group["port"], group["protocol"], group["target_type"]) == (443, "HTTPS", "ip")
    assert group["health_check"]["matcher"] == "200-499"  # the original's /login with 200 never passed
    interfaces = data_sources(consumer, "aws_network_interface")
    assert sorted(i["id"] for i in interfaces.values()) == [
        f"${{element(sort(tolist(aws_vpc_endpoint.execute-api-endpoint.network_interface_ids)), {n})}}" for n in (0, 1)
    ]
    targets = resources(consumer, "aws_lb_target_group_attachment").values()
    assert sorted(t["target_id"] for t in targets) == sorted(f"${{data.aws_network_interface.{name}.private_ip}}" for name in interfaces)


def test_security_groups_are_exactly_as_tight_as_the_originals(stacks) -> None:
    consumer = stacks[CONSUMER]
    ingress = [(r["security_group_id"], r.get("cidr_ipv4") or r.get("referenced_security_group_id"), r["from_port"]) for r in resources(consumer, "aws_vpc_security_group_ingress_rule").values()]
    egress = [(r["security_group_id"], r.get("referenced_security_group_id"), r["from_port"]) for r in resources(consumer, "aws_vpc_security_group_egress_rule").values()]
    alb, endpoint = "${aws_security_group.alb-sg_sg.id}", "${aws_security_group.endpoint-sg_sg.id}"
    assert sorted(ingress) == sorted([(alb, "192.168.0.0/16", 443), (endpoint, alb, 443)])
    assert egress == [(alb, endpoint, 443)]
    groups = resources(consumer, "aws_security_group")
    for name in ("alb-sg_sg", "endpoint-sg_sg"):
        assert "ingress" not in groups[name] and "egress" not in groups[name]  # no inline rules beside the separate ones


def test_private_zone_names_each_microservice(stacks) -> None:
    consumer = stacks[CONSUMER]
    zone = only(consumer, "aws_route53_zone")
    assert zone["name"] == "cross-account-microservices.com" and zone["vpc"][0]["vpc_id"] == "${aws_vpc.vpc.id}"
    records = {r["name"]: r for r in resources(consumer, "aws_route53_record").values()}
    assert sorted(records) == ["beverage", "food"]
    for record in records.values():
        assert record["type"] == "A" and record["alias"] == {"name": "${aws_lb.alb.dns_name}", "zone_id": "${aws_lb.alb.zone_id}", "evaluate_target_health": True}


def test_the_endpoint_id_is_published_to_the_microservice_accounts_only(stacks) -> None:
    consumer = stacks[CONSUMER]
    secret = only(consumer, "aws_secretsmanager_secret")
    assert secret["name"] == APP
    readers = document(secret["policy"])["Statement"][0]["Principal"]["AWS"]
    assert readers == ["arn:aws:iam::777777777777:root", "arn:aws:iam::888888888888:root"]
    payload = document(only(consumer, "aws_secretsmanager_secret_version")["secret_string"])
    assert payload["vpc_endpoint_id"] == "${aws_vpc_endpoint.execute-api-endpoint.id}"
    assert set(consumer["output"]) == {"vpc_id", "vpc_endpoint_id", "certificate_authority_arn", "certificate_authority_share_arn"}


def test_no_private_key_anywhere(stacks, lattice) -> None:
    for stack in [*stacks.values(), *lattice.values()]:
        text = json.dumps(stack)
        assert "PRIVATE KEY" not in text and "private_key" not in text and "tls_" not in text


def test_certificates_come_from_a_private_ca_shared_with_the_microservices(stacks) -> None:
    consumer, food = stacks[CONSUMER], stacks[FOOD]
    authority = only(consumer, "aws_acmpca_certificate_authority")
    assert (authority["type"], authority["usage_mode"]) == ("ROOT", "GENERAL_PURPOSE")
    root = only(consumer, "aws_acmpca_certificate")
    assert root["template_arn"] == "arn:aws:acm-pca:::template/RootCACertificate/V1" and root["validity"] == {"type": "YEARS", "value": "10"}
    assert only(consumer, "aws_ram_resource_association")["resource_arn"] == "${aws_acmpca_certificate_authority.certificate-authority_authority.arn}"
    assert sorted(p["principal"] for p in resources(consumer, "aws_ram_principal_association").values()) == ["777777777777", "888888888888"]
    alb_certificate = only(consumer, "aws_acm_certificate")
    assert (alb_certificate["domain_name"], alb_certificate["subject_alternative_names"]) == ("beverage.cross-account-microservices.com", ["food.cross-account-microservices.com"])
    certificate = only(food, "aws_acm_certificate")
    assert certificate["domain_name"] == "food.cross-account-microservices.com"
    assert certificate["certificate_authority_arn"] == remote("certificate_authority_arn")
    assert certificate["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]
    assert only(food, "aws_ram_resource_share_accepter")["share_arn"] == remote("certificate_authority_share_arn")


def test_microservice_table_functions_and_least_privilege(stacks) -> None:
    food = stacks[FOOD]
    table = only(food, "aws_dynamodb_table")
    assert (table["name"], table["hash_key"], table["billing_mode"]) == (f"{APP}-food", "orderId", "PAY_PER_REQUEST")
    assert table["global_secondary_index"] == [{"name": "orderDateIndex", "hash_key": "orderDate", "projection_type": "ALL"}]
    functions = {f["function_name"]: f for f in resources(food, "aws_lambda_function").values()}
    assert sorted(functions) == [f"{APP}-food-get-order", f"{APP}-food-get-orders", f"{APP}-food-post-order"]
    for name, function in functions.items():
        assert function["runtime"] == "python3.12" and function["memory_size"] == 512 and function["timeout"] == 10
        assert function["vpc_config"]["subnet_ids"] == ["${aws_subnet.vpc_private-1.id}", "${aws_subnet.vpc_private-2.id}"]
        variables = function["environment"]["variables"]
        assert variables["MICROSERVICE_TOPIC"] == "food" and json.loads(variables["ORDER_OPTIONS"]) == ["pizza", "hamburger", "salat"]
    grants = {}
    for policy in resources(food, "aws_iam_policy").values():
        if policy["name"].endswith("-lambda-access"):
            statement = document(policy["policy"])["Statement"]
            assert len(statement) == 1
            grants[policy["name"]] = (statement[0]["Action"], statement[0]["Resource"])
    table_arn = "${aws_dynamodb_table.orders_table.arn}"
    assert grants == {
        "microservices-food-get-order-lambda-access": ("dynamodb:GetItem", table_arn),
        "microservices-food-get-orders-lambda-access": ("dynamodb:Query", f"{table_arn}/index/orderDateIndex"),
        "microservices-food-post-order-lambda-access": ("dynamodb:PutItem", table_arn),
    }
    group = only(food, "aws_security_group")
    assert group["ingress"] == [] and [(e["from_port"], e["prefix_list_ids"]) for e in group["egress"]] == [(443, ["${data.aws_ec2_managed_prefix_list.dynamodb-prefix-list.id}"])]
    gateway = only(food, "aws_vpc_endpoint")
    assert (gateway["vpc_endpoint_type"], len(gateway["route_table_ids"])) == ("Gateway", 2)
    assert "aws_internet_gateway" not in food["resource"] and "aws_nat_gateway" not in food["resource"]


def test_the_private_api_from_the_openapi_document(stacks) -> None:
    food = stacks[FOOD]
    api = only(food, "aws_api_gateway_rest_api")
    assert api["endpoint_configuration"] == {"types": ["PRIVATE"], "vpc_endpoint_ids": [remote("vpc_endpoint_id")]}
    body = document(api["body"])
    assert sorted(body["paths"]) == ["/orders", "/orders/{orderId}"]
    assert body["definitions"]["food"] == {"type": "string", "enum": ["pizza", "hamburger", "salat"]}
    assert body["definitions"]["newOrder"]["required"] == ["food", "fullName"]
    assert body["definitions"]["orders"]["type"] == "array"  # what get-orders answers
    for path, methods in body["paths"].items():
        for method in methods.values():
            integration = method["x-amazon-apigateway-integration"]
            assert integration["type"] == "aws_proxy" and integration["uri"].startswith("arn:aws:apigateway:eu-west-1:lambda:path/")
            assert method["x-amazon-apigateway-request-validator"] == "Validate body, query string parameters, and headers"
    assert "eu-central-1" not in api["body"]
    policy = document(only(food, "aws_api_gateway_rest_api_policy")["policy"])["Statement"][0]
    assert policy["Condition"] == {"StringEquals": {"aws:SourceVpce": remote("vpc_endpoint_id")}}
    deployment = only(food, "aws_api_gateway_deployment")
    assert "aws_api_gateway_rest_api.api.body" in deployment["triggers"]["redeployment"]
    assert "aws_api_gateway_rest_api_policy.api_policy.policy" in deployment["triggers"]["redeployment"]
    assert only(food, "aws_api_gateway_stage")["stage_name"] == "v1"
    domain = only(food, "aws_api_gateway_domain_name")
    assert (domain["domain_name"], domain["endpoint_configuration"]["types"]) == ("food.cross-account-microservices.com", ["REGIONAL"])
    assert only(food, "aws_api_gateway_base_path_mapping")["base_path"] == "v1"
    permissions = sorted(p["source_arn"].split("}")[-1] for p in resources(food, "aws_lambda_permission").values())
    assert permissions == ["/*/GET/orders", "/*/GET/orders/*", "/*/POST/orders"]


def test_the_secret_channel_replaces_remote_state(tmp_path) -> None:
    stacks = load_stacks(synth(microservices_config(discovery="secrets_manager"), tmp_path / "cdktf.out"))
    food = stacks[FOOD]
    assert "terraform_remote_state" not in food.get("data", {})
    reader = only({"resource": food["data"]}, "aws_secretsmanager_secret_version")
    assert reader["secret_id"] == "arn:aws:secretsmanager:eu-west-1:222222222222:secret:cross-account-microservices"
    assert "jsondecode" in only(food, "aws_api_gateway_rest_api")["endpoint_configuration"]["vpc_endpoint_ids"][0]


def test_given_certificates_replace_the_private_ca(tmp_path) -> None:
    config = microservices_config(
        certificates="acm",
        alb_certificate_arn=ACM.format(account="222222222222"),
        service_changes={name: {"certificate_arn": ACM.format(account=s["account"]["id"])} for name, s in SERVICES.items()},  # type: ignore[index]
    )
    stacks = load_stacks(synth(config, tmp_path / "cdktf.out"))
    assert not any(kind.startswith(("aws_acmpca", "aws_acm_certificate", "aws_ram")) for stack in stacks.values() for kind in stack["resource"])
    assert only(stacks[CONSUMER], "aws_lb_listener")["certificate_arn"] == ACM.format(account="222222222222")
    assert only(stacks[FOOD], "aws_api_gateway_domain_name")["regional_certificate_arn"] == ACM.format(account="888888888888")


def test_the_lattice_transport(lattice) -> None:
    consumer, food = lattice[CONSUMER], lattice[FOOD]
    for kind in ("aws_lb", "aws_acmpca_certificate_authority", "aws_route53_zone", "aws_api_gateway_rest_api"):
        assert kind not in consumer["resource"] and kind not in food["resource"]
    network = only(consumer, "aws_vpclattice_service_network")
    assert (network["name"], network["auth_type"]) == (APP, "AWS_IAM")
    assert only(consumer, "aws_vpclattice_service_network_vpc_association")["vpc_identifier"] == "${aws_vpc.vpc.id}"
    assert sorted(p["principal"] for p in resources(consumer, "aws_ram_principal_association").values()) == ["777777777777", "888888888888"]
    service = only(food, "aws_vpclattice_service")
    assert (service["name"], service["auth_type"]) == (f"{APP}-food", "AWS_IAM")
    listener = only(food, "aws_vpclattice_listener")
    assert (listener["protocol"], listener["port"], listener["default_action"]["fixed_response"]) == ("HTTPS", 443, {"status_code": 404})
    rules = sorted((r["priority"], r["match"]["http_match"]["method"], r["match"]["http_match"]["path_match"]["match"]) for r in resources(food, "aws_vpclattice_listener_rule").values())
    assert rules == [(10, "GET", {"exact": "/v1/orders"}), (20, "POST", {"exact": "/v1/orders"}), (30, "GET", {"prefix": "/v1/orders/"})]
    groups = resources(food, "aws_vpclattice_target_group")
    assert sorted((g["type"], g["config"]["lambda_event_structure_version"]) for g in groups.values()) == [("LAMBDA", "V2")] * 3
    association = only(food, "aws_vpclattice_service_network_service_association")
    assert association["service_network_identifier"] == remote("service_network_arn")
    assert association["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]
    policy = document(only(food, "aws_vpclattice_auth_policy")["policy"])
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {"vpc-lattice-svcs:SourceVpc": remote("vpc_id")}}


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"service_changes": {"food": {"account": {"id": "777777777777"}}}}, "are both 777777777777: each microservice lives in an account of its own"),
        ({"service_changes": {"food": {"account": {"id": "222222222222"}}}}, "patterns.microservices.services.food.account.id is accounts.consumer.id (222222222222)"),
        ({"application_name": "a-very-long-application-name-xyz1"}, "patterns.microservices.application_name"),
        ({"services": {}}, "patterns.microservices.services: give at least one microservice"),
        ({"alb_certificate_arn": ACM.format(account="222222222222")}, 'not used: certificates = "private_ca" issues every certificate'),
        ({"certificates": "acm"}, 'patterns.microservices.alb_certificate_arn is required with certificates = "acm"'),
        ({"certificates": "acm", "alb_certificate_arn": ACM.format(account="999999999999")}, "is in account 999999999999, region eu-west-1; it must be in account 222222222222"),
        ({"service_changes": {"food": {"options": ["pizza", "pizza"]}}}, "options must be distinct"),
        ({"service_changes": {"food": {"options": []}}}, "give at least one option"),
        ({"transport": "lattice", "application_name": "cross-account-microservices-wxyz"}, "its Lattice service would be named 'cross-account-microservices-wxyz-beverage'"),
        ({"domain": "Not A Domain"}, "must be a lowercase DNS domain"),
        ({"application_name": "internal-orders"}, "patterns.microservices.application_name = 'internal-orders': it names the consumer's load balancer: "
                                                  "a load balancer name is 1-32 letters, digits and hyphens, not starting or ending with a hyphen, and does not start with 'internal-'"),
        ({"transport": "lattice", "application_name": "ab"}, "patterns.microservices.application_name = 'ab': it names the service network of the lattice transport: a service network name is 3-63"),
    ],
)
def test_bad_settings_are_refused_with_the_field(settings: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        microservices_config(**settings)
    assert expected in str(refused.value)


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    """The stacks of the configurations the default app does not synthesize."""
    configs = {
        "lattice": microservices_config(transport="lattice"),
        "secrets": microservices_config(discovery="secrets_manager"),
        "lattice-secrets": microservices_config(transport="lattice", discovery="secrets_manager"),
    }
    return {name: synth(config, tmp_path_factory.mktemp(name) / "cdktf.out") for name, config in configs.items()}


def test_the_other_variants_validate_and_apply_against_mocks(variants, terraform) -> None:
    assert_variants_validate_and_apply(terraform, variants)
