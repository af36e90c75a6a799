"""One stack class per account role of each pattern."""
from .distributed import DistributedConsumerAccountStack, DistributedServiceAccountStack

__all__ = ["DistributedConsumerAccountStack", "DistributedServiceAccountStack"]
