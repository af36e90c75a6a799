"""The private addresses of a VPC endpoint's network interfaces, for load balancers
whose IP targets are an endpoint (an execute-api endpoint behind an ALB, a
service-network endpoint behind an NLB)."""
from __future__ import annotations

from .runtime import aws
from .runtime.cdk import Construct, Fn


def endpoint_addresses(scope: Construct, network_interface_ids: str, count: int) -> list[str]:
    """One address per interface (the endpoint has one per subnet, ``count`` of them),
    looked up in sorted order, so each is used once whatever order AWS lists them in
    (a set has no index: the original's ``tolist(...)[i]`` relied on one)."""
    interfaces = Fn.sort(network_interface_ids)  # cdktf converts the set to a list
    return [
        aws.data_aws_network_interface.DataAwsNetworkInterface(scope, f"endpoint-interface-{index + 1}", id=Fn.element(interfaces, index)).private_ip
        for index in range(count)
    ]
