"""Only what this project wrote is ever replaced: an output directory must carry the
marker a synth writes, hold no file git tracks, no .git and no state; local state is
refused wherever a command of the project deletes; scratch left by a killed run is
removed by the next; examples go to their own folders."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from constructs_lib.runtime.synth import UnsafeOutdir, check_outdir, synth_atomically
from lattice_model.project import GENERATED_FOLDERS, SHIPPED_CONFIG
from safe_io.ownership import FOLDER_MARKER, FolderMark, folder_mark, mark_folder
from tests.helpers import ROOT, git_repository

# What `python main.py` needs up to the point where the bindings would load.
_APP_SOURCES = ("main.py", "app_config", "accounts", "constructs_lib", "lattice_check", "lattice_model", "lambda", "safe_io", "pins", "examples")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's command line in a scratch folder, a git work tree of
    its own with its files committed: if a refusal failed, only this copy could be lost."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in _APP_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    shutil.copy2(SHIPPED_CONFIG, copy / "lattice.toml")
    git_repository(copy)
    (copy / "terraform-state").mkdir()
    (copy / "terraform-state" / "distributed-service-account.tfstate").write_text('{"version": 4}')
    return copy


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".git" not in p.relative_to(root).parts[:2]
    }


def run_main(project: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    probe = (
        "import sys, main; code = main.main(sys.argv[1:]);"
        "assert 'jsii' not in sys.modules, 'the bindings were loaded'; sys.exit(code)"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("CDKTF_OUTDIR", "LATTICE_CONFIG")}
    environment.update(env or {})
    environment["PYTHONPATH"] = str(project)
    return subprocess.run(
        [sys.executable, "-c", probe, *args],
        cwd=cwd or project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["--outdir", "."], {}, "error: --outdir = '.': is the project ("),
        ([], {"CDKTF_OUTDIR": "."}, "error: CDKTF_OUTDIR = '.': is the project ("),
        (["--outdir", ".."], {}, "error: --outdir = '..': contains the project ("),
        (["--outdir", "lattice.toml"], {}, "error: --outdir = 'lattice.toml': is a file, not a directory"),
        (["--outdir", "terraform-state"], {}, "error: --outdir = 'terraform-state': is the state directory ("),
        (["--outdir", "terraform-state/out"], {}, "error: --outdir = 'terraform-state/out': is inside the state directory"),
        (["--outdir", "app_config"], {}, "error: --outdir = 'app_config': holds files git tracks (app_config/"),
        (["--outdir", "lambda/out"], {}, "error: --outdir = 'lambda/out': is inside the Lambda sources"),
        (["--outdir", ".git/out"], {}, "error: --outdir = '.git/out': is inside the project's .git"),
        (["--outdir", "lattice.toml/out"], {}, "error: --outdir = 'lattice.toml/out': is below "),
        (["--outdir", "/proc/self/out"], {}, "error: --outdir = '/proc/self/out': is in /proc, a kernel file system"),
        (["--outdir", "/dev/out"], {}, "error: --outdir = '/dev/out': is in /dev, a kernel file system"),
    ],
)
def test_main_refuses_an_outdir_that_is_not_output(project: Path, args: list[str], env: dict[str, str], message: str) -> None:
    before = tree(project.parent)
    result = run_main(project, *args, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1, "one line"
    assert tree(project.parent) == before, "nothing may be written, moved or deleted"


def test_a_tracked_folder_that_looks_like_an_output_is_refused(project: Path) -> None:
    """The issue's case: tests/fixtures/multicluster has a hand-written manifest.json
    with version and stacks, which once passed for an old output."""
    fixture = project / "fixture"
    fixture.mkdir()
    (fixture / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": {}}))
    subprocess.run(["git", "add", "fixture"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "fixture"], cwd=project, check=True)
    before = tree(project)
    result = run_main(project, "--outdir", "fixture")
    assert result.returncode == 2
    assert "holds files git tracks (fixture/manifest.json)" in result.stderr
    assert tree(project) == before
    # even with the marker of a synth output, what git tracks is never replaced
    mark_folder(fixture, FolderMark("synth output"))
    assert run_main(project, "--outdir", "fixture").returncode == 2


def test_the_real_tracked_fixture_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "--config", str(SHIPPED_CONFIG), "--outdir", "tests/fixtures/multicluster"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "holds files git tracks" in result.stderr


def test_a_folder_without_the_marker_is_refused_with_what_to_do(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "old-output"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": {}}))
    (other / "notes.txt").write_text("mine")
    result = run_main(project, "--outdir", str(other))
    assert result.returncode == 2
    assert f"has no {FOLDER_MARKER} marker, so lattice-cdktf did not write it" in result.stderr
    assert "remove it yourself" in result.stderr
    assert (other / "notes.txt").read_text() == "mine"


def test_main_refuses_a_folder_holding_git(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-checkout"
    (other / ".git").mkdir(parents=True)
    mark_folder(other, FolderMark("synth output"))
    before = tree(tmp_path)
    result = run_main(project, "--outdir", str(other))
    assert result.returncode == 2
    assert "holds a .git folder" in result.stderr
    assert tree(tmp_path) == before


def test_main_refuses_the_config_file_and_its_folder(project: Path, tmp_path: Path) -> None:
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    shutil.copy2(project / "lattice.toml", config_dir / "lattice.toml")
    result = run_main(project, "--config", str(config_dir / "lattice.toml"), "--outdir", str(config_dir))
    assert result.returncode == 2
    assert "contains the config file" in result.stderr
    assert (config_dir / "lattice.toml").exists()


def test_main_refuses_state_inside_the_output_directory(project: Path) -> None:
    config = (project / "lattice.toml").read_text().replace('type = "local"', 'type = "local"\nstate_dir = "build/state"', 1)
    (project / "lattice.toml").write_text(config)
    result = run_main(project, "--outdir", "build")
    assert result.returncode == 2
    assert "backend.state_dir = 'build/state': is inside the output directory build, which every synth replaces" in result.stderr
    assert not (project / "build").exists()


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    """A read-only checkout (root writes anywhere here, so the file system's answer is stood in)."""
    import errno

    import main
    from safe_io import ownership

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(ownership.tempfile, "mkdtemp", read_only)
    assert main.main(["--config", str(SHIPPED_CONFIG), "--outdir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"error: --outdir = {str(tmp_path / 'out')!r}: cannot be written: {tmp_path}: Read-only file system\n"


def test_an_empty_config_variable_is_taken_as_unset(project: Path) -> None:
    result = run_main(project, "--outdir", "lattice.toml", env={"LATTICE_CONFIG": ""})
    assert result.stderr.startswith("error: --outdir = 'lattice.toml': is a file"), result.stderr


def test_a_missing_default_config_says_where_the_shipped_one_is(project: Path) -> None:
    (project / "lattice.toml").unlink()
    result = run_main(project)
    assert result.returncode == 2
    assert result.stderr == (
        "error: lattice.toml: no such file: copy examples/lattice.toml to lattice.toml and put your account ids in it "
        "(make synth does the copy once)\n"
    )


@pytest.mark.parametrize(
    "state_dir, rule",
    [
        ("cdktf.out/state", "must not be inside cdktf.out/ (the default output directory, replaced by every synth and removed by `make clean`)"),
        ("lambda/state", "must not be inside lambda/ (the Lambda sources, zipped into every function package)"),
        (".git/state", "must not be inside .git/ (git's own data)"),
        (".venv", "must not be inside .venv/ (the virtualenv, removed by `make clean`)"),
        (".build/state", "must not be inside .build/ (the build's scratch space, removed by `make clean`)"),
        ("examples.out/state", "must not be inside examples.out/ (the examples' output, each replaced by its example and removed by `make clean`)"),
        (".pytest_cache/state", "must not be inside .pytest_cache/ (pytest's cache, emptied by `pytest --cache-clear` and removed by `make clean`)"),
        (".cdktf.out.abc123/state", "must not be inside .cdktf.out.abc123/ (a synth's scratch space beside cdktf.out, removed when the synth ends)"),
        ("../state", "must be a relative path inside the project, without '..' or control characters"),
    ],
)
def test_state_dir_is_refused_where_something_else_would_delete_or_publish_it(state_dir: str, rule: str) -> None:
    from app_config.loader import ConfigError, parse_config
    from tests.helpers import ACCOUNTS

    with pytest.raises(ConfigError) as caught:
        parse_config({"accounts": ACCOUNTS, "backend": {"type": "local", "state_dir": state_dir}})
    assert caught.value.problems == [f"backend.state_dir = {state_dir!r}: {rule}"]


def test_every_folder_make_clean_removes_is_refused_for_state() -> None:
    """One list: the folders make clean removes (tools/clean.py reads it) are the ones the config refuses."""
    from app_config.loader import ConfigError, parse_config
    from tests.helpers import ACCOUNTS
    from tools import clean

    assert set(GENERATED_FOLDERS) >= {"cdktf.out", "examples.out", ".build", ".venv", "node_modules", ".pytest_cache"}
    scratch = ROOT / "tmp-clean-probe"
    for name in GENERATED_FOLDERS:
        with pytest.raises(ConfigError):
            parse_config({"accounts": ACCOUNTS, "backend": {"type": "local", "state_dir": f"{name}/state"}})
    assert clean.candidates(scratch) == []
    makefile = (ROOT / "Makefile").read_text()
    assert "\nclean:\n\t@$(PYTHON) -m tools.clean\n" in makefile, "make clean removes through tools/clean.py only"
    assert "rm -rf" not in makefile


def test_state_files_are_git_ignored_wherever_state_dir_puts_them() -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    paths = [
        "terraform-state/distributed-service-account.tfstate",
        "distributed-service-account.tfstate",  # state_dir = "."
        "ops/state/shared-blue-account.tfstate",
        "ops/state/shared-blue-account.tfstate.backup",
        "ops/state/.shared-blue-account.tfstate.lock.info",
        "terraform.distributed-service-account.tfstate",  # cdktf's default local state
        "lattice.toml",  # the user's config
    ]
    result = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == paths


# The atomic replace itself, with a stand-in app (no bindings needed).
class FakeApp:
    def __init__(self, outdir: str, stacks: tuple[str, ...] = ("one",)) -> None:
        self.outdir, self.stacks = Path(outdir), stacks

    def synth(self) -> None:
        for stack in self.stacks:
            (self.outdir / "stacks" / stack).mkdir(parents=True)
            (self.outdir / "stacks" / stack / "cdk.tf.json").write_text("{}")
        manifest = {"version": "0.21.0", "stacks": {s: {"workingDirectory": f"stacks/{s}"} for s in self.stacks}}
        (self.outdir / "manifest.json").write_text(json.dumps(manifest))


def test_a_missing_or_empty_directory_is_created_or_filled_and_marked(tmp_path: Path) -> None:
    synth_atomically(FakeApp, tmp_path / "a" / "out")
    (tmp_path / "empty").mkdir()
    synth_atomically(FakeApp, tmp_path / "empty")
    for out in (tmp_path / "a" / "out", tmp_path / "empty"):
        assert (out / "stacks" / "one" / "cdk.tf.json").exists()
        assert folder_mark(out) == FolderMark("synth output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "empty"], "no scratch directory left behind"


def test_a_previous_output_is_replaced_and_terraform_working_files_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth_atomically(lambda d: FakeApp(d, ("one", "two")), out)
    (out / "stacks" / "one" / ".terraform" / "providers").mkdir(parents=True)
    (out / "stacks" / "one" / ".terraform" / "terraform.tfstate").write_text("{}")  # backend settings, not state
    (out / "stacks" / "one" / ".terraform.lock.hcl").write_text("# lock")
    (out / "stacks" / "two" / "stale.txt").write_text("x")
    synth_atomically(FakeApp, out)
    assert (out / "stacks" / "one" / ".terraform" / "providers").is_dir()
    assert (out / "stacks" / "one" / ".terraform.lock.hcl").read_text() == "# lock"
    assert not (out / "stacks" / "two").exists(), "a stack that is gone is gone"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_build_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth_atomically(FakeApp, out)
    before = tree(out)

    def broken(outdir: str) -> FakeApp:
        raise RuntimeError("bad construct")

    with pytest.raises(RuntimeError):
        synth_atomically(broken, out)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_output_holding_terraform_state_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth_atomically(FakeApp, out)
    (out / "stacks" / "one" / "terraform.tfstate").write_text('{"version": 4}')
    with pytest.raises(UnsafeOutdir, match=r"holds Terraform state \(stacks/one/terraform.tfstate\)"):
        synth_atomically(FakeApp, out)
    assert (out / "stacks" / "one" / "terraform.tfstate").exists()


def test_a_marker_this_project_did_not_write_is_no_proof(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for text in ('{"written_by": "someone-else", "what": "synth output"}', "not json", '{"what": "synth output"}'):
        (out / FOLDER_MARKER).write_text(text)
        with pytest.raises(UnsafeOutdir, match="did not write it"):
            check_outdir(out)
    (out / FOLDER_MARKER).unlink()
    (out / FOLDER_MARKER).mkdir()
    with pytest.raises(UnsafeOutdir, match="did not write it"):
        check_outdir(out)


def test_check_outdir_protects_the_current_directory_and_its_ancestors(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for outdir in (".", "..", str(tmp_path)):
        with pytest.raises(UnsafeOutdir, match="the current directory"):
            check_outdir(outdir)
    assert check_outdir("out") == work / "out"


def test_scratch_of_a_killed_synth_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """A synth killed with SIGKILL leaves .out.XXXX, marked with its (dead) process id."""
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; sys.path.insert(0, sys.argv[2]);"
            "from constructs_lib.runtime.synth import synth_atomically;"
            "synth_atomically(lambda d: time.sleep(60), sys.argv[1])"
        ), str(out), str(ROOT)],
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".out.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = list(tmp_path.glob(".out.*"))
    assert len(left) == 1 and folder_mark(left[0]) == FolderMark("scratch", "synth output", child.pid)
    # a folder of the same shape that someone else made is not touched
    theirs = tmp_path / ".out.theirs"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine")
    synth_atomically(FakeApp, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.theirs", "out"]
    assert (theirs / "keep.txt").read_text() == "mine"


def test_ctrl_c_during_a_synth_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = (
        "import sys, time; sys.path.insert(0, sys.argv[2]);"
        "from safe_io import cli; from constructs_lib.runtime.synth import synth_atomically;"
        "cli.run(lambda: synth_atomically(lambda d: time.sleep(60), sys.argv[1]) and 0, name='main.py',"
        " interrupted='interrupted: the output directory is as it was')"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(out), str(ROOT)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".out.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 130
    assert stderr == "main.py: interrupted: the output directory is as it was\n"
    assert list(tmp_path.iterdir()) == []


def test_examples_synthesize_into_their_own_folder(tmp_path: Path, monkeypatch) -> None:
    import examples._common as common
    from examples import service

    monkeypatch.setattr(common, "EXAMPLES_OUTDIR", tmp_path / "examples.out")
    monkeypatch.setattr(sys, "argv", ["service"])
    common.run(service.build)
    out = tmp_path / "examples.out" / "service"
    assert (out / "stacks" / "example-service" / "cdk.tf.json").exists()
    assert folder_mark(out) == FolderMark("example output", "examples.service")


def test_an_example_run_as_a_module_is_named_after_it(tmp_path: Path) -> None:
    """python -m examples.service once wrote examples.out/__main__/ for every example."""
    result = subprocess.run(
        [sys.executable, "-c", (
            "import runpy, sys, examples._common as c, pathlib;"
            "c.EXAMPLES_OUTDIR = pathlib.Path(sys.argv[1]); sys.argv = ['service'];"
            "runpy.run_module('examples.service', run_name='__main__', alter_sys=True)"
        ), str(tmp_path / "examples.out")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "examples.out").iterdir()] == ["service"]


def test_examples_refuse_the_apps_output_directory(monkeypatch, capsys) -> None:
    import examples._common as common
    from examples import service

    monkeypatch.setattr(sys, "argv", ["service", "--outdir", str(ROOT / "cdktf.out" / "service")])
    with pytest.raises(SystemExit) as stopped:
        common.run(service.build)
    assert stopped.value.code == 2
    assert "is inside the app's output directory" in capsys.readouterr().err


@pytest.mark.parametrize("outdir", ["cdktf.out", "build/out", "a/b/c/out", "../elsewhere/out"])
def test_local_state_stays_at_the_project_whatever_the_outdir(tmp_path: Path, outdir: str) -> None:
    from accounts.base import StateLayout
    from tests.helpers import make_config

    project = tmp_path / "project"
    layout = StateLayout.of(make_config(), project / outdir, project)
    location = layout.location("distributed-service-account")
    working_dir = (project / outdir / "stacks" / "distributed-service-account").resolve()
    assert (working_dir / location.path).resolve() == project / "terraform-state" / "distributed-service-account.tfstate"
    if outdir == "cdktf.out":
        assert location.path == "../../../terraform-state/distributed-service-account.tfstate"


def test_no_test_reads_the_users_config() -> None:
    """The tests read examples/lattice.toml: editing lattice.toml as the README says leaves make test green."""
    import re

    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path == Path(__file__):
            continue  # this test names what it looks for
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"ROOT\s*/\s*[\"']lattice\.toml[\"']|import .*DEFAULT_CONFIG_FILE", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
