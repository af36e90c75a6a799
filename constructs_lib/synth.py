"""Synthesize an app into an output directory without ever losing anything else.

The output directory is replaced as a whole, atomically: the app is synthesized
into a scratch directory beside it, then swapped in. Because a replace deletes
what was there, :func:`check_outdir` allows it only for a directory that is
missing, empty, or holds an earlier synth's output (a cdktf ``manifest.json``) with
no Terraform state in it; never a file, a folder holding ``.git``, or a path the
caller protects (the project, its config, its state directory).

This module imports no cdktf at load time, so a command line can check its output
directory before paying the bindings' start-up.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from .checkov import write_scan_baseline

if TYPE_CHECKING:
    from .cdk import App

MANIFEST = "manifest.json"
STACKS_FOLDER = "stacks"
# What Terraform keeps in a stack's working directory between runs (providers,
# module cache, the dependency lock file): moved into the new output for every
# stack that is still there, so a re-synth does not force a fresh `terraform init`.
TERRAFORM_WORKING_FILES = (".terraform", ".terraform.lock.hcl")


class UnsafeOutdir(ValueError):
    """Replacing the output directory could delete something that is not output."""

    def __init__(self, outdir: str | Path, rule: str) -> None:
        self.outdir = str(outdir)
        self.rule = rule
        super().__init__(f"{self.outdir!r}: {rule}")


def is_synth_output(directory: Path) -> bool:
    """True when ``directory`` holds a cdktf manifest (the mark of a synth output)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("stacks"), dict) and "version" in manifest


def _state_files(directory: Path) -> list[Path]:
    """Terraform state anywhere below ``directory``; ``.terraform/`` holds only backend
    settings (its ``terraform.tfstate`` is not state) and is skipped."""
    return sorted(
        path
        for pattern in ("*.tfstate", "*.tfstate.backup")
        for path in directory.rglob(pattern)
        if ".terraform" not in path.relative_to(directory).parts[:-1]
    )


def check_outdir(
    outdir: str | Path,
    *,
    keep: Mapping[str, Path] | None = None,
    keep_out_of: Mapping[str, Path] | None = None,
) -> Path:
    """The resolved ``outdir`` if replacing it can only replace an earlier synth
    output; :class:`UnsafeOutdir` naming the rule otherwise.

    ``keep``: labelled paths the output directory may neither be nor contain (the
    current directory is always one). ``keep_out_of``: labelled directories it may
    not lie inside.
    """
    target = refuse_protected(outdir, keep=keep, keep_out_of=keep_out_of)
    if not target.is_dir() or not any(target.iterdir()):
        return target
    if (target / ".git").exists():
        raise UnsafeOutdir(outdir, "holds a .git folder: the output directory is replaced as a whole")
    if not is_synth_output(target):
        raise UnsafeOutdir(
            outdir,
            f"is not empty and holds no earlier synth output (no cdktf {MANIFEST}): only a missing or empty "
            "directory, or a previous output, is replaced",
        )
    state = _state_files(target)
    if state:
        raise UnsafeOutdir(
            outdir,
            f"holds Terraform state ({state[0].relative_to(target)}) that a new synth would delete: move it out first",
        )
    return target


def refuse_protected(
    outdir: str | Path,
    *,
    keep: Mapping[str, Path] | None = None,
    keep_out_of: Mapping[str, Path] | None = None,
) -> Path:
    """The first half of :func:`check_outdir`: where the directory is, not what it holds."""
    target = Path(outdir).resolve()
    if target.exists() and not target.is_dir():
        raise UnsafeOutdir(outdir, "is a file, not a directory: the output directory is replaced as a whole")
    protected = {**(keep or {}), "the current directory": Path.cwd()}
    for label, path in protected.items():
        kept = path.resolve()
        if target == kept or target in kept.parents:
            what = "is" if target == kept else "contains"
            raise UnsafeOutdir(
                outdir, f"{what} {label} ({kept}): the output directory is replaced as a whole; choose a new or empty folder"
            )
    for label, path in (keep_out_of or {}).items():
        outer = path.resolve()
        if outer in target.parents:
            raise UnsafeOutdir(outdir, f"is inside {label} ({outer}): choose a folder outside it")
    return target


def synth_atomically(
    build: Callable[[str], "App"],
    outdir: str | Path,
    *,
    keep: Mapping[str, Path] | None = None,
    keep_out_of: Mapping[str, Path] | None = None,
) -> Path:
    """Build and synthesize into a scratch directory beside ``outdir``, then swap it
    in. If ``build`` or the synth raises, ``outdir`` is left as it was. ``outdir``
    must pass :func:`check_outdir` (checked before the build and again before the
    swap), with the same ``keep`` and ``keep_out_of``."""
    target = check_outdir(outdir, keep=keep, keep_out_of=keep_out_of)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    retired = target.parent / f"{scratch.name}.old"
    try:
        build(str(scratch)).synth()
        write_scan_baseline(scratch, target.name)
        check_outdir(target, keep=keep, keep_out_of=keep_out_of)
        if target.exists():
            _carry_over_terraform_files(target, scratch)
            target.rename(retired)
        scratch.rename(target)
    finally:
        for leftover in (scratch, retired):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
    return target


def _carry_over_terraform_files(old: Path, new: Path) -> None:
    old_stacks, new_stacks = old / STACKS_FOLDER, new / STACKS_FOLDER
    if not old_stacks.is_dir() or not new_stacks.is_dir():
        return
    for stack_dir in new_stacks.iterdir():
        for name in TERRAFORM_WORKING_FILES:
            previous = old_stacks / stack_dir.name / name
            if previous.exists() and not (stack_dir / name).exists():
                previous.rename(stack_dir / name)
