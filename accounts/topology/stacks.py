"""Your own topology, stacks side: one stack per account and layer (config.py says
which), created in deploy order. Ids cross accounts through remote state: network
stacks publish their networks' ARNs and RAM shares, consumer stacks their VPC ids;
the stacks that read them depend on the stacks that publish them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Mapping, Optional

from constructs_lib.checkov import accept_risks
from constructs_lib.consumer_vpc import ConsumerVpc, ExistingConsumerVpc, ExistingVpcProps, lattice_clients
from constructs_lib.lattice import (
    Action,
    CustomDomain,
    FixedResponse,
    Forward,
    HeaderMatch,
    HealthCheck,
    LambdaTargetGroup,
    LambdaTargetGroupProps,
    LatticeQuotas,
    LatticeService,
    LatticeServiceProps,
    Listener,
    ListenerProps,
    PathMatch,
    RuleMatch,
    RuleProps,
    ServiceNetwork,
    ServiceNetworkEndpointProps,
    ServiceNetworkProps,
    ServiceNetworkServiceAssociation,
    ServiceNetworkVpcEndpoint,
    Target,
    TargetGroup,
    TargetGroupProps,
    WeightedTarget,
    declare_quotas,
)
from constructs_lib.python_lambda import LambdaCode, PythonLambda, PythonLambdaProps
from constructs_lib.ram import RamShare, RamShareAccepter, RamShareProps
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import Construct, ITerraformDependable, TerraformOutput
from constructs_lib.security_group import association_security_group
from lattice_model.project import LAMBDA_SOURCES
from lattice_model.topology.grants import grants
from lattice_model.topology.plan import (
    PlannedStack,
    accepts_invitation,
    consumer_ports,
    first_layer_using,
    function_name,
    network_users,
    planned_stacks,
    secret_name,
    share_accepter_id,
    target_group_name,
)
from lattice_model.topology.rules import ENDPOINT_TIER, HANDLER, HTTPS_PORT, LISTENER_PORT, NAME
from lattice_model.topology.schema import TopologySettings
from lattice_model.topology.services import BackendConfig

from ..base import AccountStack, Deployment
from ..building_blocks import build_consumer_vpcs
from ..discovery import PublishedMaps, publish_maps
from .policies import network_auth_policy, service_auth_policy

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig

# Output names; readers ask for exactly these.
NETWORK_ARNS = "network_arns"
NETWORK_SHARE_ARNS = "network_share_arns"
VPC_IDS = "vpc_ids"
SERVICE_ARNS = "service_arns"
SERVICE_DOMAIN_NAMES = "service_domain_names"
ACCESS_LOG_RETENTION_DAYS = 365  # access logs are the audit trail of who called what: a year, as checkov asks
ACCESS_LOG_ACCEPTED = (("CKV_AWS_158", "encrypted at rest by CloudWatch Logs by default; a customer key per network adds cost and a key policy"),)


class TopologyStack(AccountStack):
    """One layer of one account of the topology. It reads what earlier stacks
    published through their state, once per producer, and accepts each network's
    RAM share once."""

    def __init__(
        self, scope: Construct, planned: PlannedStack, *, deployment: Deployment, settings: TopologySettings, built: Mapping[str, "TopologyStack"]
    ) -> None:
        super().__init__(
            scope, planned.name, deployment=deployment, account=settings.accounts[planned.account], pattern=NAME, role=planned.layer
        )
        self.planned = planned
        self.settings = settings
        self._built = built  # the stacks created before this one, by (account, layer) key
        self._outputs: dict[str, PublishedMaps] = {}
        self._networks: dict[str, tuple[str, list[ITerraformDependable]]] = {}

    def outputs_of(self, producer: "TopologyStack") -> PublishedMaps:
        """What ``producer`` published, through the topology's discovery channel (once per producer)."""
        if producer.stack_name not in self._outputs:
            self._outputs[producer.stack_name] = PublishedMaps(
                self, producer, channel=self.settings.discovery, secret_name=secret_name(producer.stack_name)
            )
        return self._outputs[producer.stack_name]

    def publish(self, maps: Mapping[str, tuple[Mapping[str, str], str]], readers: set[str]) -> None:
        """``maps`` as outputs, and in this stack's discovery secret when the channel is Secrets Manager."""
        publish_maps(
            self,
            maps=maps,
            secret_name=secret_name(self.stack_name) if self.settings.discovery == "secrets_manager" else None,
            reader_account_ids=sorted(readers - {self.account_id}),
        )

    def producer(self, account: str, layer: str) -> "TopologyStack":
        return self._built[f"{account}/{layer}"]

    def network(self, name: str) -> tuple[str, list[ITerraformDependable]]:
        """The ARN of network ``name`` and what must exist before it is used here
        (its RAM share, accepted, when another account shares it outside an
        organization). An account accepts a share once: in its first stack that uses
        the network; a later stack of the account depends on that one instead."""
        if name not in self._networks:
            config = self.settings.networks[name]
            outputs = self.outputs_of(self.producer(config.owner, "networks"))
            accepted: list[ITerraformDependable] = []
            if accepts_invitation(self.settings, self.planned.account, name):
                first = first_layer_using(self.settings, self.planned.account, name)
                if first == self.planned.layer:
                    accepted.append(RamShareAccepter(self, share_accepter_id(name), share_arn=outputs.get(NETWORK_SHARE_ARNS, name)).resource)
                else:
                    self.add_dependency(self.producer(self.planned.account, first))
            self._networks[name] = (outputs.get(NETWORK_ARNS, name), accepted)
        return self._networks[name]


