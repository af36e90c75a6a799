"""The one place that imports the CDK for Terraform core library.

cdktf is archived upstream; its community fork CDK Terrain (``cdktn``) keeps the same
API. Swapping is a change to this file and to the bindings' package name in
``aws.py`` (the one place that loads the AWS bindings), not a hunt through every
construct.
"""
import os
from typing import Any

from ..documents.token_text import has_string_token
from . import jsii_host

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
    Postcondition,
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


def add_postconditions(element: TerraformResource | TerraformDataSource, conditions: list[tuple[str, str]]) -> None:
    """``lifecycle { postcondition { condition, error_message } }`` on ``element``, for
    each (condition, error message) of ``conditions``, in JSON and HCL output alike.

    cdktf 0.21 (archived: no fix will come) renders a lifecycle's conditions in HCL as
    an argument (``postcondition = [...]``), which Terraform refuses; for
    ``cdktf synth --hcl`` (``SYNTH_HCL_OUTPUT=true``, as cdktf's App reads it) the same
    block is given in the shape its HCL renderer prints as blocks."""
    if os.environ.get("SYNTH_HCL_OUTPUT") == "true":
        blocks = [{"condition": condition, "error_message": message} for condition, message in conditions]
        element.add_override("lifecycle", {"value": {"postcondition": {"value": blocks, "isBlock": True, "type": "list"}}, "isBlock": True, "type": "simple"})
    else:
        element.lifecycle = TerraformResourceLifecycle(postcondition=[Postcondition(condition=c, error_message=m) for c, m in conditions])


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
    "add_postconditions",
    "is_unresolved",
]
