"""Where things live in the project: the one home of these paths, and of the list
of folders that commands of this project delete or replace. No import beyond the
standard library: the command line checks its inputs before the bindings load, and
``make clean`` reads the same list with the system's Python."""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SOURCES = PROJECT_ROOT / "lambda"
# The user's config (git ignores it: edit it freely) and the shipped one it starts
# from, which the tests, the docs and the matrices read (never the user's).
DEFAULT_CONFIG_FILE = "lattice.toml"
SHIPPED_CONFIG = PROJECT_ROOT / "examples" / "lattice.toml"
DEFAULT_OUTDIR = "cdktf.out"
DEFAULT_STATE_DIR = "terraform-state"
EXAMPLES_OUTDIR = "examples.out"
BUILD_DIR = ".build"  # the build's own scratch: the provider mirror's cache, matrix variants, docs being made

# Folders at the top of the project that a command of this project deletes or
# replaces, and which one: `make clean` removes them (each only with the marker of
# what wrote it: tools/clean.py), and local state may never live in them.
GENERATED_FOLDERS = {
    DEFAULT_OUTDIR: "the default output directory, replaced by every synth and removed by `make clean`",
    EXAMPLES_OUTDIR: "the examples' output, each replaced by its example and removed by `make clean`",
    BUILD_DIR: "the build's scratch space, removed by `make clean`",
    ".venv": "the virtualenv, removed by `make clean`",
    "node_modules": "npm's packages, replaced by `npm ci` and removed by `make clean`",
    ".pytest_cache": "pytest's cache, emptied by `pytest --cache-clear` and removed by `make clean`",
}
# Scratch space of a synth into cdktf.out (`.cdktf.out.XXXX`), removed when it ends.
SCRATCH_PREFIX = f".{DEFAULT_OUTDIR}."

# Top-level folders of the project that local state must never live in, and why.
NOT_FOR_STATE = {
    ".git": "git's own data",
    LAMBDA_SOURCES.name: "the Lambda sources, zipped into every function package",
    **GENERATED_FOLDERS,
}


def not_for_state(top: str) -> str | None:
    """Why local state may not live under the top-level folder ``top``, or None."""
    if top in NOT_FOR_STATE:
        return NOT_FOR_STATE[top]
    if top.startswith(SCRATCH_PREFIX):
        return f"a synth's scratch space beside {DEFAULT_OUTDIR}, removed when the synth ends"
    return None
