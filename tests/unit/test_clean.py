"""make clean removes what the build wrote, with the proof, and stops before anything
if a folder it would remove holds Terraform state or files git tracks."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from safe_io.ownership import FolderMark, mark_folder
from tests.helpers import ROOT, git_repository
from tools.clean import CACHEDIR_TAG, build_dir, clean


def a_built_project(root: Path) -> dict[str, Path]:
    """A project folder as a few builds leave it."""
    made = {}
    for name, mark in (("cdktf.out", "synth output"), (".build", "the build's scratch space")):
        made[name] = root / name
        made[name].mkdir(parents=True)
        mark_folder(made[name], FolderMark(mark))
        (made[name] / "file").write_text("x")
    made["example"] = root / "examples.out" / "service"
    made["example"].mkdir(parents=True)
    mark_folder(made["example"], FolderMark("example output", "examples.service"))
    made[".venv"] = root / ".venv"
    (made[".venv"] / "bin").mkdir(parents=True)
    (made[".venv"] / ".installed").write_text("")
    made[".pytest_cache"] = root / ".pytest_cache"
    made[".pytest_cache"].mkdir()
    (made[".pytest_cache"] / "CACHEDIR.TAG").write_text(CACHEDIR_TAG + "\n")
    made["scratch"] = root / ".cdktf.out.dead1234"
    made["scratch"].mkdir()
    mark_folder(made["scratch"], FolderMark("scratch", "synth output", 2**22 + 12345))  # no such process
    return made


def test_clean_removes_only_what_carries_proof(tmp_path: Path, capsys) -> None:
    root = tmp_path / "project"
    made = a_built_project(root)
    elsewhere = tmp_path / "node-packages"
    elsewhere.mkdir()
    (elsewhere / "keep").write_text("x")
    (root / "node_modules").symlink_to(elsewhere)
    unmarked = root / "examples.out" / "mine"
    unmarked.mkdir()
    (unmarked / "notes.txt").write_text("mine")
    live = root / ".cdktf.out.live"
    live.mkdir()
    mark_folder(live, FolderMark("scratch", "synth output", os.getpid()))
    (root / "lattice.toml").write_text("region = 'eu-west-1'\n")
    assert clean(root) == 0, "what is not the build's is left, and that is no failure"
    out, err = capsys.readouterr()
    for path in made.values():
        assert not path.exists(), path
    assert not (root / "node_modules").exists() and (elsewhere / "keep").exists(), "a link goes, never what it points to"
    assert (unmarked / "notes.txt").read_text() == "mine"
    assert "left examples.out/mine: nothing shows the build wrote it" in err
    assert live.exists(), "scratch of a run still going is kept"
    assert (root / "lattice.toml").exists()
    assert "removed cdktf.out (its .written-by-lattice-cdktf (synth output))" in out


def test_clean_stops_before_anything_when_state_is_inside(tmp_path: Path, capsys) -> None:
    root = tmp_path / "project"
    made = a_built_project(root)
    (made[".build"] / "state").mkdir()
    (made[".build"] / "state" / "distributed-service-account.tfstate").write_text('{"version": 4}')
    assert clean(root) == 1
    err = capsys.readouterr().err
    assert err == "make clean: .build holds Terraform state (.build/state/distributed-service-account.tfstate): move it out first; nothing was removed\n"
    assert all(path.exists() for path in made.values())


def test_clean_stops_before_anything_when_git_tracks_a_file_inside(tmp_path: Path, capsys) -> None:
    root = tmp_path / "project"
    made = a_built_project(root)
    git_repository(root)  # everything committed, cdktf.out/file included
    assert clean(root) == 1
    assert "cdktf.out holds files git tracks (cdktf.out/" in capsys.readouterr().err
    assert all(path.exists() for path in made.values())


def test_build_dir_is_made_with_its_marker_and_an_old_one_is_used_as_it_is(tmp_path: Path) -> None:
    from safe_io.ownership import folder_mark

    assert folder_mark(build_dir(tmp_path / "new")) == FolderMark("the build's scratch space")
    old = tmp_path / "old" / ".build"
    old.mkdir(parents=True)
    (old / "provider-mirror").write_text("/opt\n")
    assert build_dir(tmp_path / "old") == old and folder_mark(old) is None


def test_make_clean_runs_on_the_systems_python_without_the_virtualenv(tmp_path: Path) -> None:
    """It must work after .venv is gone: standard library only."""
    code = "import sys; import tools.clean; print(sorted(m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml', 'cdktf', 'jsii')))"
    base = getattr(sys, "_base_executable", sys.executable)
    result = subprocess.run([base, "-S", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
