"""DirectoryService: answers GET /?q=<x> with {"endpoint": "<x>"}.

Invoked by an internal ALB (which VPC Lattice forwards to) and, for direct tests,
by VPC Lattice itself: ALB events and Lattice V1/V2 events all work.
"""
import json


def _query(event):
    # ALB: queryStringParameters; Lattice V1: query_string_parameters; Lattice V2: lists.
    params = event.get("queryStringParameters") or event.get("query_string_parameters") or {}
    value = params.get("q")
    if isinstance(value, list):
        value = value[-1] if value else None
    return value


def _method(event):
    return event.get("httpMethod") or event.get("method") or "GET"


def _response(status, document, description):
    return {
        "statusCode": status,
        "statusDescription": description,
        "isBase64Encoded": False,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(document),
    }


def lambda_handler(event, context):
    if _method(event) != "GET":
        return _response(405, {"error": "only GET is supported"}, "405 Method Not Allowed")
    query = _query(event)
    if query is None:
        return _response(400, {"error": "missing query parameter q"}, "400 Bad Request")
    return _response(200, {"endpoint": query}, "200 OK")
