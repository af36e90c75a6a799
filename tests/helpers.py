"""What the tests share: paths, configs, synthesizing the app, and checks on
synthesized Terraform JSON that `terraform validate` cannot make (how resources and
stacks are wired together)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from app_config.loader import load_config, parse_config
from app_config.schema import LatticeConfig
from lattice_check.backends import remote_state_key, remote_state_producers
from lattice_model.project import SHIPPED_CONFIG

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = ROOT / "tests" / "snapshots"
MATRIX_DIR = ROOT / "tests" / "matrices"
FIXTURES = ROOT / "tests" / "fixtures"


def stack_names(config: LatticeConfig) -> list[str]:
    """The stacks ``config`` synthesizes, pattern by pattern, as the registry says."""
    return [name for spec in config.enabled_patterns() for name in spec.stack_names(spec.settings_of(config))]


# Every stack the shipped lattice.toml synthesizes (a test checks the synth agrees).
ALL_STACKS = stack_names(load_config(SHIPPED_CONFIG))
ACCOUNTS = {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}}


TOPOLOGY_EXAMPLES = ROOT / "examples" / "topologies"
PATTERNS_BESIDE_TOPOLOGY = ("distributed", "centralized", "shared", "microservices", "ingress", "multicluster")


def topology_raw(**section: object) -> dict:
    """A config whose only pattern is the topology ``section``."""
    patterns: dict[str, object] = {name: {"enabled": False} for name in PATTERNS_BESIDE_TOPOLOGY}
    patterns["topology"] = {"enabled": True, **section}
    return {"patterns": patterns}


def topology_example_config(name: str) -> LatticeConfig:
    """The config that synthesizes ``examples/topologies/<name>.toml`` alone."""
    return parse_config(topology_raw(file=f"examples/topologies/{name}.toml"))


def git_repository(folder: Path) -> Path:
    """``folder`` made a git work tree of its own, with everything in it committed."""
    import subprocess

    environment = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    import os

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **environment}
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-qm", "copy", "--no-gpg-sign", "--allow-empty"]):
        subprocess.run(command, cwd=folder, env=env, check=True, capture_output=True)
    return folder


def make_config(**overrides: object) -> LatticeConfig:
    """A valid config with fake accounts, plus ``overrides`` merged at the top level."""
    raw: dict[str, object] = {"accounts": json.loads(json.dumps(ACCOUNTS))}
    raw.update(overrides)
    return parse_config(raw)


def synth(config: LatticeConfig, outdir: Path) -> Path:
    """Synthesize ``config`` into ``outdir`` as if the project were ``outdir``'s
    parent, so local state paths read as in a real ``make synth``."""
    from constructs_lib.checkov import write_scan_baseline
    from main import build_app

    build_app(config, str(outdir), project_root=outdir.parent).synth()
    write_scan_baseline(outdir, outdir.name)  # as synth_atomically does
    return outdir


def load_stacks(outdir: Path) -> dict[str, dict]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        name: json.loads((outdir / entry["synthesizedStackPath"]).read_text())
        for name, entry in manifest["stacks"].items()
    }


# Wiring: checks on synthesized Terraform JSON.

REMOTE_STATE_REF = re.compile(r"data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")


def resources(stack: dict, kind: str) -> dict[str, dict]:
    return stack.get("resource", {}).get(kind, {})


def data_sources(stack: dict, kind: str) -> dict[str, dict]:
    return stack.get("data", {}).get(kind, {})


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def forward_problems(stack: dict) -> list[str]:
    """Every forward action of every listener and rule names >= 1 target group with a weight."""
    problems = []
    for kind in ("aws_vpclattice_listener", "aws_vpclattice_listener_rule"):
        for name, body in resources(stack, kind).items():
            action = body.get("default_action") if kind.endswith("listener") else body.get("action")
            if not action:
                problems.append(f"{kind}.{name}: no action")
                continue
            if action.get("fixed_response"):
                continue
            forwards = action.get("forward") or []
            if isinstance(forwards, dict):  # a rule's forward is one block, a listener's a list
                forwards = [forwards]
            if not forwards:
                problems.append(f"{kind}.{name}: neither forward nor fixed_response")
            for forward in forwards:
                groups = forward.get("target_groups") or []
                if not groups:
                    problems.append(f"{kind}.{name}: forward names no target group ({forward!r})")
                for group in groups:
                    if not group.get("target_group_identifier") or "weight" not in group:
                        problems.append(f"{kind}.{name}: target group entry without id or weight ({group!r})")
    return problems


def cross_stack_problems(stacks: dict[str, dict], manifest: dict) -> list[str]:
    """Each remote-state reference resolves to an output of a stack that deploys earlier.

    The data source's backend settings must point at exactly one synthesized stack's
    backend (lattice_check.backends: same type, same path or bucket+key), that stack
    must declare the output, and the reading stack must depend on it (transitively)
    in the manifest.
    """
    problems = []
    producers = remote_state_producers(stacks)
    for reader, stack in stacks.items():
        remote_states = data_sources(stack, "terraform_remote_state")
        for ref_name, output in _remote_refs(stack):
            if ref_name not in remote_states:
                problems.append(f"{reader}: reference to undeclared remote state {ref_name}")
                continue
            producer = producers.get((reader, ref_name))
            if producer is None:
                problems.append(f"{reader}: remote state {ref_name} {remote_state_key(remote_states[ref_name])} matches no stack's backend")
                continue
            if output not in stacks[producer].get("output", {}):
                problems.append(f"{reader}: {producer} has no output {output!r}")
            if producer not in deploys_before(manifest, reader):
                problems.append(f"{reader}: reads {producer} but does not depend on it")
    return problems


def _remote_refs(stack: dict) -> set[tuple[str, str]]:
    return {m.groups() for s in strings(stack) for m in REMOTE_STATE_REF.finditer(s)}


def deploys_before(manifest: dict, stack: str) -> set[str]:
    """All stacks ``stack`` depends on, directly or not."""
    seen: set[str] = set()
    todo = list(manifest["stacks"][stack].get("dependencies", []))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(manifest["stacks"][name].get("dependencies", []))
    return seen


@dataclass
class VariantsCheck:
    """What ``validate_and_apply`` found: the problems of each variant (validate's
    diagnostics of its stacks, then the mocked run's problems of its modules) and
    the mocked run's outcome (one run for all variants)."""

    problems: dict[str, list[str]]
    runs: dict[str, str]

    def assert_clean(self, *variants: str) -> None:
        """The variants named (every one when none is) have no problem, and the run passed."""
        for variant in variants or tuple(self.problems):
            assert self.problems[variant] == [], f"{variant}:\n" + "\n".join(self.problems[variant])
        others = {variant: found for variant, found in self.problems.items() if found}
        assert self.runs == {"plan": "pass", "apply": "pass"}, f"the run of all variants failed: {others or self.runs}"


def validate_and_apply(terraform: Any, variants: dict[str, Path], *, only: Any = None) -> VariantsCheck:
    """Each variant output (name -> cdktf.out) through `terraform validate` and a
    mocked plan and apply (a secret read gets its producer's payload, mocked, as a
    remote-state read gets its outputs). All variants in one validate and one mocked
    run: the provider's schema (~4 s of CPU) loads twice, not twice per variant.
    A warning of validate is a problem. ``only``: a predicate on stack names
    (stacks whose providers are available offline)."""
    from lattice_check.backends import remote_state_producers
    from tools.mock_apply import MockedOutput, run_mocked_outputs
    from tools.terraform_offline import describe_diagnostics

    outputs: dict[str, MockedOutput] = {}
    for name, out in variants.items():
        stacks = {stack: body for stack, body in load_stacks(out).items() if only is None or only(stack)}
        outputs[name] = MockedOutput({stack: out / "stacks" / stack for stack in stacks}, remote_state_producers(stacks))
    problems: dict[str, list[str]] = {name: [] for name in variants}
    reports = terraform.validate_many({f"{name}--{stack}": path for name, output in outputs.items() for stack, path in output.stack_dirs.items()})
    for module, report in reports.items():
        if not report["valid"] or report["warning_count"]:
            problems[module.split("--", 1)[0]].append(f"{module}:\n{describe_diagnostics(report)}")
    mocked = run_mocked_outputs(terraform, outputs)
    for problem in mocked.problems:
        owner = problem.split("--", 1)[0]
        for name in problems if owner not in problems else (owner,):  # a problem of the root: every variant's
            problems[name].append(problem)
    return VariantsCheck(problems, mocked.runs)


def assert_variants_validate_and_apply(terraform: Any, variants: dict[str, Path], *, only: Any = None) -> None:
    """Every variant validates with no warning and plans and applies mocked (``validate_and_apply``)."""
    validate_and_apply(terraform, variants, only=only).assert_clean()