def _account_id(settings: TopologySettings, account: str) -> str:
    return settings.accounts[account].id


def build_networks(stack: TopologyStack) -> None:
    settings, region = stack.settings, stack.region
    arns: dict[str, str] = {}
    shares: dict[str, str] = {}
    for name, config in sorted(settings.networks.items()):
        if config.owner != stack.planned.account:
            continue
        network = ServiceNetwork(stack, f"network-{name}", ServiceNetworkProps(name=name, auth_type=config.auth_type))
        if config.auth_type == "AWS_IAM":
            policy = network_auth_policy(settings, name, region=region)
            if policy is not None:  # none: AWS_IAM without a policy denies every call, as nothing is granted
                network.attach_auth_policy(policy.render())
        if config.access_logs:
            logs = aws.cloudwatch_log_group.CloudwatchLogGroup(
                stack, f"network-{name}-access-logs", name=f"/aws/vpc-lattice/{name}", retention_in_days=ACCESS_LOG_RETENTION_DAYS
            )
            accept_risks(logs, ACCESS_LOG_ACCEPTED)
            network.log_to("access-logs", logs.arn)
        # RAM shares with the other accounts only: an owner cannot share with itself
        users = sorted(set(network_users(settings, name)) - {config.owner})
        share: Optional[RamShare] = None
        if users and config.sharing == "organization":
            assert settings.organization is not None
            share = RamShare(
                stack, f"network-{name}-share",
                RamShareProps(name=f"{NAME}-{name}", principals=[settings.organization.arn], resources={name: network.arn}, allow_external_principals=False),
            )
        elif users:
            # Members of the owner's organization get a share that RAM keeps inside it
            # (nothing to accept); the others one they accept (published for them).
            members = [user for user in users if not accepts_invitation(settings, user, name)]
            outsiders = [user for user in users if user not in members]
            if members:
                RamShare(
                    stack, f"network-{name}-share-members",
                    RamShareProps(
                        name=f"{NAME}-{name}-members", principals=sorted(_account_id(settings, user) for user in members),
                        resources={name: network.arn}, allow_external_principals=False,
                    ),
                )
            if outsiders:
                share = RamShare(
                    stack, f"network-{name}-share",
                    RamShareProps(name=f"{NAME}-{name}", principals=sorted(_account_id(settings, user) for user in outsiders), resources={name: network.arn}),
                )
        arns[name] = network.arn
        shares[name] = share.arn if share else ""
    readers = {_account_id(settings, account) for name in arns for account in network_users(settings, name)}
    stack.publish(
        {NETWORK_ARNS: (arns, "Service network ARNs, by name."), NETWORK_SHARE_ARNS: (shares, "RAM share of each network (empty: not shared).")}, readers
    )


