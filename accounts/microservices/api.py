"""The order API of one microservice as a Swagger 2.0 document with API Gateway's
extensions, and the Lattice routes that serve the same paths.

The original rendered a template whose integration URIs hard-coded eu-central-1 and
whose ``GET /orders`` model said ``{orders: [...]}`` while the handler answered a bare
list; here the region is the stack's and the model says what the handler returns.
``POST /orders`` requires ``fullName`` and the option, so the validator answers 400
before any function runs (the handlers check the same, for the Lattice transport).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

VALIDATOR = "Validate body, query string parameters, and headers"
ORDERS = "/orders"
ORDER = "/orders/{orderId}"
INTEGRATION_TIMEOUT_MS = 29000


@dataclass(frozen=True)
class Route:
    """One route of the API: its method and path, and the handler behind it."""

    method: str
    path: str  # OpenAPI path
    handler: str  # get-order, get-orders, post-order

    @property
    def permission_path(self) -> str:
        """The path as a Lambda permission's source ARN writes it (parameters as *)."""
        return self.path.replace("{orderId}", "*")


ROUTES: Sequence[Route] = (
    Route("GET", ORDERS, "get-orders"),
    Route("POST", ORDERS, "post-order"),
    Route("GET", ORDER, "get-order"),
)


def _integration(region: str, function_arn: str) -> dict[str, Any]:
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",  # Lambda is always invoked with POST
        "uri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        "passthroughBehavior": "when_no_match",
        "timeoutInMillis": INTEGRATION_TIMEOUT_MS,
    }


def _ok(schema: str) -> dict[str, Any]:
    return {"200": {"description": "OK", "schema": {"$ref": f"#/definitions/{schema}"}}}


def order_api(*, title: str, topic: str, options: Sequence[str], region: str, function_arns: Mapping[str, str]) -> dict[str, Any]:
    """The API of the microservice ``topic`` (food, beverage) whose orders choose one of
    ``options``; ``function_arns`` by handler name."""
    methods: dict[str, dict[str, Any]] = {
        ORDERS: {
            "get": {
                "operationId": "listOrders",
                "produces": ["application/json"],
                "parameters": [{"name": "orderDate", "in": "query", "required": False, "type": "string"}],
                "responses": _ok("orders"),
            },
            "post": {
                "operationId": "placeOrder",
                "consumes": ["application/json"],
                "produces": ["application/json"],
                "parameters": [{"name": "newOrder", "in": "body", "required": True, "schema": {"$ref": "#/definitions/newOrder"}}],
                "responses": _ok("newOrderResponse"),
            },
        },
        ORDER: {
            "get": {
                "operationId": "getOrder",
                "produces": ["application/json"],
                "parameters": [{"name": "orderId", "in": "path", "required": True, "type": "string"}],
                "responses": _ok("order"),
            }
        },
    }
    for route in ROUTES:
        method = methods[route.path][route.method.lower()]
        method["x-amazon-apigateway-request-validator"] = VALIDATOR
        method["x-amazon-apigateway-integration"] = _integration(region, function_arns[route.handler])
    order = {
        "type": "object",
        "properties": {
            "orderId": {"type": "string"},
            "orderDate": {"type": "string", "format": "date"},
            topic: {"$ref": f"#/definitions/{topic}"},
            "fullName": {"type": "string"},
        },
    }
    return {
        "swagger": "2.0",
        "info": {"title": title, "version": "1.0"},
        "schemes": ["https"],
        "paths": methods,
        "definitions": {
            topic: {"type": "string", "enum": list(options)},
            "order": order,
            "orders": {"type": "array", "items": {"$ref": "#/definitions/order"}},
            "newOrder": {
                "type": "object",
                "required": [topic, "fullName"],
                "properties": {topic: {"$ref": f"#/definitions/{topic}"}, "fullName": {"type": "string", "minLength": 1}},
            },
            "newOrderResponse": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "order": {"$ref": "#/definitions/order"}},
            },
        },
        "x-amazon-apigateway-request-validators": {
            VALIDATOR: {"validateRequestBody": True, "validateRequestParameters": True},
        },
    }
