"""Plans and state as the checker's stacks: what ``terraform show -json`` prints for a
saved plan or for state, turned into the Terraform JSON shape the graph reads.

- A plan's resources are what the plan leaves in place: a resource the plan destroys
  is gone. Known values are used as they are; a value known only after apply becomes
  the reference the configuration gives for it (``aws_vpc.this.id``), so the graph
  gives it the stand-in it gives in a cdktf output; a value built from several
  references (a policy naming an ARN) cannot be rebuilt from the plan and says so
  when asked (``known_after_apply``).
- State holds real values only; each resource's account and region come from its
  ARN (state does not say which provider made it).
- Modules are read like resources: ``module.vpc.aws_vpc.this`` is the resource
  ``vpc--this``, ``aws_subnet.private[0]`` is ``private-0``; the real address is kept
  in the body as ``"//": {"address": ...}`` (where cdktf keeps its metadata).
- Account and region: a plan's provider configuration (``allowed_account_ids``,
  ``region``, constants or root variables); else an ``aws_caller_identity`` or
  ``aws_region`` data source; else the account is ``unknown``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from safe_io.inputs import OUTPUT_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_json

from .shown_plan import PlanDocument
from .shown_values import EITHER, PLAN, STATE, StateDocument
from .tfjson import SynthesizedStack, UnreadableOutput


@dataclass(frozen=True)
class Input:
    """One ``--plan`` or ``--tfstate`` argument: ``[NAME=]FILE`` or a folder of ``*.json``."""

    kind: str  # PLAN, STATE or EITHER
    path: Path
    name: Optional[str] = None  # the stack's name (default: the file's stem)
    option: str = ""  # how the user gave it, for messages (default: --plan or --tfstate)

    @classmethod
    def parse(cls, kind: str, text: str, option: str = "") -> "Input":
        name, found, path = text.partition("=")
        if found and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", name):
            return cls(kind, Path(path), name, option)
        return cls(kind, Path(text), None, option)


def read_inputs(inputs: list[Input]) -> list[tuple[str, SynthesizedStack]]:
    """(source, stack) for every file the inputs name, in the order given (a folder's
    files by name); UnreadableOutput when one cannot be read."""
    found: list[tuple[str, SynthesizedStack]] = []
    for given in inputs:
        option = f"{given.option or {PLAN: '--plan', STATE: '--tfstate'}.get(given.kind, '')} "
        if given.path.is_dir():
            files = sorted(p for p in given.path.glob("*.json") if p.is_file())
            if not files:
                raise UnreadableOutput(f"{option}{given.path}: a folder without *.json files (terraform show -json of each plan or state)")
            if given.name:
                raise UnreadableOutput(f"{option}{given.name}={given.path}: a folder's stacks are named by their files; name a file instead")
        else:
            files = [given.path]
        for path in files:
            document = _shown(path, given.kind, option)
            kind = given.kind if given.kind != EITHER else PLAN if "planned_values" in document else STATE
            name = given.name or path.stem
            found.append((kind, SynthesizedStack(name, path.parent, convert(document, kind))))
    return found


def _shown(path: Path, kind: str, option: str) -> dict[str, Any]:
    try:
        text = read_text(path, limit=OUTPUT_LIMIT)
    except InputError as error:
        if "UTF-8" in str(error):  # a saved plan is a zip file
            raise UnreadableOutput(
                f"{option}{path}: not text: a saved plan is binary; give what `terraform show -json {path.name} > {path.stem}.json` prints"
            ) from None
        raise UnreadableOutput(f"{option}{error}") from None
    try:
        document = parse_json(text, path)
    except StructureError as error:
        raise UnreadableOutput(f"{option}{error}") from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise UnreadableOutput(f"{option}{path}: not the JSON of terraform show -json (no format_version)")
    if kind == PLAN and "planned_values" not in document:
        hint = "it is state: give it with --tfstate" if "values" in document or "terraform_version" in document else "no planned_values"
        raise UnreadableOutput(f"{option}{path}: not a plan ({hint})")
    if kind == STATE and "planned_values" in document:
        raise UnreadableOutput(f"{option}{path}: a plan, not state: give it with --plan")
    if document.get("errored"):
        raise UnreadableOutput(f"{option}{path}: the plan errored; lattice_check reads only a complete plan")
    return document


def convert(shown: dict[str, Any], kind: str) -> dict[str, Any]:
    """The stack document (cdk.tf.json shape) of a plan's or state's JSON."""
    return PlanDocument(shown).document() if kind == PLAN else StateDocument(shown).document()
