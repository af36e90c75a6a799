"""The one place that imports the CDK for Terraform core library.

cdktf is archived upstream; its community fork CDK Terrain (``cdktn``) keeps the same
API. Swapping is a change to this file (and the AWS bindings' package name in
the ``cdktf_cdktf_provider_aws`` imports), not a hunt through every construct.
"""
from cdktf import (  # noqa: F401  (re-exported)
    Annotations,
    App,
    AssetType,
    DataTerraformRemoteStateLocal,
    DataTerraformRemoteStateS3,
    DefaultTokenResolver,
    Fn,
    ITerraformDependable,
    LocalBackend,
    S3Backend,
    S3BackendAssumeRoleConfig,
    StringConcat,
    TerraformAsset,
    TerraformOutput,
    TerraformResourceLifecycle,
    TerraformStack,
    Testing,
    Token,
    Tokenization,
)
from constructs import Construct  # noqa: F401

__all__ = [
    "Annotations",
    "App",
    "AssetType",
    "Construct",
    "DataTerraformRemoteStateLocal",
    "DataTerraformRemoteStateS3",
    "DefaultTokenResolver",
    "Fn",
    "ITerraformDependable",
    "LocalBackend",
    "S3Backend",
    "S3BackendAssumeRoleConfig",
    "StringConcat",
    "TerraformAsset",
    "TerraformOutput",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "Testing",
    "Token",
    "Tokenization",
]
