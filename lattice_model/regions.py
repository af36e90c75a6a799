"""Which AWS regions exist and where VPC Lattice runs, from AWS's own endpoint data
as shipped in botocore (upgrade botocore to learn newer regions; the config's
``extra_regions`` accepts a region before that)."""
from __future__ import annotations

import functools
import importlib.resources
import json
import re
from typing import Any, Iterable

from botocore import __version__ as BOTOCORE_VERSION

from .text_rule import text_rule

REGION_FORMAT = text_rule(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
LATTICE_SERVICE = "vpc-lattice"


@functools.cache
def _partitions() -> list[dict[str, Any]]:
    # botocore's own data file (what its loader reads), without importing the loader.
    data = json.loads((importlib.resources.files("botocore") / "data" / "endpoints.json").read_text(encoding="utf-8"))
    partitions: list[dict[str, Any]] = data["partitions"]
    return partitions


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every AWS partition."""
    return frozenset(region for partition in _partitions() for region in partition["regions"])


@functools.cache
def lattice_regions() -> frozenset[str]:
    """The regions with a VPC Lattice endpoint."""
    return frozenset(
        region
        for partition in _partitions()
        for region, endpoint in partition["services"].get(LATTICE_SERVICE, {}).get("endpoints", {}).items()
        if region in partition["regions"] and not endpoint.get("deprecated")
    )


SUPPORTED_PARTITION = "aws"  # the stacks write arn:aws:... ARNs


def partition_of(region: str) -> str:
    """The partition (aws, aws-cn, aws-us-gov, ...) whose region pattern ``region``
    has, per botocore's endpoint data; "aws" when none has it."""
    for partition in _partitions():
        if region in partition["regions"] or re.fullmatch(partition["regionRegex"], region):
            return str(partition["partition"])
    return SUPPORTED_PARTITION


def region_problem(value: str, allowed: frozenset[str], what: str, extra: Iterable[str]) -> str | None:
    """None when ``value`` is in ``allowed`` or ``extra``, else the rule it breaks."""
    if value in allowed or value in set(extra):
        return None
    if not REGION_FORMAT(value):
        return "must be an AWS region name such as eu-west-1"
    return (
        f"{what} per the AWS endpoint data in botocore {BOTOCORE_VERSION} ({', '.join(sorted(allowed))}); "
        f"if AWS has added it since, list it in extra_regions = [\"{value}\"] or upgrade botocore"
    )
