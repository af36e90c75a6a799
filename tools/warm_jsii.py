"""Load the cdktf and AWS provider assemblies into jsii's package cache once, with
their runtime index, so the first synth after an install is as fast as the rest.

    pipenv run python -m tools.warm_jsii      # run by `make install`

jsii keeps each assembly it loads in its package cache and, after the first full
parse, writes a runtime index beside it; later loads then parse only the types they
use (the AWS provider's assembly is 120 MB). constructs_lib/runtime/jsii_runtime_index.js
makes the kernel's exit wait for that index; this command pays it at install time,
not on someone's first synth. Run again, it takes about as long as loading the
assemblies.
"""
from __future__ import annotations

import sys
import time


def main() -> int:
    start = time.perf_counter()
    from constructs_lib.runtime import aws, cdk, jsii_host  # noqa: F401  (loading them is the point)

    loaded = time.perf_counter()
    if not jsii_host.is_direct():  # jsii's own start: its exit is jsii's, index or not
        print(f"jsii: cdktf and AWS provider assemblies loaded in {loaded - start:.1f} s (jsii's own start)")
        return 0
    jsii_host.stop_kernel()  # waits while an index is being written
    print(
        f"jsii: cdktf and AWS provider assemblies loaded in {loaded - start:.1f} s, "
        f"kernel exited {time.perf_counter() - loaded:.1f} s later (runtime index written if it was missing)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
