"""Private SSM Session Manager access to test instances: interface endpoints, an
instance profile, the Amazon Linux AMI lookup and the instances themselves."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .account_provider import stack_account
from .checkov import accept_risks
from .documents.policy import Statement, policy_document
from .runtime import aws
from .runtime.cdk import Construct, ITerraformDependable
from .security_group import Rule, RuledSecurityGroup, SecurityGroupProps, tcp

SSM_ENDPOINT_SERVICES = ("ssm", "ssmmessages", "ec2messages")
SSM_MANAGED_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


class AmazonLinux2023Ami(Construct):
    """The newest Amazon Linux 2023 x86_64 AMI (the original's ``amzn-ami-hvm-*``
    filter matches the retired Amazon Linux 1 and finds nothing current)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.resource = aws.data_aws_ami.DataAwsAmi(
            self,
            "ami",
            most_recent=True,
            owners=["amazon"],
            filter=[
                aws.data_aws_ami.DataAwsAmiFilter(name="name", values=["al2023-ami-2023.*-x86_64"]),
                aws.data_aws_ami.DataAwsAmiFilter(name="architecture", values=["x86_64"]),
                aws.data_aws_ami.DataAwsAmiFilter(name="virtualization-type", values=["hvm"]),
            ],
        )
        self.id = self.resource.id


class SsmInstanceProfile(Construct):
    """An EC2 instance profile whose role may only do what SSM Session Manager needs."""

    def __init__(self, scope: Construct, id: str, *, name_prefix: str) -> None:
        super().__init__(scope, id)
        role = aws.iam_role.IamRole(
            self,
            "role",
            name=f"{name_prefix}-ssm-instance-role",
            assume_role_policy=policy_document(
                [Statement(effect="Allow", actions="sts:AssumeRole", principal={"Service": "ec2.amazonaws.com"})]
            ),
        )
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(self, "ssm-core", role=role.name, policy_arn=SSM_MANAGED_POLICY_ARN)
        self.resource = aws.iam_instance_profile.IamInstanceProfile(self, "profile", name=f"{name_prefix}-ssm-instance-profile", role=role.name)
        self.name = self.resource.name


@dataclass(frozen=True)
class SsmEndpointsProps:
    vpc_id: str
    vpc_cidr: str
    subnet_ids: Sequence[str]


class SsmEndpoints(Construct):
    """Interface endpoints for ssm, ssmmessages and ec2messages with private DNS, so
    instances without internet access can be reached through Session Manager."""

    def __init__(self, scope: Construct, id: str, props: SsmEndpointsProps) -> None:
        super().__init__(scope, id)
        region = stack_account(self).region
        security_group = RuledSecurityGroup(
            self,
            "security-group",
            SecurityGroupProps(
                name="endpoints_sg",
                description="Security Group for SSM connection",
                vpc_id=props.vpc_id,
                ingress=[tcp(443, props.vpc_cidr, "Allowing HTTPS")],
                # no egress: interface endpoints only answer
            ),
        )
        self.endpoints: list[ITerraformDependable] = [
            aws.vpc_endpoint.VpcEndpoint(
                self,
                service,
                vpc_id=props.vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                subnet_ids=list(props.subnet_ids),
                security_group_ids=[security_group.id],
                private_dns_enabled=True,
            )
            for service in SSM_ENDPOINT_SERVICES
        ]


LATTICE_LINK_LOCAL_CIDR = "169.254.171.0/24"


@dataclass(frozen=True)
class ClientInstancesProps:
    vpc_name: str
    vpc_id: str
    vpc_cidr: str
    subnet_ids: Sequence[str]  # one instance per subnet
    instance_type: str
    ami_id: str
    instance_profile: str
    egress: Sequence[Rule]
    depends_on: Sequence[ITerraformDependable] = ()
    detailed_monitoring: bool = True  # 1-minute metrics: 7 per instance, charged beyond CloudWatch's free 10


