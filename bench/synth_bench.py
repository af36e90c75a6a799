"""Cold synth of the whole app against the floor: a bare import of the AWS bindings.

Each measurement is a fresh Python process (that is what "cold" means: jsii starts
Node and loads the provider assembly every time). Prints a table and the ratio.

    pipenv run python bench/synth_bench.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import cdktf, cdktf_cdktf_provider_aws"


def timed(args: list[str]) -> float:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median is reported)")
    args = parser.parse_args()
    floors, synths = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            floors.append(timed([sys.executable, "-c", FLOOR]))
            synths.append(timed([sys.executable, "main.py", "--outdir", f"{scratch}/out{run}"]))
        stacks = len(list(Path(scratch, "out0", "stacks").iterdir()))
    floor, synth = statistics.median(floors), statistics.median(synths)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"| measurement ({args.runs} cold runs, median) | seconds |")
    print("|---|---|")
    print(f"| bare import of cdktf + AWS bindings (floor) | {floor:.2f} |")
    print(f"| `python main.py`: whole app, {stacks} stacks | {synth:.2f} |")
    print(f"| ratio synth / floor | {synth / floor:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
