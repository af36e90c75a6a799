"""A temporary directory of their own for the Node processes this process starts.

cdktf's ``Testing.synth`` makes a ``cdktf.outdir.*`` directory in Node's temporary
directory for every call and never removes it (~110 per test run, 1,758 had built up
in /tmp). Called before jsii starts Node, :func:`use_node_scratch` points TMPDIR at a
scratch directory that is removed when this process exits; the processes it starts
inherit it. No cdktf import."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def use_node_scratch(prefix: str) -> str:
    """Make a scratch directory TMPDIR for every process started from now on, and
    remove it at exit. Returns its path."""
    scratch = tempfile.mkdtemp(prefix=prefix)
    os.environ["TMPDIR"] = scratch
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return scratch
