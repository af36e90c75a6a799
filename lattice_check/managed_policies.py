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
}
