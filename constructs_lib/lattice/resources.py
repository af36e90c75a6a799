"""VPC resources reachable through Lattice: resource gateways, resource
configurations (a database, a host, an IP) and their association with a network."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional, Sequence

from lattice_model.text_rule import text_rule

from ..runtime import aws
from ..runtime.cdk import Construct
from .validation import check_choice, check_name, fail, is_token

_PORT_RANGE = text_rule(r"\d{1,5}(?:-\d{1,5})?")

@dataclass(frozen=True)
class ResourceGatewayProps:
    name: str
    vpc_id: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str] = ()
    ip_address_type: Literal["IPV4", "IPV6", "DUALSTACK"] = "IPV4"


class ResourceGateway(Construct):
    """The point in a VPC through which Lattice reaches that VPC's resources."""

    def __init__(self, scope: Construct, id: str, props: ResourceGatewayProps) -> None:
        super().__init__(scope, id)
        check_name(self, "resource gateway", props.name)
        check_choice(self, "ip_address_type", props.ip_address_type, ("IPV4", "IPV6", "DUALSTACK"))
        if not props.subnet_ids:
            fail(self, "subnet_ids", [], "a resource gateway needs at least one subnet")
        if len(props.security_group_ids) > 5:
            fail(self, "security_group_ids", len(props.security_group_ids), "a resource gateway takes at most 5 security groups")
        self.resource = aws.vpclattice_resource_gateway.VpclatticeResourceGateway(
            self,
            "gateway",
            name=props.name,
            vpc_id=props.vpc_id,
            subnet_ids=list(props.subnet_ids),
            security_group_ids=list(props.security_group_ids) or None,
            ip_address_type=props.ip_address_type,
        )
        self.id = self.resource.id
        self.arn = self.resource.arn


@dataclass(frozen=True)
class ResourceConfigurationProps:
    """Exactly one of ``domain_name``, ``ip_address`` or ``arn`` says what the resource is."""

    name: str
    resource_gateway: ResourceGateway
    port_ranges: Sequence[str] = field(default_factory=lambda: ("443",))  # "5432" or "8000-8080"
    domain_name: Optional[str] = None
    ip_address: Optional[str] = None
    arn: Optional[str] = None
    ip_address_type: Literal["IPV4", "IPV6"] = "IPV4"


class ResourceConfiguration(Construct):
    """A SINGLE (domain or IP) or ARN resource behind a resource gateway."""

    def __init__(self, scope: Construct, id: str, props: ResourceConfigurationProps) -> None:
        super().__init__(scope, id)
        check_name(self, "resource configuration", props.name)
        given = [k for k in ("domain_name", "ip_address", "arn") if getattr(props, k) is not None]
        if len(given) != 1:
            fail(self, "domain_name/ip_address/arn", given, "give exactly one of domain_name, ip_address or arn")
        for text in props.port_ranges:
            shaped = _PORT_RANGE(str(text))  # str.isdigit() took other scripts' digits, and ² (int() then raised)
            low, _, high = str(text).partition("-")
            if not is_token(text) and (not shaped or not 1 <= int(low) <= int(high or low) <= 65535):
                fail(self, "port_ranges", text, "a port range is 'N' or 'N-M' with 1 <= N <= M <= 65535")
        definition = aws.vpclattice_resource_configuration.VpclatticeResourceConfigurationResourceConfigurationDefinition(
            dns_resource=[
                aws.vpclattice_resource_configuration.VpclatticeResourceConfigurationResourceConfigurationDefinitionDnsResource(
                    domain_name=props.domain_name, ip_address_type=props.ip_address_type
                )
            ]
            if props.domain_name
            else None,
            ip_resource=[aws.vpclattice_resource_configuration.VpclatticeResourceConfigurationResourceConfigurationDefinitionIpResource(ip_address=props.ip_address)]
            if props.ip_address
            else None,
            arn_resource=[aws.vpclattice_resource_configuration.VpclatticeResourceConfigurationResourceConfigurationDefinitionArnResource(arn=props.arn)]
            if props.arn
            else None,
        )
        self.resource = aws.vpclattice_resource_configuration.VpclatticeResourceConfiguration(
            self,
            "configuration",
            name=props.name,
            type="ARN" if props.arn else "SINGLE",
            protocol=None if props.arn else "TCP",  # an ARN resource takes no protocol
            port_ranges=None if props.arn else list(props.port_ranges),
            resource_gateway_identifier=props.resource_gateway.id,
            resource_configuration_definition=[definition],
        )
        self.id = self.resource.id
        self.arn = self.resource.arn
