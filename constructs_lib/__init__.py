"""Reusable constructs of lattice-cdktf (see README, "constructs_lib: construct reference")."""
from .runtime import node_runtime  # noqa: F401  (first: jsii must start on a supported Node)
