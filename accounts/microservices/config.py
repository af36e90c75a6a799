"""Serverless cross-account microservices, config side (seed 002, tecRacer's
"Serverless Cross-Account Microservices"; ../shared/spec/seed-002-microservices.md):
a consumer account calls order microservices (food, beverage) that each live in an
account of their own, either through the original's private REST APIs
(``transport = "private_api"``) or through VPC Lattice (``transport = "lattice"``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Iterable, Literal, Optional

from pydantic import AfterValidator, Field, field_validator

from lattice_model.aws_names import LOAD_BALANCER_NAME_MAX, account_wide_name, load_balancer_name_problem
from lattice_model.fields import NAME as NAME_PATTERN
from lattice_model.fields import (
    AccountConfig,
    AcmCertificateArn,
    DiscoveryChannel,
    PatternSettings,
    StrictModel,
    certificate_placement_problem,
    domain_like,
    fitting,
)
from lattice_model.lattice_rules import name_problem
from lattice_model.subnet_plan import VpcLayout
from lattice_model.text_rule import text_rule

from ..hello_service import CONSUMER
from ..registry import NameClaim, PatternSpec, account_scope, required_account
from ..stack_ids import PROVIDER_ID

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

NAME = "microservices"
CONSUMER_STACK = f"{NAME}-consumer-account"
HANDLERS = ("get-order", "get-orders", "post-order")  # one Lambda function each, as in the original
AZS = 2
SUBNET_PREFIX = 24  # every subnet of the original is a /24
SERVICE_NAME_MAX = 20
APPLICATION_NAME_MAX = LOAD_BALANCER_NAME_MAX  # it names the consumer's load balancer
LAMBDA_NAME_MAX = 64
DYNAMODB_INDEX = "orderDateIndex"
API_STAGE = "v1"
_OPTION = text_rule(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,63}")

Transport = Literal["private_api", "lattice"]
CertificateSource = Literal["private_ca", "acm"]


def service_stack_name(service: str) -> str:
    return f"{NAME}-{service}-account"


def qualified(settings: "MicroservicesSettings", service: str) -> str:
    """``<application>-<service>``: the table, the API, the Lattice service."""
    return f"{settings.application_name}-{service}"


def function_name(settings: "MicroservicesSettings", service: str, handler: str) -> str:
    return f"{qualified(settings, service)}-{handler}"


def service_domain(settings: "MicroservicesSettings", service: str) -> str:
    return f"{service}.{settings.domain}"


def consumer_layout(cidr: str) -> VpcLayout:
    """The original's consumer VPC: public and private /24s in two zones."""
    return VpcLayout(cidr, AZS, {"public": SUBNET_PREFIX, "private": SUBNET_PREFIX})


def service_layout(cidr: str) -> VpcLayout:
    """A microservice VPC: private /24s in two zones, nothing routes out."""
    return VpcLayout(cidr, AZS, {"private": SUBNET_PREFIX})


