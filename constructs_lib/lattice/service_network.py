"""Service networks (created or referenced by ARN) and everything that connects to
them: VPC associations, service-network VPC endpoints, service associations and
resource associations; plus auth policy, access logs and RAM share."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional, Sequence, Union

from lattice_model.lattice_rules import AUTH_TYPES, SECURITY_GROUPS_PER_ASSOCIATION, AuthType

from ..ram import RamShare, RamShareProps
from ..runtime import aws
from ..runtime.cdk import Construct, DefaultTokenResolver, ITerraformDependable, StringConcat, Tokenization
from ..runtime.naming import construct_path, stack_of
from .access_logs import AuthPolicyAndLogs
from .service import ServiceLike
from .validation import AppChecks, check_choice, check_name, check_quota, fail, is_token


@dataclass(frozen=True)
class ServiceNetworkProps:
    name: str
    auth_type: AuthType = "AWS_IAM"


class _Connectable(Construct):
    """What created and referenced service networks share: the identifier other
    resources use and the association counters the quotas are checked against."""

    @property
    def identifier(self) -> str:
        """What associations name it by: its id here, its ARN when owned elsewhere."""
        raise NotImplementedError

    @property
    def arn(self) -> str:
        raise NotImplementedError

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._counts: dict[str, int] = {}  # quota name -> associations made so far

    def count_association(self, quota: str, what: str, where: Construct) -> None:
        """Count one more association of this network against ``quota``."""
        self._counts[quota] = self._counts.get(quota, 0) + 1
        check_quota(where, quota, self._counts[quota], what)

    def associate_vpc(
        self,
        id: str,
        *,
        vpc_id: str,
        security_group_ids: Sequence[str] = (),
        depends_on: Sequence[ITerraformDependable] = (),
        scope: Optional[Construct] = None,
    ) -> "ServiceNetworkVpcAssociation":
        return ServiceNetworkVpcAssociation(
            scope or self,
            id,
            service_network=self,
            vpc_id=vpc_id,
            security_group_ids=security_group_ids,
            depends_on=depends_on,
        )

    def associate_service(
        self, id: str, *, service: Union[ServiceLike, str], depends_on: Sequence[ITerraformDependable] = ()
    ) -> "ServiceNetworkServiceAssociation":
        return ServiceNetworkServiceAssociation(self, id, service_network=self, service=service, depends_on=depends_on)

    def associate_resource(self, id: str, *, resource_configuration: str) -> aws.vpclattice_service_network_resource_association.VpclatticeServiceNetworkResourceAssociation:
        self.count_association(
            "resource_configurations_per_service_network", "resource configurations on one service network", self
        )
        return aws.vpclattice_service_network_resource_association.VpclatticeServiceNetworkResourceAssociation(
            self, id, service_network_identifier=self.identifier, resource_configuration_identifier=resource_configuration
        )


class ServiceNetwork(_Connectable, AuthPolicyAndLogs):
    """A service network created in this stack."""

    def __init__(self, scope: Construct, id: str, props: ServiceNetworkProps) -> None:
        super().__init__(scope, id)
        check_name(self, "service network", props.name)
        check_choice(self, "auth_type", props.auth_type, AUTH_TYPES)
        self.auth_type = props.auth_type
        self.resource = aws.vpclattice_service_network.VpclatticeServiceNetwork(self, "network", name=props.name, auth_type=props.auth_type)

    @cached_property
    def id(self) -> str:
        return str(self.resource.id)

    @cached_property
    def arn(self) -> str:
        return str(self.resource.arn)

    @property
    def identifier(self) -> str:
        return self.id  # referencing the resource makes associations destroy first

    @classmethod
    def from_arn(cls, scope: Construct, id: str, arn: str) -> "ServiceNetworkReference":
        return ServiceNetworkReference(scope, id, arn)

    def share_with(
        self, id: str, principals: Sequence[str], *, name: Optional[str] = None, allow_external_principals: bool = True
    ) -> RamShare:
        """A RAM share of this network. ``allow_external_principals=False`` keeps it
        inside the AWS Organization (no invitation to accept)."""
        return RamShare(
            self,
            id,
            RamShareProps(
                name=name or f"{self.node.id} service network",
                principals=principals,
                resources={"service-network": self.arn},
                allow_external_principals=allow_external_principals,
            ),
        )


class ServiceNetworkReference(_Connectable):
    """A service network owned elsewhere, named by ARN (ids do not resolve across
    accounts). It creates nothing."""

    def __init__(self, scope: Construct, id: str, arn: str) -> None:
        super().__init__(scope, id)
        if not is_token(arn) and ":servicenetwork/sn-" not in arn:
            fail(self, "arn", arn, "a service network ARN looks like arn:aws:vpc-lattice:<region>:<account>:servicenetwork/sn-...")
        self._arn = arn

    @property
    def arn(self) -> str:
        return self._arn

    @property
    def identifier(self) -> str:
        return self._arn  # ids do not resolve across accounts


NetworkLike = Union[_Connectable, str]


def _network(value: NetworkLike) -> tuple[str, Optional[_Connectable]]:
    return (value.identifier, value) if isinstance(value, _Connectable) else (value, None)


def _vpc_key(where: Construct, vpc_id: str) -> str:
    if not is_token(vpc_id):
        return vpc_id
    # Each read of a resource attribute is a fresh token: resolve it to the reference
    # it stands for (``${aws_vpc.x.id}``) so two reads of one VPC compare equal.
    stack = stack_of(where)
    resolved = Tokenization.resolve(vpc_id, resolver=DefaultTokenResolver(StringConcat()), scope=stack)
    return f"{construct_path(stack)}:{resolved}"


class ServiceNetworkVpcAssociation(Construct):
    """Connects a VPC to a service network. A VPC can hold one such association
    (a second fails with 409 at apply): checked across the whole app."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service_network: NetworkLike,
        vpc_id: str,
        security_group_ids: Sequence[str] = (),
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id)
        identifier, network = _network(service_network)
        if len(security_group_ids) > SECURITY_GROUPS_PER_ASSOCIATION:
            fail(
                self,
                "security_group_ids",
                len(security_group_ids),
                f"a VPC association takes at most {SECURITY_GROUPS_PER_ASSOCIATION} security groups",
            )
        seen = AppChecks.of(self).vpc_associations
        key = _vpc_key(self, vpc_id)
        if key in seen:
            fail(
                self,
                "vpc_id",
                vpc_id if not is_token(vpc_id) else key.split(":", 1)[1],
                f"a VPC can be associated with one service network only; {seen[key]} already associates it "
                "(use a service-network VPC endpoint to reach more networks)",
            )
        seen[key] = construct_path(self)
        if network is not None:
            network.count_association("vpc_associations_per_service_network", "VPC associations on one service network", self)
        self.resource = aws.vpclattice_service_network_vpc_association.VpclatticeServiceNetworkVpcAssociation(
            self,
            "association",
            service_network_identifier=identifier,
            vpc_identifier=vpc_id,
            security_group_ids=list(security_group_ids) or None,
            depends_on=list(depends_on) or None,
        )