def build_consumers(stack: TopologyStack) -> None:
    mine = {name: c for name, c in sorted(stack.settings.consumers.items()) if c.account == stack.planned.account}
    created = {name: consumer.created_vpc for name, consumer in mine.items() if consumer.created_vpc is not None}
    layouts = {name: consumer.layout for name, consumer in mine.items() if consumer.created_vpc is not None}
    ports = {name: consumer_ports(stack.settings, name) for name in mine}
    endpoint_ports = {name: ports[name] for name, consumer in mine.items() if consumer.endpoints}
    vpcs: dict[str, ConsumerVpc | ExistingConsumerVpc] = dict(build_consumer_vpcs(stack, created, layouts, ports, endpoint_ports, azs_setting=f"patterns.{NAME}.consumers.{{name}}.vpc.number_azs") if created else {})
    for name, consumer in mine.items():
        if consumer.existing_vpc is not None:
            vpcs[name] = ExistingConsumerVpc(
                stack,
                name,
                ExistingVpcProps(name=name, vpc_id=consumer.existing_vpc.id, cidr_block=consumer.existing_vpc.cidr_block, lattice_ports=ports[name]),
            )
    vpcs = dict(sorted(vpcs.items()))
    for name, consumer in mine.items():
        vpc = vpcs[name]
        for network in consumer.networks:
            arn, accepted = stack.network(network)
            vpc.associate("service-network-association", service_network=arn, depends_on=accepted)
        if consumer.endpoints:
            existing = consumer.existing_vpc
            cidr = existing.cidr_block if existing else consumer.layout.cidr_block
            subnets = vpc.subnet_ids(ENDPOINT_TIER) if isinstance(vpc, ConsumerVpc) else list(existing.endpoint_subnet_ids if existing else ())
            group = association_security_group(
                vpc, "endpoint-security-group", name="lattice-service-network-endpoints",
                description="VPC Lattice service-network endpoints - Security Group", vpc_id=vpc.id, clients=lattice_clients(ports[name], cidr),
            )
            for network in consumer.endpoints:
                arn, accepted = stack.network(network)
                ServiceNetworkVpcEndpoint(
                    vpc,
                    f"endpoint-{network}",
                    ServiceNetworkEndpointProps(service_network_arn=arn, vpc_id=vpc.id, subnet_ids=subnets, security_group_ids=[group.id], depends_on=accepted),
                )
    readers = {_account_id(stack.settings, stack.settings.services[grant.service].owner) for grant in grants(stack.settings) if grant.consumer in mine}
    stack.publish({VPC_IDS: ({name: vpc.id for name, vpc in vpcs.items()}, "Consumer VPC ids, by consumer.")}, readers)


def _target_group(
    stack: TopologyStack, scope: Construct, service: str, backend: str, serving: BackendConfig, packages: dict[str, LambdaCode]
) -> TargetGroup:
    """The target group of one backend: a function (built here, one package per
    source folder: equal assets must be one asset), an ALB, IP addresses or instances."""
    group_name = target_group_name(service, backend)
    if serving.lambda_source is not None:
        folder = serving.lambda_source
        if folder not in packages:
            packages[folder] = LambdaCode(stack, f"package-{folder}", source_dir=LAMBDA_SOURCES / folder, name=f"{NAME}-{folder}")
        function = PythonLambda(
            scope,
            f"{backend}-function",
            PythonLambdaProps(
                function_name=function_name(service, backend),
                source_dir=LAMBDA_SOURCES / folder,
                handler=HANDLER,
                iam_name_prefix=stack.iam_name(f"{service}-{backend}"),  # config.py checks the role name it makes
                code=packages[folder],
            ),
        )
        return LambdaTargetGroup(
            scope, f"{backend}-target", LambdaTargetGroupProps(name=group_name, function_arn=function.arn, function_name=function.function_name)
        )
    if serving.alb is not None:
        alb = serving.alb
        props = TargetGroupProps(name=group_name, type="ALB", port=alb.port, protocol="HTTP", vpc_id=alb.vpc_id, targets=[Target(alb.arn, port=alb.port)])
    else:
        hosts = serving.ip or serving.instance
        assert hosts is not None
        props = TargetGroupProps(
            name=group_name,
            type="IP" if serving.ip is not None else "INSTANCE",
            port=hosts.port,
            protocol="HTTP",
            vpc_id=hosts.vpc_id,
            health_check=HealthCheck(path=hosts.health_check_path),
            targets=[Target(target) for target in hosts.targets],
        )
    return TargetGroup(scope, f"{backend}-target", props)


