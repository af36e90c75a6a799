"""``make docs``: the generated parts of the docs, from the shipped config only.

    python -m tools.docs           # rewrite them
    python -m tools.docs --check   # exit 1, naming them, if any is not current

What is generated: README.md's config reference (app_config.reference) and its
lattice_check sessions (tools.readme_sessions), ``docs/lattice.svg`` (lattice_check
diagram) and ``docs/pipeline.example.yml`` (tools.pipeline). All of it comes from
``examples/lattice.toml`` synthesized into scratch space under ``.build/`` (never
from your lattice.toml, never from cdktf.out), and nothing is written unless all of
it was made: a session that cannot run stops the run with the files as they were.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from app_config.loader import load_config
from app_config.project import PROJECT_ROOT, SHIPPED_CONFIG
from safe_io import cli
from safe_io.ownership import SVG_FILE, YAML_FILE, make_scratch, remove_stale_scratch, write_file

from .clean import build_dir

README = PROJECT_ROOT / "README.md"
DIAGRAM = PROJECT_ROOT / "docs" / "lattice.svg"
PIPELINE_EXAMPLE = PROJECT_ROOT / "docs" / "pipeline.example.yml"
SCRATCH_PREFIX = "docs-"


def generated(outdir: Path) -> dict[Path, bytes]:
    """Every generated file, whole, from the shipped config's output ``outdir``."""
    from app_config.reference import rewritten
    from lattice_check import diagram as pictures
    from lattice_check.graph import Model
    from lattice_check.topology import Topology

    from .pipeline import render, workflow
    from .readme_sessions import render as run_sessions

    config = load_config(SHIPPED_CONFIG)
    shipped = SHIPPED_CONFIG.relative_to(PROJECT_ROOT)
    readme = run_sessions(rewritten(README.read_text(encoding="utf-8")), outdir)
    svg = pictures.svg(pictures.dot(pictures.build(Topology(Model.load(outdir)))))
    example = render(workflow(config, outdir, example=True), f"{shipped} and cdktf.out/manifest.json")
    return {
        README: readme.encode(),
        DIAGRAM: SVG_FILE.marked(svg, "make docs"),
        PIPELINE_EXAMPLE: YAML_FILE.marked(example.encode(), "make docs"),
    }


def synthesized_shipped_config(scratch: Path) -> Path:
    from main import build_app

    outdir = scratch / "cdktf.out"
    build_app(load_config(SHIPPED_CONFIG), str(outdir), project_root=scratch).synth()
    return outdir


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    build = build_dir()
    remove_stale_scratch(build, SCRATCH_PREFIX)
    scratch = make_scratch(build, SCRATCH_PREFIX, what="make docs")
    try:
        files = generated(synthesized_shipped_config(scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    stale = [path for path, data in files.items() if not path.exists() or path.read_bytes() != data]
    if check:
        for path in stale:
            print(f"{path.relative_to(PROJECT_ROOT)}: not current: run make docs", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        write_file(path, files[path])
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    if not stale:
        print("the docs were current: nothing written")
    return 0


if __name__ == "__main__":
    from tools.readme_sessions import FailedSession

    def run() -> int:
        try:
            return main(sys.argv[1:])
        except FailedSession as failed:
            print(f"error: {failed}; nothing was written", file=sys.stderr)
            return 2

    cli.run(run, name="make docs", interrupted="interrupted: nothing was written")
