"""lattice-cdktf: read the config, ask the pattern registry for the stacks, synth.

    pipenv run python main.py [--config lattice.toml] [--outdir cdktf.out]

The cdktf CLI runs this file (see cdktf.json) and passes the output directory in
CDKTF_OUTDIR. Bad input (config, output directory) exits with status 2 and a
message naming every problem, before the AWS bindings load, and nothing is written.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from app_config.loader import ConfigError, load_config
from app_config.schema import LatticeConfig
from constructs_lib.runtime.synth import UnsafeOutdir, check_outdir, refuse_protected
from lattice_model.backends import LocalBackendConfig
from lattice_model.project import DEFAULT_CONFIG_FILE, DEFAULT_OUTDIR, LAMBDA_SOURCES, PROJECT_ROOT, SHIPPED_CONFIG
from safe_io import cli
from safe_io.ownership import FolderMark

if TYPE_CHECKING:
    from constructs_lib.runtime.cdk import App


def build_app(
    config: LatticeConfig, outdir: str, *, project_root: Path = PROJECT_ROOT, progress: Callable[[str], None] | None = None
) -> "App":
    """Every stack of every enabled pattern (found through the pattern registry),
    with deploy order declared between them. Local state is anchored at
    ``project_root``, whatever ``outdir`` is. ``progress`` hears a line per
    pattern built (a topology of 100 accounts takes a while)."""
    # Imported here: loading cdktf and the AWS bindings takes ~20 s, and a bad
    # config should be reported before paying that.
    from accounts.base import Deployment
    from constructs_lib.runtime.cdk import App

    app = App(outdir=outdir)
    deployment = Deployment.of(config, outdir, project_root)
    for spec in config.enabled_patterns():
        started = time.monotonic()
        spec.build(app, deployment, config)
        if progress is not None:
            stacks = len(spec.stack_names(spec.settings_of(config)))
            progress(f"  {spec.name}: {stacks} stack{'s' if stacks != 1 else ''} built in {time.monotonic() - started:.1f} s")
    return app


class OutputGuard:
    """What the output directory must never be, given this config: the project or
    an ancestor of it, the config file, the state directory, or anything inside
    ``.git``, the Lambda sources or the state directory."""

    def __init__(self, config: LatticeConfig, config_file: Path, project_root: Path = PROJECT_ROOT) -> None:
        self.config_file = str(config_file)
        backend = config.backend
        self.state_setting = backend.state_dir if isinstance(backend, LocalBackendConfig) else None
        self.state_dir = project_root / self.state_setting if self.state_setting is not None else None
        self.keep = {"the project": project_root, "the config file": config_file}
        self.keep_out_of = {"the project's .git": project_root / ".git", "the Lambda sources": project_root / LAMBDA_SOURCES.name}
        if self.state_dir is not None:
            self.keep["the state directory"] = self.state_dir
            self.keep_out_of["the state directory"] = self.state_dir

    def check(self, outdir: str | Path) -> Path:
        """The resolved output directory. ConfigError when the config's state
        directory lies inside an output directory that is otherwise fine (the state
        setting is what to change), UnsafeOutdir for every other refusal."""
        others = {label: path for label, path in self.keep.items() if path != self.state_dir}
        target = refuse_protected(outdir, keep=others)
        if self.state_dir is not None and target in self.state_dir.resolve().parents:
            raise ConfigError(
                self.config_file,
                [
                    f"backend.state_dir = {self.state_setting!r}: is inside the output directory {outdir}, "
                    "which every synth replaces: keep state outside it (default: terraform-state)"
                ],
            )
        return check_outdir(outdir, keep=self.keep, keep_out_of=self.keep_out_of)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        default=os.environ.get("LATTICE_CONFIG") or DEFAULT_CONFIG_FILE,
        help="config file (default: $LATTICE_CONFIG or %(default)s)",
    )
    parser.add_argument(
        "--outdir",
        default=None,
        help=f"output directory, replaced as a whole, and only if lattice-cdktf wrote it (default: $CDKTF_OUTDIR or {DEFAULT_OUTDIR})",
    )
    args = parser.parse_args(argv)
    if args.outdir is not None:
        outdir, outdir_source = args.outdir, "--outdir"
    elif os.environ.get("CDKTF_OUTDIR"):
        outdir, outdir_source = os.environ["CDKTF_OUTDIR"], "CDKTF_OUTDIR"
    else:
        outdir, outdir_source = DEFAULT_OUTDIR, "--outdir"
    try:
        config = load_config(args.config)
    except ConfigError as error:
        if args.config == DEFAULT_CONFIG_FILE and not Path(args.config).exists():
            shipped = SHIPPED_CONFIG.relative_to(PROJECT_ROOT)
            print(f"error: {args.config}: no such file: copy {shipped} to {args.config} and put your account ids in it (make synth does the copy once)", file=sys.stderr)
        else:
            print(f"error: {error}", file=sys.stderr)
        return 2
    guard = OutputGuard(config, Path(args.config))
    try:
        guard.check(outdir)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except UnsafeOutdir as refused:
        print(f"error: {outdir_source} = {refused.outdir!r}: {refused.rule}", file=sys.stderr)
        return 2
    from constructs_lib.runtime.synth import summarize, synth_atomically

    started = time.monotonic()
    stacks = sum(len(spec.stack_names(spec.settings_of(config))) for spec in config.enabled_patterns())
    print(f"building {stacks} stacks from {args.config} (loading the AWS bindings first: a few seconds) ...", flush=True)
    def say(line: str) -> None:
        print(line, flush=True)

    def build(scratch: str) -> "App":
        app = build_app(config, scratch, progress=say)
        say(f"writing the Terraform JSON of {stacks} stacks ...")
        return app

    try:
        written = synth_atomically(
            build, outdir, keep=guard.keep, keep_out_of=guard.keep_out_of,
            mark=FolderMark("synth output", args.config),
        )
    except UnsafeOutdir as refused:
        print(f"error: {outdir_source} = {refused.outdir!r}: {refused.rule}", file=sys.stderr)
        return 2
    for line in summarize(written).lines(time.monotonic() - started):
        print(line)
    return 0


if __name__ == "__main__":
    cli.run(main, name="main.py", interrupted="interrupted: the output directory is as it was")
