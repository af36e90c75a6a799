"""What every account stack has: a provider pinned to its account, a backend, and
default tags naming the project, the pattern and the account role."""
from __future__ import annotations

from app_config import AccountConfig, LatticeConfig, LocalBackendConfig, PatternConfig
from constructs_lib.account_provider import AccountProviderProps, account_provider
from constructs_lib.cdk import Construct
from constructs_lib.naming import ReadableIdsStack
from constructs_lib.state import LocalState, S3State, StateLocation, configure_backend

# Stacks run in <outdir>/stacks/<stack>; local state lives beside cdktf.out, three
# levels up, so that replacing cdktf.out on every synth never deletes state.
_STACK_DIR_TO_PROJECT = "../../.."


def state_location(config: LatticeConfig, stack_name: str) -> StateLocation:
    backend = config.backend
    if isinstance(backend, LocalBackendConfig):
        return LocalState(path=f"{_STACK_DIR_TO_PROJECT}/{backend.state_dir}/{stack_name}.tfstate")
    return S3State(
        bucket=backend.bucket,
        key=f"{backend.key_prefix}/{stack_name}.tfstate",
        region=config.state_region,
        role_arn=backend.role_arn,
    )


class AccountStack(ReadableIdsStack):
    """One stack per account role of a pattern."""

    def __init__(
        self,
        scope: Construct,
        name: str,
        *,
        config: LatticeConfig,
        account: AccountConfig,
        pattern: str,
        role: str,
    ) -> None:
        super().__init__(scope, name)
        self.stack_name = name
        self.config = config
        self.account = account
        self.pattern = pattern
        self.state = state_location(config, name)
        configure_backend(self, self.state)
        account_provider(
            self,
            AccountProviderProps(
                region=config.region,
                account_id=account.id,
                role_arn=account.role_arn,
                profile=account.profile,
                default_tags={**config.tags, "Project": config.project, "Pattern": pattern, "AccountRole": role},
            ),
        )

    @property
    def config_for_pattern(self) -> PatternConfig:
        settings: PatternConfig = getattr(self.config.patterns, self.pattern)
        return settings

    @property
    def account_id(self) -> str:
        return self.account.id

    def iam_name(self, suffix: str) -> str:
        """IAM and other account-wide names, prefixed by pattern so patterns can share an account."""
        return f"{self.pattern}-{suffix}"
