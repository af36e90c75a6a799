"""The food/beverage order handlers (lambda/microservice/orders.py) against moto's
DynamoDB, with the events API Gateway and VPC Lattice (V1 and V2) send."""
from __future__ import annotations

import base64
import importlib.util
import json
import re
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.helpers import ROOT

TABLE = "cross-account-microservices-food"
SHAPES = ["apigateway", "lattice_v1", "lattice_v2"]


def _load_orders():
    spec = importlib.util.spec_from_file_location("lambda_microservice_orders", ROOT / "lambda" / "microservice" / "orders.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Loaded before any environment is set: importing must not need the table.
orders = _load_orders()


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "DYNAMODB_TABLE_NAME": TABLE,
        "GLOBAL_SECONDARY_INDEX_NAME": "orderDateIndex",
        "MICROSERVICE_TOPIC": "food",
        "ORDER_OPTIONS": '["pizza","hamburger","salat"]',
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        created = boto3.resource("dynamodb").create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "orderId", "AttributeType": "S"},
                {"AttributeName": "orderDate", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[{
                "IndexName": "orderDateIndex",
                "KeySchema": [{"AttributeName": "orderDate", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
        )
        monkeypatch.setattr(orders, "_table", None)  # a container that starts cold
        yield created


def event(shape: str, method: str, path: str, query: dict[str, str] | None = None,
          body: str | None = None, encoded: bool = False) -> dict[str, Any]:
    """``path`` as the client asked for it, e.g. /orders/<id>; the query as a dict."""
    query = query or {}
    order_id = path.rsplit("/orders/", 1)[1] if "/orders/" in path else None
    if shape == "apigateway":
        return {
            "resource": "/orders/{orderId}" if order_id else "/orders",
            "httpMethod": method,
            "path": path,
            "pathParameters": {"orderId": order_id} if order_id else None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
            "headers": {"Content-Type": "application/json"},
            "body": body,
            "isBase64Encoded": encoded,
            "requestContext": {"stage": "v1", "httpMethod": method},
        }
    if shape == "lattice_v1":
        raw_query = "&".join(f"{k}={v}" for k, v in query.items())
        return {
            "method": method,
            "raw_path": "/v1" + path + (f"?{raw_query}" if raw_query else ""),
            "headers": {"content-type": "application/json", "host": "food.example.internal"},
            "query_string_parameters": query,
            "body": body or "",
            "is_base64_encoded": encoded,
        }
    return {
        "version": "2.0",
        "method": method,
        "path": path,
        "headers": {"content-type": ["application/json"], "host": ["food.example.internal"]},
        "queryStringParameters": {k: [v] for k, v in query.items()},
        "body": body,
        "isBase64Encoded": encoded,
        "requestContext": {
            "serviceNetworkArn": "arn:aws:vpc-lattice:eu-central-1:222222222222:servicenetwork/sn-0123456789abcdef0",
            "serviceArn": "arn:aws:vpc-lattice:eu-central-1:111111111111:service/svc-0123456789abcdef0",
            "targetGroupArn": "arn:aws:vpc-lattice:eu-central-1:111111111111:targetgroup/tg-0123456789abcdef0",
            "identity": {"sourceVpcArn": "arn:aws:ec2:eu-central-1:222222222222:vpc/vpc-0123456789abcdef0", "type": "AnonymousIdentity"},
            "region": "eu-central-1",
            "timeEpoch": "1700000000000000",
        },
    }


def answer(response: dict) -> tuple[int, Any]:
    """Status and decoded body, after checking the envelope every response shares."""
    assert response["headers"] == {"Content-Type": "application/json"}
    assert response["isBase64Encoded"] is False
    assert isinstance(response["body"], str)
    return response["statusCode"], json.loads(response["body"])


def utc_today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def post(shape: str, document: Any) -> tuple[int, Any]:
    return answer(orders.post_order(event(shape, "POST", "/orders", body=json.dumps(document)), None))


@pytest.mark.parametrize("shape", SHAPES)
def test_post_then_get_then_list(table, shape: str) -> None:
    before = utc_today()
    status, placed = post(shape, {"fullName": "Ada Lovelace", "food": "pizza"})
    after = utc_today()
    assert status == 200
    assert placed["message"] == "successfully placed order!"
    order = placed["order"]
    assert set(order) == {"orderId", "orderDate", "fullName", "food"}
    assert re.fullmatch(r"[0-9a-f]{32}", order["orderId"])
    assert order["orderDate"] in {before, after}
    assert (order["fullName"], order["food"]) == ("Ada Lovelace", "pizza")
    assert table.get_item(Key={"orderId": order["orderId"]})["Item"] == order

    assert answer(orders.get_order(event(shape, "GET", f"/orders/{order['orderId']}"), None)) == (200, order)
    listing = orders.get_orders(event(shape, "GET", "/orders", query={"orderDate": order["orderDate"]}), None)
    assert answer(listing) == (200, [order])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("body", "field"), [
    ({"fullName": "Ada", "food": "sushi"}, "food"),
    ({"fullName": "Ada", "food": "coffee"}, "food"),  # the beverage service's option
    ({"fullName": "Ada", "food": ["pizza"]}, "food"),
    ({"fullName": "Ada"}, "food"),
    ({"food": "pizza"}, "fullName"),
    ({"fullName": "", "food": "pizza"}, "fullName"),
    ({"fullName": 7, "food": "pizza"}, "fullName"),
    ("not json", "body"),
    ('["pizza"]', "body"),
    (None, "body"),
])
def test_bad_orders_are_400_naming_the_field(table, shape: str, body: Any, field: str) -> None:
    raw = body if body is None or isinstance(body, str) else json.dumps(body)
    status, document = answer(orders.post_order(event(shape, "POST", "/orders", body=raw), None))
    assert status == 400
    assert set(document) == {"message"} and field in document["message"]
    assert table.scan()["Count"] == 0


@pytest.mark.parametrize("shape", SHAPES)
def test_base64_body_is_decoded(table, shape: str) -> None:
    raw = base64.b64encode(json.dumps({"fullName": "Grace Hopper", "food": "salat"}).encode()).decode()
    status, placed = answer(orders.post_order(event(shape, "POST", "/orders", body=raw, encoded=True), None))
    assert status == 200
    assert (placed["order"]["fullName"], placed["order"]["food"]) == ("Grace Hopper", "salat")
    assert table.scan()["Items"] == [placed["order"]]
    broken = answer(orders.post_order(event(shape, "POST", "/orders", body="%%%", encoded=True), None))
    assert broken[0] == 400 and "base64" in broken[1]["message"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("query", [{}, {"orderDate": ""}, {"orderDate": "2024-13-01"}, {"orderDate": "2024-02-30"},
                                   {"orderDate": "20240101"}, {"orderDate": "2024-1-1"}, {"orderDate": "yesterday"}])
def test_list_needs_a_valid_order_date(table, shape: str, query: dict[str, str]) -> None:
    status, document = answer(orders.get_orders(event(shape, "GET", "/orders", query=query), None))
    assert status == 400 and "orderDate" in document["message"]


@pytest.mark.parametrize("shape", SHAPES)
def test_unknown_order_is_404_and_empty_day_is_empty_list(table, shape: str) -> None:
    assert post(shape, {"fullName": "Ada", "food": "hamburger"})[0] == 200
    assert answer(orders.get_order(event(shape, "GET", f"/orders/{'0' * 32}"), None)) == (404, {"message": "order not found"})
    assert answer(orders.get_orders(event(shape, "GET", "/orders", query={"orderDate": "2000-01-01"}), None)) == (200, [])


def test_lattice_details(table) -> None:
    """V1's raw_path carries the query; V2's parameters are lists (the last one counts)."""
    _, placed = post("lattice_v1", {"fullName": "Ada", "food": "pizza"})
    order = placed["order"]
    v1 = {**event("lattice_v1", "GET", f"/orders/{order['orderId']}"), "raw_path": f"/v1/orders/{order['orderId']}?verbose=1"}
    assert answer(orders.get_order(v1, None)) == (200, order)
    v2 = event("lattice_v2", "GET", "/orders")
    v2["queryStringParameters"] = {"orderDate": ["2000-01-01", order["orderDate"]]}
    assert answer(orders.get_orders(v2, None)) == (200, [order])
    no_id = answer(orders.get_order(event("lattice_v2", "GET", "/orders/"), None))
    assert no_id[0] == 400 and "orderId" in no_id[1]["message"]


@pytest.mark.parametrize("shape", SHAPES)
def test_list_follows_every_page(table, shape: str) -> None:
    """30 items of ~60 KB exceed a query's 1 MB page: all must come back."""
    day, padding = "2024-02-29", "x" * 60_000
    expected = {f"{n:032x}" for n in range(30)}
    with table.batch_writer() as batch:
        for order_id in expected:
            batch.put_item(Item={"orderId": order_id, "orderDate": day, "fullName": "Ada", "food": "pizza", "padding": padding})
        batch.put_item(Item={"orderId": "f" * 32, "orderDate": "2024-03-01", "fullName": "Bob", "food": "salat"})
    queries: list[dict] = []
    orders._get_table().meta.client.meta.events.register("provide-client-params.dynamodb.Query", lambda params, **_: queries.append(params))
    status, items = answer(orders.get_orders(event(shape, "GET", "/orders", query={"orderDate": day}), None))
    assert status == 200
    assert len(queries) >= 2, "the data fits one page: the test proves nothing"
    assert len(items) == 30 and {item["orderId"] for item in items} == expected
    assert all(item["padding"] == padding and item["orderDate"] == day for item in items)
