"""Reading synthesized Terraform JSON: an output directory's stacks (with one clear
error for each way it can be unreadable), nested blocks written as an object or a
list, and JSON-valued arguments.

A JSON-valued argument is either a literal JSON string or ``${jsonencode(<HCL
object>)}`` as cdktf renders it. In the decoded value a bare reference such as
``aws_vpc.v.id`` becomes the string ``"${aws_vpc.v.id}"``, so both forms compare the
same way. tools/ and the tests read Terraform JSON through this module too.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safe_io.inputs import OUTPUT_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_json

MANIFEST = "manifest.json"
# One step of a reference's traversal: ``.name``, ``[0]`` or ``["key"]``.
TRAVERSAL = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\"([^\"]+)\"\]")


class UnreadableOutput(ValueError):
    """The output directory cannot be read as Terraform JSON (exit status 2)."""


@dataclass(frozen=True)
class SynthesizedStack:
    name: str
    directory: Path  # where Terraform runs: relative paths in the stack start here
    document: dict[str, Any]


def read_output(outdir: Path) -> list[SynthesizedStack]:
    """Every stack of a cdktf output directory, as its manifest lists them."""
    outdir = Path(outdir)
    manifest_path = outdir / MANIFEST
    if not outdir.is_dir():
        raise UnreadableOutput(f"{outdir}: no such directory (synthesize first: make synth, or give --out DIR)")
    if not manifest_path.exists():
        raise UnreadableOutput(f"{outdir}: no {MANIFEST} (synthesize first: make synth, or give --out DIR)")
    manifest = _json_file(manifest_path)
    stacks = manifest.get("stacks") if isinstance(manifest, dict) else None
    if not isinstance(stacks, dict):
        raise UnreadableOutput(f"{manifest_path}: not a cdktf manifest (no 'stacks' object)")
    found = []
    for name, entry in stacks.items():
        where = f"{manifest_path}: stacks.{name}"
        if not isinstance(entry, dict):
            raise UnreadableOutput(f"{where}: not an object (a cdktf manifest lists each stack's workingDirectory and synthesizedStackPath)")
        paths = {key: entry.get(key) for key in ("workingDirectory", "synthesizedStackPath")}
        for key, value in paths.items():
            if not isinstance(value, str) or not value or Path(value).is_absolute() or ".." in Path(value).parts:
                raise UnreadableOutput(f"{where}.{key}: {'missing' if value is None else repr(value)}: a path inside {outdir} (a cdktf manifest)")
        directory = outdir / str(paths["workingDirectory"])
        document_path = outdir / str(paths["synthesizedStackPath"])
        if document_path.suffix == ".tf" or (not document_path.exists() and (directory / "cdk.tf").is_file()):
            raise UnreadableOutput(
                f"{outdir}: was synthesized as HCL (cdk.tf, by make synth-hcl or cdktf synth --hcl); "
                "lattice_check reads Terraform JSON: run make synth (or python main.py) first"
            )
        if not document_path.exists():
            raise UnreadableOutput(f"{document_path}: missing (synthesize again: make synth)")
        document = _json_file(document_path)
        if not isinstance(document, dict):
            raise UnreadableOutput(f"{document_path}: not a Terraform JSON object")
        found.append(SynthesizedStack(name, directory, document))
    return found


def _json_file(path: Path) -> Any:
    try:
        return parse_json(read_text(path, limit=OUTPUT_LIMIT), path)
    except (InputError, StructureError) as error:
        raise UnreadableOutput(str(error)) from None


MISSING = object()  # value_at: no such part


def value_at(value: Any, steps: str) -> Any:
    """``value`` followed by ``steps`` (``a.b[0].c``), or MISSING where it has no such part."""
    position = 0
    steps = steps.lstrip(".")
    if steps and not steps.startswith("["):
        steps = "." + steps
    while position < len(steps):
        step = TRAVERSAL.match(steps, position)
        if step is None:
            return MISSING
        key: Any = step.group(1) or step.group(3) or int(step.group(2))
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return MISSING
        position = step.end()
    return value


def blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block, written as an object or as a list of objects, as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value)


def block(value: Any) -> dict[str, Any]:
    """The first (usually only) object of a nested block; {} when absent."""
    found = blocks(value)
    return found[0] if found else {}

_PREFIX = "${jsonencode("
_SUFFIX = ")}"


def decode_json_argument(value: str) -> Any:
    if value.startswith(_PREFIX) and value.endswith(_SUFFIX):
        return json.loads(_hcl_to_json(value[len(_PREFIX) : -len(_SUFFIX)]))
    return json.loads(value)


def _hcl_to_json(text: str) -> str:
    """Translate cdktf's rendering of an HCL object/tuple literal to JSON."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif ch in "{}[],:":
            out.append(ch)
            i += 1
        elif ch == "=":
            out.append(":")
            i += 1
        elif ch.isspace():
            i += 1
        else:  # a bare expression: a reference, a number, true/false/null
            end = i
            depth = 0
            while end < len(text) and (depth or text[end] not in ",}]"):
                depth += text[end] in "([" and 1 or 0
                depth -= text[end] in ")]" and 1 or 0
                end += 1
            token = text[i:end].strip()
            if token in ("true", "false", "null") or _is_number(token):
                out.append(token)
            else:
                out.append(json.dumps("${" + token + "}"))
            i = end
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """Index after the closing quote of the string at ``start`` (skips ``${...}``)."""
    i = start + 1
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if ch == "}" and depth:
            depth -= 1
        elif ch == '"' and not depth:
            return i + 1
        i += 1
    raise ValueError(f"unterminated string in {text!r}")


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
