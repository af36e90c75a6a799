"""The DynamoDB stand-in handlers run against: moto, a local DynamoDB, inside each
handler's child process (handler_runner.py), holding the tables the output declares
in the function's account and region. The items live here, in the parent, between
requests: one ``Tables`` per matrix run (or per ``curl --state`` file), so an order
placed by one row is there for the next.

Items are kept as DynamoDB JSON (``{"orderId": {"S": "..."}}``), exactly as a scan
returns them, so nothing is lost between requests.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from safe_io.inputs import STATE_LIMIT, InputError, read_text
from safe_io.ownership import json_document, json_is_ours, writable_file_problem, write_file
from safe_io.structured import StructureError, parse_json

from .kinds import Element
from .tfjson import blocks
from .topology import Topology

Items = dict[str, list[dict[str, Any]]]  # table name -> items


STATE_WRITER = "lattice_check curl --state"


def _state_is_ours(data: bytes) -> bool:
    try:
        return json_is_ours(json.loads(data))
    except (ValueError, RecursionError):
        return False


class BadState(ValueError):
    """A --state file that cannot be read (exit status 2)."""


@dataclass
class Tables:
    """Items per account and region (``"<account>/<region>"``), then per table."""

    items: dict[str, Items] = field(default_factory=dict)
    path: Optional[Path] = None  # where they are kept between runs, if anywhere

    @classmethod
    def load(cls, path: Path, *, force: bool = False) -> "Tables":
        """The items a --state file holds; none when the file does not exist yet.
        Only a file ``curl --state`` wrote (unchanged since) is read and written
        again; with ``force``, any regular file is read if it can be and replaced."""
        problem = writable_file_problem(path, is_ours=_state_is_ours, force=force, limit=STATE_LIMIT)
        if problem:
            raise BadState(f"--state {path}: {problem}")
        if not path.exists():
            return cls(path=path)
        try:
            document = parse_json(read_text(path, limit=STATE_LIMIT), path)
        except (InputError, StructureError) as error:
            if force:
                return cls(path=path)
            raise BadState(f"--state {error}") from None
        if not isinstance(document, dict) or not isinstance(document.get("dynamodb"), dict):
            if force:
                return cls(path=path)
            raise BadState(f"--state {path}: not a state file lattice_check wrote (no 'dynamodb' object)")
        return cls(items=document["dynamodb"], path=path)

    def save(self) -> None:
        if self.path is not None:
            write_file(self.path, json_document({"dynamodb": self.items}, STATE_WRITER))

    def of(self, account: str, region: str) -> Items:
        return self.items.get(f"{account}/{region}", {})

    def keep(self, account: str, region: str, items: Items) -> None:
        self.items[f"{account}/{region}"] = items
        self.save()


def table_definitions(topology: Topology, account: str, region: str) -> list[dict[str, Any]]:
    """CreateTable arguments for every ``aws_dynamodb_table`` of the output in that
    account and region, in name order."""
    found = [
        _create_table(topology, element)
        for stack in topology.stacks
        for element in (Element(stack, name, body) for name, body in stack.resources("aws_dynamodb_table").items())
        if (element.account, element.region) == (account, region)
    ]
    return sorted(found, key=lambda table: table["TableName"])


def _create_table(topology: Topology, element: Element) -> dict[str, Any]:
    body = topology.model.resolve(element.body, element.stack)
    on_demand = body.get("billing_mode", "PROVISIONED") == "PAY_PER_REQUEST"

    def keys(hash_key: str, range_key: Optional[str]) -> list[dict[str, str]]:
        return [{"AttributeName": hash_key, "KeyType": "HASH"}] + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])

    def projection(index: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = {"ProjectionType": index.get("projection_type", "ALL")}
        if index.get("non_key_attributes"):
            shown["NonKeyAttributes"] = list(index["non_key_attributes"])
        return shown

    capacity = {"ReadCapacityUnits": int(body.get("read_capacity") or 1), "WriteCapacityUnits": int(body.get("write_capacity") or 1)}
    table: dict[str, Any] = {
        "TableName": body["name"],
        "KeySchema": keys(body["hash_key"], body.get("range_key")),
        "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]} for a in blocks(body.get("attribute"))],
        "BillingMode": "PAY_PER_REQUEST" if on_demand else "PROVISIONED",
    }
    if not on_demand:
        table["ProvisionedThroughput"] = capacity
    indexes = []
    for index in blocks(body.get("global_secondary_index")):
        described: dict[str, Any] = {"IndexName": index["name"], "KeySchema": keys(index["hash_key"], index.get("range_key")), "Projection": projection(index)}
        if not on_demand:
            described["ProvisionedThroughput"] = capacity
        indexes.append(described)
    if indexes:
        table["GlobalSecondaryIndexes"] = indexes
    local = [
        {"IndexName": index["name"], "KeySchema": keys(body["hash_key"], index["range_key"]), "Projection": projection(index)}
        for index in blocks(body.get("local_secondary_index"))
    ]
    if local:
        table["LocalSecondaryIndexes"] = local
    return table
