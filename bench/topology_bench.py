"""A generated topology at scale: synth and ``lattice_check verify``, time and peak memory.

    pipenv run python bench/topology_bench.py                      # 50 accounts, 500 services, 200 consumers
    pipenv run python bench/topology_bench.py --accounts 10 --services 50 --consumers 20

The layout: five hub networks, each owned by a networking account of its own; the
other accounts hold the services (round robin) and the consumer VPCs; a service
joins one hub (two for every tenth), a consumer associates with one hub and holds
three intents to services its hubs carry (one with a method and a path, one signed
by a role); every fourth consumer reaches a second hub through a service-network
endpoint. Synth runs in a child process (jsii's Node included in its peak
memory); verify runs in another, over every consumer x service pair.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HUBS = 5
OTHER_PATTERNS = ("distributed", "centralized", "shared", "microservices", "ingress", "multicluster")


def generated(accounts: int, services: int, consumers: int) -> dict[str, Any]:
    """The topology tables, as a TOML file would hold them."""
    names = [f"acct-{index:02d}" for index in range(accounts)]
    hubs = [f"hub-{index}" for index in range(HUBS)]
    owners = names[HUBS:] or names
    topology: dict[str, Any] = {
        "accounts": {name: {"id": f"8{index:011d}"} for index, name in enumerate(names)},
        "networks": {hub: {"owner": names[index % len(names)]} for index, hub in enumerate(hubs)},
        "services": {},
        "consumers": {},
        "access": [],
    }
    by_hub: dict[str, list[str]] = {hub: [] for hub in hubs}
    for index in range(services):
        name = f"svc{index:03d}"
        joined = [hubs[index % HUBS]] + ([hubs[(index + 1) % HUBS]] if index % 10 == 0 else [])
        topology["services"][name] = {"owner": owners[index % len(owners)], "networks": joined, "backends": {"main": {"lambda": "hello"}}}
        for hub in joined:
            by_hub[hub].append(name)
    for index in range(consumers):
        name = f"vpc{index:03d}"
        hub = hubs[index % HUBS]
        further = [hubs[(index + 1) % HUBS]] if index % 4 == 0 and HUBS > 1 else []  # every fourth: one more hub, through an endpoint
        topology["consumers"][name] = {"account": owners[(index * 7) % len(owners)], "networks": [hub], "endpoints": further, "vpc": {"number_azs": 1}}
        carried = sorted({*by_hub[hub], *(s for extra in further for s in by_hub[extra])})
        if not carried:
            continue
        account_id = topology["accounts"][topology["consumers"][name]["account"]]["id"]
        topology["access"] += [
            {"from": name, "to": carried[index % len(carried)]},
            {"from": name, "to": carried[(index + 1) % len(carried)], "methods": ["GET"], "paths": ["/items*"]},
            {"from": name, "to": carried[(index + 2) % len(carried)], "principals": [f"arn:aws:iam::{account_id}:role/app"]},
        ]
    return topology


SYNTH = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
start = time.perf_counter()
from app_config.loader import parse_config
from main import build_app
config = parse_config(json.loads(open(sys.argv[1]).read()))
checked = time.perf_counter()
build_app(config, sys.argv[2]).synth()
print(json.dumps({"check_s": checked - start, "synth_s": time.perf_counter() - checked}))
"""

VERIFY = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from app_config.loader import parse_config
from lattice_check.graph import Model
from lattice_check.verify import verify
start = time.perf_counter()
settings = parse_config(json.loads(open(sys.argv[1]).read())).patterns.topology
model = Model.load(__import__("pathlib").Path(sys.argv[2]))
loaded = time.perf_counter()
results = verify(settings, model)
print(json.dumps({"load_s": loaded - start, "verify_s": time.perf_counter() - loaded, "calls": len(results),
                  "failed": sum(not r.passed for r in results)}))
"""


# Runs the measured process and prints its peak RSS, Node's included: a parent of its
# own, so RUSAGE_CHILDREN holds that process (and what it waited for) alone.
PEAK = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("peak_kb", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def child(code: str, *args: str) -> tuple[dict[str, Any], float, float]:
    """Run ``code`` in a fresh process: its JSON line, wall time and peak RSS (MB)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-c", code, *args, str(ROOT)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1].split()[-1])
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall, peak_kb / 1024


def run(accounts: int, services: int, consumers: int) -> dict[str, Any]:
    topology = generated(accounts, services, consumers)
    with tempfile.TemporaryDirectory() as scratch:
        config = {
            "patterns": {**{name: {"enabled": False} for name in OTHER_PATTERNS}, "topology": {"enabled": True, **topology}}
        }
        config_path = Path(scratch, "config.json")
        config_path.write_text(json.dumps(config))
        out = Path(scratch, "cdktf.out")
        synth, synth_wall, synth_peak = child(SYNTH, str(config_path), str(out))
        stacks = json.loads((out / "manifest.json").read_text())["stacks"]
        resources = sum(
            len(group)
            for entry in stacks.values()
            for group in json.loads((out / entry["synthesizedStackPath"]).read_text()).get("resource", {}).values()
        )
        checked, verify_wall, verify_peak = child(VERIFY, str(config_path), str(out))
    pairs = consumers * services
    return {
        "accounts": accounts, "services": services, "consumers": consumers, "intents": len(topology["access"]),
        "stacks": len(stacks), "resources": resources,
        "synth_wall_s": synth_wall, "synth_s": synth["synth_s"], "synth_peak_mb": synth_peak,
        "pairs": pairs, "calls": checked["calls"], "failed": checked["failed"],
        "verify_wall_s": verify_wall, "verify_s": checked["verify_s"], "verify_peak_mb": verify_peak,
        "verify_us_per_pair": 1e6 * checked["verify_s"] / pairs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--consumers", type=int, default=200)
    args = parser.parse_args()
    result = run(args.accounts, args.services, args.consumers)
    print(json.dumps(result, indent=1))
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
