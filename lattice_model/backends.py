"""Where each stack keeps its Terraform state: the ``[backend]`` section of the
config (local, S3 or HCP Terraform), its rules, and nothing else of the config: the
account stacks (accounts/base.py) read it as well as the config's schema."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag, field_validator

from .fields import ROLE_ARN, ROLE_ARN_RULE, StrictModel
from .project import DEFAULT_STATE_DIR, not_for_state
from .regions import REGION_FORMAT
from .text_rule import text_rule

_PRINTABLE = text_rule(r"[^\x00-\x1f\x7f]+")  # no control characters (newlines, tabs, escapes)
_S3_BUCKET = text_rule(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_SHAPED = text_rule(r"\d+\.\d+\.\d+\.\d+")
# S3's general purpose bucket naming rules reserve these for its own kinds of buckets and aliases.
_S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


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
        if not _PRINTABLE(value) or value.startswith("/") or ".." in value.split("/"):
            raise ValueError("must be a relative path inside the project, without '..' or control characters")
        top = value.strip("/").split("/")[0]
        why = not_for_state(top)
        if why:
            raise ValueError(f"must not be inside {top}/ ({why})")
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
        if not _S3_BUCKET(value) or ".." in value:
            raise ValueError("must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)")
        if _IP_SHAPED(value):
            raise ValueError("an S3 bucket name must not look like an IP address")
        for prefix in _S3_RESERVED_PREFIXES:
            if value.startswith(prefix):
                raise ValueError(f"an S3 bucket name must not start with {prefix!r} (reserved by S3)")
        for suffix in _S3_RESERVED_SUFFIXES:
            if value.endswith(suffix):
                raise ValueError(f"an S3 bucket name must not end with {suffix!r} (reserved by S3)")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not REGION_FORMAT(value):
            raise ValueError("must be an AWS region name such as eu-west-1")
        return value

    @field_validator("key_prefix")
    @classmethod
    def _key_prefix(cls, value: str) -> str:
        if not _S3_KEY_PREFIX(value) or value.startswith("/") or value.endswith("/"):
            raise ValueError("must be letters, digits and !-_.*'()/ (S3's safe key characters), neither starting nor ending with '/'")
        return value

    @field_validator("role_arn")
    @classmethod
    def _role(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not ROLE_ARN(value):
            raise ValueError(ROLE_ARN_RULE)
        return value


_S3_KEY_PREFIX = text_rule(r"[A-Za-z0-9!_.*'()/-]{1,900}")
_HCP_PROJECT = text_rule(r"[A-Za-z0-9 _-]{3,40}")
_HCP_NAME = text_rule(r"[A-Za-z0-9_-]+")
_HOSTNAME = text_rule(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
WORKSPACE_NAME_MAX = 90  # HCP Terraform's limit on a workspace name


class CloudBackendConfig(StrictModel):
    """HCP Terraform (Terraform Cloud, or Terraform Enterprise): one workspace per stack,
    where runs can be remote; other stacks read a producer's outputs from its workspace."""

    type: Literal["cloud"]
    organization: str = Field(description="The HCP Terraform organization that holds the workspaces.")
    workspace_prefix: str = Field(default="lattice-cdktf-", description="Each stack's workspace is `<workspace_prefix><stack>`.")
    hostname: str = Field(default="app.terraform.io", description="HCP Terraform's host, or your Terraform Enterprise's.")
    project: Optional[str] = Field(default=None, description="The HCP Terraform project the workspaces are created in (default: the organization's default project).")

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str) -> str:
        if not _HCP_NAME(value):
            raise ValueError("an HCP Terraform organization name is letters, digits, - and _")
        return value

    @field_validator("workspace_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _HCP_NAME(value) or len(value) > WORKSPACE_NAME_MAX - 10:
            raise ValueError(f"a workspace name is letters, digits, - and _ (at most {WORKSPACE_NAME_MAX} with the stack's name)")
        return value

    @field_validator("project")
    @classmethod
    def _project(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _HCP_PROJECT(value):
            raise ValueError("an HCP Terraform project name is 3-40 letters, digits, spaces, - and _")
        return value

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str) -> str:
        if not _HOSTNAME(value):
            raise ValueError("a host name such as app.terraform.io (no scheme, no path)")
        return value


def _backend_type(value: Any) -> str:
    """The backend's `type`; a [backend] section without one is local (its default)."""
    if isinstance(value, dict):
        return str(value.get("type", "local"))
    return str(getattr(value, "type", "local"))


BackendConfig = Annotated[
    Union[Annotated[LocalBackendConfig, Tag("local")], Annotated[S3BackendConfig, Tag("s3")], Annotated[CloudBackendConfig, Tag("cloud")]],
    Discriminator(_backend_type),
]


