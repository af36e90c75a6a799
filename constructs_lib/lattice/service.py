"""Lattice services: created here or referenced by ARN, with auth policy, custom
domain name (certificate and Route 53 alias records), access logs and RAM share."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Optional, Protocol, Sequence

from constructs import Node

from lattice_model.lattice_rules import AUTH_TYPES, AuthType

from ..ram import RamShare, RamShareProps
from ..runtime import aws
from ..runtime.cdk import Construct
from .access_logs import AuthPolicyAndLogs
from .validation import check_choice, check_name, check_quota, fail, is_token

if TYPE_CHECKING:
    from .listener import Listener
    from .target_group import TargetGroup


@dataclass(frozen=True)
class CustomDomain:
    """A custom domain name; with ``hosted_zone_id`` the A and AAAA alias records are
    created there (usually a private hosted zone associated with the client VPCs)."""

    name: str
    certificate_arn: Optional[str] = None  # ACM, same region; required for HTTPS listeners
    hosted_zone_id: Optional[str] = None


@dataclass(frozen=True)
class LatticeServiceProps:
    name: str
    auth_type: AuthType = "AWS_IAM"
    custom_domain: Optional[CustomDomain] = None


class ServiceLike(Protocol):
    """What listeners, rules and associations need of a service, whether it is
    created here (:class:`LatticeService`) or referenced (:class:`ServiceReference`)."""

    custom_domain_name: Optional[str]  # None: none, or not declared for a reference
    certificate_arn: Optional[str]

    @property
    def identifier(self) -> str:
        """What resources in this stack name it by (its id here, its ARN across accounts)."""

    @property
    def arn(self) -> str: ...

    @property
    def node(self) -> Node: ...

    def register_listener(self, listener: "Listener") -> None: ...

    def register_target_group(self, group: "TargetGroup") -> None: ...


class _ListenerBook:
    """The listeners and target groups attached to one service, counted against the quotas."""

    def __init__(self) -> None:
        self._listeners = 0
        self._target_groups: set[int] = set()  # id() of each TargetGroup construct

    def register_listener(self, listener: "Listener") -> None:
        self._listeners += 1
        check_quota(listener, "listeners_per_service", self._listeners, "listeners on one service")

    def register_target_group(self, group: "TargetGroup") -> None:
        self._target_groups.add(id(group))
        check_quota(group, "target_groups_per_service", len(self._target_groups), "target groups on one service")


class LatticeService(AuthPolicyAndLogs):
    """A Lattice service created in this stack. Listeners attach through
    :class:`Listener`; the auth policy, access logs and RAM share through methods."""

    def __init__(self, scope: Construct, id: str, props: LatticeServiceProps) -> None:
        super().__init__(scope, id)
        self._book = _ListenerBook()
        check_name(self, "service", props.name)
        check_choice(self, "auth_type", props.auth_type, AUTH_TYPES)
        domain = props.custom_domain
        if domain is not None and not is_token(domain.name) and not 3 <= len(domain.name) <= 255:
            fail(self, "custom_domain.name", domain.name, "a custom domain name has 3 to 255 characters")
        self.custom_domain_name = domain.name if domain else None
        self.certificate_arn = domain.certificate_arn if domain else None
        self.auth_type = props.auth_type
        self.resource = aws.vpclattice_service.VpclatticeService(
            self,
            "service",
            name=props.name,
            auth_type=props.auth_type,
            custom_domain_name=self.custom_domain_name,
            certificate_arn=self.certificate_arn,
        )
        if domain is not None and domain.hosted_zone_id is not None:
            for record_type in ("A", "AAAA"):
                aws.route53_record.Route53Record(
                    self,
                    f"dns-{record_type.lower()}",
                    zone_id=domain.hosted_zone_id,
                    name=domain.name,
                    type=record_type,
                    alias=aws.route53_record.Route53RecordAlias(
                        name=self.domain_name, zone_id=self.hosted_zone_id, evaluate_target_health=True
                    ),
                )

    # Attributes of the resource are read from cdktf on first use (each read is a
    # round trip to Node and back for the Terraform name).
    @cached_property
    def id(self) -> str:
        return str(self.resource.id)

    @cached_property
    def arn(self) -> str:
        return str(self.resource.arn)

    @property
    def identifier(self) -> str:
        """What resources in this stack name it by: its id (the reference also makes
        Terraform destroy them before the service)."""
        return self.id

    @cached_property
    def domain_name(self) -> str:
        """The generated DNS name (``<name>-<id>.<hash>.vpc-lattice-svcs.<region>.on.aws``)."""
        return str(self.resource.dns_entry.get(0).domain_name)

    @cached_property
    def hosted_zone_id(self) -> str:
        return str(self.resource.dns_entry.get(0).hosted_zone_id)

    @classmethod
    def from_arn(
        cls,
        scope: Construct,
        id: str,
        arn: str,
        *,
        custom_domain_name: Optional[str] = None,
        certificate_arn: Optional[str] = None,
    ) -> "ServiceReference":
        return ServiceReference(scope, id, arn, custom_domain_name=custom_domain_name, certificate_arn=certificate_arn)

    def share_with(
        self, id: str, principals: Sequence[str], *, name: Optional[str] = None, allow_external_principals: bool = True
    ) -> RamShare:
        return RamShare(
            self,
            id,
            RamShareProps(
                name=name or f"{self.node.id} service",
                principals=principals,
                resources={"service": self.arn},
                allow_external_principals=allow_external_principals,
            ),
        )

    def register_listener(self, listener: "Listener") -> None:
        self._book.register_listener(listener)

    def register_target_group(self, group: "TargetGroup") -> None:
        self._book.register_target_group(group)


class ServiceReference(Construct):
    """A service owned elsewhere (another stack or account), named by ARN: that is
    what associations across accounts need. It creates nothing; listeners and rules
    can still be added to it where its owner allows (declare its custom domain and
    certificate if it has them: the listener checks use them)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        arn: str,
        *,
        custom_domain_name: Optional[str] = None,
        certificate_arn: Optional[str] = None,
    ) -> None:
        super().__init__(scope, id)
        if not is_token(arn) and ":service/svc-" not in arn:
            fail(self, "arn", arn, "a service ARN looks like arn:aws:vpc-lattice:<region>:<account>:service/svc-...")
        self._arn = arn
        self.custom_domain_name = custom_domain_name
        self.certificate_arn = certificate_arn
        self._book = _ListenerBook()

    def register_listener(self, listener: "Listener") -> None:
        self._book.register_listener(listener)

    def register_target_group(self, group: "TargetGroup") -> None:
        self._book.register_target_group(group)

    @property
    def arn(self) -> str:
        return self._arn

    @property
    def identifier(self) -> str:
        """Its ARN: ids do not resolve across accounts."""
        return self._arn
