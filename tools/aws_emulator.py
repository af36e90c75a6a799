"""A local AWS API for real ``terraform plan`` and ``apply`` runs, offline.

moto's server answers the calls a plan and an apply of these projects make (STS,
EC2, IAM, Lambda, VPC Lattice, RAM and the others in SERVICES); what it lacks is
stood in for in this process (tools/emulator_stand_ins.py). A request signed with a
12-digit access key is served in that account, so each stack's provider signs as
the account it pins.

The emulator never touches a project's own files: ``provider_override`` is the text
of an ``*_override.tf`` file written into a scratch copy (``plan_and_show``,
``plan_stacks``).
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from tools import emulator_stand_ins
from tools.terraform_offline import OfflineTerraform

DEFAULT_ACCOUNT = "123456789012"  # moto's, for a request signed otherwise
# The services whose endpoints the provider is pointed at.
SERVICES = ("sts", "ec2", "iam", "lambda", "vpclattice", "ram", "route53", "acm", "secretsmanager", "dynamodb", "logs", "kms", "elbv2", "route53resolver", "ssm", "acmpca", "apigateway", "eks")

_SIGNED_KEY = re.compile(r"Credential=(\d{12})/")


def _by_access_key(app: Any) -> Any:
    """A request signed with a 12-digit access key is served in that account (moto's
    server takes the account from its ``x-moto-account-id`` header): each stack's
    provider signs as the account it pins, as a real role in that account would."""

    def serve(environ: dict[str, Any], start_response: Any) -> Any:
        key = _SIGNED_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
        if key:
            environ["HTTP_X_MOTO_ACCOUNT_ID"] = key.group(1)
        return app(environ, start_response)

    return serve


@contextmanager
def emulator() -> Iterator[str]:
    """A running emulator on a free port; yields its URL (``http://127.0.0.1:<port>``)."""
    emulator_stand_ins.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, _by_access_key(DomainDispatcherApplication(create_backend_app)), True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()


def provider_override(url: str, account: str = DEFAULT_ACCOUNT) -> str:
    """An ``aws`` provider override pointing every endpoint the projects use at ``url``,
    signing as ``account`` (no metadata lookups outside the emulator)."""
    endpoints = "\n".join(f"    {service} = {json.dumps(url)}" for service in SERVICES)
    return (
        'provider "aws" {\n'
        f"  access_key              = {json.dumps(account)}\n"
        '  secret_key              = "testing"\n'
        "  skip_metadata_api_check = true\n"
        "  endpoints {\n"
        f"{endpoints}\n"
        "  }\n"
        "}\n"
    )


OVERRIDE_FILE = "lattice_emulator_override.tf"


@dataclass(frozen=True)
class Shown:
    """What ``terraform show -json`` printed for a project run against the emulator."""

    plan: Path  # of the saved plan
    state: Optional[Path]  # of the state after apply (None: not applied)
    apply_error: str  # what the apply printed when it failed ("" when it did not run or succeeded)


def plan_and_show(
    terraform: OfflineTerraform, project: Path, workdir: Path, url: str, *, apply: bool = False, variables: dict[str, str] | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> Shown:
    """``terraform init``, ``plan -out`` and ``show -json`` of a copy of ``project`` in
    ``workdir`` (a new folder, made here: the project itself is never written), with the override
    pointing the provider at ``url``; with ``apply``, also ``apply`` and ``show -json``
    of the state. ``prepare(workdir)`` runs first (to build a Lambda archive). The JSON files are ``workdir/plan.json`` and ``workdir/state.json``."""
    if workdir.exists():  # never removed here: it may hold what someone else wrote
        raise FileExistsError(f"{workdir}: exists; give a new folder for the copy")
    shutil.copytree(project, workdir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfplan", "shown"))
    (workdir / OVERRIDE_FILE).write_text(provider_override(url))
    if prepare is not None:
        prepare(workdir)
    var_args = [f"-var={key}={value}" for key, value in sorted((variables or {}).items())]
    for args in (("init", "-input=false", "-no-color"), ("plan", "-input=false", "-no-color", "-lock=false", "-out=saved.tfplan", *var_args)):
        result = terraform.run(workdir, *args)
        if result.returncode != 0:
            raise AssertionError(f"{project.name}: {result.command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    plan = workdir / "plan.json"
    plan.write_text(_show(terraform, workdir, "saved.tfplan"))
    if not apply:
        return Shown(plan, None, "")
    result = terraform.run(workdir, "apply", "-input=false", "-no-color", "-lock=false", "-auto-approve", "saved.tfplan")
    state = workdir / "state.json"
    state.write_text(_show(terraform, workdir))
    return Shown(plan, state, "" if result.returncode == 0 else (result.stdout + result.stderr)[-3000:])


def _show(terraform: OfflineTerraform, workdir: Path, *args: str) -> str:
    result = terraform.run(workdir, "show", "-json", "-no-color", *args)
    if result.returncode != 0:
        raise AssertionError(f"{result.command} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@dataclass(frozen=True)
class Deployed:
    """Stacks of a cdktf output run against the emulator, in deploy order: each stack
    another one reads is applied (``state``), every stack is planned (``plan``; for an
    applied stack, the plan it was applied from)."""

    plans: dict[str, Path]
    states: dict[str, Path]
    failed: dict[str, str]  # stack -> the step that failed and what Terraform said

    def inputs(self) -> list[str]:
        """``lattice_check`` options: the state of what was applied, the plan of the rest."""
        return [f"--tfstate={name}={path}" for name, path in self.states.items()] + [
            f"--plan={name}={path}" for name, path in self.plans.items() if name not in self.states
        ]


def plan_stacks(terraform: OfflineTerraform, outdir: Path, stacks: list[str], workroot: Path, url: str) -> Deployed:
    """Plan ``stacks`` of the cdktf output ``outdir`` (in deploy order) in a copy under
    ``workroot``, each provider signing as the account its stack pins; apply those a
    later stack of the list reads (their local state stays in the copy). A stack whose
    step fails is recorded, and the stacks after it that read it are not run."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    wanted = set(stacks)
    read_later = {dep for name in stacks for dep in manifest["stacks"][name].get("dependencies", []) if dep in wanted}
    copy = workroot / "cdktf.out"  # the output's layout: its backends' relative paths land in workroot
    plans: dict[str, Path] = {}
    states: dict[str, Path] = {}
    failed: dict[str, str] = {}
    for name in stacks:
        if any(dep in failed for dep in manifest["stacks"][name].get("dependencies", [])):
            failed[name] = "not run: a stack it reads failed"
            continue
        workdir = copy / manifest["stacks"][name]["workingDirectory"]
        shutil.copytree(outdir / manifest["stacks"][name]["workingDirectory"], workdir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        document = json.loads((workdir / "cdk.tf.json").read_text())
        providers = document.get("provider", {}).get("aws") or [{}]
        account = (providers[0].get("allowed_account_ids") or [DEFAULT_ACCOUNT])[0]
        (workdir / OVERRIDE_FILE).write_text(provider_override(url, account))
        steps = [("init", "-input=false", "-no-color"), ("plan", "-input=false", "-no-color", "-lock=false", "-out=saved.tfplan")]
        if name in read_later:
            steps.append(("apply", "-input=false", "-no-color", "-lock=false", "-auto-approve", "saved.tfplan"))
        for step in steps:
            result = terraform.run(workdir, *step)
            if result.returncode != 0:
                failed[name] = f"terraform {step[0]}: " + _first_error(result.stdout + result.stderr)
                break
            if step[0] == "plan":
                plans[name] = workdir / "plan.json"
                plans[name].write_text(_show(terraform, workdir, "saved.tfplan"))
            if step[0] == "apply":
                states[name] = workdir / "state.json"
                states[name].write_text(_show(terraform, workdir))
    return Deployed(plans, states, failed)


def _first_error(output: str) -> str:
    """The first ``Error:`` paragraph Terraform printed (one line)."""
    start = output.find("Error:")
    text = output[start:] if start >= 0 else output[-400:]
    return " ".join(text.split("\n\n", 2)[:2]).replace("\n", " ")[:400]


def stable_plan(shown: dict[str, Any]) -> dict[str, Any]:
    """A plan's JSON without what differs from run to run: its time and the emulator's
    provider settings (a port, test keys), for a copy kept in the repository."""
    kept: dict[str, Any] = json.loads(json.dumps(shown))
    kept.pop("timestamp", None)
    for provider in (kept.get("configuration") or {}).get("provider_config", {}).values():
        for key in ("endpoints", "access_key", "secret_key", "skip_metadata_api_check"):
            (provider.get("expressions") or {}).pop(key, None)
    return kept


def main(argv: list[str]) -> int:
    """``python -m tools.aws_emulator PROJECT OUT.json``: plan an HCL project against the
    emulator and write its plan's JSON (stable_plan, marked as written here) to
    OUT.json: a new file, or one this command wrote (``--force`` for a tracked one)."""
    import argparse
    import tempfile

    from safe_io.ownership import json_document, json_is_ours, writable_file_problem, write_file

    parser = argparse.ArgumentParser(prog="python -m tools.aws_emulator")
    parser.add_argument("project", type=Path, help="a Terraform project (HCL), never written")
    parser.add_argument("out", type=Path, help="where the plan's JSON goes")
    parser.add_argument("--force", action="store_true", help="overwrite OUT.json even if git tracks it or this command did not write it")
    args = parser.parse_args(argv)

    def ours(data: bytes) -> bool:
        try:
            return json_is_ours(json.loads(data))
        except ValueError:
            return False

    inputs = [path for path in args.project.rglob("*") if path.is_file() and path.resolve() != args.out.resolve()] if args.project.is_dir() else []
    problem = writable_file_problem(args.out, is_ours=ours, inputs=inputs, force=args.force)
    if problem:
        print(f"error: {args.out}: {problem}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lattice-emulator-") as scratch, emulator() as url:
        terraform = OfflineTerraform(Path(scratch) / "terraform")
        shown = plan_and_show(terraform, args.project, Path(scratch) / "project", url)
        write_file(args.out, json_document(stable_plan(json.loads(shown.plan.read_text())), "python -m tools.aws_emulator"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
