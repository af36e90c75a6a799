"""Every constructs_lib.lattice feature, and every synth-time rule with a test that
breaks it and checks the message (construct path, field, value, rule)."""
from __future__ import annotations

import json
import warnings

import pytest

from constructs_lib.documents.auth_policy import (
    AuthPolicy,
    AuthStatement,
    Condition,
    authenticated_only,
    header,
    port,
    principal_org,
    principal_tag,
    principal_type,
    query_string,
    request_method,
    request_path,
    source_vpc,
    source_vpc_owner_account,
)
from constructs_lib.lattice import (
    AccessLogs,
    CustomDomain,
    FixedResponse,
    Forward,
    HeaderMatch,
    HealthCheck,
    LambdaTargetGroup,
    LambdaTargetGroupProps,
    LatticeQuotas,
    LatticeQuotaWarning,
    LatticeService,
    LatticeServiceProps,
    LatticeValidationError,
    Listener,
    ListenerProps,
    PathMatch,
    ResourceConfiguration,
    ResourceConfigurationProps,
    ResourceGateway,
    ResourceGatewayProps,
    RuleMatch,
    RuleProps,
    ServiceNetwork,
    ServiceNetworkEndpointProps,
    ServiceNetworkProps,
    ServiceNetworkVpcAssociation,
    ServiceNetworkVpcEndpoint,
    Target,
    TargetGroup,
    TargetGroupProps,
    WeightedTarget,
    declare_quotas,
)
from constructs_lib.runtime import aws, cdk
from constructs_lib.runtime.naming import ReadableIdsStack
from lattice_check.tfjson import decode_json_argument

SN_ARN = "arn:aws:vpc-lattice:eu-west-1:333333333333:servicenetwork/sn-0123456789abcdef0"
SVC_ARN = "arn:aws:vpc-lattice:eu-west-1:111111111111:service/svc-0123456789abcdef0"


def new_stack(name: str = "unit") -> ReadableIdsStack:
    stack = ReadableIdsStack(cdk.Testing.app(), name)
    aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
    return stack


def synth(stack) -> dict:
    return json.loads(cdk.Testing.synth(stack))


def ip_group(stack, id: str = "ips", **overrides) -> TargetGroup:
    props = dict(name="web-ips", type="IP", port=8080, protocol="HTTP", vpc_id="vpc-1")
    props.update(overrides)
    return TargetGroup(stack, id, TargetGroupProps(**props))


def service(stack, id: str = "svc", **overrides) -> LatticeService:
    props = dict(name="orders")
    props.update(overrides)
    return LatticeService(stack, id, LatticeServiceProps(**props))


def breaks(match: str):
    return pytest.raises(LatticeValidationError, match=match)


# --- service network -----------------------------------------------------------------


def test_service_network_with_policy_logs_share_endpoint_and_associations() -> None:
    stack = new_stack()
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="shared-net"))
    network.attach_auth_policy(AuthPolicy([AuthStatement(conditions=[authenticated_only()])]).render())
    network.log_to("logs-cw", "arn:aws:logs:eu-west-1:111111111111:log-group:/lattice/net")
    network.log_to("logs-s3", "arn:aws:s3:::lattice-logs")
    network.log_to("logs-fh", "arn:aws:firehose:eu-west-1:111111111111:deliverystream/lattice")
    network.share_with("share", ["222222222222"])
    network.associate_vpc("vpc-a", vpc_id="vpc-aaa", security_group_ids=["sg-1"])
    network.associate_service("orders", service=SVC_ARN)
    ServiceNetworkVpcEndpoint(
        stack, "endpoint", ServiceNetworkEndpointProps(service_network_arn=network.arn, vpc_id="vpc-aaa", subnet_ids=["subnet-1"])
    )
    doc = synth(stack)["resource"]
    assert doc["aws_vpclattice_service_network"]["net_network"]["name"] == "shared-net"
    assert len(doc["aws_vpclattice_access_log_subscription"]) == 3
    assert doc["aws_vpclattice_service_network_vpc_association"]["net_vpc-a_association"]["security_group_ids"] == ["sg-1"]
    assert doc["aws_vpclattice_service_network_service_association"]["net_orders_association"]["service_identifier"] == SVC_ARN
    endpoint = doc["aws_vpc_endpoint"]["endpoint"]
    assert (endpoint["vpc_endpoint_type"], endpoint["service_network_arn"]) == (
        "ServiceNetwork",
        "${aws_vpclattice_service_network.net_network.arn}",
    )
    assert doc["aws_ram_resource_association"]["net_share_resource-service-network"]["resource_arn"] == (
        "${aws_vpclattice_service_network.net_network.arn}"
    )


def test_referenced_service_network_is_named_by_arn() -> None:
    stack = new_stack()
    network = ServiceNetwork.from_arn(stack, "central", SN_ARN)
    network.associate_vpc("vpc-a", vpc_id="vpc-aaa")
    network.associate_resource("db", resource_configuration="rcfg-1")
    doc = synth(stack)["resource"]
    assert doc["aws_vpclattice_service_network_vpc_association"]["central_vpc-a_association"]["service_network_identifier"] == SN_ARN
    assert "aws_vpclattice_service_network" not in doc
    with breaks(r"unit/bad: arn = 'sn-123': a service network ARN looks like"):
        ServiceNetwork.from_arn(stack, "bad", "sn-123")


