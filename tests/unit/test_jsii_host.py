"""jsii's Node process is the kernel itself, on a direct channel, with the AWS
provider's JavaScript modules loaded on first use (constructs_lib/runtime/jsii_host.py and
jsii_lazy_exports.js); anything unexpected gets jsii's own start."""
from __future__ import annotations

import json
import os
import subprocess
import time
import types
import warnings
from pathlib import Path

import pytest
from jsii._kernel.providers import process as jsii_process

from constructs_lib.runtime import aws, cdk, jsii_host
from constructs_lib.runtime.node_runtime import PROJECT_NODE


def test_the_kernel_is_started_directly_with_the_lazy_preload() -> None:
    stack = cdk.TerraformStack(cdk.Testing.app(), "host")
    aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
    assert json.loads(cdk.Testing.synth(stack))["resource"]["aws_vpc"]["vpc"]["cidr_block"] == "10.0.0.0/16"
    assert jsii_host.is_direct()
    node = jsii_host.kernel_process()
    argv = Path(f"/proc/{node.pid}/cmdline").read_bytes().split(b"\0")
    assert b"--require" in argv and str(jsii_host.LAZY_EXPORTS).encode() in argv
    assert argv[-2].endswith(b"lib/program.js"), argv  # the kernel, not jsii's relay (bin/jsii-runtime.js)
    status = dict(line.split(":\t", 1) for line in Path(f"/proc/{node.pid}/status").read_text().splitlines() if ":\t" in line)
    assert int(status["PPid"]) == os.getpid(), "the shell that handed the socket over exec'd into Node"
    children = Path(f"/proc/{node.pid}/task/{node.pid}/children").read_text().split()
    assert children == [], "no second Node behind it"


def _fake(**attributes: object) -> types.SimpleNamespace:
    return types.SimpleNamespace(**attributes)


class _Process:
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def send(self) -> None: ...
    def handshake(self) -> None: ...
    def _jsii_runtime(self) -> None: ...


def test_what_makes_it_keep_jsiis_own_start(tmp_path: Path) -> None:
    import jsii._embedded.jsii as embedded

    assert jsii_host._stock_reason(jsii_process, embedded) is None
    assert jsii_host._stock_reason(_fake(), embedded) == "jsii's _NodeProcess is not the expected one"
    assert jsii_host._stock_reason(_fake(_NodeProcess=_Process), _fake(EMBEDDED_FILES={"x": "bin/x.js"})) == "jsii embeds no lib/program.js"


def test_a_kernel_on_another_channel_keeps_jsiis_own_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "embedded"
    package.mkdir()
    (package / "__init__.py").write_text("EMBEDDED_FILES = {'lib__program.js': 'lib/program.js'}\n")
    (package / "lib__program.js").write_text("new SyncStdio({readFD:0,writeFD:1})")
    monkeypatch.syspath_prepend(str(tmp_path))
    import embedded  # type: ignore[import-not-found]

    reason = jsii_host._stock_reason(_fake(_NodeProcess=_Process), embedded)
    assert reason == "jsii's kernel no longer talks on descriptor 3 ('readFD:3,writeFD:3' not in lib/program.js)"


def test_install_warns_once_and_leaves_jsii_alone_when_the_layout_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsii_host, "_installed", False)
    monkeypatch.setattr(jsii_host, "_stock_reason", lambda process, embedded: "jsii's _NodeProcess is not the expected one")
    monkeypatch.setattr(jsii_process, "_NodeProcess", jsii_process._NodeProcess)  # restored after the test
    before = jsii_process._NodeProcess
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert jsii_host.install() is False
    assert [str(w.message) for w in caught] == [
        "constructs_lib.runtime.jsii_host: jsii's _NodeProcess is not the expected one; jsii starts as usual (slower, same output)"
    ]
    assert jsii_process._NodeProcess is before


