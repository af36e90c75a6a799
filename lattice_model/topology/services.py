"""A topology's services: what serves them (backends), their routes and listeners."""
from __future__ import annotations

import ipaddress
from typing import Optional

from pydantic import Field, field_validator, model_validator

from ..fields import AcmCertificateArn, Port, StrictModel, VpcId, dns_domain
from ..lattice_rules import FORWARD_TARGET_GROUPS, MATCH_HEADERS_MAX, header_match_problem, health_check_path_problem, match_path_problem
from ..project import LAMBDA_SOURCES
from .rules import _ALB_ARN, _INSTANCE_ID, HANDLER_FILE, HTTP_METHODS, HTTPS_PORT, LISTENER_PORT, _name


class HostTargetsConfig(StrictModel):
    """IP addresses or EC2 instances serving a backend, in a VPC of the service's account."""

    vpc_id: VpcId = Field(description="The VPC the targets are in (the target group's VPC).")
    targets: list[str] = Field(description="IP addresses (`ip`) or instance ids (`instance`).")
    port: Port = Field(default=80, description="Port the targets listen on (HTTP).")
    health_check_path: str = Field(default="/", description="Path of the target group's HTTP health check.")

    @field_validator("health_check_path")
    @classmethod
    def _health_path(cls, value: str) -> str:
        problem = health_check_path_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("targets")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value or len(set(value)) != len(value):
            raise ValueError("names each target once, and at least one")
        return value


class AlbTargetConfig(StrictModel):
    """An Application Load Balancer that exists already, serving a backend."""

    arn: str = Field(description="The load balancer's ARN (arn:aws:elasticloadbalancing:...:loadbalancer/app/...).")
    vpc_id: VpcId = Field(description="The load balancer's VPC.")
    port: Port = Field(default=80, description="Its HTTP listener's port.")

    @field_validator("arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not _ALB_ARN(value):
            raise ValueError("must be an ALB ARN like arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/name/0123456789abcdef")
        return value


BACKEND_KINDS = ("lambda", "alb", "ip", "instance")


class BackendConfig(StrictModel):
    """What serves a service's traffic: one of a Python Lambda function from a folder
    of `lambda/`, an existing ALB, IP addresses or EC2 instances."""

    lambda_source: Optional[str] = Field(
        default=None, alias="lambda", description=f"A folder under `lambda/` holding `{HANDLER_FILE}` with `lambda_handler` (`hello`, for example)."
    )
    alb: Optional[AlbTargetConfig] = Field(default=None, description="An existing Application Load Balancer.")
    ip: Optional[HostTargetsConfig] = Field(default=None, description="IP targets.")
    instance: Optional[HostTargetsConfig] = Field(default=None, description="EC2 instance targets.")

    @field_validator("lambda_source")
    @classmethod
    def _folder(cls, value: Optional[str]) -> Optional[str]:
        # chosen from the folders there, never a path built from the value (which may be anything, of any length)
        known = sorted(p.parent.name for p in LAMBDA_SOURCES.glob(f"*/{HANDLER_FILE}"))
        if value is not None and value not in known:
            raise ValueError(f"no folder lambda/{value} with {HANDLER_FILE} (known: {', '.join(known)})")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> "BackendConfig":
        given = [kind for kind, value in zip(BACKEND_KINDS, (self.lambda_source, self.alb, self.ip, self.instance)) if value is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(BACKEND_KINDS)} (given: {', '.join(given) or 'none'})")
        if self.instance is not None:
            for target in self.instance.targets:
                if not _INSTANCE_ID(target):
                    raise ValueError(f"instance.targets: {target!r} is not an instance id (i- and 8 or 17 hexadecimal digits)")
        if self.ip is not None:
            for target in self.ip.targets:
                try:
                    ipaddress.IPv4Address(target)
                except ValueError:
                    raise ValueError(f"ip.targets: {target!r} is not an IPv4 address") from None
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind, value in zip(BACKEND_KINDS, (self.lambda_source, self.alb, self.ip, self.instance)) if value is not None)


