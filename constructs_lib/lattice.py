"""VPC Lattice building blocks: services, listeners, target groups, service networks
and their associations. Each construct creates one Lattice concept and what it
needs to work (for example the Lambda permission a LAMBDA target group needs)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Sequence

from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.vpclattice_auth_policy import VpclatticeAuthPolicy
from cdktf_cdktf_provider_aws.vpclattice_listener import (
    VpclatticeListener,
    VpclatticeListenerDefaultAction,
    VpclatticeListenerDefaultActionForward,
    VpclatticeListenerDefaultActionForwardTargetGroups,
)
from cdktf_cdktf_provider_aws.vpclattice_service import VpclatticeService
from cdktf_cdktf_provider_aws.vpclattice_service_network import VpclatticeServiceNetwork
from cdktf_cdktf_provider_aws.vpclattice_service_network_service_association import (
    VpclatticeServiceNetworkServiceAssociation,
)
from cdktf_cdktf_provider_aws.vpclattice_service_network_vpc_association import (
    VpclatticeServiceNetworkVpcAssociation,
)
from cdktf_cdktf_provider_aws.vpclattice_target_group import (
    VpclatticeTargetGroup,
    VpclatticeTargetGroupConfigA,  # the `config` block (…Config is the resource's own props)
)
from cdktf_cdktf_provider_aws.vpclattice_target_group_attachment import (
    VpclatticeTargetGroupAttachment,
    VpclatticeTargetGroupAttachmentTarget,
)

from .cdk import Construct, ITerraformDependable

AuthType = Literal["NONE", "AWS_IAM"]


@dataclass(frozen=True)
class LatticeServiceProps:
    name: str
    auth_type: AuthType = "AWS_IAM"


class LatticeService(Construct):
    """A Lattice service. Attach its auth policy with :meth:`attach_auth_policy`
    (the policy usually names the service's own ARN, so it comes after)."""

    def __init__(self, scope: Construct, id: str, props: LatticeServiceProps) -> None:
        super().__init__(scope, id)
        self.resource = VpclatticeService(self, "service", name=props.name, auth_type=props.auth_type)
        self.id = self.resource.id
        self.arn = self.resource.arn
        self.domain_name = self.resource.dns_entry.get(0).domain_name
        self.auth_type = props.auth_type

    def attach_auth_policy(self, policy_json: str) -> VpclatticeAuthPolicy:
        return VpclatticeAuthPolicy(self, "auth-policy", resource_identifier=self.arn, policy=policy_json)


@dataclass(frozen=True)
class LambdaTargetGroupProps:
    name: str
    function_arn: str
    function_name: str
    event_structure_version: Literal["V1", "V2"] = "V1"


class LambdaTargetGroup(Construct):
    """A LAMBDA target group holding one function, with the permission that lets
    VPC Lattice invoke it through this target group only. The original omitted the
    permission, which leaves the target unhealthy and every request failing."""

    def __init__(self, scope: Construct, id: str, props: LambdaTargetGroupProps) -> None:
        super().__init__(scope, id)
        self.resource = VpclatticeTargetGroup(
            self,
            "target-group",
            name=props.name,
            type="LAMBDA",
            config=VpclatticeTargetGroupConfigA(lambda_event_structure_version=props.event_structure_version),
        )
        permission = LambdaPermission(
            self,
            "invoke-permission",
            statement_id="AllowVpcLatticeInvoke",
            action="lambda:InvokeFunction",
            function_name=props.function_name,
            principal="vpc-lattice.amazonaws.com",
            source_arn=self.resource.arn,
        )
        VpclatticeTargetGroupAttachment(
            self,
            "target",
            target_group_identifier=self.resource.id,
            target=VpclatticeTargetGroupAttachmentTarget(id=props.function_arn),
            depends_on=[permission],
        )
        self.id = self.resource.id
        self.arn = self.resource.arn


@dataclass(frozen=True)
class WeightedTarget:
    target_group_id: str
    weight: int = 100


@dataclass(frozen=True)
class ForwardingListenerProps:
    name: str
    service_id: str
    targets: Sequence[WeightedTarget]
    protocol: Literal["HTTP", "HTTPS", "TLS_PASSTHROUGH"] = "HTTP"
    port: Optional[int] = None  # HTTP defaults to 80, HTTPS to 443


class ForwardingListener(Construct):
    """A listener whose default action forwards to weighted target groups."""

    def __init__(self, scope: Construct, id: str, props: ForwardingListenerProps) -> None:
        super().__init__(scope, id)
        if not props.targets:
            raise ValueError(f"{self.node.path}: targets: a forwarding listener needs at least one target group")
        port = props.port if props.port is not None else {"HTTP": 80, "HTTPS": 443}.get(props.protocol)
        self.resource = VpclatticeListener(
            self,
            "listener",
            name=props.name,
            service_identifier=props.service_id,
            protocol=props.protocol,
            port=port,
            default_action=VpclatticeListenerDefaultAction(
                forward=[
                    VpclatticeListenerDefaultActionForward(
                        target_groups=[
                            VpclatticeListenerDefaultActionForwardTargetGroups(
                                target_group_identifier=t.target_group_id, weight=t.weight
                            )
                            for t in props.targets
                        ]
                    )
                ]
            ),
        )


@dataclass(frozen=True)
class ServiceNetworkProps:
    name: str
    auth_type: AuthType = "AWS_IAM"


class ServiceNetwork(Construct):
    """A service network; its auth policy is attached separately because it usually
    names resources (VPC ids, service ARNs) created alongside it."""

    def __init__(self, scope: Construct, id: str, props: ServiceNetworkProps) -> None:
        super().__init__(scope, id)
        self.resource = VpclatticeServiceNetwork(self, "network", name=props.name, auth_type=props.auth_type)
        self.id = self.resource.id
        self.arn = self.resource.arn

    def attach_auth_policy(self, policy_json: str) -> VpclatticeAuthPolicy:
        return VpclatticeAuthPolicy(self, "auth-policy", resource_identifier=self.arn, policy=policy_json)


class ServiceNetworkVpcAssociation(Construct):
    """Connects a VPC to a service network (at most one such association per VPC).

    ``service_network`` is an ARN when the network is owned by another account.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service_network: str,
        vpc_id: str,
        security_group_ids: Sequence[str],
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id)
        self.resource = VpclatticeServiceNetworkVpcAssociation(
            self,
            "association",
            service_network_identifier=service_network,
            vpc_identifier=vpc_id,
            security_group_ids=list(security_group_ids),
            depends_on=list(depends_on) or None,
        )


class ServiceNetworkServiceAssociation(Construct):
    """Makes a service reachable through a service network.

    Pass ARNs for resources shared from another account: ids do not resolve there.
    ``depends_on`` carries, for example, the RAM share accepter that makes a shared
    service visible to this account.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service_network: str,
        service: str,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id)
        self.resource = VpclatticeServiceNetworkServiceAssociation(
            self,
            "association",
            service_network_identifier=service_network,
            service_identifier=service,
            depends_on=list(depends_on) or None,
        )
