"""Nothing but an earlier synth output is ever replaced: the output directory guard,
the state directory rules, git-ignored state, and examples in their own folder."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.synth import UnsafeOutdir, check_outdir, synth_atomically
from tests.helpers import ROOT

# What `python main.py` needs up to the point where the bindings would load.
_APP_SOURCES = ("main.py", "lattice.toml", "app_config", "accounts", "constructs_lib", "lattice_check", "lambda")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's command line in a scratch folder, with a .git of its
    own: if a refusal failed, only this copy could be lost."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in _APP_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    (copy / ".git").mkdir()
    (copy / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (copy / "terraform-state").mkdir()
    (copy / "terraform-state" / "distributed-service-account.tfstate").write_text('{"version": 4}')
    return copy


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
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
        (["--outdir", "app_config"], {}, "error: --outdir = 'app_config': is not empty and holds no earlier synth output"),
        (["--outdir", "lambda/out"], {}, "error: --outdir = 'lambda/out': is inside the Lambda sources"),
        (["--outdir", ".git/out"], {}, "error: --outdir = '.git/out': is inside the project's .git"),
    ],
)
def test_main_refuses_an_outdir_that_is_not_output(project: Path, args: list[str], env: dict[str, str], message: str) -> None:
    before = tree(project.parent)
    result = run_main(project, *args, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1, "one line"
    assert tree(project.parent) == before, "nothing may be written, moved or deleted"


def test_main_refuses_a_folder_holding_git(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-checkout"
    (other / ".git").mkdir(parents=True)
    (other / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": {}}))
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


@pytest.mark.parametrize(
    "state_dir, rule",
    [
        ("cdktf.out/state", "must not be inside cdktf.out/ (the default output directory, replaced by every synth)"),
        ("lambda/state", "must not be inside lambda/ (the Lambda sources, zipped into every function package)"),
        (".git/state", "must not be inside .git/ (git's own data)"),
        (".venv", "must not be inside .venv/ (removed by `make clean`)"),
        ("../state", "must be a relative path inside the project, without '..' or control characters"),
    ],
)
def test_state_dir_is_refused_where_something_else_would_delete_or_publish_it(state_dir: str, rule: str) -> None:
    from app_config.loader import ConfigError, parse_config
    from tests.helpers import ACCOUNTS

    with pytest.raises(ConfigError) as caught:
        parse_config({"accounts": ACCOUNTS, "backend": {"type": "local", "state_dir": state_dir}})
    assert caught.value.problems == [f"backend.state_dir = {state_dir!r}: {rule}"]


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


def test_a_missing_or_empty_directory_is_created_or_filled(tmp_path: Path) -> None:
    synth_atomically(FakeApp, tmp_path / "a" / "out")
    (tmp_path / "empty").mkdir()
    synth_atomically(FakeApp, tmp_path / "empty")
    for out in (tmp_path / "a" / "out", tmp_path / "empty"):
        assert (out / "stacks" / "one" / "cdk.tf.json").exists()
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


def test_check_outdir_protects_the_current_directory_and_its_ancestors(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for outdir in (".", "..", str(tmp_path)):
        with pytest.raises(UnsafeOutdir, match="the current directory"):
            check_outdir(outdir)
    assert check_outdir("out") == work / "out"


def test_examples_synthesize_into_their_own_folder(tmp_path: Path, monkeypatch) -> None:
    import examples._common as common
    from examples import service

    monkeypatch.setattr(common, "EXAMPLES_OUTDIR", tmp_path / "examples.out")
    monkeypatch.setattr(sys, "argv", ["service"])
    common.run(service.build)
    assert (tmp_path / "examples.out" / "service" / "stacks" / "example-service" / "cdk.tf.json").exists()


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
