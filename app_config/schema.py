"""The lattice-cdktf configuration file, as typed and validated models.

Every field is documented; README's config reference is generated from the same
descriptions. Unknown keys are errors (``extra="forbid"``) so a misspelt key never
silently falls back to a default. The ``[accounts]`` entries and the
``[patterns.<name>]`` sections come from the pattern registry (accounts/registry.py):
each pattern brings its own section model and the account roles it uses.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, Field, ValidationInfo, create_model, field_validator

from accounts.registry import PatternSpec, account_roles, patterns
from lattice_model.backends import BackendConfig, LocalBackendConfig, S3BackendConfig
from lattice_model.fields import NAME as _VPC_NAME
from lattice_model.fields import AccountConfig, IamRoleName, StrictModel, VpcConfig
from lattice_model.regions import REGION_FORMAT, SUPPORTED_PARTITION, lattice_regions, partition_of, region_problem
from lattice_model.text_rule import text_rule
from pins import version
from safe_io.inputs import shown

# Tags the stacks set themselves (provider default tags), the keys a construct sets on
# its own resources (a test holds every synthesized resource to it), and AWS's rules.
PROJECT_TAGS = ("Project", "Pattern", "AccountRole")
RESOURCE_TAG_KEYS = ("Name",)
TAGS_PER_RESOURCE = 50  # AWS's limit of user tags on one resource (aws: tags do not count)
_TAG_TEXT = text_rule(r"[\w .:/=+\-@]*", any_script=True)  # letters in any script, digits, spaces, _ . : / = + - @

_RUNNER_LABEL = text_rule(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_TERRAFORM_RELEASE = text_rule(r"1\.(1[0-9]|[2-9][0-9])\.\d+")
_BRANCH = text_rule(r"(?!/)(?!.*//)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}(?<!/)")


class PipelineConfig(StrictModel):
    """The GitHub Actions workflow ``make pipeline`` writes (tools/pipeline.py)."""

    oidc_role_name: IamRoleName = Field(
        default="lattice-cdktf-github",
        description=(
            "The role, in every account a stack deploys into, that each job assumes through GitHub's OIDC provider (trusting "
            "token.actions.githubusercontent.com for this repository): no stored keys. An account's role_arn, when set, is then assumed by Terraform from it."
        ),
    )
    branch: str = Field(default="main", description="Pushes to this branch deploy, stack by stack; pull requests plan.")
    runner: str = Field(default="ubuntu-latest", description="The runs-on label of every job.")
    terraform_version: str = Field(default=version("terraform"), description="The Terraform the jobs install (hashicorp/setup-terraform); the default is the ledger's (pins/ledger.toml).")

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if not _BRANCH(value):
            raise ValueError("a branch name: letters, digits, . _ / -, no leading or trailing /, no // or ..")
        return value

    @field_validator("runner")
    @classmethod
    def _runner(cls, value: str) -> str:
        if not _RUNNER_LABEL(value):
            raise ValueError("a runs-on label: letters, digits, . _ -, such as ubuntu-latest")
        return value

    @field_validator("terraform_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not _TERRAFORM_RELEASE(value):
            raise ValueError("a Terraform release such as 1.11.4 (1.10 or later: the stacks need it)")
        return value


def _accounts_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        role.name: (Optional[AccountConfig], Field(default=None, description=role.description)) for role in account_roles()
    }
    return create_model("Accounts", __base__=StrictModel, __doc__="The accounts stacks deploy into, by role.", **fields)


def _patterns_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        spec.name: (spec.settings, Field(default_factory=spec.settings, description=spec.summary)) for spec in patterns()
    }
    return create_model("Patterns", __base__=StrictModel, __doc__="One section per pattern.", **fields)


if TYPE_CHECKING:  # made from the registry at import; typed accessors below
    Accounts = BaseModel
    Patterns = BaseModel
else:
    Accounts = _accounts_model()
    Patterns = _patterns_model()


def _default_vpcs() -> dict[str, VpcConfig]:
    return {"vpc1": VpcConfig(), "vpc2": VpcConfig()}


def _tag_value(value: str) -> str:
    if len(value) > 256 or not _TAG_TEXT(value):
        raise ValueError("a tag value is at most 256 letters, digits, spaces and _ . : / = + - @")
    return value


class LatticeConfig(StrictModel):
    """The whole configuration file."""

    extra_regions: list[str] = Field(
        default_factory=list,
        description="Regions to accept although the installed botocore's endpoint data does not list them (yet) for VPC Lattice or S3; normally empty.",
    )
    region: str = Field(
        default="eu-west-1",
        description="AWS region of every stack (Lattice resources are regional); one where VPC Lattice runs, per AWS's endpoint data in botocore, in the aws partition (the stacks write arn:aws: ARNs).",
    )
    project: str = Field(default="lattice-cdktf", description="Value of the Project default tag.")
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Extra default tags on every resource (AWS tag rules; not `aws:*`, not Project, Pattern or AccountRole, which the stacks set).",
    )
    accounts: Accounts = Field(default_factory=Accounts, description="The accounts stacks deploy into, by role; each is required by the patterns that use it, when enabled.")
    backend: BackendConfig = Field(default_factory=LocalBackendConfig, description="Where each stack keeps its state.")
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig, description="The CI pipeline `make pipeline` writes (GitHub Actions).")
    patterns: Patterns = Field(default_factory=Patterns)
    vpcs: dict[str, VpcConfig] = Field(
        default_factory=_default_vpcs, description="Consumer VPCs by Name tag (default: vpc1 and vpc2, 10.0.0.0/24 each)."
    )

    @field_validator("extra_regions")
    @classmethod
    def _extra_regions(cls, value: list[str]) -> list[str]:
        for region in value:
            if not REGION_FORMAT(region):
                raise ValueError(f"{region!r} must be an AWS region name such as eu-west-1")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str, info: ValidationInfo) -> str:
        problem = region_problem(
            value, lattice_regions(), "VPC Lattice does not run in this region", info.data.get("extra_regions", ())
        )
        if problem:
            raise ValueError(problem)
        partition = partition_of(value)
        if partition != SUPPORTED_PARTITION:
            raise ValueError(f"is in the {partition} partition: the stacks write {SUPPORTED_PARTITION} ARNs (arn:{SUPPORTED_PARTITION}:...) only")
        return value

    @field_validator("project")
    @classmethod
    def _project(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty (it is the value of the Project tag)")
        return _tag_value(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        carried = set(value) | set(PROJECT_TAGS) | set(RESOURCE_TAG_KEYS)
        if len(carried) > TAGS_PER_RESOURCE:  # checked first: one line, however many tags
            room = TAGS_PER_RESOURCE - len(set(PROJECT_TAGS) | set(RESOURCE_TAG_KEYS))
            raise ValueError(
                f"{len(value)} tags: with the stacks' own {', '.join(PROJECT_TAGS + RESOURCE_TAG_KEYS)} a resource would carry "
                f"{len(carried)}, over AWS's {TAGS_PER_RESOURCE} per resource: at most {room} here"
            )
        problems = []
        for key, text in value.items():
            if not 1 <= len(key) <= 128 or not _TAG_TEXT(key):
                problems.append(f"tag key {shown(key)}: a tag key is 1-128 letters, digits, spaces and _ . : / = + - @")
            elif key.lower().startswith("aws:"):
                problems.append(f"tag key {shown(key)}: the aws: prefix is reserved for AWS")
            elif key in PROJECT_TAGS:
                hint = " (set project = ... for its value)" if key == "Project" else ""
                problems.append(f"tag key {key!r}: the stacks set it themselves{hint}")
            try:
                _tag_value(text)
            except ValueError as exc:
                problems.append(f"tag {shown(key)}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("vpcs")
    @classmethod
    def _vpc_names(cls, value: dict[str, VpcConfig]) -> dict[str, VpcConfig]:
        if not value:
            raise ValueError("at least one consumer VPC is required")
        for name in value:
            if not _VPC_NAME(name):
                raise ValueError(
                    f"VPC name {name!r} must be 1-47 lowercase letters, digits or hyphens, "
                    "not starting or ending with a hyphen (it prefixes '<name>-service-network')"
                )
        return value

    def enabled_patterns(self) -> list[PatternSpec[Any]]:
        return [spec for spec in patterns() if spec.enabled(self)]

    @property
    def state_region(self) -> str:
        if isinstance(self.backend, S3BackendConfig) and self.backend.region:
            return self.backend.region
        return self.region
