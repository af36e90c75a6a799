"""Deterministic subnet allocation for a VPC with named subnet tiers.

Pure Python (no cdktf import) so that config validation can use the same plan the
constructs synthesize: a config that validates is a config whose subnets fit.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Mapping


class SubnetPlanError(ValueError):
    """The requested tiers do not fit in the VPC CIDR."""


@dataclass(frozen=True)
class VpcLayout:
    """The address plan of a VPC: its CIDR, how many AZs, and one subnet per tier
    per AZ (tier name -> subnet prefix length, in the order written)."""

    cidr_block: str
    number_azs: int
    tiers: Mapping[str, int]

    def subnets(self) -> list["PlannedSubnet"]:
        return plan_subnets(self.cidr_block, dict(self.tiers), self.number_azs)


@dataclass(frozen=True)
class PlannedSubnet:
    tier: str
    az_index: int
    cidr: str


def plan_subnets(vpc_cidr: str, tier_netmasks: dict[str, int], number_azs: int) -> list[PlannedSubnet]:
    """Carve one subnet per tier per AZ out of ``vpc_cidr``.

    Tiers are placed in the order given, AZ by AZ, each subnet at the next free
    address aligned to its own size. Largest-first is not used on purpose: the
    order users write is the order they read in the output, and a plan that does
    not fit is reported, never silently reordered.
    """
    network = ipaddress.IPv4Network(vpc_cidr, strict=True)
    cursor = int(network.network_address)
    end = int(network.broadcast_address) + 1
    planned: list[PlannedSubnet] = []
    for tier, netmask in tier_netmasks.items():
        if netmask < network.prefixlen:
            raise SubnetPlanError(
                f"tier '{tier}' netmask /{netmask} is larger than the VPC {vpc_cidr}"
            )
        size = 1 << (32 - netmask)
        for az_index in range(number_azs):
            start = (cursor + size - 1) // size * size  # align to the subnet's own size
            if start + size > end:
                needed = _addresses_needed(tier_netmasks, number_azs)
                raise SubnetPlanError(
                    f"{number_azs} AZs x tiers {_describe(tier_netmasks)} need {needed} addresses "
                    f"but {vpc_cidr} has {network.num_addresses}"
                )
            planned.append(
                PlannedSubnet(tier, az_index, str(ipaddress.IPv4Network((start, netmask))))
            )
            cursor = start + size
    return planned


def _addresses_needed(tier_netmasks: dict[str, int], number_azs: int) -> int:
    return sum(number_azs * (1 << (32 - m)) for m in tier_netmasks.values())


def _describe(tier_netmasks: dict[str, int]) -> str:
    return ", ".join(f"{tier} /{mask}" for tier, mask in tier_netmasks.items())