def _forward(weights: Mapping[str, int], groups: Mapping[str, TargetGroup]) -> Action:
    return Forward([WeightedTarget(groups[backend], weight=weight) for backend, weight in weights.items()])


def build_services(stack: TopologyStack) -> None:
    settings = stack.settings
    arns: dict[str, str] = {}
    domains: dict[str, str] = {}
    packages: dict[str, LambdaCode] = {}  # one package per source folder: equal assets must be one asset
    for name, config in sorted(settings.services.items()):
        if config.owner != stack.planned.account:
            continue
        scope = Construct(stack, f"service-{name}")
        groups: dict[str, TargetGroup] = {}
        for backend, serving in config.backends.items():
            groups[backend] = _target_group(stack, scope, name, backend, serving, packages)
        domain = CustomDomain(config.custom_domain, certificate_arn=config.certificate_arn) if config.custom_domain else None
        service = LatticeService(scope, "service", LatticeServiceProps(name=name, custom_domain=domain))
        default = config.default or ({next(iter(groups)): 100} if len(groups) == 1 else None)
        listeners: tuple[tuple[Literal["HTTP", "HTTPS"], int, str], ...] = (("HTTP", LISTENER_PORT, "listener"), ("HTTPS", HTTPS_PORT, "https-listener"))
        for protocol, port, listener_id in listeners:
            if protocol == "HTTPS" and not config.https:
                continue
            listener = Listener(
                scope,
                listener_id,
                ListenerProps(
                    name=protocol.lower(),
                    service=service,
                    protocol=protocol,
                    port=port,
                    default_action=_forward(default, groups) if default else FixedResponse(404),
                ),
            )
            for index, route in enumerate(config.routes, start=1):
                listener.add_rule(
                    f"route-{index}",
                    RuleProps(
                        name=f"route-{index}",
                        priority=index,
                        match=RuleMatch(
                            method=route.method,
                            path=PathMatch(route.path),
                            headers=tuple(HeaderMatch(header, value) for header, value in sorted(route.headers.items())),
                        ),
                        action=_forward(route.forward, groups),
                    ),
                )
        def vpc_id_of(consumer: str) -> str:
            return stack.outputs_of(stack.producer(settings.consumers[consumer].account, "consumers")).get(VPC_IDS, consumer)

        policy = service_auth_policy(settings, name, service_arn=service.arn, vpc_id_of=vpc_id_of)
        if policy is not None:  # none: AWS_IAM without a policy denies every call
            service.attach_auth_policy(policy.render())
        for network in config.networks:
            arn, accepted = stack.network(network)
            ServiceNetworkServiceAssociation(scope, f"association-{network}", service_network=arn, service=service, depends_on=accepted)
        arns[name] = service.arn
        domains[name] = service.domain_name
    TerraformOutput(stack, SERVICE_ARNS, value=arns, description="Lattice service ARNs, by name.")
    TerraformOutput(stack, SERVICE_DOMAIN_NAMES, value=domains, description="Lattice service DNS names, by name.")


LAYER_BUILDERS = {"networks": build_networks, "consumers": build_consumers, "services": build_services}


def build(app: Construct, deployment: Deployment, config: LatticeConfig, settings: TopologySettings) -> None:
    if settings.quotas:  # the constructs check the same quotas at synth
        declare_quotas(app, LatticeQuotas(**settings.quotas))
    built: dict[str, TopologyStack] = {}
    for planned in planned_stacks(settings):
        stack = TopologyStack(app, planned, deployment=deployment, settings=settings, built=built)
        LAYER_BUILDERS[planned.layer](stack)
        built[f"{planned.account}/{planned.layer}"] = stack
