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
from typing import Any

# A `terraform validate -json` report: valid, error_count, warning_count, diagnostics.
Report = dict[str, Any]

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


BUILT_IN = {"terraform"}  # terraform_remote_state, terraform_data: no provider to install


def mirrored_providers(mirror: Path) -> set[str]:
    """The hashicorp providers the mirror holds (``aws`` here; no kubernetes, helm, http)."""
    return {path.name for path in (mirror / "registry.terraform.io" / "hashicorp").iterdir() if path.is_dir()}


def offline_part(document: dict[str, Any], available: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The part of a stack that Terraform can check with the ``available`` providers:
    ``document`` without the resources, data sources, provider blocks and outputs of
    the others (and dependencies on them); and what was left out (``type.name``)."""
    part = json.loads(json.dumps(document))

    def offline(kind: str) -> bool:
        return kind.split("_", 1)[0] in available | BUILT_IN

    removed: list[str] = []
    for section, prefix in (("resource", ""), ("data", "data.")):
        for kind in [k for k in part.get(section, {}) if not offline(k)]:
            removed.extend(f"{prefix}{kind}.{name}" for name in part[section].pop(kind))
        if section in part and not part[section]:
            del part[section]
    for section in ("resource", "data"):
        for bodies in part.get(section, {}).values():
            for body in bodies.values():
                if "depends_on" in body:
                    body["depends_on"] = [d for d in body["depends_on"] if d not in removed]
    for name in [n for n in part.get("provider", {}) if n not in available]:
        del part["provider"][name]
    required = part.get("terraform", {}).get("required_providers", {})
    for name in [n for n in required if n not in available]:
        del required[name]
    for name, output in list(part.get("output", {}).items()):
        if any(address in json.dumps(output) for address in removed):
            del part["output"][name]
            removed.append(f"output.{name}")
    return part, removed


class OfflineTerraform:
    """Validates (and plans) stacks in scratch copies under ``workroot``."""

    def __init__(self, workroot: Path) -> None:
        self.terraform = shutil.which("terraform")
        if self.terraform is None:
            raise TerraformUnavailable("terraform is not on PATH")
        mirror = mirror_dir()
        self.available = mirrored_providers(mirror)
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

    def validate(self, stack_dir: Path, name: str) -> Report:
        return self.validate_many({name: stack_dir})[name]

    def validate_many(self, stacks: dict[str, Path]) -> dict[str, Report]:
        """``terraform validate`` of several stacks in one Terraform run.

        Loading the provider's schema costs ~5 s per run whatever the size, so the
        stacks become local child modules of one scratch root (their backend blocks
        dropped: validate ignores backends anyway) and the diagnostics are split
        back per stack by file name. Returns a report per stack, shaped like
        ``terraform validate -json`` output, plus ``not_validated``: what needs a
        provider the mirror does not hold (offline_part), left out of the run.
        """
        root = self.workroot / f"validate-{len(list(self.workroot.glob('validate-*')))}"
        root.mkdir()
        providers: dict[str, Any] = {}
        left_out: dict[str, list[str]] = {}
        for name, stack_dir in stacks.items():
            shutil.copytree(stack_dir, root / name, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
            if not (root / name / "cdk.tf.json").exists():  # HCL (cdktf synth --hcl): used as is
                continue
            document, left_out[name] = offline_part(json.loads((root / name / "cdk.tf.json").read_text()), self.available)
            document.get("terraform", {}).pop("backend", None)
            document.get("terraform", {}).pop("cloud", None)  # an HCP Terraform workspace: validate reads no state either
            providers.update(document.get("terraform", {}).get("required_providers", {}))
            (root / name / "cdk.tf.json").write_text(json.dumps(document))
        providers = providers or {"aws": {"source": "hashicorp/aws"}}
        (root / "main.tf.json").write_text(
            json.dumps(
                {
                    "terraform": {"required_providers": providers},
                    "module": {name: {"source": f"./{name}"} for name in stacks},
                }
            )
        )
        init = self.run(root, "init", "-backend=false", "-input=false", "-no-color")
        if init.returncode != 0:
            raise AssertionError(f"terraform init failed:\n{init.stdout}\n{init.stderr}")
        result = self.run(root, "validate", "-json", "-no-color")
        try:
            combined = json.loads(result.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"terraform validate printed no JSON:\n{result.stdout}\n{result.stderr}")
        reports: dict[str, Report] = {
            name: {"valid": True, "error_count": 0, "warning_count": 0, "diagnostics": [], "not_validated": left_out.get(name, [])} for name in stacks
        }
        for diag in combined.get("diagnostics", []):
            filename = (diag.get("range") or {}).get("filename", "")
            owner = filename.split("/", 1)[0] if "/" in filename else None
            targets = [owner] if owner in reports else list(reports)  # unplaced: every stack sees it
            for name in targets:
                report = reports[name]
                report["diagnostics"].append(diag)
                if diag.get("severity") == "error":
                    report["valid"] = False
                    report["error_count"] += 1
                else:
                    report["warning_count"] += 1
        return reports


def describe_diagnostics(report: Report) -> str:
    lines = []
    for diag in report.get("diagnostics", []):
        where = diag.get("address") or (diag.get("range") or {}).get("filename", "")
        lines.append(f"{diag.get('severity')}: {where}: {diag.get('summary')}: {diag.get('detail', '')}")
    return "\n".join(lines)
