"""Where things live in the project: the one home of these paths. No cdktf import,
so the command line can check its inputs before the bindings load."""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SOURCES = PROJECT_ROOT / "lambda"
DEFAULT_OUTDIR = "cdktf.out"
DEFAULT_STATE_DIR = "terraform-state"
# Top-level folders of the project that local state must never live in, and why.
NOT_FOR_STATE = {
    ".git": "git's own data",
    LAMBDA_SOURCES.name: "the Lambda sources, zipped into every function package",
    DEFAULT_OUTDIR: "the default output directory, replaced by every synth",
    ".venv": "removed by `make clean`",
    "node_modules": "removed by `make clean`",
}
