"""The lattice-cdktf configuration file, as typed and validated models.

Every field is documented; README's config reference is generated from the same
descriptions. Unknown keys are errors (``extra="forbid"``) so a misspelt key never
silently falls back to a default. The ``[accounts]`` entries and the
``[patterns.<name>]`` sections come from the pattern registry (accounts/registry.py):
each pattern brings its own section model and the account roles it uses.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, Field, create_model, field_validator

from accounts.registry import PatternSpec, account_roles, patterns

from .fields import ROLE_ARN, ROLE_ARN_RULE, AccountConfig, StrictModel, VpcConfig
from .fields import NAME as _VPC_NAME
from .project import DEFAULT_STATE_DIR, NOT_FOR_STATE

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class LocalBackendConfig(StrictModel):
    """Terraform local state, for trying things out. Needs no AWS to synth or test."""

    type: Literal["local"] = "local"
    state_dir: str = Field(
        default=DEFAULT_STATE_DIR,
        description="Directory, relative to the project (whatever the output directory), holding one `<stack>.tfstate` per stack. Never inside an output directory; `*.tfstate` files are git-ignored wherever they are.",
    )

    @field_validator("state_dir")
    @classmethod
    def _relative(cls, value: str) -> str:
        if not value or value.startswith("/") or ".." in value.split("/"):
            raise ValueError("must be a relative path inside the project, without '..'")
        top = value.strip("/").split("/")[0]
        if top in NOT_FOR_STATE:
            raise ValueError(f"must not be inside {top}/ ({NOT_FOR_STATE[top]})")
        return value.rstrip("/")


class S3BackendConfig(StrictModel):
    """Terraform state in S3 with native S3 locking (``use_lockfile``)."""

    type: Literal["s3"]
    bucket: str = Field(description="State bucket name.")
    region: Optional[str] = Field(default=None, description="Bucket region; defaults to the top-level region.")
    key_prefix: str = Field(default="lattice-cdktf", description="Each stack's state key is `<key_prefix>/<stack>.tfstate`.")
    role_arn: Optional[str] = Field(
        default=None,
        description="Role that writes every stack's state and that consumer stacks use to read producer state.",
    )

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not _S3_BUCKET.match(value) or ".." in value:
            raise ValueError("must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _REGION.match(value):
            raise ValueError("must be an AWS region name such as eu-west-1")
        return value

    @field_validator("key_prefix")
    @classmethod
    def _key_prefix(cls, value: str) -> str:
        if not value or value.startswith("/") or value.endswith("/"):
            raise ValueError("must be non-empty and neither start nor end with '/'")
        return value

    @field_validator("role_arn")
    @classmethod
    def _role(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not ROLE_ARN.match(value):
            raise ValueError(ROLE_ARN_RULE)
        return value


BackendConfig = Annotated[Union[LocalBackendConfig, S3BackendConfig], Field(discriminator="type")]


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


class LatticeConfig(StrictModel):
    """The whole configuration file."""

    region: str = Field(default="eu-west-1", description="AWS region of every stack (Lattice resources are regional).")
    project: str = Field(default="lattice-cdktf", description="Value of the Project default tag.")
    tags: dict[str, str] = Field(default_factory=dict, description="Extra default tags on every resource.")
    accounts: Accounts = Field(default_factory=Accounts, description="The accounts stacks deploy into, by role; each is required by the patterns that use it, when enabled.")
    backend: BackendConfig = Field(default_factory=LocalBackendConfig, description="Where each stack keeps its state.")
    patterns: Patterns = Field(default_factory=Patterns)
    vpcs: dict[str, VpcConfig] = Field(
        default_factory=_default_vpcs, description="Consumer VPCs by Name tag (default: vpc1 and vpc2, 10.0.0.0/24 each)."
    )

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not _REGION.match(value):
            raise ValueError("must be an AWS region name such as eu-west-1")
        return value

    @field_validator("vpcs")
    @classmethod
    def _vpc_names(cls, value: dict[str, VpcConfig]) -> dict[str, VpcConfig]:
        if not value:
            raise ValueError("at least one consumer VPC is required")
        for name in value:
            if not _VPC_NAME.match(name):
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
