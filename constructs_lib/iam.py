"""IAM roles that an AWS service assumes, with their managed and inline policies."""
from __future__ import annotations

from typing import Sequence

from .account_provider import stack_account
from .documents.policy import Statement, policy_document
from .runtime import aws
from .runtime.cdk import Construct

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")  # EKS Pod Identity tags every session


class ServiceRole(Construct):
    """A role ``service`` (e.g. ``eks.amazonaws.com``) assumes: the AWS managed
    policies ``managed`` attached, and ``statements`` as one inline policy. Or, with
    ``role_of_account`` instead of ``service``, a role that one role of another
    account may assume: trusted by that account, on the condition that the caller
    is that role (a role ARN as principal would have to exist before this one)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        service: str | None = None,
        role_of_account: str | None = None,
        actions: Sequence[str] = ("sts:AssumeRole",),
        managed: Sequence[str] = (),
        statements: Sequence[Statement] = (),
    ) -> None:
        super().__init__(scope, id)
        if (service is None) == (role_of_account is None):
            raise ValueError(f"{self.node.path}: give service or role_of_account")
        if service is not None:
            # Pod Identity: only for clusters of this account (a cluster elsewhere cannot borrow it)
            deputy = {"StringEquals": {"aws:SourceAccount": stack_account(self).account_id}} if service == POD_IDENTITY_PRINCIPAL else {}
            trust = Statement(effect="Allow", actions=list(actions), principal={"Service": service}, conditions=deputy)
        else:
            assert role_of_account is not None
            account = role_of_account.split(":")[4]
            trust = Statement(
                effect="Allow", actions=list(actions), principal={"AWS": f"arn:aws:iam::{account}:root"},
                conditions={"ArnEquals": {"aws:PrincipalArn": role_of_account}},
            )
        self.resource = aws.iam_role.IamRole(self, "role", name=name, assume_role_policy=policy_document([trust]))
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
