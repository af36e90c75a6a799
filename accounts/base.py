"""What every account stack has: a provider pinned to its account, a backend, and
default tags naming the project, the pattern and the account role. The inputs all
stacks of one synth share come in one small frozen :class:`Deployment`."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

from constructs_lib.account_provider import AccountProviderProps, account_provider
from constructs_lib.runtime.cdk import Construct
from constructs_lib.runtime.naming import ReadableIdsStack
from constructs_lib.runtime.synth import STACKS_FOLDER
from constructs_lib.state import CloudState, LocalState, S3State, StateLocation, configure_backend
from lattice_model.aws_names import account_wide_name
from lattice_model.backends import CloudBackendConfig, LocalBackendConfig, S3BackendConfig
from lattice_model.fields import AccountConfig
from lattice_model.project import PROJECT_ROOT

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig


@dataclass(frozen=True)
class StateLayout:
    """Where each stack of one synth keeps its Terraform state.

    Local state lives in ``<project>/<state_dir>/<stack>.tfstate`` whatever the
    output directory; the backend path is written relative to the stack's working
    directory (``<outdir>/stacks/<stack>``, where Terraform runs), so the default
    output gives ``../../../terraform-state/<stack>.tfstate`` on every machine.
    """

    local_dir: Optional[Path]  # absolute; None for S3 and HCP Terraform
    stacks_dir: Path  # <outdir>/stacks, absolute
    s3: Optional[S3BackendConfig]
    s3_region: str
    cloud: Optional[CloudBackendConfig] = None

    @classmethod
    def of(cls, config: LatticeConfig, outdir: str | Path, project_root: Path = PROJECT_ROOT) -> "StateLayout":
        backend = config.backend
        local = project_root.resolve() / backend.state_dir if isinstance(backend, LocalBackendConfig) else None
        s3 = backend if isinstance(backend, S3BackendConfig) else None
        cloud = backend if isinstance(backend, CloudBackendConfig) else None
        return cls(local_dir=local, stacks_dir=Path(outdir).resolve() / STACKS_FOLDER, s3=s3, s3_region=config.state_region, cloud=cloud)

    def location(self, stack_name: str) -> StateLocation:
        if self.local_dir is not None:
            state = self.local_dir / f"{stack_name}.tfstate"
            return LocalState(path=Path(os.path.relpath(state, self.stacks_dir / stack_name)).as_posix())
        if self.cloud is not None:
            return CloudState(self.cloud.organization, f"{self.cloud.workspace_prefix}{stack_name}", self.cloud.hostname, self.cloud.project)
        assert self.s3 is not None
        return S3State(
            bucket=self.s3.bucket,
            key=f"{self.s3.key_prefix}/{stack_name}.tfstate",
            region=self.s3_region,
            role_arn=self.s3.role_arn,
        )


@dataclass(frozen=True)
class Deployment:
    """What every stack of one synth shares: the region, the tags, the state layout."""

    region: str
    project: str
    tags: Mapping[str, str]
    state: StateLayout

    @classmethod
    def of(cls, config: LatticeConfig, outdir: str | Path, project_root: Path = PROJECT_ROOT) -> "Deployment":
        return cls(
            region=config.region,
            project=config.project,
            tags=dict(config.tags),
            state=StateLayout.of(config, outdir, project_root),
        )


class AccountStack(ReadableIdsStack):
    """One stack per account role of a pattern."""

    def __init__(
        self, scope: Construct, name: str, *, deployment: Deployment, account: AccountConfig, pattern: str, role: str
    ) -> None:
        super().__init__(scope, name)
        self.stack_name = name
        self.pattern = pattern
        self.region = deployment.region
        self.account_id = account.id
        self.state = deployment.state.location(name)
        configure_backend(self, self.state)
        account_provider(
            self,
            AccountProviderProps(
                region=deployment.region,
                account_id=account.id,
                role_arn=account.role_arn,
                profile=account.profile,
                default_tags={**deployment.tags, "Project": deployment.project, "Pattern": pattern, "AccountRole": role},
            ),
        )

    def iam_name(self, suffix: str) -> str:
        """IAM and other account-wide names, prefixed by pattern so patterns can share an account."""
        return account_wide_name(self.pattern, suffix)
