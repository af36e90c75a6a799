"""One stack class per account role of each pattern."""
from .centralized import (
    CentralizedConsumerAccountStack,
    CentralizedServiceAccountStack,
    CentralizedServiceNetworkAccountStack,
)
from .distributed import DistributedConsumerAccountStack, DistributedServiceAccountStack
from .shared import SharedCommonAccountStack, SharedTenantAccountStack

__all__ = [
    "CentralizedConsumerAccountStack",
    "CentralizedServiceAccountStack",
    "CentralizedServiceNetworkAccountStack",
    "DistributedConsumerAccountStack",
    "DistributedServiceAccountStack",
    "SharedCommonAccountStack",
    "SharedTenantAccountStack",
]