def test_one_service_network_per_vpc_across_the_whole_app() -> None:
    app = cdk.Testing.app()
    first, second = ReadableIdsStack(app, "a"), ReadableIdsStack(app, "b")
    ServiceNetworkVpcAssociation(first, "one", service_network=SN_ARN, vpc_id="vpc-123")
    with breaks(r"b/two: vpc_id = 'vpc-123': a VPC can be associated with one service network only; a/one already"):
        ServiceNetworkVpcAssociation(second, "two", service_network="sn-2", vpc_id="vpc-123")


def test_one_service_network_per_vpc_sees_through_references() -> None:
    stack = new_stack()
    vpc = aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/24")
    ServiceNetworkVpcAssociation(stack, "one", service_network=SN_ARN, vpc_id=vpc.id)
    with breaks(r"unit/two: vpc_id = '\$\{aws_vpc.vpc.id\}': a VPC can be associated with one service network only"):
        ServiceNetworkVpcAssociation(stack, "two", service_network="sn-2", vpc_id=vpc.id)
    # a service-network endpoint is the way around the rule
    ServiceNetworkVpcEndpoint(stack, "ep", ServiceNetworkEndpointProps(service_network_arn="arn:sn-2", vpc_id=vpc.id, subnet_ids=["s"]))


def test_association_security_group_limit() -> None:
    with breaks(r"unit/many: security_group_ids = 6: a VPC association takes at most 5 security groups"):
        ServiceNetworkVpcAssociation(new_stack(), "many", service_network=SN_ARN, vpc_id="v", security_group_ids=["sg"] * 6)


def test_access_log_destination_kind() -> None:
    stack = new_stack()
    with breaks(r"unit/logs: destination_arn = 'arn:aws:sqs:eu-west-1:1:q': access logs go to a CloudWatch Logs"):
        AccessLogs(stack, "logs", resource_arn=SN_ARN, destination_arn="arn:aws:sqs:eu-west-1:1:q")
    with breaks(r"unit/newline: destination_arn = 'arn:aws:logs:\\n': access logs go to"):
        AccessLogs(stack, "newline", resource_arn=SN_ARN, destination_arn="arn:aws:logs:\n")


def test_auth_policy_needs_aws_iam() -> None:
    network = ServiceNetwork(new_stack(), "open", ServiceNetworkProps(name="open-net", auth_type="NONE"))
    with breaks(r"unit/open: auth_type = 'NONE': an auth policy is only evaluated when auth_type is AWS_IAM"):
        network.attach_auth_policy("{}")


# --- services --------------------------------------------------------------------------


def test_service_with_custom_domain_certificate_and_alias_records() -> None:
    stack = new_stack()
    svc = service(
        stack,
        custom_domain=CustomDomain(name="orders.example.internal", certificate_arn="arn:aws:acm:eu-west-1:1:certificate/x", hosted_zone_id="Z1"),
    )
    svc.log_to("logs", "arn:aws:s3:::logs")
    svc.share_with("share", ["222222222222"])
    doc = synth(stack)["resource"]
    resource = doc["aws_vpclattice_service"]["svc_service"]
    assert resource["custom_domain_name"] == "orders.example.internal"
    assert resource["certificate_arn"] == "arn:aws:acm:eu-west-1:1:certificate/x"
    records = doc["aws_route53_record"]
    assert sorted(r["type"] for r in records.values()) == ["A", "AAAA"]
    for record in records.values():
        assert record["zone_id"] == "Z1" and record["name"] == "orders.example.internal"
        assert record["alias"] == {
            "name": "${aws_vpclattice_service.svc_service.dns_entry[0].domain_name}",
            "zone_id": "${aws_vpclattice_service.svc_service.dns_entry[0].hosted_zone_id}",
            "evaluate_target_health": True,
        }
    assert "aws_vpclattice_access_log_subscription" in doc and "aws_ram_resource_share" in doc


@pytest.mark.parametrize(
    "name, message",
    [
        ("svc-orders", "does not start with 'svc-'"),
        ("Orders", "lowercase letters"),
        ("-orders", "no leading"),
        ("orders-", "trailing"),
        ("ord--ers", "double hyphen"),
        ("ab", ""),
        ("a" * 41, ""),
    ],
)
def test_service_name_rules(name: str, message: str) -> None:
    with breaks(rf"unit/svc: name = '{name}': a service name is 3-40 .*{message}"):
        service(new_stack(), name=name)


def test_name_rules_of_every_kind() -> None:
    stack = new_stack()
    with breaks(r"unit/n: name = 'servicenetwork-a': a service network name is 3-63"):
        ServiceNetwork(stack, "n", ServiceNetworkProps(name="servicenetwork-a"))
    with breaks(r"unit/t: name = 'tg-a': a target group name is 3-128"):
        ip_group(stack, "t", name="tg-a")
    svc = service(stack)
    with breaks(r"unit/l: name = 'listener-a': a listener name is 3-63"):
        Listener(stack, "l", ListenerProps(name="listener-a", service=svc, default_action=FixedResponse(404)))
    listener = Listener(stack, "web", ListenerProps(name="web", service=svc, default_action=FixedResponse(404)))
    with breaks(r"unit/web/r: name = 'rule-a': a rule name is 3-63"):
        listener.add_rule("r", RuleProps(name="rule-a", priority=1, match=RuleMatch(method="GET"), action=FixedResponse(404)))


