"""Access logs of a service network or service, to CloudWatch Logs, S3 or Firehose."""
from __future__ import annotations

import re

from cdktf_cdktf_provider_aws.vpclattice_access_log_subscription import VpclatticeAccessLogSubscription

from ..cdk import Construct
from .validation import fail, is_token

_DESTINATION = re.compile(r"^arn:aws[a-z-]*:(logs|s3|firehose):")


class AccessLogs(Construct):
    """Subscribes ``resource_arn`` (a service network or service) to a destination:
    a CloudWatch Logs log group ARN, an S3 bucket ARN or a Firehose delivery stream ARN."""

    def __init__(self, scope: Construct, id: str, *, resource_arn: str, destination_arn: str) -> None:
        super().__init__(scope, id)
        if not is_token(destination_arn) and not _DESTINATION.match(destination_arn):
            fail(
                self,
                "destination_arn",
                destination_arn,
                "access logs go to a CloudWatch Logs log group, an S3 bucket or a Firehose delivery stream ARN",
            )
        self.resource = VpclatticeAccessLogSubscription(
            self, "subscription", resource_identifier=resource_arn, destination_arn=destination_arn
        )
