"""What every example stack has: one AWS provider and readable Terraform names."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import App, Construct
from constructs_lib.runtime.naming import ReadableIdsStack
from constructs_lib.runtime.synth import UnsafeOutdir, synth_atomically
from lattice_model.project import DEFAULT_OUTDIR, LAMBDA_SOURCES, PROJECT_ROOT
from lattice_model.project import EXAMPLES_OUTDIR as EXAMPLES_FOLDER
from safe_io.cli import INTERRUPTED
from safe_io.ownership import FolderMark

REGION = "eu-west-1"
ACCOUNT = "111111111111"
EXAMPLES_OUTDIR = PROJECT_ROOT / EXAMPLES_FOLDER


def example_stack(app: App, name: str) -> ReadableIdsStack:
    stack = ReadableIdsStack(app, name)
    aws.provider.AwsProvider(stack, "aws", region=REGION, allowed_account_ids=[ACCOUNT])
    return stack


def small_vpc(scope: Construct, id: str, cidr: str = "10.0.0.0/24") -> tuple[aws.vpc.Vpc, list[str]]:
    """A VPC with two /28 subnets (enough for endpoints and gateways in examples)."""
    vpc = aws.vpc.Vpc(scope, id, cidr_block=cidr, tags={"Name": id})
    base = cidr.split("/")[0].rsplit(".", 1)[0]
    subnets = [
        aws.subnet.Subnet(scope, f"{id}-subnet-{i + 1}", vpc_id=vpc.id, cidr_block=f"{base}.{16 * i}/28").id for i in range(2)
    ]
    return vpc, subnets


def run(build: Callable[[str], App]) -> None:
    """``python -m examples.<name> [--outdir DIR]``: synthesize the example into its
    own directory, ``examples.out/<name>/`` by default, never the app's cdktf.out.
    Exits 2 with one line when the directory is refused, 130 on Ctrl-C."""
    try:
        status = _synthesize(build)
    except KeyboardInterrupt:
        print("example: interrupted: the output directory is as it was", file=sys.stderr)
        sys.exit(INTERRUPTED)
    if status:
        sys.exit(status)


def _synthesize(build: Callable[[str], App]) -> int:
    module = build.__module__
    if module == "__main__":  # python -m examples.<name>: the module's own name is in its spec
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        module = spec.name if spec is not None else sys.argv[0]
    name = module.rsplit(".", 1)[-1].removesuffix(".py")
    parser = argparse.ArgumentParser(description=f"synthesize the {name} example")
    parser.add_argument("--outdir", default=str(EXAMPLES_OUTDIR / name), help="output directory (default: %(default)s)")
    outdir = parser.parse_args().outdir
    keep = {"the project": PROJECT_ROOT}
    keep_out_of = {
        "the app's output directory": PROJECT_ROOT / DEFAULT_OUTDIR,
        "the project's .git": PROJECT_ROOT / ".git",
        "the Lambda sources": LAMBDA_SOURCES,
    }
    try:
        written = synth_atomically(build, outdir, keep=keep, keep_out_of=keep_out_of, mark=FolderMark("example output", f"examples.{name}"))
    except UnsafeOutdir as refused:
        print(f"error: --outdir = {refused.outdir!r}: {refused.rule}", file=sys.stderr)
        return 2
    print(f"synthesized the {name} example into {written}")
    return 0
