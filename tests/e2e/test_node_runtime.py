"""jsii and the cdktf CLI run on a supported Node (22 or 24): the project's own,
installed by `make install` from the npm registry, whatever Node the machine has."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from constructs_lib.runtime.node_runtime import PROJECT_NODE
from tests.helpers import ROOT

SUPPORTED = (22, 24)  # what jsii names as supported on 2026-12-01
BANNER = re.compile(r"end-of-life|not supported anymore|DeprecationWarning", re.I)


def major(node: str) -> int:
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return int(version.lstrip("v").split(".")[0])


def test_the_project_node_is_a_supported_one() -> None:
    assert PROJECT_NODE.is_file(), "make install puts Node in node_modules (package.json: node)"
    assert major(str(PROJECT_NODE)) in SUPPORTED


def test_jsii_starts_on_it_without_any_silencing() -> None:
    """A fresh process that only imports the constructs: no banner, and jsii's Node is the project's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_") and k != "NODE_OPTIONS"}
    script = (
        "import os, constructs_lib.runtime.cdk\nfrom cdktf import Testing, TerraformOutput, TerraformStack\n"
        "stack = TerraformStack(Testing.app(), 's')\nTerraformOutput(stack, 'o', value='v')\nTesting.synth(stack)\n"
        "print(os.environ['JSII_NODE'])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == str(PROJECT_NODE)
    assert not BANNER.search(result.stderr), result.stderr[-2000:]


def test_npx_runs_the_cli_on_it() -> None:
    """`npx cdktf ...` (the README's commands) puts node_modules/.bin first: the CLI's `env node` is the project's."""
    result = subprocess.run(["npx", "--no-install", "node", "-e", "console.log(process.execPath)"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert os.path.realpath(result.stdout.strip()) == os.path.realpath(PROJECT_NODE)
    shebang = (ROOT / "node_modules" / ".bin" / "cdktf").read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert shebang == "#!/usr/bin/env node"


def test_the_cli_native_module_has_a_build_for_this_node() -> None:
    """The cdktf CLI loads node-pty, whose builds stop at some Node ABI: the project's Node must be one of them (why 22, not 24)."""
    abi, platform = subprocess.run(
        [str(PROJECT_NODE), "-p", "process.versions.modules + ' ' + process.platform + '-' + process.arch"], capture_output=True, text=True, check=True
    ).stdout.split()
    builds = ROOT / "node_modules" / "@cdktf" / "node-pty-prebuilt-multiarch" / "prebuilds" / platform
    assert (builds / f"node.abi{abi}.node").is_file(), f"no node-pty build for ABI {abi}: {sorted(p.name for p in builds.iterdir())}"
