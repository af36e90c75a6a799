"""Order handlers of the food/beverage microservice (after tecRacer's "Serverless
Cross-Account Microservices" sample).

The same functions sit behind a private REST API (API Gateway proxy events) and
behind VPC Lattice (event structure V1 or V2), so each handler first normalises the
event into one shape. Bad input answers 400 naming the field, where the original
crashed into a 502.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import uuid
from datetime import date, datetime, timezone
from typing import Any, NamedTuple
from urllib.parse import unquote

import boto3
from boto3.dynamodb.conditions import Key

_table = None
_ORDER_PATH = re.compile(r"/orders/([^/]+)/?$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadRequest(Exception):
    """Raised for input the client must fix; its message names the field."""


class Request(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    path_parameters: dict[str, str]
    body: bytes


def _get_table() -> Any:
    """Created on first use, not at import (the environment may not be set yet),
    then kept for the container's lifetime so warm calls skip the set-up."""
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE_NAME"])
    return _table


def _request(event: dict) -> Request:
    """API Gateway and the two Lattice structures name and nest the same things
    differently; everything after this reads only a Request."""
    if "httpMethod" in event:  # API Gateway REST proxy, payload v1
        method, path = event["httpMethod"], event.get("path") or "/"
        query = event.get("queryStringParameters") or {}
        encoded = event.get("isBase64Encoded")
    elif event.get("version") == "2.0":  # Lattice V2: multi-valued maps
        method, path = event.get("method") or "", event.get("path") or "/"
        lists = event.get("queryStringParameters") or {}
        query = {k: v[-1] if isinstance(v, list) else v for k, v in lists.items() if v != []}
        encoded = event.get("isBase64Encoded")
    else:  # Lattice V1: snake_case, the query may still be on raw_path
        method, path = event.get("method") or "", event.get("raw_path") or "/"
        query = event.get("query_string_parameters") or {}
        encoded = event.get("is_base64_encoded")
    path = path.split("?", 1)[0]
    params = dict(event.get("pathParameters") or {})
    match = _ORDER_PATH.search(path)
    if "orderId" not in params and match:  # Lattice has no path templates
        params["orderId"] = unquote(match.group(1))
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body, validate=True) if encoded else body.encode()
    except (binascii.Error, ValueError):
        raise BadRequest("body is not valid base64") from None
    return Request(method.upper(), path, dict(query), params, raw)


def _response(status: int, document: Any) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(document),
        "isBase64Encoded": False,
    }


def _handler(route):
    """One place turns a route's (status, document) or BadRequest into a response."""

    @functools.wraps(route)
    def handler(event: dict, context: Any) -> dict:
        try:
            return _response(*route(_request(event)))
        except BadRequest as error:
            return _response(400, {"message": str(error)})

    return handler


def _new_order(body: bytes) -> dict[str, str]:
    """Only orders of the configured topic and options reach the table."""
    topic = os.environ["MICROSERVICE_TOPIC"]
    options = json.loads(os.environ["ORDER_OPTIONS"])
    try:
        document = json.loads(body)
    except ValueError:  # also undecodable UTF-8
        document = None
    if not isinstance(document, dict):
        raise BadRequest("body must be a JSON object")
    full_name = document.get("fullName")
    if not isinstance(full_name, str) or not full_name.strip():
        raise BadRequest("fullName must be a non-empty string")
    option = document.get(topic)
    if not isinstance(option, str) or option not in options:
        raise BadRequest(f"{topic} must be one of: {', '.join(options)}")
    today = datetime.now(timezone.utc).date().isoformat()
    return {"orderId": uuid.uuid4().hex, "orderDate": today, "fullName": full_name, topic: option}


@_handler
def post_order(request: Request) -> tuple[int, Any]:
    order = _new_order(request.body)
    _get_table().put_item(Item=order)
    return 200, {"message": "successfully placed order!", "order": order}


@_handler
def get_orders(request: Request) -> tuple[int, Any]:
    """All orders of one day: a query returns at most 1 MB, so follow every page."""
    day = request.query.get("orderDate")
    if not day:
        raise BadRequest("query parameter orderDate is required")
    try:
        if not _DATE.fullmatch(day):
            raise ValueError(day)
        date.fromisoformat(day)
    except ValueError:
        raise BadRequest("query parameter orderDate must be a date as YYYY-MM-DD") from None
    index = os.environ.get("GLOBAL_SECONDARY_INDEX_NAME", "orderDateIndex")
    arguments = {"IndexName": index, "KeyConditionExpression": Key("orderDate").eq(day)}
    items: list[dict] = []
    while True:
        page = _get_table().query(**arguments)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return 200, items
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@_handler
def get_order(request: Request) -> tuple[int, Any]:
    order_id = request.path_parameters.get("orderId")
    if not order_id:
        raise BadRequest("path parameter orderId is required (/orders/<orderId>)")
    item = _get_table().get_item(Key={"orderId": order_id}).get("Item")
    if item is None:
        return 404, {"message": "order not found"}
    return 200, item
