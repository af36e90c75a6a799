"""The AWS bindings load through constructs_lib.runtime.aws only: the light load (jsii
assembly, then each resource module on first use, in Python and in jsii's Node
process, started directly by constructs_lib.runtime.jsii_host, its types read through
jsii's runtime index) gives byte-identical output to the package's own eager import
on jsii's own start with the whole assembly parsed, which is also the fallback when
the installed bindings look different."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = "cdktf_cdktf_provider_aws"
PROJECT_DIRS = ("accounts", "app_config", "constructs_lib", "examples", "lattice_check", "tools", "tests", "bench")

# Synthesizes the default app into argv[1] and prints how the bindings were loaded.
SYNTH = """
import sys, json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import constructs_lib.runtime.aws as aws
import main
from constructs_lib.runtime import jsii_host
code = main.main(["--config", "examples/lattice.toml", "--outdir", sys.argv[1]])
print(json.dumps({"light": aws.LIGHT, "direct": jsii_host.is_direct(), "modules": sum(m.startswith("cdktf_cdktf_provider_aws.") for m in sys.modules),
                  "warnings": [str(w.message) for w in caught], "code": code}))
"""
# The same, after making the layout check see a package without its jsii assembly.
FALLBACK = """
import importlib.util
_real = importlib.util.find_spec
def _find_spec(name, *args):
    spec = _real(name, *args)
    if name == "cdktf_cdktf_provider_aws" and spec is not None:
        spec.submodule_search_locations = ["/nonexistent"]
    return spec
importlib.util.find_spec = _find_spec
""" + SYNTH


def run(script: str, outdir: Path, **extra_env: str) -> dict:
    env = dict(os.environ, **extra_env)
    env.pop("CDKTF_OUTDIR", None)
    result = subprocess.run([sys.executable, "-c", script, str(outdir)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_light_and_eager_loads_synthesize_the_same_bytes(tmp_path: Path) -> None:
    light = run(SYNTH, tmp_path / "light" / "cdktf.out")
    # the eager import on jsii's own relay and the provider's eager JavaScript index:
    # every speed-up off at once, what any cdktf Python app gets; without jsii's package
    # cache, so the kernel parses the whole assembly (no runtime index: jsii_runtime_index.js)
    eager = run(FALLBACK, tmp_path / "eager" / "cdktf.out", LATTICE_STOCK_JSII_HOST="1", JSII_RUNTIME_PACKAGE_CACHE="disabled")
    assert light["light"] is True and light["direct"] is True and light["warnings"] == [] and light["code"] == 0
    used = {kind for stack in tree(tmp_path / "light" / "cdktf.out") if stack.endswith("cdk.tf.json")
            for section in ("resource", "data") for kind in json.loads((tmp_path / "light" / "cdktf.out" / stack).read_text()).get(section, {})}
    # each resource module comes with its _private module; the provider and _jsii too
    assert light["modules"] <= 2 * (len(used) + 2), "only the resource modules the app uses"
    assert eager["light"] is False and eager["direct"] is False and eager["code"] == 0
    assert eager["modules"] > 2000, "the package's own __init__ imported every module"
    assert eager["warnings"] == [
        f"constructs_lib.runtime.aws: /nonexistent has no _jsii/ with a jsii assembly; importing all of {PACKAGE} (slower, same output)"
    ]
    first, second = tree(tmp_path / "light" / "cdktf.out"), tree(tmp_path / "eager" / "cdktf.out")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_no_project_file_imports_the_bindings_but_constructs_lib_aws() -> None:
    offenders = []
    for directory in PROJECT_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if path == ROOT / "constructs_lib" / "runtime" / "aws.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(name == PACKAGE or name.startswith(f"{PACKAGE}.") for name in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in (ROOT / "main.py",):
        assert PACKAGE not in path.read_text()
    assert offenders == [], "import the AWS bindings through constructs_lib.runtime.aws"


# Loads the bindings in a process of its own; argv[1] "bare" leaves out the preload
# that makes the kernel's exit wait for jsii's runtime index (the control).
LOAD = """
import sys
from constructs_lib.runtime import jsii_host
if sys.argv[1] == "bare":
    jsii_host.PRELOADS = (jsii_host.LAZY_EXPORTS,)
from constructs_lib.runtime import aws, cdk
stack = cdk.TerraformStack(cdk.Testing.app(), "s")
aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
print(cdk.Testing.synth(stack).count("10.0.0.0/16"))
"""


def test_the_package_cache_gets_the_aws_runtime_index_and_later_loads_read_it(tmp_path: Path) -> None:
    env = dict(os.environ, JSII_RUNTIME_PACKAGE_CACHE_ROOT=str(tmp_path / "package-cache"))

    def entry() -> Path:
        (found,) = (tmp_path / "package-cache" / "@cdktf" / "provider-aws").glob("*/*")
        return found

    def load(mode: str) -> str:
        result = subprocess.run([sys.executable, "-c", LOAD, mode], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout.strip()

    assert load("bare") == "1"
    assert (entry() / ".jsii").is_file() and not (entry() / ".jsii.runtime.v1.json").exists(), "the kernel's exit ended the index builder"
    warm = subprocess.run([sys.executable, "-m", "tools.warm_jsii"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert warm.returncode == 0 and warm.stdout.startswith("jsii: cdktf and AWS provider assemblies loaded in "), warm.stderr[-3000:]
    manifests = sorted(str(p.relative_to(tmp_path / "package-cache")).split("/")[0] for p in (tmp_path / "package-cache").rglob(".jsii.runtime.v1.json"))
    assert manifests == ["@cdktf", "cdktf", "constructs"]
    (entry() / ".jsii").unlink()  # the 120 MB assembly: a load that still works read the index instead
    assert load("preloaded") == "1"
