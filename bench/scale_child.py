"""One measurement of the scaling benchmark, run in its own process:
N services (service, HTTP listener with a fixed response, association) in one
service network, one stack. Prints one JSON line."""
from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _descendants_peak_mb() -> float:
    """Peak resident memory of this process's live descendants: jsii's Node process,
    and on jsii's own start the kernel behind its relay (a grandchild)."""
    parents: dict[int, int] = {}
    peaks: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
            parents[int(entry.name)] = int(status["PPid"])
            peaks[int(entry.name)] = int(status.get("VmHWM", "0 kB").split()[0]) / 1024
        except (OSError, ValueError, KeyError):
            continue
    ours: set[int] = set()
    frontier = {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - ours
        ours |= frontier
    return sum(peaks[pid] for pid in ours)


def main(count: int) -> None:
    started = time.perf_counter()
    from constructs_lib.lattice import (
        FixedResponse,
        LatticeQuotas,
        LatticeService,
        LatticeServiceProps,
        Listener,
        ListenerProps,
        ServiceNetwork,
        ServiceNetworkProps,
        declare_quotas,
    )
    from constructs_lib.runtime import aws
    from constructs_lib.runtime.cdk import App
    from constructs_lib.runtime.naming import ReadableIdsStack

    imported = time.perf_counter()
    with tempfile.TemporaryDirectory() as outdir:
        app = App(outdir=outdir)
        declare_quotas(app, LatticeQuotas(service_associations_per_service_network=max(500, count)))
        stack = ReadableIdsStack(app, "scale")
        aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
        network = ServiceNetwork(stack, "network", ServiceNetworkProps(name="scale-network"))
        for index in range(count):
            service = LatticeService(stack, f"svc{index}", LatticeServiceProps(name=f"service-{index}"))
            Listener(stack, f"svc{index}-http", ListenerProps(name="http", service=service, default_action=FixedResponse(404)))
            network.associate_service(f"svc{index}", service=service.arn)
        app.synth()
        resources = sum(len(v) for v in json.loads((Path(outdir) / "stacks" / "scale" / "cdk.tf.json").read_text())["resource"].values())
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "services": count,
                "resources": resources,
                "import_s": imported - started,
                "synth_s": done - imported,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + _descendants_peak_mb(),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
