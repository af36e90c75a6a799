"""AWS RAM: share resources with other accounts, and accept what others share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .runtime import aws
from .runtime.cdk import Construct


@dataclass(frozen=True)
class RamShareProps:
    name: str
    principals: Sequence[str]  # account ids, OU or organization ARNs
    resources: Mapping[str, str]  # a stable key per resource -> resource ARN
    # Outside an AWS Organization with RAM sharing enabled, the recipient must accept
    # an invitation, and the share must allow external principals.
    allow_external_principals: bool = True


class RamShare(Construct):
    def __init__(self, scope: Construct, id: str, props: RamShareProps) -> None:
        super().__init__(scope, id)
        if not props.principals:
            raise ValueError(f"{self.node.path}: principals: a share needs at least one principal")
        self.resource = aws.ram_resource_share.RamResourceShare(
            self, "share", name=props.name, allow_external_principals=props.allow_external_principals
        )
        self.arn: str = self.resource.arn
        for principal in props.principals:
            aws.ram_principal_association.RamPrincipalAssociation(
                self, f"principal-{principal}", principal=principal, resource_share_arn=self.arn
            )
        for key, resource_arn in props.resources.items():
            aws.ram_resource_association.RamResourceAssociation(
                self, f"resource-{key}", resource_arn=resource_arn, resource_share_arn=self.arn
            )


class RamShareAccepter(Construct):
    """Accepts a share from another account (needed outside an Organization)."""

    def __init__(self, scope: Construct, id: str, *, share_arn: str) -> None:
        super().__init__(scope, id)
        self.resource = aws.ram_resource_share_accepter.RamResourceShareAccepter(self, "accepter", share_arn=share_arn)
