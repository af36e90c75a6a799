"""Run Terraform against synthesized stacks with no registry access.

The provider comes from a local filesystem mirror whose directory is given by the
environment variable ``LATTICE_TF_PROVIDER_MIRROR`` (the folder that holds
``registry.terraform.io/``). A private CLI config file with a ``filesystem_mirror``
block is written for each run and selected with ``TF_CLI_CONFIG_FILE``; nothing in
the user's own Terraform configuration is read or changed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MIRROR_ENV = "LATTICE_TF_PROVIDER_MIRROR"


class TerraformUnavailable(RuntimeError):
    """terraform or the provider mirror is missing."""


@dataclass(frozen=True)
class TerraformResult:
    command: str
    returncode: int
    stdout: str
    stderr: str


def mirror_dir() -> Path:
    value = os.environ.get(MIRROR_ENV)
    if not value:
        raise TerraformUnavailable(
            f"{MIRROR_ENV} is not set: point it at the provider mirror (the folder holding registry.terraform.io/)"
        )
    path = Path(value)
    if not any(path.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*")):
        raise TerraformUnavailable(f"{MIRROR_ENV}={value} holds no hashicorp/aws provider")
    return path


class OfflineTerraform:
    """Validates (and plans) stacks in scratch copies under ``workroot``."""

    def __init__(self, workroot: Path) -> None:
        self.terraform = shutil.which("terraform")
        if self.terraform is None:
            raise TerraformUnavailable("terraform is not on PATH")
        mirror = mirror_dir()
        self.workroot = Path(workroot)
        self.workroot.mkdir(parents=True, exist_ok=True)
        cache = self.workroot / "plugin-cache"
        cache.mkdir(exist_ok=True)
        self.cli_config = self.workroot / "terraform.rc"
        self.cli_config.write_text(
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n"
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
            f"plugin_cache_dir = {json.dumps(str(cache))}\n"
        )
        self.env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
        }

    def run(self, workdir: Path, *args: str) -> TerraformResult:
        proc = subprocess.run(
            [str(self.terraform), *args],
            cwd=workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return TerraformResult(" ".join(("terraform", *args)), proc.returncode, proc.stdout, proc.stderr)

    def prepare(self, stack_dir: Path, name: str) -> Path:
        """Copy a synthesized stack (JSON and assets) and ``terraform init`` it."""
        workdir = self.workroot / name
        if workdir.exists():
            shutil.rmtree(workdir)
        shutil.copytree(stack_dir, workdir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        result = self.run(workdir, "init", "-backend=false", "-input=false", "-no-color")
        if result.returncode != 0:
            raise AssertionError(f"{name}: terraform init failed:\n{result.stdout}\n{result.stderr}")
        return workdir

    def validate(self, stack_dir: Path, name: str) -> dict:
        workdir = self.prepare(stack_dir, name)
        result = self.run(workdir, "validate", "-json", "-no-color")
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"{name}: terraform validate printed no JSON:\n{result.stdout}\n{result.stderr}")
        return report


def describe_diagnostics(report: dict) -> str:
    lines = []
    for diag in report.get("diagnostics", []):
        where = diag.get("address") or (diag.get("range") or {}).get("filename", "")
        lines.append(f"{diag.get('severity')}: {where}: {diag.get('summary')}: {diag.get('detail', '')}")
    return "\n".join(lines)
