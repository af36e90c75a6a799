"""Where a stack keeps its Terraform state, and how another stack reads it.

A ``StateLocation`` describes one stack's state. The producing stack configures its
backend from it; a consuming stack reads the producer's outputs through a
``terraform_remote_state`` data source built from the same location, so the two can
never disagree about where the state is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from .cdk import (
    Construct,
    DataTerraformRemoteStateLocal,
    DataTerraformRemoteStateS3,
    LocalBackend,
    S3Backend,
    S3BackendAssumeRoleConfig,
    TerraformStack,
)

RemoteState = Union[DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3]


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


StateLocation = Union[LocalState, S3State]


def configure_backend(stack: TerraformStack, location: StateLocation) -> None:
    if isinstance(location, LocalState):
        LocalBackend(stack, path=location.path)
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
    return DataTerraformRemoteStateS3(
        scope,
        id,
        bucket=location.bucket,
        key=location.key,
        region=location.region,
        assume_role=S3BackendAssumeRoleConfig(role_arn=location.role_arn) if location.role_arn else None,
    )
