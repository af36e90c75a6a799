"""Synth cost side by side, scaling, and Terraform time per stack.

    pipenv run python bench/synth_bench.py                  # the table (a few minutes)
    pipenv run python bench/synth_bench.py --scale 1 10 100 1000   # adds the 1,000-service run

Three cold figures, each the median of fresh processes (jsii starts Node and loads
the provider assembly each time): the eager import of the AWS bindings (what every
cdktf Python app that imports them pays: the anchor), the fast floor (a one-resource
app through constructs_lib.runtime.aws), and the whole default app (`python main.py`); then
the seed 000/001 app the ratio targets were set on, and the whole app again on
jsii's own start (its relay and the provider's eager JavaScript index, without
constructs_lib/runtime/jsii_host.py). Peak memory is the measured process's maximum resident set plus
that of every process below it (jsii's Node, and on jsii's own start the kernel behind
its relay).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's modules
from constructs_lib.runtime.jsii_host import STOCK_ENV as STOCK_HOST_ENV  # noqa: E402
from constructs_lib.runtime.node_runtime import use_project_node  # noqa: E402
from lattice_model.project import SHIPPED_CONFIG  # noqa: E402
from tools.node_scratch import use_node_scratch  # noqa: E402

use_project_node()  # every measured process runs jsii on the project's Node
use_node_scratch("lattice-bench-node-")  # Testing.synth's cdktf.outdir.* directories go, with it, at exit
# The anchor: the package's own __init__, which imports every resource module.
EAGER_IMPORT = "import cdktf, cdktf_cdktf_provider_aws"
# The floor: the smallest app through the light load, synthesized.
FAST_FLOOR = """
import sys
from constructs_lib.runtime import aws
from constructs_lib.runtime.cdk import App, TerraformStack
app = App(outdir=sys.argv[1])
stack = TerraformStack(app, "floor")
aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
app.synth()
"""


def emit(*lines: str) -> str:
    """Print rows as they are measured: a long run shows progress and keeps what it got."""
    for line in lines:
        print(line, flush=True)
    return lines[-1] if lines else ""


def cold(args: list[str], **extra_env: str) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, **extra_env))
    return time.perf_counter() - start


# The app the ratio targets were set on: the seed 000 and 001 patterns (8 stacks),
# the later patterns switched off in a copy of the default config.
LATER_PATTERNS = ("microservices", "ingress", "multicluster")


def first_patterns_config(scratch: str) -> str:
    import tomllib

    text = (SHIPPED_CONFIG).read_text()
    enabled = tomllib.loads(text)["patterns"]
    lines, section = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]")
        elif section in {f"patterns.{name}" for name in LATER_PATTERNS} and stripped.replace(" ", "") == "enabled=true":
            line = "enabled = false"
        lines.append(line)
    assert all(enabled[name]["enabled"] for name in LATER_PATTERNS), "the default config changed: update LATER_PATTERNS"
    path = Path(scratch, "first-patterns.toml")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def resources_in(outdir: Path) -> int:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return sum(
        len(group)
        for entry in manifest["stacks"].values()
        for group in json.loads((outdir / entry["synthesizedStackPath"]).read_text()).get("resource", {}).values()
    )


def side_by_side(runs: int, scratch: str) -> list[str]:
    eager, floor, whole, first, stock = [], [], [], [], []
    config = first_patterns_config(scratch)
    for run in range(runs):
        eager.append(cold([sys.executable, "-c", EAGER_IMPORT]))
        floor.append(cold([sys.executable, "-c", FAST_FLOOR, f"{scratch}/floor{run}"]))
        whole.append(cold([sys.executable, "main.py", "--config", str(SHIPPED_CONFIG), "--outdir", f"{scratch}/app{run}/cdktf.out"]))
        first.append(cold([sys.executable, "main.py", "--config", config, "--outdir", f"{scratch}/first{run}/cdktf.out"]))
        # the same app on jsii's own start (its relay, the eager JavaScript index): what constructs_lib/runtime/jsii_host.py saves
        stock.append(cold([sys.executable, "main.py", "--config", str(SHIPPED_CONFIG), "--outdir", f"{scratch}/stock{run}/cdktf.out"], **{STOCK_HOST_ENV: "1"}))
    eager_s, floor_s, whole_s, first_s, stock_s = (statistics.median(values) for values in (eager, floor, whole, first, stock))
    app, first_app = Path(scratch, "app0", "cdktf.out"), Path(scratch, "first0", "cdktf.out")
    stacks, first_stacks = (len(list(Path(out, "stacks").iterdir())) for out in (app, first_app))
    rows = [
        f"| eager import of the AWS bindings (`import cdktf_cdktf_provider_aws`: the anchor), median of {runs} | {eager_s:.2f} s |",
        f"| fast floor: a one-resource app through `constructs_lib.runtime.aws`, synthesized, median of {runs} | {floor_s:.2f} s |",
        f"| `python main.py`: the whole default app ({stacks} stacks, {resources_in(app)} resources), median of {runs} | {whole_s:.2f} s |",
        f"| ratio whole app / eager import (target <= 0.4) | {whole_s / eager_s:.2f} |",
        f"| ratio whole app / fast floor (target <= 1.3) | {whole_s / floor_s:.2f} |",
        f"| the seed 000/001 app the targets were set on ({first_stacks} stacks, {resources_in(first_app)} resources), median of {runs} | {first_s:.2f} s |",
        f"| its ratios: / eager import, / fast floor | {first_s / eager_s:.2f}, {first_s / floor_s:.2f} |",
        f"| the whole default app on jsii's own start (`{STOCK_HOST_ENV}=1`), median of {runs} | {stock_s:.2f} s |",
    ]
    emit(*rows)
    return rows


def testing_synth_per_stack() -> list[str]:
    from accounts.base import AccountStack
    from app_config.loader import load_config
    from constructs_lib.runtime.cdk import Testing
    from main import build_app

    with tempfile.TemporaryDirectory() as outdir:
        app = build_app(load_config(SHIPPED_CONFIG), outdir)
        rows = []
        for stack in app.node.children:
            if not isinstance(stack, AccountStack):
                continue
            start = time.perf_counter()
            Testing.synth(stack)
            rows.append(emit(f"| `Testing.synth` {stack.stack_name} | {time.perf_counter() - start:.3f} s |"))
    return rows


def scaling(counts: list[int]) -> list[str]:
    rows = ["", "| services in one network | resources | synth (after import) | per resource | peak memory (Python + Node) |", "|---|---|---|---|---|"]
    emit(*rows)
    # the last row again on jsii's own start: the per-request cost of its relay, and its memory
    for count, label, env in [*((count, str(count), {}) for count in counts), (counts[-1], f"{counts[-1]} on jsii's own start", {STOCK_HOST_ENV: "1"})]:
        child = [sys.executable, str(ROOT / "bench" / "scale_child.py"), str(count)]
        out = subprocess.run(child, capture_output=True, text=True, check=True, env=dict(os.environ, **env))
        m = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(emit(f"| {label} | {m['resources']} | {m['synth_s']:.2f} s | {1000 * m['synth_s'] / m['resources']:.1f} ms | {m['peak_mb']:.0f} MB |"))
    return rows


def terraform_per_stack() -> list[str]:
    from lattice_check.backends import remote_state_producers
    from tools.mock_apply import run_mocked
    from tools.terraform_offline import OfflineTerraform, TerraformUnavailable

    try:
        with tempfile.TemporaryDirectory() as work:
            terraform = OfflineTerraform(Path(work) / "tf")
            subprocess.run([sys.executable, "main.py", "--config", str(SHIPPED_CONFIG), "--outdir", f"{work}/out"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            manifest = json.loads(Path(work, "out", "manifest.json").read_text())
            dirs = {n: Path(work, "out", e["workingDirectory"]) for n, e in manifest["stacks"].items()}
            stacks = {n: json.loads((d / "cdk.tf.json").read_text()) for n, d in dirs.items()}
            producers = remote_state_producers(stacks)
            rows = ["", "| stack | terraform validate | mocked plan + apply |", "|---|---|---|"]
            emit(*rows)
            for name, directory in dirs.items():
                start = time.perf_counter()
                terraform.validate_many({name: directory})
                validate = time.perf_counter() - start
                # a reader needs its producers' outputs, and nothing more
                own = {k: v for k, v in producers.items() if k[0] == name}
                start = time.perf_counter()
                report = run_mocked(terraform, {name: directory}, own, stacks)
                mocked = time.perf_counter() - start
                rows.append(emit(f"| {name} | {validate:.1f} s | {mocked:.1f} s{'' if report.passed else ' (FAILED)'} |"))
            start = time.perf_counter()
            terraform.validate_many(dirs)
            all_validate = time.perf_counter() - start
            start = time.perf_counter()
            run_mocked(terraform, dirs, producers)
            rows.append(emit(f"| all {len(dirs)} in one run (what the tests do) | {all_validate:.1f} s | {time.perf_counter() - start:.1f} s |"))
            return rows
    except TerraformUnavailable as missing:
        return ["", f"terraform rows skipped: {missing}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold runs of each side-by-side figure (median reported)")
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10, 100], help="service counts for the scaling rows")
    parser.add_argument("--no-terraform", action="store_true", help="skip the terraform rows")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    emit("| measurement | value |", "|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        side_by_side(args.runs, scratch)
    testing_synth_per_stack()
    scaling(args.scale)
    if not args.no_terraform:
        terraform_per_stack()
    return 0


if __name__ == "__main__":
    sys.exit(main())
