"""IAM roles that an AWS service assumes, with their managed and inline policies."""
from __future__ import annotations

from typing import Sequence

from . import aws
from .cdk import Construct
from .policy import Statement, policy_document

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")  # EKS Pod Identity tags every session


class ServiceRole(Construct):
    """A role ``service`` (e.g. ``eks.amazonaws.com``) assumes: the AWS managed
    policies ``managed`` attached, and ``statements`` as one inline policy."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        service: str,
        actions: Sequence[str] = ("sts:AssumeRole",),
        managed: Sequence[str] = (),
        statements: Sequence[Statement] = (),
    ) -> None:
        super().__init__(scope, id)
        self.resource = aws.iam_role.IamRole(
            self,
            "role",
            name=name,
            assume_role_policy=policy_document([Statement(effect="Allow", actions=list(actions), principal={"Service": service})]),
        )
        self.name: str = self.resource.name
        self.arn: str = self.resource.arn
        self.attachments = [
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(self, f"managed-{index + 1}", role=self.name, policy_arn=arn)
            for index, arn in enumerate(managed)
        ]
        if statements:
            aws.iam_role_policy.IamRolePolicy(self, "inline", name=f"{name}-inline", role=self.name, policy=policy_document(list(statements)))


def managed_policy(name: str) -> str:
    """The ARN of the AWS managed policy ``name`` (with its path, e.g. ``service-role/X``)."""
    return f"arn:aws:iam::aws:policy/{name}"