def test_custom_domain_length() -> None:
    with breaks(r"unit/svc: custom_domain.name = 'a.': a custom domain name has 3 to 255 characters"):
        service(new_stack(), custom_domain=CustomDomain(name="a."))


# --- listeners and rules ---------------------------------------------------------------


def test_http_https_and_tls_passthrough_listeners() -> None:
    stack = new_stack()
    svc = service(stack, custom_domain=CustomDomain(name="db.example.internal", certificate_arn="arn:cert"))
    tcp = TargetGroup(stack, "tcp", TargetGroupProps(name="db-tcp", type="IP", port=5432, protocol="TCP", vpc_id="vpc-1"))
    Listener(stack, "tls", ListenerProps(name="tls", service=svc, protocol="TLS_PASSTHROUGH", port=443, default_action=Forward([WeightedTarget(tcp)])))
    Listener(stack, "https", ListenerProps(name="https", service=svc, protocol="HTTPS", default_action=FixedResponse(404)))
    doc = synth(stack)["resource"]["aws_vpclattice_listener"]
    assert (doc["tls_listener"]["protocol"], doc["tls_listener"]["port"]) == ("TLS_PASSTHROUGH", 443)
    assert doc["tls_listener"]["default_action"]["forward"][0]["target_groups"] == [
        {"target_group_identifier": "${aws_vpclattice_target_group.tcp_target-group.id}", "weight": 100}
    ]
    assert (doc["https_listener"]["port"], doc["https_listener"]["default_action"]) == (443, {"fixed_response": {"status_code": 404}})


def test_rules_match_method_path_and_headers() -> None:
    stack = new_stack()
    svc = service(stack)
    blue, green = ip_group(stack, "blue", name="blue"), ip_group(stack, "green", name="green")
    listener = Listener(stack, "web", ListenerProps(name="web", service=svc, default_action=Forward([WeightedTarget(blue)])))
    listener.add_rule(
        "canary",
        RuleProps(
            name="canary",
            priority=10,
            match=RuleMatch(
                method="POST",
                path=PathMatch("/orders", kind="prefix", case_sensitive=False),
                headers=[HeaderMatch("x-canary", "yes"), HeaderMatch("user-agent", "curl", kind="contains")],
            ),
            action=Forward([WeightedTarget(blue, 90), WeightedTarget(green, 10)]),
        ),
    )
    listener.add_rule("gone", RuleProps(name="gone", priority=20, match=RuleMatch(path=PathMatch("/old", kind="exact")), action=FixedResponse(410)))
    rules = synth(stack)["resource"]["aws_vpclattice_listener_rule"]
    canary = rules["web_canary_rule"]
    assert canary["priority"] == 10
    assert canary["listener_identifier"] == "${aws_vpclattice_listener.web_listener.listener_id}"
    assert canary["match"]["http_match"] == {
        "method": "POST",
        "path_match": {"case_sensitive": False, "match": {"prefix": "/orders"}},
        "header_matches": [
            {"name": "x-canary", "case_sensitive": False, "match": {"exact": "yes"}},
            {"name": "user-agent", "case_sensitive": False, "match": {"contains": "curl"}},
        ],
    }
    assert [g["weight"] for g in canary["action"]["forward"]["target_groups"]] == [90, 10]
    assert rules["web_gone_rule"]["action"] == {"fixed_response": {"status_code": 410}}


def listener_with(stack, **props):
    svc = props.pop("svc", None) or service(stack)
    base = dict(name="web", service=svc, default_action=FixedResponse(404))
    base.update(props)
    return Listener(stack, "web", ListenerProps(**base))


@pytest.mark.parametrize(
    "props, message",
    [
        (dict(port=0), r"unit/web: port = 0: a listener port must be an integer from 1 to 65535"),
        (dict(port=70000), r"unit/web: port = 70000: a listener port"),
        (dict(protocol="TCP"), r"unit/web: protocol = 'TCP': must be one of HTTP, HTTPS, TLS_PASSTHROUGH"),
        (dict(default_action=FixedResponse(99)), r"unit/web: default_action.status_code = 99: a fixed response status code must be an integer from 100 to 599"),
        (dict(default_action=FixedResponse(600)), r"default_action.status_code = 600"),
        (dict(protocol="TLS_PASSTHROUGH"), r"unit/web: port = None: a TLS_PASSTHROUGH listener needs an explicit port"),
        (dict(protocol="TLS_PASSTHROUGH", port=443), r"unit/web: service.custom_domain_name = None: a TLS_PASSTHROUGH listener needs a service with a custom domain name"),
    ],
)
def test_listener_rules(props: dict, message: str) -> None:
    with breaks(message):
        listener_with(new_stack(), **props)


def test_https_on_a_custom_domain_needs_the_certificate() -> None:
    stack = new_stack()
    svc = service(stack, custom_domain=CustomDomain(name="orders.example.internal"))
    with breaks(r"unit/web: service.certificate_arn = None: an HTTPS listener on a service with a custom domain name needs"):
        listener_with(stack, svc=svc, protocol="HTTPS")


