"""Where a stack keeps its Terraform state, and how another stack reads it.

A ``StateLocation`` describes one stack's state. The producing stack configures its
backend from it; a consuming stack reads the producer's outputs through a
``terraform_remote_state`` data source built from the same location, so the two can
never disagree about where the state is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from .runtime.cdk import (
    CloudBackend,
    Construct,
    DataTerraformRemoteState,
    DataTerraformRemoteStateLocal,
    DataTerraformRemoteStateS3,
    LocalBackend,
    NamedCloudWorkspace,
    NamedRemoteWorkspace,
    S3Backend,
    S3BackendAssumeRoleConfig,
    TerraformStack,
)

RemoteState = Union[DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3, DataTerraformRemoteState]


@dataclass(frozen=True)
class LocalState:
    """Local state file; ``path`` is relative to the stack's working directory."""

    path: str


@dataclass(frozen=True)
class S3State:
    bucket: str
    key: str
    region: str
    role_arn: Optional[str] = None


@dataclass(frozen=True)
class CloudState:
    """An HCP Terraform workspace: the producer's ``cloud`` block names it, a reader's
    ``terraform_remote_state`` reads it through the ``remote`` backend (the
    workspace must share its state with the readers' workspaces: HCP Terraform's
    remote state sharing setting)."""

    organization: str
    workspace: str
    hostname: str
    project: Optional[str] = None


StateLocation = Union[LocalState, S3State, CloudState]


def configure_backend(stack: TerraformStack, location: StateLocation) -> None:
    if isinstance(location, LocalState):
        LocalBackend(stack, path=location.path)
        return
    if isinstance(location, CloudState):
        CloudBackend(
            stack, organization=location.organization, hostname=location.hostname,
            workspaces=NamedCloudWorkspace(location.workspace, location.project),
        )
        return
    S3Backend(
        stack,
        bucket=location.bucket,
        key=location.key,
        region=location.region,
        encrypt=True,
        assume_role=S3BackendAssumeRoleConfig(role_arn=location.role_arn) if location.role_arn else None,
    )
    # Native S3 locking (Terraform >= 1.10), no DynamoDB table. cdktf 0.21's S3Backend
    # predates the argument, hence the override.
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def read_remote_state(scope: Construct, id: str, location: StateLocation) -> RemoteState:
    """A ``terraform_remote_state`` data source over the state at ``location``."""
    if isinstance(location, LocalState):
        return DataTerraformRemoteStateLocal(scope, id, path=location.path)
    if isinstance(location, CloudState):
        return DataTerraformRemoteState(
            scope, id, organization=location.organization, hostname=location.hostname, workspaces=NamedRemoteWorkspace(location.workspace)
        )
    return DataTerraformRemoteStateS3(
        scope,
        id,
        bucket=location.bucket,
        key=location.key,
        region=location.region,
        assume_role=S3BackendAssumeRoleConfig(role_arn=location.role_arn) if location.role_arn else None,
    )
