"""The one place that imports the CDK for Terraform core library.

cdktf is archived upstream; its community fork CDK Terrain (``cdktn``) keeps the same
API. Swapping is a change to this file and to the bindings' package name in
``aws.py`` (the one place that loads the AWS bindings), not a hunt through every
construct.
"""
from typing import Any

from . import jsii_host
from .token_text import has_string_token

jsii_host.install()  # before the first cdktf import starts jsii's Node process

import cdktf as _cdktf  # noqa: E402
import constructs as _constructs  # noqa: E402
from cdktf import (  # noqa: F401, E402  (re-exported)
    Annotations,
    App,
    AssetType,
    CloudBackend,
    DataTerraformRemoteState,
    DataTerraformRemoteStateLocal,
    DataTerraformRemoteStateS3,
    DefaultTokenResolver,
    Fn,
    ITerraformDependable,
    LocalBackend,
    NamedCloudWorkspace,
    NamedRemoteWorkspace,
    S3Backend,
    S3BackendAssumeRoleConfig,
    StringConcat,
    TerraformAsset,
    TerraformDataSource,
    TerraformElement,
    TerraformLocal,
    TerraformOutput,
    TerraformResource,
    TerraformResourceLifecycle,
    TerraformStack,
    TerraformVariable,
    Testing,
    Token,
    Tokenization,
)
from constructs import Construct  # noqa: F401, E402

from .type_hints import cache_type_hints  # noqa: E402

cache_type_hints(_cdktf)
cache_type_hints(_constructs)

# cdktf's encoding of a string token (lib/tokens/private/encoding.js), so that a
# plain string is told apart without a round trip to Node.


def is_unresolved(value: Any) -> bool:
    """``Token.is_unresolved(value)``: for strings decided here (most values are),
    anything else asked of cdktf."""
    if isinstance(value, str):
        return has_string_token(value)
    return bool(Token.is_unresolved(value))

__all__ = [
    "Annotations",
    "App",
    "AssetType",
    "CloudBackend",
    "Construct",
    "DataTerraformRemoteState",
    "DataTerraformRemoteStateLocal",
    "DataTerraformRemoteStateS3",
    "DefaultTokenResolver",
    "Fn",
    "ITerraformDependable",
    "LocalBackend",
    "NamedCloudWorkspace",
    "NamedRemoteWorkspace",
    "S3Backend",
    "S3BackendAssumeRoleConfig",
    "StringConcat",
    "TerraformAsset",
    "TerraformDataSource",
    "TerraformElement",
    "TerraformLocal",
    "TerraformOutput",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "TerraformVariable",
    "Testing",
    "Token",
    "Tokenization",
    "is_unresolved",
]