def test_tls_passthrough_only_forwards_to_tcp_and_takes_no_rules() -> None:
    stack = new_stack()
    svc = service(stack, custom_domain=CustomDomain(name="db.example.internal"))
    http = ip_group(stack)
    with breaks(r"unit/web: default_action.targets\[0\].protocol = 'HTTP': a TLS_PASSTHROUGH listener forwards only to TCP"):
        listener_with(stack, svc=svc, protocol="TLS_PASSTHROUGH", port=443, default_action=Forward([WeightedTarget(http)]))
    stack = new_stack()
    svc = service(stack, custom_domain=CustomDomain(name="db.example.internal"))
    with breaks(r"a TLS_PASSTHROUGH listener can only forward"):
        listener_with(stack, svc=svc, protocol="TLS_PASSTHROUGH", port=443)
    stack = new_stack()
    svc = service(stack, custom_domain=CustomDomain(name="db.example.internal"))
    tcp = ip_group(stack, "tcp", name="db-tcp", protocol="TCP")
    listener = listener_with(stack, svc=svc, protocol="TLS_PASSTHROUGH", port=443, default_action=Forward([WeightedTarget(tcp)]))
    with breaks(r"unit/web/r: listener.protocol = 'TLS_PASSTHROUGH': a TLS_PASSTHROUGH listener takes no rules"):
        listener.add_rule("r", RuleProps(name="r-one", priority=1, match=RuleMatch(method="GET"), action=FixedResponse(404)))


def test_tcp_target_group_behind_http_listener_is_refused() -> None:
    stack = new_stack()
    tcp = ip_group(stack, "tcp", name="db-tcp", protocol="TCP")
    with breaks(r"unit/web: default_action.targets\[0\].protocol = 'TCP': TCP target groups work only behind TLS_PASSTHROUGH listeners, not HTTP"):
        listener_with(stack, default_action=Forward([WeightedTarget(tcp)]))


def test_forward_weights_and_target_count() -> None:
    stack = new_stack()
    a, b = ip_group(stack, "a", name="aaa"), ip_group(stack, "b", name="bbb")
    with breaks(r"unit/web: default_action.targets\[1\].weight = None: when a forward names several target groups, each needs a weight"):
        listener_with(stack, default_action=Forward([WeightedTarget(a, 50), WeightedTarget(b)]))
    stack = new_stack()
    with breaks(r"unit/web: default_action.targets\[0\].weight = 1000: a target group weight must be an integer from 0 to 999"):
        listener_with(stack, default_action=Forward([WeightedTarget("tg-1", 1000), WeightedTarget("tg-2", 1)]))
    stack = new_stack()
    with breaks(r"unit/web: default_action.targets = 11: a forward action names 1 to 10 target groups"):
        listener_with(stack, default_action=Forward([WeightedTarget(f"tg-{i}", 1) for i in range(11)]))


def test_a_target_group_serves_one_service() -> None:
    stack = new_stack()
    shared = ip_group(stack)
    Listener(stack, "one", ListenerProps(name="one", service=service(stack, "s1", name="first"), default_action=Forward([WeightedTarget(shared)])))
    with breaks(r"unit/two: default_action.targets\[0\] = 'unit/ips': a target group serves one service; it already serves unit/s1"):
        Listener(stack, "two", ListenerProps(name="two", service=service(stack, "s2", name="second"), default_action=Forward([WeightedTarget(shared)])))


def rule(listener: Listener, id: str, **overrides):
    props = dict(name=id, priority=1, match=RuleMatch(method="GET"), action=FixedResponse(404))
    props.update(overrides)
    return listener.add_rule(id, RuleProps(**props))


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(priority=0), r"unit/web/bad: priority = 0: a rule priority must be an integer from 1 to 100"),
        (dict(priority=101), r"priority = 101: a rule priority must be an integer from 1 to 100"),
        (dict(match=RuleMatch()), r"unit/web/bad: match = RuleMatch.*: a rule matches on at least a method, a path or a header"),
        (dict(match=RuleMatch(method="X" * 17)), r"match.method = 'XXXXXXXXXXXXXXXXX': a method is 1 to 16 characters"),
        (dict(match=RuleMatch(path=PathMatch("orders"))), r"match.path.value = 'orders': a rule's path starts with '/'"),
        (dict(match=RuleMatch(path=PathMatch("/a/*"))), r"match.path.value = '/a/\*': .*no wildcards"),
        (dict(match=RuleMatch(path=PathMatch("/" + "a" * 200))), r"has at most 200 characters"),
        (dict(match=RuleMatch(path=PathMatch("/a", kind="regex"))), r"match.path.kind = 'regex': must be one of exact, prefix"),
        (dict(match=RuleMatch(headers=[HeaderMatch("h", "v")] * 6)), r"match.headers = 6: a rule matches at most 5 headers"),
        (dict(match=RuleMatch(headers=[HeaderMatch("h", "v", kind="suffix")])), r"match.headers\[0\].kind = 'suffix': must be one of exact, prefix, contains"),
        (dict(match=RuleMatch(path=PathMatch("/a b"))), r"match.path.value = '/a b': .*only letters, digits and @:%_\+\.~#\?&/=-"),
        (dict(match=RuleMatch(headers=[HeaderMatch("x version", "v")])), r"match.headers\[0\] = 'x version: v': a header name is 1-100 of HTTP's token characters"),
        (dict(match=RuleMatch(headers=[HeaderMatch("h" * 101, "v")])), r"a header name is 1-100"),
        (dict(match=RuleMatch(headers=[HeaderMatch("x-version", "v" * 201)])), r"a header value to match is 1-200 characters, no control characters"),
        (dict(match=RuleMatch(headers=[HeaderMatch("x-version", "")])), r"a header value to match is 1-200"),
    ],
)
def test_rule_rules(overrides: dict, message: str) -> None:
    stack = new_stack()
    listener = listener_with(stack)
    with breaks(message):
        rule(listener, "bad", **overrides)