class MicroserviceConfig(StrictModel):
    """One order microservice in an account of its own."""

    account: AccountConfig = Field(description="The microservice's own account.")
    options: list[str] = Field(description="What may be ordered (the API's enum), e.g. pizza, hamburger, salat.")
    vpc_cidr: Annotated[str, AfterValidator(fitting(service_layout))] = Field(default="192.168.0.0/16", description="The microservice's VPC (may overlap every other VPC: nothing peers).")
    certificate_arn: AcmCertificateArn = Field(
        default=None,
        description="certificates = acm: ACM certificate for <service>.<domain> in this account and region (the API's custom domain).",
    )

    @field_validator("options")
    @classmethod
    def _options(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("give at least one option")
        bad = [o for o in value if not _OPTION(o)]
        if bad:
            raise ValueError(f"{bad[0]!r}: an option is 1-64 letters, digits, spaces, '_' or '-', starting with a letter or digit")
        if len(set(value)) != len(value):
            raise ValueError("options must be distinct")
        return value


def _default_services() -> dict[str, MicroserviceConfig]:
    return {}


class MicroservicesSettings(PatternSettings):
    enabled: bool = Field(default=False, description="Synthesize the cross-account microservices pattern's stacks.")
    transport: Transport = Field(
        default="private_api",
        description="private_api: the original's internal ALB -> execute-api endpoint -> private REST APIs; lattice: one VPC Lattice service per microservice instead.",
    )
    discovery: DiscoveryChannel = Field(
        default="remote_state",
        description="How each microservice stack learns the consumer's ids: Terraform remote state, or the original's Secrets Manager secret.",
    )
    application_name: str = Field(
        default="cross-account-microservices",
        description="Prefix of the names (load balancer, secret, tables, APIs, functions, Lattice services); at most 32 characters.",
    )
    domain: Annotated[str, AfterValidator(domain_like(example="cross-account-microservices.com"))] = Field(default="cross-account-microservices.com", description="Private DNS domain: <service>.<domain> names each microservice.")
    consumer_vpc_cidr: Annotated[str, AfterValidator(fitting(consumer_layout))] = Field(default="192.168.0.0/16", description="The consumer's VPC (public and private /24s in two zones).")
    certificates: CertificateSource = Field(
        default="private_ca",
        description="private_api only. private_ca: an AWS Private CA in the consumer account issues every certificate (shared by RAM; no private key in Terraform); acm: give alb_certificate_arn and each service's certificate_arn.",
    )
    alb_certificate_arn: AcmCertificateArn = Field(
        default=None, description="certificates = acm: ACM certificate for every <service>.<domain> in the consumer account (the load balancer's listener)."
    )
    services: dict[str, MicroserviceConfig] = Field(
        default_factory=_default_services, description="Microservices by name (stack `microservices-<name>-account`)."
    )

    @field_validator("application_name")
    @classmethod
    def _application_name(cls, value: str) -> str:
        if not NAME_PATTERN(value) or len(value) > APPLICATION_NAME_MAX or "--" in value:
            raise ValueError(
                f"1-{APPLICATION_NAME_MAX} lowercase letters, digits or hyphens, no leading, trailing or double hyphen "
                "(it names the load balancer and prefixes the other names)"
            )
        problem = load_balancer_name_problem(value)
        if problem:
            raise ValueError(f"it names the consumer's load balancer: {problem}")
        return value


def _checks(config: LatticeConfig, settings: MicroservicesSettings) -> Iterable[str]:
    """One account per microservice, names that fit every limit, and certificates
    that match their source and place."""
    consumer = required_account(config, CONSUMER)
    field = "patterns.microservices"
    if not settings.services:
        yield f"{field}.services: give at least one microservice (e.g. food and beverage)"
    network_problem = name_problem("service network", settings.application_name)
    if settings.transport == "lattice" and network_problem:
        yield f"{field}.application_name = {settings.application_name!r}: it names the service network of the lattice transport: {network_problem}"
    owners: dict[str, str] = {}
    for name, service in settings.services.items():
        where = f"{field}.services.{name}"
        if not NAME_PATTERN(name) or len(name) > SERVICE_NAME_MAX or "--" in name:
            yield (
                f"{where}: a microservice name is 1-{SERVICE_NAME_MAX} lowercase letters, digits or hyphens, no leading, "
                "trailing or double hyphen (it names the stack, the table, the API and its domain)"
            )
            continue
        lattice_problem = name_problem("service", qualified(settings, name))
        if settings.transport == "lattice" and lattice_problem:
            yield f"{where}: its Lattice service would be named {qualified(settings, name)!r}: {lattice_problem}"
        longest = function_name(settings, name, max(HANDLERS, key=len))
        if len(longest) > LAMBDA_NAME_MAX:
            yield f"{where}: its function {longest!r} is longer than {LAMBDA_NAME_MAX} characters: shorten the application or service name"
        if service.account.id == consumer.id:
            yield f"{where}.account.id is accounts.consumer.id ({consumer.id}): each microservice lives in an account of its own"
        if service.account.id in owners:
            yield f"{where}.account.id and {field}.services.{owners[service.account.id]}.account.id are both {service.account.id}: each microservice lives in an account of its own"
        owners.setdefault(service.account.id, name)
        yield from _certificate_problems(config, settings, where, service.certificate_arn, service.account.id)
    yield from _certificate_problems(config, settings, field, settings.alb_certificate_arn, consumer.id, alb=True)


def _certificate_problems(
    config: LatticeConfig, settings: MicroservicesSettings, where: str, arn: Optional[str], account: str, *, alb: bool = False
) -> Iterable[str]:
    key = f"{where}.{'alb_certificate_arn' if alb else 'certificate_arn'}"
    wanted = settings.transport == "private_api" and settings.certificates == "acm"
    if arn is None:
        if wanted:
            yield f"{key} is required with certificates = \"acm\": the {'load balancer listener' if alb else 'custom domain of the API'} needs a certificate"
        return
    if not wanted:
        reason = "the lattice transport uses the domain and certificate VPC Lattice generates" if settings.transport == "lattice" else 'certificates = "private_ca" issues every certificate'
        yield f"{key} = {arn!r}: not used: {reason}; remove it, or set certificates = \"acm\""
        return
    misplaced = certificate_placement_problem(key, arn, account, config.region, "ACM certificates are used where they are")
    if misplaced:
        yield misplaced


def _claims(config: LatticeConfig, settings: MicroservicesSettings) -> Iterable[NameClaim]:
    consumer = required_account(config, CONSUMER)
    consumer_account = account_scope(consumer.id)
    yield NameClaim("stack name", "the app", CONSUMER_STACK, "the microservices pattern's consumer stack", fixed=True)
    yield NameClaim("construct id", f"stack {CONSUMER_STACK}", PROVIDER_ID, "the AWS provider", fixed=True)
    yield NameClaim("secret name", consumer_account, settings.application_name, "patterns.microservices.application_name")
    yield NameClaim("IAM name prefix", consumer_account, account_wide_name(NAME, "client"), "the microservices test client's role", fixed=True)
    if settings.transport == "private_api":
        yield NameClaim("load balancer name", consumer_account, settings.application_name, "patterns.microservices.application_name")
    else:
        yield NameClaim("Lattice service network name", consumer_account, settings.application_name, "patterns.microservices.application_name")
    for name, service in settings.services.items():
        field = f"patterns.microservices.services.{name}"
        account = account_scope(service.account.id)
        yield NameClaim("stack name", "the app", service_stack_name(name), field)
        yield NameClaim("DynamoDB table name", account, qualified(settings, name), field)
        for handler in HANDLERS:
            yield NameClaim("Lambda function name", account, function_name(settings, name, handler), field)
            yield NameClaim("IAM name prefix", account, account_wide_name(NAME, f"{name}-{handler}"), field)
            if settings.transport == "lattice":
                yield NameClaim("Lattice target group name", account, function_name(settings, name, handler), field)
        if settings.transport == "lattice":
            yield NameClaim("Lattice service name", account, qualified(settings, name), field)


PATTERN = PatternSpec(
    name=NAME,
    summary="A consumer account ordering from microservices that each live in an account of their own (food, beverage).",
    settings=MicroservicesSettings,
    position=40,
    roles=(CONSUMER,),
    stack_names=lambda settings: (CONSUMER_STACK, *(service_stack_name(name) for name in settings.services)),
    checks=_checks,
    claims=_claims,
)