class ClientInstances(Construct):
    """Private EC2 instances to test from: no public IP, IMDSv2 only, encrypted root
    volume, ICMP allowed from inside the VPC."""

    def __init__(self, scope: Construct, id: str, props: ClientInstancesProps) -> None:
        super().__init__(scope, id)
        security_group = RuledSecurityGroup(
            self,
            "security-group",
            SecurityGroupProps(
                name="instance_security_group",
                description="Test instances: ICMP from the VPC in; SSM and Lattice out",
                vpc_id=props.vpc_id,
                ingress=[Rule("Allowing ICMP traffic", "icmp", -1, -1, [props.vpc_cidr])],
                egress=list(props.egress),
            ),
        )
        self.instances = [
            aws.instance.Instance(
                self,
                f"instance-{index + 1}",
                ami=props.ami_id,
                instance_type=props.instance_type,
                subnet_id=subnet_id,
                associate_public_ip_address=False,
                vpc_security_group_ids=[security_group.id],
                iam_instance_profile=props.instance_profile,
                metadata_options=aws.instance.InstanceMetadataOptions(http_endpoint="enabled", http_tokens="required"),
                root_block_device=aws.instance.InstanceRootBlockDevice(encrypted=True),
                tags={"Name": f"{props.vpc_name}-instance-{index + 1}"},
                monitoring=props.detailed_monitoring,
                depends_on=list(props.depends_on) or None,
            )
            for index, subnet_id in enumerate(props.subnet_ids)
        ]
        risks = [("CKV_AWS_135", "test clients; the default t2.micro does not support EBS optimization")]
        if not props.detailed_monitoring:
            risks.append(("CKV_AWS_126", "detailed monitoring turned off in the config (vpcs.<name>.detailed_monitoring): 5-minute metrics, as the original"))
        for instance in self.instances:
            accept_risks(instance, risks)


def client_instance_egress(vpc_cidr: str, lattice_ports: Sequence[int] = (80,), endpoint_ports: Sequence[int] = ()) -> list[Rule]:
    """Least egress that still lets the seed's test run: SSM endpoints (443 inside
    the VPC), Lattice services on each port the clients call (to the link-local
    range Lattice answers on through the VPC's association) and, with service-network
    endpoints in the VPC, each port they are called on (their addresses are the VPC's)."""
    through_endpoints = 443 in endpoint_ports
    rules = [tcp(443, vpc_cidr, "HTTPS to the SSM interface endpoints" + (" and the service-network endpoints" if through_endpoints else ""))]
    rules += [tcp(port, LATTICE_LINK_LOCAL_CIDR, f"{_scheme(port)} to VPC Lattice services") for port in lattice_ports]
    rules += [tcp(port, vpc_cidr, f"{_scheme(port)} to the service-network endpoints") for port in endpoint_ports if port != 443]
    return rules


def _scheme(port: int) -> str:
    return "HTTPS" if port == 443 else "HTTP"


@dataclass(frozen=True)
class SsmTestClientProps:
    vpc_id: str
    vpc_cidr: str
    subnet_ids: Sequence[str]  # the endpoints' subnets; the instance goes in the first
    instance_type: str
    iam_name_prefix: str
    egress: Sequence[Rule]  # what the instance may call (443 to the VPC for SSM at least)


def ssm_test_client(scope: Construct, props: SsmTestClientProps) -> None:
    """One private instance to test from, reached through Session Manager: the SSM
    endpoints (``ssm``), its instance profile (``client-profile``), the Amazon Linux
    2023 lookup (``amazon-linux``) and the instance (``client``), made directly in
    ``scope`` (a stack), named as a reader of hand-written Terraform expects."""
    ssm = SsmEndpoints(scope, "ssm", SsmEndpointsProps(vpc_id=props.vpc_id, vpc_cidr=props.vpc_cidr, subnet_ids=props.subnet_ids))
    profile = SsmInstanceProfile(scope, "client-profile", name_prefix=props.iam_name_prefix)
    ClientInstances(
        scope,
        "client",
        ClientInstancesProps(
            vpc_name="client",
            vpc_id=props.vpc_id,
            vpc_cidr=props.vpc_cidr,
            subnet_ids=list(props.subnet_ids)[:1],
            instance_type=props.instance_type,
            ami_id=AmazonLinux2023Ami(scope, "amazon-linux").id,
            instance_profile=profile.name,
            egress=props.egress,
            depends_on=ssm.endpoints,
        ),
    )