def test_rule_priority_is_unique_per_listener() -> None:
    stack = new_stack()
    listener = listener_with(stack)
    rule(listener, "first", priority=5)
    with breaks(r"unit/web/second: priority = 5: already used by unit/web/first on this listener"):
        rule(listener, "second", priority=5)


# --- target groups ---------------------------------------------------------------------


def test_target_groups_of_every_type_with_health_checks_and_targets() -> None:
    stack = new_stack()
    TargetGroup(
        stack,
        "ip",
        TargetGroupProps(
            name="ip-targets",
            type="IP",
            port=443,
            protocol="HTTPS",
            vpc_id="vpc-1",
            protocol_version="HTTP2",
            ip_address_type="IPV6",
            health_check=HealthCheck(path="/health", interval_seconds=10, matcher="200-299"),
            targets=[Target("fd00::1", 443), Target("fd00::2")],
        ),
    )
    TargetGroup(stack, "instances", TargetGroupProps(name="ec2", type="INSTANCE", port=80, protocol="HTTP", vpc_id="vpc-1", targets=[Target("i-1")]))
    TargetGroup(stack, "alb", TargetGroupProps(name="alb", type="ALB", port=80, protocol="HTTP", vpc_id="vpc-1", protocol_version="HTTP1", targets=[Target("arn:alb", 80)]))
    LambdaTargetGroup(stack, "fn", LambdaTargetGroupProps(name="fn-target", function_arn="arn:fn", function_name="fn", event_structure_version="V2"))
    doc = synth(stack)["resource"]
    groups = doc["aws_vpclattice_target_group"]
    assert groups["ip_target-group"]["config"] == {
        "port": 443,
        "protocol": "HTTPS",
        "vpc_identifier": "vpc-1",
        "protocol_version": "HTTP2",
        "ip_address_type": "IPV6",
        "health_check": {
            "enabled": True,
            "path": "/health",
            "health_check_interval_seconds": 10,
            "health_check_timeout_seconds": 5,
            "healthy_threshold_count": 5,
            "unhealthy_threshold_count": 2,
            "matcher": {"value": "200-299"},
        },
    }
    assert groups["alb_target-group"]["type"] == "ALB" and "health_check" not in groups["alb_target-group"]["config"]
    assert groups["fn_target-group"]["config"] == {"lambda_event_structure_version": "V2"}
    attachments = doc["aws_vpclattice_target_group_attachment"]
    assert attachments["ip_target-1"]["target"] == {"id": "fd00::1", "port": 443}
    assert attachments["ip_target-2"]["target"] == {"id": "fd00::2"}
    assert attachments["instances_target"]["target"] == {"id": "i-1"}
    assert doc["aws_lambda_permission"]["fn_invoke-permission"]["source_arn"] == "${aws_vpclattice_target_group.fn_target-group.arn}"


@pytest.mark.parametrize(
    "props, message",
    [
        (dict(type="IP", port=None), r"unit/tg: port = None: a IP target group requires port"),
        (dict(type="INSTANCE", vpc_id=None), r"vpc_id = None: a INSTANCE target group requires vpc_id"),
        (dict(type="ALB", protocol=None), r"protocol = None: a ALB target group requires protocol"),
        (dict(type="LAMBDA"), r"unit/tg: port = 8080: a LAMBDA target group does not take port"),
        (dict(type="INSTANCE", ip_address_type="IPV4"), r"ip_address_type = 'IPV4': a INSTANCE target group does not take ip_address_type"),
        (dict(type="ALB", health_check=HealthCheck()), r"health_check = HealthCheck.*: a ALB target group does not take health_check"),
        (dict(type="IP", lambda_event_structure_version="V2"), r"lambda_event_structure_version = 'V2': a IP target group does not take"),
        (dict(type="ALB", protocol_version="GRPC"), r"protocol_version = 'GRPC': must be one of HTTP1, HTTP2"),
        (dict(type="ALB", protocol="TCP"), r"protocol = 'TCP': must be one of HTTP, HTTPS"),
        (dict(type="IP", protocol="TCP", protocol_version="HTTP1"), r"protocol_version = 'HTTP1': a TCP target group takes no protocol version"),
        (dict(type="IP", port=0), r"port = 0: a target group port must be an integer from 1 to 65535"),
        (dict(type="IP", health_check=HealthCheck(interval_seconds=4)), r"health_check.interval_seconds = 4: a health check interval must be an integer from 5 to 300"),
        (dict(type="IP", health_check=HealthCheck(timeout_seconds=121)), r"health_check.timeout_seconds = 121"),
        (dict(type="IP", health_check=HealthCheck(healthy_threshold=1)), r"health_check.healthy_threshold = 1: a healthy threshold must be an integer from 2 to 10"),
        (dict(type="IP", health_check=HealthCheck(unhealthy_threshold=11)), r"health_check.unhealthy_threshold = 11"),
        (dict(type="IP", health_check=HealthCheck(path="health")), r"health_check.path = 'health': a health check path starts with '/'"),
        (dict(type="IP", targets=[Target("10.0.0.1", 0)]), r"unit/tg: targets.port = 0: a target port"),
    ],
)
def test_target_group_rules(props: dict, message: str) -> None:
    base = dict(name="web", port=8080, protocol="HTTP", vpc_id="vpc-1")
    base.update(props)
    with breaks(message):
        TargetGroup(new_stack(), "tg", TargetGroupProps(**base))