class RouteConfig(StrictModel):
    """A listener rule: requests that match go to the backends of `forward`, by weight."""

    path: str = Field(default="/", description="Path prefix the request must start with.")
    method: Optional[str] = Field(default=None, description="HTTP method the request must use (any when unset).")
    headers: dict[str, str] = Field(default_factory=dict, description="Headers the request must carry, with these exact values.")
    forward: dict[str, int] = Field(description="Backend name -> weight (0-999); one backend at 100 sends everything to it.")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        problem = match_path_problem(value)
        if problem:
            raise ValueError(f"a route path is a prefix: {problem}")
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MATCH_HEADERS_MAX:
            raise ValueError(f"{len(value)} headers: a rule matches at most {MATCH_HEADERS_MAX}")
        for name, expected in value.items():
            problem = header_match_problem(name, expected)
            if problem:
                raise ValueError(f"{name!r} = {expected!r}: {problem}")
        return value

    @field_validator("method")
    @classmethod
    def _method(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and value not in HTTP_METHODS:
            raise ValueError(f"must be one of {', '.join(HTTP_METHODS)}")
        return value

    @field_validator("forward")
    @classmethod
    def _weights(cls, value: dict[str, int]) -> dict[str, int]:
        return _forward(value)


def _forward(value: dict[str, int]) -> dict[str, int]:
    low, high = FORWARD_TARGET_GROUPS
    if not low <= len(value) <= high:
        raise ValueError(f"names {len(value)} backends: a forward names {low} to {high} (target groups)")
    for backend, weight in value.items():
        if not 0 <= weight <= 999:
            raise ValueError(f"{backend} = {weight}: a weight is 0-999")
    if not any(value.values()):
        raise ValueError("at least one weight must be above 0")
    return value


class ServiceConfig(StrictModel):
    """A Lattice service: its owner, what serves it, its routes and the networks it joins."""

    owner: str = Field(description="The account (a name under `accounts`) that owns the service.")
    networks: list[str] = Field(description="The networks the service joins (names under `networks`).")
    backends: dict[str, BackendConfig] = Field(description="Backend name -> what serves it.")
    routes: list[RouteConfig] = Field(default_factory=list, description="Listener rules, in priority order (first match wins).")
    default: Optional[dict[str, int]] = Field(
        default=None, description="Where requests no route matches go (backend -> weight); unset: the only backend, or 404 when there are several."
    )
    https: bool = Field(default=False, description="An HTTPS listener on 443 too, with the same routes (the consumer VPCs' security groups admit 443).")
    custom_domain: Optional[str] = Field(default=None, description="A custom domain name for the service (your DNS points it at the service's name).")
    certificate_arn: AcmCertificateArn = Field(
        default=None, description="ACM certificate for the custom domain, in the owner's account and the region: needed with `https` and `custom_domain`."
    )

    @field_validator("custom_domain")
    @classmethod
    def _domain(cls, value: Optional[str]) -> Optional[str]:
        return None if value is None else dns_domain(value, example="orders.example.internal", min_labels=3)

    @model_validator(mode="after")
    def _tls(self) -> "ServiceConfig":
        if self.https and self.custom_domain is not None and self.certificate_arn is None:
            raise ValueError("https with a custom_domain needs its certificate_arn: the listener presents it")
        if self.certificate_arn is not None and self.custom_domain is None:
            raise ValueError("certificate_arn without custom_domain: the service's own name has Lattice's certificate")
        return self

    @property
    def ports(self) -> tuple[int, ...]:
        return (LISTENER_PORT, HTTPS_PORT) if self.https else (LISTENER_PORT,)

    @field_validator("networks")
    @classmethod
    def _some_network(cls, value: list[str]) -> list[str]:
        if not value or len(set(value)) != len(value):
            raise ValueError("names each network the service joins, once")
        return value

    @field_validator("backends")
    @classmethod
    def _backend_names(cls, value: dict[str, BackendConfig]) -> dict[str, BackendConfig]:
        if not value:
            raise ValueError("a service needs at least one backend: nothing would serve it")
        for name in value:
            try:
                _name("backend", name)
            except ValueError as broken:
                raise ValueError(f"{name!r}: {broken}") from None
        return value

    @field_validator("default")
    @classmethod
    def _default(cls, value: Optional[dict[str, int]]) -> Optional[dict[str, int]]:
        return None if value is None else _forward(value)