@pytest.mark.parametrize("variable", ["LATTICE_STOCK_JSII_HOST", "LATTICE_EAGER_AWS_IMPORT"])
def test_the_stock_start_on_request(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsii_host, "_installed", False)
    monkeypatch.setattr(jsii_process, "_NodeProcess", jsii_process._NodeProcess)
    monkeypatch.setenv(variable, "1")
    before = jsii_process._NodeProcess
    assert jsii_host.install() is False and jsii_process._NodeProcess is before


# A provider-shaped package: its index exports three modules, each recording its load.
INDEX = '''"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.vpc = exports.subnet = exports.lambdaFunction = void 0;
exports.vpc = require("./vpc");
exports.subnet = require("./subnet");
exports.lambdaFunction = require("./lambda-function");
//# sourceMappingURL=index.js.map
'''
PROBE = """
globalThis.loaded = [];
const index = require(process.argv[1]);
const before = [...globalThis.loaded];
const keys = Object.keys(index);
const vpc = index.vpc.Vpc;
console.log(JSON.stringify({ before, keys, after: [...globalThis.loaded], same: index.vpc.Vpc === vpc}));
"""


def _package(root: Path, index: str) -> Path:
    lib = root / "node_modules" / "@cdktf" / "provider-aws" / "lib"
    for name in ("vpc", "subnet", "lambda-function"):
        (lib / name).mkdir(parents=True)
        (lib / name / "index.js").write_text(
            f"globalThis.loaded.push({name!r});\nexports.Vpc = class Vpc {{}};\n"
        )
    (lib / "index.js").write_text(index)
    return lib / "index.js"