def test_lambda_target_group_holds_one_function() -> None:
    group = LambdaTargetGroup(new_stack(), "fn", LambdaTargetGroupProps(name="fn-target", function_arn="arn:fn", function_name="fn"))
    with breaks(r"unit/fn: targets = 2: a LAMBDA target group holds exactly one function"):
        group.add_target("second", Target("arn:other"))


# --- quotas -------------------------------------------------------------------------------


def test_listener_quota_warns_and_a_declared_quota_allows_and_then_fails() -> None:
    stack = new_stack()
    svc = service(stack)
    for index in range(2):
        Listener(stack, f"l{index}", ListenerProps(name=f"listen{index}", service=svc, port=80 + index, default_action=FixedResponse(404)))
    with pytest.warns(LatticeQuotaWarning, match=r"unit/l2: 3 listeners on one service exceed the default quota of 2; .*LatticeQuotas\(listeners_per_service=3\)"):
        Listener(stack, "l2", ListenerProps(name="listen2", service=svc, port=90, default_action=FixedResponse(404)))

    app = cdk.Testing.app()
    declare_quotas(app, LatticeQuotas(listeners_per_service=3))
    stack = ReadableIdsStack(app, "raised")
    svc = service(stack)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for index in range(3):
            Listener(stack, f"l{index}", ListenerProps(name=f"listen{index}", service=svc, port=80 + index, default_action=FixedResponse(404)))
    with breaks(r"raised/l3: listeners_per_service = 4: listeners on one service: more than the declared quota of 3"):
        Listener(stack, "l3", ListenerProps(name="listen3", service=svc, port=99, default_action=FixedResponse(404)))


def test_rules_per_listener_quota_warns() -> None:
    stack = new_stack()
    listener = listener_with(stack)
    for priority in range(1, 11):
        rule(listener, f"rule{priority}", priority=priority)
    with pytest.warns(LatticeQuotaWarning, match="11 rules on one listener exceed the default quota of 10"):
        rule(listener, "rule11", priority=11)


def test_target_groups_per_service_and_targets_per_group_quotas_warn() -> None:
    stack = new_stack()
    svc = service(stack)
    groups = [ip_group(stack, f"g{i}", name=f"group{i}") for i in range(11)]
    listener = Listener(stack, "web", ListenerProps(name="web", service=svc, default_action=Forward([WeightedTarget(g, 1) for g in groups[:10]])))
    with pytest.warns(LatticeQuotaWarning, match="11 target groups on one service exceed the default quota of 10"):
        rule(listener, "more", action=Forward([WeightedTarget(groups[10])]))
    group = ip_group(stack, "tg")
    for index in range(1000):
        group.add_target(f"t{index}", Target(f"10.0.{index // 250}.{index % 250 + 1}"))
    with pytest.warns(LatticeQuotaWarning, match="1001 targets in one target group exceed the default quota of 1000"):
        group.add_target("t1000", Target("10.0.4.1"))


def test_association_quotas_per_network() -> None:
    app = cdk.Testing.app()
    declare_quotas(app, LatticeQuotas(service_associations_per_service_network=500))
    stack = ReadableIdsStack(app, "q")
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="net-a"))
    for index in range(500):
        network.associate_service(f"s{index}", service=SVC_ARN)
    with breaks(r"q/net/s500: service_associations_per_service_network = 501: service associations on one service network: more than the declared quota of 500"):
        network.associate_service("s500", service=SVC_ARN)
    for index in range(500):
        network.associate_vpc(f"v{index}", vpc_id=f"vpc-{index}")
    with breaks(r"q/net/v500: vpc_associations_per_service_network = 501: VPC associations on one service network: more than the declared quota of 500"):
        network.associate_vpc("v500", vpc_id="vpc-500")


def test_a_quota_is_declared_only_upwards() -> None:
    with pytest.raises(ValueError, match=r"declare_quotas: listeners_per_service = 1: below the default quota of 2 \(quotas are only raised\)"):
        declare_quotas(cdk.Testing.app(), LatticeQuotas(listeners_per_service=1))


# --- VPC resources -------------------------------------------------------------------


