"""Access logs (to CloudWatch Logs, S3 or Firehose) and auth policies of service
networks and services."""
from __future__ import annotations

from lattice_model.text_rule import text_rule

from ..runtime import aws
from ..runtime.cdk import Construct
from .validation import fail, is_token

_DESTINATION = text_rule(r"arn:aws[a-z-]*:(logs|s3|firehose):\S+")


class AccessLogs(Construct):
    """Subscribes ``resource_arn`` (a service network or service) to a destination:
    a CloudWatch Logs log group ARN, an S3 bucket ARN or a Firehose delivery stream ARN."""

    def __init__(self, scope: Construct, id: str, *, resource_arn: str, destination_arn: str) -> None:
        super().__init__(scope, id)
        if not is_token(destination_arn) and not _DESTINATION(destination_arn):
            fail(
                self,
                "destination_arn",
                destination_arn,
                "access logs go to a CloudWatch Logs log group, an S3 bucket or a Firehose delivery stream ARN",
            )
        self.resource = aws.vpclattice_access_log_subscription.VpclatticeAccessLogSubscription(
            self, "subscription", resource_identifier=resource_arn, destination_arn=destination_arn
        )


class AuthPolicyAndLogs(Construct):
    """What services and service networks share: an auth policy (evaluated only
    with auth type AWS_IAM) and access logs. Subclasses set ``arn`` and ``auth_type``."""

    auth_type: str

    @property
    def arn(self) -> str:
        raise NotImplementedError

    def attach_auth_policy(self, policy_json: str) -> aws.vpclattice_auth_policy.VpclatticeAuthPolicy:
        if self.auth_type != "AWS_IAM":
            fail(self, "auth_type", self.auth_type, "an auth policy is only evaluated when auth_type is AWS_IAM")
        return aws.vpclattice_auth_policy.VpclatticeAuthPolicy(self, "auth-policy", resource_identifier=self.arn, policy=policy_json)

    def log_to(self, id: str, destination_arn: str) -> AccessLogs:
        return AccessLogs(self, id, resource_arn=self.arn, destination_arn=destination_arn)
