"""The Makefile looks for the provider mirror only for the targets that run
terraform, and only once (cached)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT


def make(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LATTICE_TF_PROVIDER_MIRROR"}
    return subprocess.run(["make", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def finder(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for scripts/find-provider-mirror that counts its calls."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    calls = tmp_path / "calls"
    script = tmp_path / "find"
    script.write_text(f"#!/bin/sh\necho x >> {calls}\nexec {ROOT / 'scripts' / 'find-provider-mirror'} \"$@\"\n")
    script.chmod(0o755)
    return script, calls


def test_help_and_synth_never_search_for_the_mirror(finder) -> None:
    script, calls = finder
    for target in ("help", "-n synth", "-n diff"):
        result = make(*target.split(), f"FIND_MIRROR={script}", cwd=ROOT)
        assert result.returncode == 0, result.stderr
    assert not calls.exists()


def test_terraform_targets_use_the_cached_mirror(finder, tmp_path: Path) -> None:
    script, calls = finder
    mirror = tmp_path / "mirror"
    binary = mirror / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64" / "terraform-provider-aws_v5.100.0"
    binary.parent.mkdir(parents=True)
    binary.write_text("")
    cache = tmp_path / "cache"
    cache.write_text(f"{mirror}\n")
    result = make("-n", "test", f"FIND_MIRROR={script}", f"MIRROR_CACHE={cache}", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f'LATTICE_TF_PROVIDER_MIRROR="{mirror}"' in result.stdout
    assert calls.read_text().count("x") == 1
    binary.unlink()  # a stale cache is not trusted: the script searches again
    stale = subprocess.run([str(ROOT / "scripts" / "find-provider-mirror"), str(cache)], capture_output=True, text=True, timeout=120)
    assert stale.stdout.strip() != str(mirror)