def test_resource_gateway_configuration_and_association() -> None:
    stack = new_stack()
    gateway = ResourceGateway(stack, "gw", ResourceGatewayProps(name="db-gateway", vpc_id="vpc-1", subnet_ids=["subnet-1"], security_group_ids=["sg-1"]))
    database = ResourceConfiguration(
        stack, "db", ResourceConfigurationProps(name="orders-db", resource_gateway=gateway, port_ranges=["5432"], domain_name="db.internal")
    )
    ResourceConfiguration(stack, "ip", ResourceConfigurationProps(name="legacy", resource_gateway=gateway, port_ranges=["8000-8080"], ip_address="10.0.0.5"))
    ResourceConfiguration(stack, "arn", ResourceConfigurationProps(name="cluster", resource_gateway=gateway, arn="arn:aws:rds:eu-west-1:1:cluster:c"))
    ServiceNetwork.from_arn(stack, "net", SN_ARN).associate_resource("db", resource_configuration=database.id)
    doc = synth(stack)["resource"]
    assert doc["aws_vpclattice_resource_gateway"]["gw_gateway"]["subnet_ids"] == ["subnet-1"]
    configs = doc["aws_vpclattice_resource_configuration"]
    assert configs["db_configuration"]["resource_configuration_definition"] == [
        {"dns_resource": [{"domain_name": "db.internal", "ip_address_type": "IPV4"}]}
    ]
    assert (configs["db_configuration"]["type"], configs["db_configuration"]["port_ranges"]) == ("SINGLE", ["5432"])
    assert configs["ip_configuration"]["resource_configuration_definition"] == [{"ip_resource": [{"ip_address": "10.0.0.5"}]}]
    assert configs["arn_configuration"]["type"] == "ARN"
    assert "port_ranges" not in configs["arn_configuration"] and "protocol" not in configs["arn_configuration"]
    association = doc["aws_vpclattice_service_network_resource_association"]["net_db"]
    assert association == {
        **association,
        "service_network_identifier": SN_ARN,
        "resource_configuration_identifier": "${aws_vpclattice_resource_configuration.db_configuration.id}",
    }


def test_resource_rules() -> None:
    stack = new_stack()
    with breaks(r"unit/gw: subnet_ids = \[\]: a resource gateway needs at least one subnet"):
        ResourceGateway(stack, "gw", ResourceGatewayProps(name="db-gateway", vpc_id="vpc-1", subnet_ids=[]))
    gateway = ResourceGateway(stack, "ok", ResourceGatewayProps(name="db-gateway", vpc_id="vpc-1", subnet_ids=["s"]))
    with breaks(r"unit/two: domain_name/ip_address/arn = \['domain_name', 'ip_address'\]: give exactly one of"):
        ResourceConfiguration(stack, "two", ResourceConfigurationProps(name="two-kinds", resource_gateway=gateway, domain_name="a", ip_address="b"))
    with breaks(r"unit/ports: port_ranges = '9000-80': a port range is 'N' or 'N-M' with 1 <= N <= M <= 65535"):
        ResourceConfiguration(stack, "ports", ResourceConfigurationProps(name="ports", resource_gateway=gateway, port_ranges=["9000-80"], domain_name="a"))
    for index, digits in enumerate(("\u0664\u0664\u0663", "\u00b2", "80\n")):  # Arabic-Indic 443, a superscript 2 (int() raised), a newline
        with breaks(r"port_ranges = .*: a port range is 'N' or 'N-M'"):
            ResourceConfiguration(stack, f"digits-{index}", ResourceConfigurationProps(name=f"digits-{index}", resource_gateway=gateway, port_ranges=[digits], domain_name="a"))
    with breaks(r"unit/rg: name = 'rgw-a': a resource gateway name is 3-40"):
        ResourceGateway(stack, "rg", ResourceGatewayProps(name="rgw-a", vpc_id="vpc-1", subnet_ids=["s"]))


# --- auth policy builder ---------------------------------------------------------------


def test_policy_builder_renders_every_condition_key_compactly() -> None:
    policy = AuthPolicy(
        [
            AuthStatement(
                sid="Blue",
                conditions=[
                    request_method("GET"),
                    query_string("q", "blue"),
                    source_vpc_owner_account("111111111111"),
                    source_vpc("vpc-1", "vpc-2"),
                    request_path("/orders/*"),
                    header("x-team", "blue", ignore_case=True),
                    port(443),
                ],
            ),
            AuthStatement(
                principals=["arn:aws:iam::111111111111:root"],
                conditions=[principal_tag("eks-cluster-name", "eks-cluster2"), principal_org("o-abc"), principal_type("AssumedRole")],
            ),
            AuthStatement(effect="Deny", conditions=[request_path("/admin")]),
        ]
    ).render()
    assert "\n" not in policy and " " not in policy
    document = json.loads(policy)
    assert list(document) == ["Statement", "Version"]  # keys sorted
    blue, cluster, deny = document["Statement"]
    assert blue["Condition"] == {
        "StringEquals": {
            "vpc-lattice-svcs:RequestMethod": "GET",
            "vpc-lattice-svcs:RequestQueryString/q": "blue",
            "vpc-lattice-svcs:SourceVpcOwnerAccount": "111111111111",
            "vpc-lattice-svcs:SourceVpc": ["vpc-1", "vpc-2"],
        },
        "StringLike": {"vpc-lattice-svcs:RequestPath": "/orders/*"},
        "StringEqualsIgnoreCase": {"vpc-lattice-svcs:RequestHeader/x-team": "blue"},
        "NumericEquals": {"vpc-lattice-svcs:Port": "443"},
    }
    assert cluster["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert cluster["Condition"]["StringEquals"] == {
        "aws:PrincipalTag/eks-cluster-name": "eks-cluster2",
        "aws:PrincipalOrgID": "o-abc",
        "aws:PrincipalType": "AssumedRole",
    }
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"StringEquals": {"vpc-lattice-svcs:RequestPath": "/admin"}}
    assert json.loads(AuthPolicy([AuthStatement(conditions=[authenticated_only()])]).render())["Statement"][0]["Condition"] == {
        "StringNotEqualsIgnoreCase": {"aws:PrincipalType": "anonymous"}
    }