class ServiceNetworkServiceAssociation(Construct):
    """Makes a service reachable through a service network. Pass ARNs for resources
    shared from another account; ``depends_on`` carries, for example, the RAM share
    accepter that makes a shared service visible to this account."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service_network: NetworkLike,
        service: Union[ServiceLike, str],
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id)
        identifier, network = _network(service_network)
        if network is not None:
            network.count_association(
                "service_associations_per_service_network", "service associations on one service network", self
            )
        self.resource = aws.vpclattice_service_network_service_association.VpclatticeServiceNetworkServiceAssociation(
            self,
            "association",
            service_network_identifier=identifier,
            service_identifier=service if isinstance(service, str) else service.identifier,
            depends_on=list(depends_on) or None,
        )


@dataclass(frozen=True)
class ServiceNetworkEndpointProps:
    service_network_arn: str
    vpc_id: str
    subnet_ids: Sequence[str]  # a free /28 per AZ
    security_group_ids: Sequence[str] = ()
    private_dns_enabled: bool = True
    # e.g. the RAM share accepter that makes a shared network visible to this account
    depends_on: Sequence[ITerraformDependable] = ()


class ServiceNetworkVpcEndpoint(Construct):
    """A VPC endpoint of type ``ServiceNetwork``: connects a VPC to a service network
    without an association, so one VPC can reach several networks. It has a network
    interface per subnet, which a load balancer can target."""

    def __init__(self, scope: Construct, id: str, props: ServiceNetworkEndpointProps) -> None:
        super().__init__(scope, id)
        if not props.subnet_ids:
            fail(self, "subnet_ids", list(props.subnet_ids), "a service-network endpoint needs at least one subnet")
        self.resource = aws.vpc_endpoint.VpcEndpoint(
            self,
            "endpoint",
            vpc_id=props.vpc_id,
            vpc_endpoint_type="ServiceNetwork",
            service_network_arn=props.service_network_arn,
            subnet_ids=list(props.subnet_ids),
            security_group_ids=list(props.security_group_ids) or None,
            private_dns_enabled=props.private_dns_enabled,
            depends_on=list(props.depends_on) or None,
        )
        self.id: str = self.resource.id
        self.network_interface_ids: str = self.resource.network_interface_ids
