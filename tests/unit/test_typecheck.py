"""constructs_lib is type-checked with mypy in strict mode (config: mypy.ini)."""
from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def test_constructs_lib_passes_mypy_strict() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout
