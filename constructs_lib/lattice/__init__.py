"""VPC Lattice constructs with synth-time validation (see validation.py)."""
from .access_logs import AccessLogs
from .listener import (
    Action,
    FixedResponse,
    Forward,
    HeaderMatch,
    Listener,
    ListenerProps,
    ListenerRule,
    PathMatch,
    RuleMatch,
    RuleProps,
    WeightedTarget,
)
from .resources import ResourceConfiguration, ResourceConfigurationProps, ResourceGateway, ResourceGatewayProps
from .service import CustomDomain, LatticeService, LatticeServiceProps, ServiceReference
from .service_network import (
    ServiceNetwork,
    ServiceNetworkEndpointProps,
    ServiceNetworkProps,
    ServiceNetworkReference,
    ServiceNetworkServiceAssociation,
    ServiceNetworkVpcAssociation,
    ServiceNetworkVpcEndpoint,
)
from .target_group import HealthCheck, LambdaTargetGroup, LambdaTargetGroupProps, Target, TargetGroup, TargetGroupProps
from .validation import LatticeQuotas, LatticeQuotaWarning, LatticeValidationError, declare_quotas

__all__ = [
    "AccessLogs",
    "Action",
    "CustomDomain",
    "FixedResponse",
    "Forward",
    "HeaderMatch",
    "HealthCheck",
    "LambdaTargetGroup",
    "LambdaTargetGroupProps",
    "LatticeQuotaWarning",
    "LatticeQuotas",
    "LatticeService",
    "LatticeServiceProps",
    "LatticeValidationError",
    "Listener",
    "ListenerProps",
    "ListenerRule",
    "PathMatch",
    "ResourceConfiguration",
    "ResourceConfigurationProps",
    "ResourceGateway",
    "ResourceGatewayProps",
    "RuleMatch",
    "RuleProps",
    "ServiceNetwork",
    "ServiceNetworkEndpointProps",
    "ServiceNetworkProps",
    "ServiceNetworkReference",
    "ServiceNetworkServiceAssociation",
    "ServiceNetworkVpcAssociation",
    "ServiceNetworkVpcEndpoint",
    "ServiceReference",
    "Target",
    "TargetGroup",
    "TargetGroupProps",
    "WeightedTarget",
    "declare_quotas",
]
