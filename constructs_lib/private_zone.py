"""A Route 53 private hosted zone of one VPC, with alias records to a load balancer."""
from __future__ import annotations

from typing import Sequence

from .account_provider import stack_account
from .runtime import aws
from .runtime.cdk import Construct


class PrivateZone(Construct):
    """``domain`` resolvable in ``vpc_id`` only."""

    def __init__(self, scope: Construct, id: str, *, domain: str, vpc_id: str) -> None:
        super().__init__(scope, id)
        self.resource = aws.route53_zone.Route53Zone(
            self,
            "zone",
            name=domain,
            comment=f"{domain}, resolvable in one VPC",
            vpc=[aws.route53_zone.Route53ZoneVpc(vpc_id=vpc_id, vpc_region=stack_account(self).region)],
        )
        self.zone_id: str = self.resource.zone_id

    def alias_records(self, names: Sequence[str], *, target_dns_name: str, target_zone_id: str) -> None:
        """An A alias record per name (relative to the zone) to the target."""
        for name in names:
            aws.route53_record.Route53Record(
                self,
                f"record-{name}",
                zone_id=self.zone_id,
                name=name,
                type="A",
                alias=aws.route53_record.Route53RecordAlias(name=target_dns_name, zone_id=target_zone_id, evaluate_target_health=True),
            )
