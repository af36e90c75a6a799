"""The stacks of a synthesized output in deploy order (each after the stacks it
depends on; ties by name), read from cdktf's manifest.json.

    python -m tools.stack_order cdktf.out     # one stack name per line
"""
from __future__ import annotations

import sys
from pathlib import Path

from constructs_lib.runtime.synth import deploy_order


def main(argv: list[str]) -> int:
    outdir = Path(argv[0] if argv else "cdktf.out")
    try:
        order = deploy_order(outdir)
    except (OSError, ValueError, KeyError) as problem:
        print(f"error: {outdir}/manifest.json: {problem}: synthesize first (make synth)", file=sys.stderr)
        return 2
    print("\n".join(order))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
