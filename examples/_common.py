"""What every example stack has: one AWS provider and readable Terraform names."""
from __future__ import annotations

from typing import Callable

from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc

from constructs_lib.cdk import App, Construct
from constructs_lib.naming import ReadableIdsStack

REGION = "eu-west-1"
ACCOUNT = "111111111111"


def example_stack(app: App, name: str) -> ReadableIdsStack:
    stack = ReadableIdsStack(app, name)
    AwsProvider(stack, "aws", region=REGION, allowed_account_ids=[ACCOUNT])
    return stack


def small_vpc(scope: Construct, id: str, cidr: str = "10.0.0.0/24") -> tuple[Vpc, list[str]]:
    """A VPC with two /28 subnets (enough for endpoints and gateways in examples)."""
    vpc = Vpc(scope, id, cidr_block=cidr, tags={"Name": id})
    base = cidr.split("/")[0].rsplit(".", 1)[0]
    subnets = [
        Subnet(scope, f"{id}-subnet-{i + 1}", vpc_id=vpc.id, cidr_block=f"{base}.{16 * i}/28").id for i in range(2)
    ]
    return vpc, subnets


def run(build: Callable[[str], App]) -> None:
    build("cdktf.out").synth()