def test_policy_builder_refuses_what_lattice_cannot_evaluate() -> None:
    with pytest.raises(ValueError, match="given twice in one statement"):
        AuthPolicy([AuthStatement(conditions=[request_method("GET"), request_method("POST")])]).render()
    with pytest.raises(ValueError, match=r"action 's3:GetObject': VPC Lattice auth policies take"):
        AuthPolicy([AuthStatement(actions=["s3:GetObject"])]).render()
    with pytest.raises(ValueError, match="vpc-lattice-svcs:Connect evaluates only"):
        AuthPolicy([AuthStatement(actions=["vpc-lattice-svcs:Connect"], conditions=[request_method("GET")])]).render()
    with pytest.raises(ValueError, match="needs at least one value"):
        Condition("StringEquals", "k", ())
    with pytest.raises(ValueError, match="auth policy is 1[0-9]{4} characters: VPC Lattice allows at most 10000"):
        AuthPolicy([AuthStatement(conditions=[source_vpc(*[f"vpc-{i:017d}" for i in range(500)])])]).render()


def test_policy_with_references_reads_back() -> None:
    stack = new_stack()
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="net-a"))
    network.attach_auth_policy(AuthPolicy([AuthStatement(resources=[f"{network.arn}/*"], conditions=[source_vpc("vpc-1")])]).render())
    policy = synth(stack)["resource"]["aws_vpclattice_auth_policy"]["net_auth-policy"]["policy"]
    assert decode_json_argument(policy)["Statement"][0]["Resource"] == "${aws_vpclattice_service_network.net_network.arn}/*"


# --- interfaces between constructs ------------------------------------------------------


def test_listeners_attach_to_a_referenced_service_with_the_same_checks() -> None:
    stack = new_stack()
    partner = LatticeService.from_arn(stack, "partner", SVC_ARN)
    Listener(stack, "http", ListenerProps(name="http", service=partner, default_action=FixedResponse(404)))
    doc = synth(stack)["resource"]["aws_vpclattice_listener"]["http_listener"]
    assert doc["service_identifier"] == SVC_ARN
    group = TargetGroup(stack, "tcp", TargetGroupProps(name="db-tcp", type="IP", port=5432, protocol="TCP", vpc_id="vpc-1"))
    with breaks(r"unit/tls: service.custom_domain_name = None: a TLS_PASSTHROUGH listener needs a service with a custom domain"):
        Listener(stack, "tls", ListenerProps(name="tls", service=partner, protocol="TLS_PASSTHROUGH", port=443, default_action=Forward([WeightedTarget(group)])))
    named = LatticeService.from_arn(stack, "db", SVC_ARN.replace("0123", "4567"), custom_domain_name="db.example.internal")
    Listener(stack, "tls2", ListenerProps(name="tls", service=named, protocol="TLS_PASSTHROUGH", port=443, default_action=Forward([WeightedTarget(group)])))
    with pytest.warns(LatticeQuotaWarning, match="3 listeners on one service"):
        for index in range(2):
            Listener(stack, f"more{index}", ListenerProps(name=f"more{index}", service=partner, port=81 + index, default_action=FixedResponse(404)))


def test_networks_associate_service_objects_by_their_identifier() -> None:
    stack = new_stack()
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="apps"))
    network.associate_service("local", service=service(stack))
    network.associate_service("partner", service=LatticeService.from_arn(stack, "partner", SVC_ARN))
    associations = synth(stack)["resource"]["aws_vpclattice_service_network_service_association"]
    assert associations["net_local_association"]["service_identifier"] == "${aws_vpclattice_service.svc_service.id}"
    assert associations["net_partner_association"]["service_identifier"] == SVC_ARN


def test_shares_can_stay_inside_an_organization() -> None:
    stack = new_stack()
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="apps"))
    network.share_with("org", ["arn:aws:organizations::111111111111:organization/o-abc"], allow_external_principals=False)
    service(stack).share_with("ext", ["222222222222"])
    shares = synth(stack)["resource"]["aws_ram_resource_share"]
    assert shares["net_org_share"]["allow_external_principals"] is False
    assert shares["svc_ext_share"] == {"allow_external_principals": True, "name": "svc service"}


def test_app_wide_checks_live_in_one_construct_per_app() -> None:
    from constructs_lib.lattice.validation import AppChecks

    first, second = cdk.Testing.app(), cdk.Testing.app()
    declare_quotas(first, LatticeQuotas(listeners_per_service=4))
    assert AppChecks.of(first) is AppChecks.of(ReadableIdsStack(first, "s"))
    assert AppChecks.of(first).declared_quotas == LatticeQuotas(listeners_per_service=4)
    assert AppChecks.of(second).declared_quotas is None
    assert synth(ReadableIdsStack(first, "empty")).get("resource") is None, "it synthesizes nothing"
