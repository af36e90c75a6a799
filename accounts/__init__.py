"""One stack class per account role of each pattern."""
from .centralized import (
    CentralizedConsumerAccountStack,
    CentralizedServiceAccountStack,
    CentralizedServiceNetworkAccountStack,
)
from .distributed import DistributedConsumerAccountStack, DistributedServiceAccountStack

__all__ = [
    "CentralizedConsumerAccountStack",
    "CentralizedServiceAccountStack",
    "CentralizedServiceNetworkAccountStack",
    "DistributedConsumerAccountStack",
    "DistributedServiceAccountStack",
]
