"""Target groups of every type, their health checks and targets."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Optional, Sequence

from lattice_model.lattice_rules import health_check_path_problem

from ..runtime import aws
from ..runtime.cdk import Construct, ITerraformDependable
from .validation import check_choice, check_name, check_quota, check_range, fail, is_token

TargetGroupType = Literal["LAMBDA", "IP", "INSTANCE", "ALB"]
TargetProtocol = Literal["HTTP", "HTTPS", "TCP"]


@dataclass(frozen=True)
class HealthCheck:
    """Health check of an IP or INSTANCE target group (not ALB, not LAMBDA)."""

    enabled: bool = True
    path: str = "/"
    protocol: Optional[Literal["HTTP", "HTTPS"]] = None
    port: Optional[int] = None
    protocol_version: Optional[Literal["HTTP1", "HTTP2"]] = None
    interval_seconds: int = 30
    timeout_seconds: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str = "200"


@dataclass(frozen=True)
class Target:
    """An instance id, an IP address, an ALB ARN or a Lambda ARN; ``port`` for IP,
    INSTANCE and ALB targets (defaults to the target group's port)."""

    id: str
    port: Optional[int] = None
    # what must exist while the target is registered: an ALB target, its listener on the
    # port (Lattice forwards to it), so it registers after it and deregisters before it goes
    depends_on: Sequence[ITerraformDependable] = ()


@dataclass(frozen=True)
class TargetGroupProps:
    name: str
    type: TargetGroupType
    port: Optional[int] = None
    protocol: Optional[TargetProtocol] = None
    vpc_id: Optional[str] = None
    protocol_version: Optional[Literal["HTTP1", "HTTP2", "GRPC"]] = None
    ip_address_type: Optional[Literal["IPV4", "IPV6"]] = None
    lambda_event_structure_version: Optional[Literal["V1", "V2"]] = None
    health_check: Optional[HealthCheck] = None
    targets: Sequence[Target] = field(default_factory=tuple)


# type -> fields it requires, fields it refuses
_REQUIRED = {"LAMBDA": (), "IP": ("port", "protocol", "vpc_id"), "INSTANCE": ("port", "protocol", "vpc_id"), "ALB": ("port", "protocol", "vpc_id")}
_FORBIDDEN = {
    "LAMBDA": ("port", "protocol", "vpc_id", "protocol_version", "ip_address_type", "health_check"),
    "IP": ("lambda_event_structure_version",),
    "INSTANCE": ("ip_address_type", "lambda_event_structure_version"),
    "ALB": ("ip_address_type", "lambda_event_structure_version", "health_check"),
}
_PROTOCOL_VERSIONS = {"IP": ("HTTP1", "HTTP2", "GRPC"), "INSTANCE": ("HTTP1", "HTTP2", "GRPC"), "ALB": ("HTTP1", "HTTP2")}


class TargetGroup(Construct):
    """A target group of any type. Each type takes only the ``config`` fields VPC
    Lattice accepts for it; anything else is refused at synth, not at apply."""

    def __init__(self, scope: Construct, id: str, props: TargetGroupProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.type = props.type
        self.protocol = props.protocol
        self.service_path: Optional[str] = None  # the service it serves: set by the first listener or rule using it
        self._target_count = 0
        self._validate(props)
        self.resource = aws.vpclattice_target_group.VpclatticeTargetGroup(
            self,
            "target-group",
            name=props.name,
            type=props.type,
            config=self._config(props),
        )
        for index, target in enumerate(props.targets):
            self.add_target(f"target-{index + 1}" if len(props.targets) > 1 else "target", target)

    @cached_property
    def id(self) -> str:
        return str(self.resource.id)

    @cached_property
    def arn(self) -> str:
        return str(self.resource.arn)

    def add_target(
        self, id: str, target: Target, *, depends_on: Sequence[ITerraformDependable] = ()
    ) -> aws.vpclattice_target_group_attachment.VpclatticeTargetGroupAttachment:
        self._target_count += 1
        if self.type == "LAMBDA" and self._target_count > 1:
            fail(self, "targets", self._target_count, "a LAMBDA target group holds exactly one function")
        check_range(self, "targets.port", target.port, 1, 65535, "a target port")
        check_quota(self, "targets_per_target_group", self._target_count, "targets in one target group")
        return aws.vpclattice_target_group_attachment.VpclatticeTargetGroupAttachment(
            self,
            id,
            target_group_identifier=self.id,
            target=aws.vpclattice_target_group_attachment.VpclatticeTargetGroupAttachmentTarget(id=target.id, port=target.port),
            depends_on=[*depends_on, *target.depends_on] or None,
        )

    def bind_service(self, where: Construct, field: str, service_path: str) -> None:
        """Record the service a listener or rule forwards to this group from: a
        target group serves one service."""
        if self.service_path is None:
            self.service_path = service_path
        elif self.service_path != service_path:
            fail(where, field, self.node.path, f"a target group serves one service; it already serves {self.service_path}")

    def _validate(self, props: TargetGroupProps) -> None:
        check_name(self, "target group", props.name)
        check_choice(self, "type", props.type, ("LAMBDA", "IP", "INSTANCE", "ALB"))
        for name in _REQUIRED[props.type]:
            if getattr(props, name) is None:
                fail(self, name, None, f"a {props.type} target group requires {name}")
        for name in _FORBIDDEN[props.type]:
            value = getattr(props, name)
            if value is not None:
                fail(self, name, value, f"a {props.type} target group does not take {name}")
        check_range(self, "port", props.port, 1, 65535, "a target group port")
        if props.protocol is not None:
            check_choice(self, "protocol", props.protocol, ("HTTP", "HTTPS") if props.type == "ALB" else ("HTTP", "HTTPS", "TCP"))
        if props.protocol_version is not None:
            check_choice(self, "protocol_version", props.protocol_version, _PROTOCOL_VERSIONS[props.type])
            if props.protocol == "TCP":
                fail(self, "protocol_version", props.protocol_version, "a TCP target group takes no protocol version")
        check_choice(self, "lambda_event_structure_version", props.lambda_event_structure_version, ("V1", "V2"))
        check_choice(self, "ip_address_type", props.ip_address_type, ("IPV4", "IPV6"))
        if props.health_check is not None:
            hc = props.health_check
            check_range(self, "health_check.interval_seconds", hc.interval_seconds, 5, 300, "a health check interval")
            check_range(self, "health_check.timeout_seconds", hc.timeout_seconds, 1, 120, "a health check timeout")
            check_range(self, "health_check.healthy_threshold", hc.healthy_threshold, 2, 10, "a healthy threshold")
            check_range(self, "health_check.unhealthy_threshold", hc.unhealthy_threshold, 2, 10, "an unhealthy threshold")
            check_range(self, "health_check.port", hc.port, 1, 65535, "a health check port")
            problem = None if is_token(hc.path) else health_check_path_problem(hc.path)
            if problem:
                fail(self, "health_check.path", hc.path, problem)

    @staticmethod
    def _config(props: TargetGroupProps) -> aws.vpclattice_target_group.VpclatticeTargetGroupConfigA:
        hc = props.health_check
        # ConfigA is the `config` block (VpclatticeTargetGroupConfig is the resource's own props)
        return aws.vpclattice_target_group.VpclatticeTargetGroupConfigA(
            port=props.port,
            protocol=props.protocol,
            vpc_identifier=props.vpc_id,
            protocol_version=props.protocol_version,
            ip_address_type=props.ip_address_type,
            lambda_event_structure_version=props.lambda_event_structure_version
            or ("V1" if props.type == "LAMBDA" else None),
            health_check=aws.vpclattice_target_group.VpclatticeTargetGroupConfigHealthCheck(
                enabled=hc.enabled,
                path=hc.path,
                protocol=hc.protocol,
                port=hc.port,
                protocol_version=hc.protocol_version,
                health_check_interval_seconds=hc.interval_seconds,
                health_check_timeout_seconds=hc.timeout_seconds,
                healthy_threshold_count=hc.healthy_threshold,
                unhealthy_threshold_count=hc.unhealthy_threshold,
                matcher=aws.vpclattice_target_group.VpclatticeTargetGroupConfigHealthCheckMatcher(value=hc.matcher),
            )
            if hc
            else None,
        )


@dataclass(frozen=True)
class LambdaTargetGroupProps:
    name: str
    function_arn: str
    function_name: str
    event_structure_version: Literal["V1", "V2"] = "V1"


class LambdaTargetGroup(TargetGroup):
    """A LAMBDA target group holding one function, with the permission that lets VPC
    Lattice invoke it through this target group only (the reference sample omits it,
    which leaves every request failing)."""

    def __init__(self, scope: Construct, id: str, props: LambdaTargetGroupProps) -> None:
        super().__init__(
            scope,
            id,
            TargetGroupProps(name=props.name, type="LAMBDA", lambda_event_structure_version=props.event_structure_version),
        )
        permission = aws.lambda_permission.LambdaPermission(
            self,
            "invoke-permission",
            statement_id="AllowVpcLatticeInvoke",
            action="lambda:InvokeFunction",
            function_name=props.function_name,
            principal="vpc-lattice.amazonaws.com",
            source_arn=self.arn,
        )
        self.add_target("target", Target(id=props.function_arn), depends_on=[permission])
