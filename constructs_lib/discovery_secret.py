"""A Secrets Manager secret that publishes ids to other accounts, and its reader.

This is the original sample's discovery channel: the producer writes a JSON
document into a secret encrypted with a customer-managed KMS key (the AWS-managed
``aws/secretsmanager`` key cannot be used across accounts), and the readers'
accounts are admitted by the secret's resource policy and the key policy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .account_provider import stack_account
from .checkov import accept_risks
from .documents.json_document import json_document
from .documents.policy import Statement, account_root, policy_document
from .runtime import aws
from .runtime.cdk import Construct, Fn, Token


@dataclass(frozen=True)
class DiscoverySecretProps:
    secret_name: str
    reader_account_ids: Sequence[str]  # the owner (this stack's account) needs no grant
    payload: Mapping[str, object]  # JSON-serializable; strings may hold tokens


def secret_arn(region: str, account_id: str, secret_name: str) -> str:
    """The partial ARN (no random suffix) that Secrets Manager resolves for readers."""
    return f"arn:aws:secretsmanager:{region}:{account_id}:secret:{secret_name}"


class DiscoverySecret(Construct):
    def __init__(self, scope: Construct, id: str, props: DiscoverySecretProps) -> None:
        super().__init__(scope, id)
        owner = stack_account(self)
        # The owner reads through its own IAM policies; only other accounts need grants.
        readers = sorted(set(props.reader_account_ids) - {owner.account_id})
        owner_secrets = f"arn:aws:secretsmanager:{owner.region}:{owner.account_id}:secret:*"
        key_statements = [
            Statement(
                sid="OwnerAccountAdministers",
                effect="Allow",
                principal={"AWS": account_root(owner.account_id)},
                actions="kms:*",
                resources="*",
            )
        ]
        if readers:
            key_statements.append(
                Statement(
                    sid="ReadersDecryptSecretsOfThisAccountThroughSecretsManager",
                    effect="Allow",
                    principal={"AWS": [account_root(a) for a in readers]},
                    actions=["kms:Decrypt", "kms:DescribeKey"],
                    resources="*",
                    conditions={
                        "StringEquals": {"kms:ViaService": f"secretsmanager.{owner.region}.amazonaws.com"},
                        "StringLike": {"kms:EncryptionContext:SecretARN": owner_secrets},
                    },
                )
            )
        self.key = aws.kms_key.KmsKey(
            self,
            "key",
            description=f"Encrypts the {props.secret_name} discovery secret",
            deletion_window_in_days=7,
            enable_key_rotation=True,
            policy=policy_document(key_statements),
        )
        self.secret = aws.secretsmanager_secret.SecretsmanagerSecret(
            self,
            "secret",
            name=props.secret_name,
            description="VPC Lattice ids published to the accounts that consume them",
            kms_key_id=self.key.arn,
            recovery_window_in_days=0,  # the name can be reused at once after a destroy
            policy=None
            if not readers
            else policy_document(
                [
                    Statement(
                        sid="ReadersGetTheValue",
                        effect="Allow",
                        principal={"AWS": [account_root(a) for a in readers]},
                        actions=[
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:GetResourcePolicy",
                            "secretsmanager:GetSecretValue",
                        ],
                        resources="*",
                    )
                ]
            ),
        )
        accept_risks(self.secret, [("CKV2_AWS_57", "holds resource ids, not credentials: nothing to rotate")])
        aws.secretsmanager_secret_version.SecretsmanagerSecretVersion(
            self,
            "value",
            secret_id=self.secret.id,
            secret_string=json_document(dict(props.payload)),
        )


class DiscoverySecretReader(Construct):
    """Reads a discovery secret owned by another account; :meth:`get` picks a key."""

    def __init__(self, scope: Construct, id: str, *, arn: str) -> None:
        super().__init__(scope, id)
        self.version = aws.data_aws_secretsmanager_secret_version.DataAwsSecretsmanagerSecretVersion(self, "version", secret_id=arn)
        # The ids are not secret; nonsensitive keeps plans readable, as in the original.
        self._document = Fn.nonsensitive(Fn.jsondecode(self.version.secret_string))

    def get(self, *path: str) -> str:
        value = self._document
        for key in path:
            value = Fn.lookup(value, key)
        return Token.as_string(value)
