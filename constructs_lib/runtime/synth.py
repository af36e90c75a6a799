"""Synthesize an app into an output directory without ever losing anything else.

The output directory is replaced as a whole, atomically: the app is synthesized
into a scratch directory beside it, then swapped in. Because a replace deletes
what was there, :func:`check_outdir` allows it only for a directory that is
missing, empty, or that this project wrote itself: it carries the marker a synth
writes (``safe_io.ownership.FOLDER_MARKER``), holds no file git tracks, no ``.git``
and no Terraform state. Never a file, or a path the caller protects (the project,
its config, its state directory). A scratch directory left by a run that was
killed (it carries that run's process id) is removed by the next run.

This module imports no cdktf at load time, so a command line can check its output
directory before paying the bindings' start-up.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from safe_io.ownership import FolderMark, make_scratch, mark_folder, remove_stale_scratch, replaceable_folder_problem

from ..checkov import write_scan_baseline

if TYPE_CHECKING:
    from .cdk import App

MANIFEST = "manifest.json"
STACKS_FOLDER = "stacks"
# What Terraform keeps in a stack's working directory between runs (providers,
# module cache, the dependency lock file): moved into the new output for every
# stack that is still there, so a re-synth does not force a fresh `terraform init`.
TERRAFORM_WORKING_FILES = (".terraform", ".terraform.lock.hcl")
# Kernel file systems: nothing of ours belongs there, and writing can hang or fail oddly.
PSEUDO_FILE_SYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))


class UnsafeOutdir(ValueError):
    """Replacing the output directory could delete something that is not output."""

    def __init__(self, outdir: str | Path, rule: str) -> None:
        self.outdir = str(outdir)
        self.rule = rule
        super().__init__(f"{self.outdir!r}: {rule}")


def check_outdir(
    outdir: str | Path,
    *,
    keep: Mapping[str, Path] | None = None,
    keep_out_of: Mapping[str, Path] | None = None,
) -> Path:
    """The resolved ``outdir`` if replacing it can only replace what this project
    wrote; :class:`UnsafeOutdir` naming the rule otherwise.

    ``keep``: labelled paths the output directory may neither be nor contain (the
    current directory is always one). ``keep_out_of``: labelled directories it may
    not lie inside.
    """
    target = refuse_protected(outdir, keep=keep, keep_out_of=keep_out_of)
    problem = replaceable_folder_problem(Path(outdir), what="the output directory")
    if problem:
        raise UnsafeOutdir(outdir, problem)
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
    for system in PSEUDO_FILE_SYSTEMS:
        if target == system or system in target.parents:
            raise UnsafeOutdir(outdir, f"is in {system}, a kernel file system: choose a folder of your own")
    for ancestor in target.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise UnsafeOutdir(outdir, f"is below {ancestor}, which is a file, not a folder")
            break
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


def scratch_prefix(target: Path) -> str:
    """The name every scratch directory of a synth into ``target`` starts with."""
    return f".{target.name}."


def prepare_scratch(target: Path, mark: FolderMark) -> Path:
    """A new scratch directory beside ``target``, marked as this process's, after
    removing those that killed runs left; UnsafeOutdir when none can be made there."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_scratch(target.parent, scratch_prefix(target))
        return make_scratch(target.parent, scratch_prefix(target), what=mark.what, source=mark.source)
    except OSError as error:
        where = error.filename or target.parent
        raise UnsafeOutdir(target, f"cannot be written: {where}: {error.strerror or error}") from None


def synth_atomically(
    build: Callable[[str], "App"],
    outdir: str | Path,
    *,
    keep: Mapping[str, Path] | None = None,
    keep_out_of: Mapping[str, Path] | None = None,
    mark: FolderMark = FolderMark("synth output"),
) -> Path:
    """Build and synthesize into a scratch directory beside ``outdir``, then swap it
    in, marked with ``mark``. If ``build`` or the synth raises (or the process is
    interrupted), ``outdir`` is left as it was. ``outdir`` must pass
    :func:`check_outdir` (checked before the build and again before the swap),
    with the same ``keep`` and ``keep_out_of``."""
    target = check_outdir(outdir, keep=keep, keep_out_of=keep_out_of)
    scratch = prepare_scratch(target, mark)
    retired = target.parent / f"{scratch.name}.old"
    try:
        build(str(scratch)).synth()
        write_scan_baseline(scratch, target.name)
        check_outdir(target, keep=keep, keep_out_of=keep_out_of)
        if target.exists():
            _carry_over_terraform_files(target, scratch)
            # the retired output is scratch of this process until it is removed below
            mark_folder(target, FolderMark("scratch", f"the previous {mark.what}", os.getpid()))
            target.rename(retired)
        mark_folder(scratch, mark)
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


def deploy_waves(outdir: Path) -> list[list[str]]:
    """The stacks of a synthesized output in waves: each stack in the wave after the
    last of the stacks it depends on (names sorted within a wave), from cdktf's manifest."""
    manifest = json.loads((Path(outdir) / MANIFEST).read_text(encoding="utf-8"))
    sorter = TopologicalSorter({name: set(entry.get("dependencies", [])) for name, entry in manifest["stacks"].items()})
    sorter.prepare()
    waves: list[list[str]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        waves.append(ready)
        sorter.done(*ready)
    return waves


def deploy_order(outdir: Path) -> list[str]:
    """The stacks of a synthesized output in deploy order: wave by wave, each after
    the stacks it depends on."""
    return [name for wave in deploy_waves(outdir) for name in wave]


WAVE_NAMES_SHOWN = 8  # a wider wave (a topology of 100 accounts) is cut to a count


@dataclass(frozen=True)
class OutputSummary:
    """What a synth wrote: where, how many stacks and resources, in which deploy order."""

    outdir: Path
    waves: list[list[str]]
    resources: int

    @property
    def order(self) -> list[str]:
        return [name for wave in self.waves for name in wave]

    def lines(self, seconds: float) -> list[str]:
        shown = []
        for number, wave in enumerate(self.waves, start=1):
            names = ", ".join(wave[:WAVE_NAMES_SHOWN])
            more = f" and {len(wave) - WAVE_NAMES_SHOWN} more" if len(wave) > WAVE_NAMES_SHOWN else ""
            shown.append(f"  {number}. {names}{more}")
        return [
            f"synthesized {len(self.order)} stacks ({self.resources} resources) into {self.outdir} in {seconds:.1f} s",
            f"deploy order, {len(self.waves)} waves (a stack after those of earlier waves it depends on; "
            f"pipenv run python -m tools.stack_order {self.outdir} lists them all):",
            *shown,
            "next: npx cdktf diff <stack> to see a plan, npx cdktf deploy '*' to apply in that order, "
            "or pipenv run lattice_check curl --from <stack>/<vpc> http://<service>/ to ask who can call what",
        ]


def summarize(outdir: Path) -> OutputSummary:
    manifest = json.loads((Path(outdir) / MANIFEST).read_text(encoding="utf-8"))
    resources = 0
    for entry in manifest["stacks"].values():
        document = Path(outdir) / entry["synthesizedStackPath"]
        if document.suffix == ".json":
            resources += sum(len(group) for group in json.loads(document.read_text(encoding="utf-8")).get("resource", {}).values())
    return OutputSummary(Path(outdir), deploy_waves(outdir), resources)
