"""The AWS managed policies whose documents the checker knows, as AWS publishes them
(the AWS Managed Policy Reference, read 2026-12-01). A managed policy not listed here
is reported as not in the output: the answer then says what it depends on."""
from __future__ import annotations

from typing import Any

AWS_MANAGED: dict[str, dict[str, Any]] = {
    # "Provides access to invoking Amazon VPC Lattice services" (version v1, 2023-03-30)
    "arn:aws:iam::aws:policy/VPCLatticeServicesInvokeAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["vpc-lattice-svcs:Invoke"], "Resource": "*"}],
    },
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    # "Provides minimum permissions for a Lambda function to execute while accessing a
    # resource within a VPC" (version v3, edited 2024-01-05)
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSLambdaVPCAccessExecutionPermissions",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
                ],
                "Resource": "*",
            }
        ],
    },
}
