"""A DynamoDB table of string keys with global secondary indexes, billed per request."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .checkov import accept_risks
from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class TableIndex:
    name: str
    hash_key: str  # a string attribute; the index projects every attribute


@dataclass(frozen=True)
class StringKeyTableProps:
    name: str
    hash_key: str
    indexes: Sequence[TableIndex] = field(default_factory=tuple)


class StringKeyTable(Construct):
    """On-demand capacity (nothing to size for a sample), point-in-time recovery on
    (an order table is data a user would miss), encrypted at rest with the AWS owned
    key DynamoDB uses by default."""

    def __init__(self, scope: Construct, id: str, props: StringKeyTableProps) -> None:
        super().__init__(scope, id)
        keys = [props.hash_key, *(index.hash_key for index in props.indexes)]
        self.resource = aws.dynamodb_table.DynamodbTable(
            self,
            "table",
            name=props.name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=props.hash_key,
            table_class="STANDARD",
            attribute=[aws.dynamodb_table.DynamodbTableAttribute(name=key, type="S") for key in dict.fromkeys(keys)],
            global_secondary_index=[
                aws.dynamodb_table.DynamodbTableGlobalSecondaryIndex(name=index.name, hash_key=index.hash_key, projection_type="ALL")
                for index in props.indexes
            ],
            point_in_time_recovery=aws.dynamodb_table.DynamodbTablePointInTimeRecovery(enabled=True),
        )
        accept_risks(self.resource, [("CKV_AWS_119", "encrypted at rest with DynamoDB's AWS owned key; a customer key adds cost and a key policy to run")])
        self.name: str = self.resource.name
        self.arn: str = self.resource.arn
