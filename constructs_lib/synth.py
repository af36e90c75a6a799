"""Synthesize an app so that a failure leaves no partial output directory behind."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .cdk import App


def synth_atomically(build: Callable[[str], App], outdir: str | Path) -> Path:
    """Build and synthesize into a scratch directory beside ``outdir``, then move it
    into place. If ``build`` or the synth raises, ``outdir`` is left as it was."""
    outdir = Path(outdir).resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        build(str(scratch)).synth()
        if outdir.exists():
            shutil.rmtree(outdir)
        scratch.rename(outdir)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return outdir
