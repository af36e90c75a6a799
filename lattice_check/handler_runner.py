"""Runs one Lambda handler in a clean child process (``python -I`` on this file).

Reads ``{"package": <zip path>, "handler": "module.function", "event": {...},
"tables": [CreateTable arguments], "items": {table: [items]}}`` on stdin, unpacks
the package into a scratch directory and calls the handler with the event, with
moto standing in for AWS (dynamodb.py): the tables the output declares exist and
hold the items earlier requests left. Prints one JSON line: ``{"response": ...}``
or ``{"error": "Type: message"}`` or ``{"missing": ...}``, with ``calls`` (the AWS
operations the handler made, for the IAM and network checks) and ``items`` (every
table's items afterwards). The parent sets the child's environment to the
function's own variables plus what Lambda sets, so nothing of the checker's process
leaks in or is changed.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws


def main() -> int:
    request = json.loads(sys.stdin.read())
    module_name, _, function_name = request["handler"].rpartition(".")
    calls: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as workdir, mock_aws():
        with zipfile.ZipFile(request["package"]) as archive:
            archive.extractall(workdir)
        source = Path(workdir) / f"{module_name.replace('.', '/')}.py"
        spec = importlib.util.spec_from_file_location(module_name, source)
        if not source.is_file() or spec is None or spec.loader is None:
            print(json.dumps({"missing": f"handler {request['handler']} not found in the package"}))
            return 0
        client = _prepare(request.get("tables", []), request.get("items", {}))
        boto3.setup_default_session()  # the handler's boto3 calls go through this session: record them
        boto3.DEFAULT_SESSION.events.register("before-parameter-build", lambda model, params, **_: calls.append(_call(model, params)))
        sys.path.insert(0, workdir)  # the package's own modules, as in Lambda
        module = importlib.util.module_from_spec(spec)
        reply: dict[str, Any]
        try:
            spec.loader.exec_module(module)
            response = getattr(module, function_name)(request["event"], None)
        except Exception as error:  # the function failed: the caller answers 502
            reply = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc(limit=3)}
        else:
            reply = {"response": response}
        reply.update(calls=calls, items=_items(client, request.get("tables", [])))
    print(json.dumps(reply, default=str))
    return 0


def _prepare(tables: list[dict[str, Any]], items: dict[str, list[dict[str, Any]]]) -> Any:
    if not tables:
        return None
    client = boto3.session.Session().client("dynamodb")  # not the handler's session: its calls are not recorded
    for table in tables:
        client.create_table(**table)
        for item in items.get(table["TableName"], []):
            client.put_item(TableName=table["TableName"], Item=item)
    return client


def _call(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "service": model.service_model.signing_name,
        "operation": model.name,
        "table": params.get("TableName"),
        "index": params.get("IndexName"),
    }


def _items(client: Any, tables: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    if client is None:
        return found
    for table in tables:
        pages = client.get_paginator("scan").paginate(TableName=table["TableName"])
        found[table["TableName"]] = [item for page in pages for item in page["Items"]]
    return found


if __name__ == "__main__":
    sys.exit(main())