def _probe(index: Path, preload: bool) -> dict:
    args = [str(PROJECT_NODE), *(["--require", str(jsii_host.LAZY_EXPORTS)] if preload else []), "-e", PROBE, str(index)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_provider_index_loads_each_module_on_first_use(tmp_path: Path) -> None:
    lazy = _probe(_package(tmp_path, INDEX), preload=True)
    assert lazy["before"] == [] and lazy["after"] == ["vpc"] and lazy["same"] is True
    eager = _probe(_package(tmp_path / "eager", INDEX), preload=False)
    assert eager["before"] == ["vpc", "subnet", "lambda-function"]
    assert lazy["keys"] == eager["keys"] and sorted(lazy["keys"]) == ["lambdaFunction", "subnet", "vpc"]  # all listed, same order


def test_an_index_of_another_shape_is_loaded_unchanged(tmp_path: Path) -> None:
    other = INDEX.replace('exports.subnet = require("./subnet");', 'Object.assign(exports, { subnet: require("./subnet") });')
    assert _probe(_package(tmp_path, other), preload=True)["before"] == ["vpc", "subnet", "lambda-function"]


def test_the_use_strict_directive_stays_first() -> None:
    script = f"console.log(require({json.dumps(str(jsii_host.LAZY_EXPORTS))}).lazySource(process.argv[1]))"
    result = subprocess.run([str(PROJECT_NODE), "-e", script, INDEX], capture_output=True, text=True, timeout=60, check=True)
    lines = result.stdout.rstrip().splitlines()
    assert lines[0] == '"use strict";' and lines[1].startswith("const __lazyExport = require(")
    assert lines[-2:] == ['__lazyExport(exports, "lambdaFunction", () => require("./lambda-function"));', "//# sourceMappingURL=index.js.map"]


# jsii_runtime_index.js: the kernel's exit waits for jsii's runtime-index builder.
# A stand-in worker sleeps, then writes a file; the main thread exits at once.
# Like jsii's, it writes its file under a temporary name in the cache entry, then renames it.
SLOW_WORKER = """
const fs = require("fs");
const path = require("path");
const { workerData } = require("worker_threads");
const temporary = path.join(workerData.packageDir, `.jsii.runtime-defs.v1.jsonl.${process.pid}.tmp`);
fs.writeFileSync(temporary, "being written");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.sleepMs);
fs.renameSync(temporary, workerData.marker);
"""
EXIT_AT_ONCE = """
const path = require("path");
const { Worker } = require("worker_threads");
const [worker, marker, sleepMs, waitMs] = process.argv.slice(1);
if (waitMs) require(process.env.PRELOAD).limits.waitMs = Number(waitMs);
new Worker(worker, { workerData: { packageDir: path.dirname(marker), marker, sleepMs: Number(sleepMs) } });
process.exit(3);
"""


def _exit_while_a_worker_runs(tmp_path: Path, worker_name: str, *, preload: bool, sleep_ms: int = 700, wait_ms: int | None = None) -> tuple[bool, float]:
    """(whether the worker finished its write, seconds until the process ended)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    worker, marker = tmp_path / worker_name, tmp_path / f"{worker_name}.done"
    worker.write_text(SLOW_WORKER)
    args = [str(PROJECT_NODE), *(["--require", str(jsii_host.RUNTIME_INDEX)] if preload else []), "-e", EXIT_AT_ONCE]
    args += [str(worker), str(marker), str(sleep_ms), *([str(wait_ms)] if wait_ms is not None else [])]
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, env=dict(os.environ, PRELOAD=str(jsii_host.RUNTIME_INDEX)))
    elapsed = time.perf_counter() - start
    assert result.returncode == 3, result.stderr  # the exit code the kernel asked for, after the wait too
    return marker.exists(), elapsed


def test_the_kernels_exit_waits_for_the_runtime_index_worker(tmp_path: Path) -> None:
    assert _exit_while_a_worker_runs(tmp_path / "stock", "runtime-index-worker.js", preload=False)[0] is False, "process.exit ends the worker"
    finished, elapsed = _exit_while_a_worker_runs(tmp_path, "runtime-index-worker.js", preload=True)
    assert finished and elapsed >= 0.7


def test_other_workers_and_a_stuck_index_do_not_hold_the_exit(tmp_path: Path) -> None:
    assert _exit_while_a_worker_runs(tmp_path, "other-worker.js", preload=True)[0] is False
    finished, elapsed = _exit_while_a_worker_runs(tmp_path / "stuck", "runtime-index-worker.js", preload=True, sleep_ms=20_000, wait_ms=300)
    assert not finished and elapsed < 10, "at most the limit, then the exit goes ahead"
    assert list((tmp_path / "stuck").glob("*.tmp")) == [], "and the write cut off leaves no temporary file"


def test_an_index_build_removes_what_writers_no_longer_running_left(tmp_path: Path) -> None:
    # Left by a kernel killed while it wrote: its pid runs no more (above any pid_max).
    dead = tmp_path / ".jsii.runtime-defs.v1.jsonl.999999999.tmp"
    writing = tmp_path / f".jsii.runtime-index.v1.{os.getpid()}.tmp"  # a writer still running
    unrelated = tmp_path / "notes.999999999.tmp"
    for path in (dead, writing, unrelated):
        path.write_text("left")
    finished, _ = _exit_while_a_worker_runs(tmp_path, "runtime-index-worker.js", preload=True)
    assert finished
    assert sorted(p.name for p in tmp_path.glob("*.tmp")) == sorted([writing.name, unrelated.name])


def test_the_kernel_preloads_the_index_wait_and_stop_outwaits_it() -> None:
    stack = cdk.TerraformStack(cdk.Testing.app(), "preloads")
    aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
    cdk.Testing.synth(stack)
    argv = Path(f"/proc/{jsii_host.kernel_process().pid}/cmdline").read_bytes().split(b"\0")
    assert [argv[i + 1] for i, arg in enumerate(argv) if arg == b"--require"] == [str(p).encode() for p in jsii_host.PRELOADS]
    limit = subprocess.run(
        [str(PROJECT_NODE), "-e", f"console.log(require({json.dumps(str(jsii_host.RUNTIME_INDEX))}).limits.waitMs)"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert jsii_host.EXIT_WAIT_S > int(limit.stdout) / 1000
