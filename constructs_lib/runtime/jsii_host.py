"""How jsii's Node process is started: one process on a direct channel, loading the
AWS provider's JavaScript modules on first use.

Every cdktf and AWS binding call is a request from Python to a Node process that runs
the jsii kernel. Stock jsii starts ``node jsii-runtime.js``, a relay that starts a
second Node for the kernel (``lib/program.js``, which talks on its file descriptor 3)
and copies every request and every response between the two: each round trip crosses
four pipes and the relay's event loop (~0.35 ms, against ~0.2 ms direct; the default
app makes ~2,500). And the kernel loads the AWS provider's JavaScript index, which
``require``\\s all 2,135 resource modules (2.7 s) whether the app uses them or not, the Node side of what
``constructs_lib/runtime/aws.py`` avoids in Python.

``install()`` (called by ``cdk.py`` and ``aws.py`` before jsii starts) makes jsii start
the kernel directly, on a socket given to it as descriptor 3, with
``jsii_lazy_exports.js`` preloaded (each AWS module loads when first asked for). The
requests, the kernel and its answers are the same, so the synthesized output is the
same. The kernel's console output goes straight to this process's stdout and stderr.

``jsii_runtime_index.js`` is preloaded too: jsii writes a runtime index of each
cached assembly after its first full parse, on a worker thread that the kernel's
exit used to kill; the AWS provider's 120 MB assembly was parsed whole by every
process (~1 s) for want of it. The kernel's exit now waits for that worker (once
per assembly and machine; ``make install`` pays it: ``tools/warm_jsii.py``).

If jsii's layout is not the one this relies on (another jsii version), or the
platform has no POSIX shell to hand the socket over, jsii starts as it always does,
with a one-line warning in the first case. ``LATTICE_STOCK_JSII_HOST=1`` (or
``LATTICE_EAGER_AWS_IMPORT=1``, the benchmark's anchor) keeps jsii's own start.
"""
from __future__ import annotations

import atexit
import importlib.resources
import os
import platform
import socket
import subprocess
import warnings
from pathlib import Path
from typing import Any

import jsii._embedded.jsii as jsii_embedded
from jsii._kernel.providers import process as jsii_process
from jsii._runtime import kernel

STOCK_ENV = "LATTICE_STOCK_JSII_HOST"
EAGER_ENV = "LATTICE_EAGER_AWS_IMPORT"  # the stock everything: see aws.py
LAZY_EXPORTS = Path(__file__).with_name("jsii_lazy_exports.js")
RUNTIME_INDEX = Path(__file__).with_name("jsii_runtime_index.js")
PRELOADS = (LAZY_EXPORTS, RUNTIME_INDEX)
# How long stop() waits for the kernel to exit: past jsii_runtime_index.js's 30 s
# limit for an index still being written (seconds, once per assembly and machine).
EXIT_WAIT_S = 35
KERNEL_PROGRAM = "lib/program.js"
# The kernel's own choice of channel (lib/program.js): read and write on fd 3.
KERNEL_CHANNEL = "readFD:3,writeFD:3"
# What jsii's relay passes to Node for the kernel, and jsii's own heap setting.
NODE_ARGS = ("--max-old-space-size=4069", "--preserve-symlinks")
# Hands the socket (this shell's stdin) to Node as descriptor 3, stdin from /dev/null.
HAND_OVER = 'exec "$0" "$@" 3<&0 0</dev/null'

_installed = False


def _stock_reason(process: Any, embedded: Any) -> str | None:
    """None when jsii can be started directly, else why not (for the warning)."""
    cls = getattr(process, "_NodeProcess", None)
    needed = ("start", "stop", "send", "handshake", "_jsii_runtime")
    if cls is None or not all(hasattr(cls, name) for name in needed):
        return "jsii's _NodeProcess is not the expected one"
    files = getattr(embedded, "EMBEDDED_FILES", {})
    resource = next((name for name, path in files.items() if path == KERNEL_PROGRAM), None)
    if resource is None:
        return f"jsii embeds no {KERNEL_PROGRAM}"
    try:
        program = importlib.resources.files(embedded).joinpath(resource).read_text(encoding="utf-8")
    except OSError as error:
        return f"jsii's {KERNEL_PROGRAM} cannot be read ({error})"
    if KERNEL_CHANNEL not in program:
        return f"jsii's kernel no longer talks on descriptor 3 ({KERNEL_CHANNEL!r} not in {KERNEL_PROGRAM})"
    return None


class DirectNodeProcess(jsii_process._NodeProcess):
    """jsii's process, started as the kernel itself on a socket (no relay)."""

    _channel: socket.socket

    def start(self) -> None:
        environ = os.environ.copy()
        environ["JSII_AGENT"] = f"Python/{platform.python_version()}"
        node = environ.get("JSII_NODE", "node")
        runtime = Path(self._jsii_runtime())  # writes jsii's embedded files, returns bin/jsii-runtime.js
        program = runtime.parent.parent / KERNEL_PROGRAM
        preloads = [arg for preload in PRELOADS for arg in ("--require", str(preload))]
        ours, kernels = socket.socketpair()
        try:
            process = subprocess.Popen(
                ["/bin/sh", "-c", HAND_OVER, node, *NODE_ARGS, *preloads, str(program)],
                stdin=kernels.fileno(),
                env=environ,
            )
        finally:
            kernels.close()
        self._channel = ours
        # jsii writes requests to the process's stdin and reads answers from its stdout.
        process.stdin = ours.makefile("wb")
        process.stdout = ours.makefile("rb")
        self._process = process
        atexit.register(self.stop)
        self.handshake()

    def stop(self) -> None:
        atexit.unregister(self.stop)
        process = getattr(self, "_process", None)
        if process is None or process.stdin is None or process.stdout is None:
            return
        if not process.stdin.closed:
            try:
                process.stdin.write(b'{"exit":0}\n')
                process.stdin.close()
            except OSError:  # the kernel is gone already
                pass
        try:
            process.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            process.terminate()
        process.stdout.close()
        self._channel.close()
        self._ctx_stack.close()


def install() -> bool:
    """Start jsii directly from now on (before its first request). True when it will."""
    global _installed
    if _installed:
        return True
    if os.environ.get(STOCK_ENV) == "1" or os.environ.get(EAGER_ENV) == "1" or os.name != "posix" or "JSII_RUNTIME" in os.environ:
        return False
    reason = _stock_reason(jsii_process, jsii_embedded)
    if reason is not None:
        warnings.warn(f"constructs_lib.runtime.jsii_host: {reason}; jsii starts as usual (slower, same output)", stacklevel=2)
        return False
    setattr(jsii_process, "_NodeProcess", DirectNodeProcess)  # what jsii's provider starts on its first request
    _installed = True
    return True


def kernel_process() -> subprocess.Popen[bytes]:
    """The Node process behind jsii in this process (started if it was not yet)."""
    process: subprocess.Popen[bytes] = getattr(kernel.provider, "_process")._process
    return process


def stop_kernel() -> None:
    """Stop this process's jsii kernel now (what exit would do); waits while it writes
    a runtime index. Nothing can call jsii afterwards."""
    getattr(kernel.provider, "_process").stop()


def is_direct() -> bool:
    """True when this process's jsii kernel was started by ``install()``'s way."""
    return isinstance(getattr(kernel.provider, "_process"), DirectNodeProcess)
