"""Configuration of the lattice-cdktf app: schema and loader."""
from .loader import DEFAULT_CONFIG_FILE, ConfigError, load_config, parse_config
from .schema import (
    AccountConfig,
    LatticeConfig,
    LocalBackendConfig,
    PatternConfig,
    S3BackendConfig,
    SharedPatternConfig,
    TenantConfig,
    VpcConfig,
)

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "AccountConfig",
    "ConfigError",
    "LatticeConfig",
    "LocalBackendConfig",
    "PatternConfig",
    "S3BackendConfig",
    "SharedPatternConfig",
    "TenantConfig",
    "VpcConfig",
    "load_config",
    "parse_config",
]
