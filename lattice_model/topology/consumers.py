"""A topology's consumers: the VPCs that call its services (created, or existing)."""
from __future__ import annotations

from typing import Optional

from pydantic import Field, field_validator, model_validator

from ..fields import StrictModel, VpcCidr, VpcConfig, VpcId, subnets_fit
from ..subnet_plan import VpcLayout
from .rules import _SUBNET_ID, ENDPOINT_SUBNET_NETMASK, ENDPOINT_TIER


class ExistingVpcConfig(StrictModel):
    """A VPC that exists already: the topology only associates it (and looks it up at
    plan, which fails unless a VPC of that id has that CIDR)."""

    id: VpcId = Field(description="The VPC's id (vpc-...).")
    cidr_block: VpcCidr = Field(description="Its IPv4 CIDR: the association's security group admits HTTP from it.")
    endpoint_subnet_ids: list[str] = Field(
        default_factory=list, description="With `endpoints`: the subnets (one per AZ, a free /28 each) the service-network endpoints go in."
    )

    @field_validator("endpoint_subnet_ids")
    @classmethod
    def _subnets(cls, value: list[str]) -> list[str]:
        for subnet in value:
            if not _SUBNET_ID(subnet):
                raise ValueError(f"{subnet!r}: must be a subnet id: subnet- and 8 or 17 hexadecimal digits")
        if len(set(value)) != len(value):
            raise ValueError("names each subnet once")
        return value


class ConsumerConfig(StrictModel):
    """A consumer VPC: its account, the VPC (created, or an existing one), the network
    it is associated with and the networks it reaches through endpoints."""

    account: str = Field(description="The account (a name under `accounts`) the VPC lives in.")
    networks: list[str] = Field(
        default_factory=list,
        description="The network the VPC is associated with (at most one name under `networks`: a VPC takes one service-network association).",
    )
    endpoints: list[str] = Field(
        default_factory=list,
        description="Further networks the VPC reaches through service-network VPC endpoints (one each, in a /28 per AZ of its own).",
    )
    vpc: Optional[VpcConfig] = Field(
        default=None, description="The VPC created for the consumer (its Name tag is the consumer's name); unset, and no `existing_vpc`: a VPC of these keys' defaults."
    )
    existing_vpc: Optional[ExistingVpcConfig] = Field(default=None, description="An existing VPC to associate instead of creating one.")

    @field_validator("networks")
    @classmethod
    def _one_association(cls, value: list[str]) -> list[str]:
        if len(value) > 1:
            raise ValueError(
                f"{len(value)} networks: a VPC takes one service-network association; reach the others through "
                "service-network endpoints: move them to endpoints"
            )
        return value

    @model_validator(mode="after")
    def _vpc_and_links(self) -> "ConsumerConfig":
        if self.vpc is not None and self.existing_vpc is not None:
            raise ValueError("set vpc (a VPC created for the consumer) or existing_vpc (one that exists), not both")
        if not self.networks and not self.endpoints:
            raise ValueError("reaches no network: give networks (its association) or endpoints")
        both = sorted(set(self.networks) & set(self.endpoints))
        if both or len(set(self.endpoints)) != len(self.endpoints):
            raise ValueError(f"endpoints: each network once, and not the associated one ({', '.join(both or self.endpoints)})")
        if self.endpoints and self.existing_vpc is not None and not self.existing_vpc.endpoint_subnet_ids:
            raise ValueError("existing_vpc.endpoint_subnet_ids is required with endpoints: a subnet per AZ with a free /28 for each endpoint")
        if self.endpoints and self.existing_vpc is None:
            subnets_fit(self.layout)
        return self

    @property
    def created_vpc(self) -> Optional[VpcConfig]:
        """The VPC to create; None for an existing one."""
        return None if self.existing_vpc is not None else self.vpc or VpcConfig()

    @property
    def reached(self) -> tuple[str, ...]:
        """Every network the VPC reaches: its association first, then its endpoints."""
        return (*self.networks, *self.endpoints)

    @property
    def layout(self) -> VpcLayout:
        """The created VPC's subnets: the consumer VPC's tiers, and a /28 per AZ for
        the service-network endpoints when it has any."""
        vpc = self.created_vpc or VpcConfig()
        tiers = dict(vpc.layout.tiers)
        if self.endpoints:
            tiers[ENDPOINT_TIER] = ENDPOINT_SUBNET_NETMASK
        return VpcLayout(vpc.layout.cidr_block, vpc.layout.number_azs, tiers)


