"""Accepted findings of the checkov security scan, recorded at the resource.

The call puts ``checkov:skip=<ID>:<reason>`` into the resource's ``"//"`` metadata
block of the synthesized JSON, which checkov reads as an in-line suppression of
that one resource. The reason travels with the resource, in the construct that
creates it, so every suppression is visible where the resource is defined.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable

from lattice_model.text_rule import text_rule

_CHECK_ID = text_rule(r"CKV2?_AWS_\d+")


def accept_risks(element: Any, risks: Iterable[tuple[str, str]]) -> None:
    """Suppress each checkov check of ``risks`` (``(check id, reason)`` pairs) on
    ``element`` (a resource or data source). One call per element: it writes the
    element's whole ``"//".checkov`` list, sorted."""
    lines = []
    for check_id, reason in risks:
        if not _CHECK_ID(check_id):
            raise ValueError(f"{check_id!r} is not a checkov AWS check id")
        if not reason.strip() or "\n" in reason or '"' in reason:
            raise ValueError(f"{check_id}: the reason must be one line without double quotes")
        lines.append(f"checkov:skip={check_id}:{reason}")
    if lines:
        element.add_override("//.checkov", sorted(lines))


# What a plain ``checkov -d <outdir>`` reads by itself. checkov's Terraform JSON
# runner ignores the in-line suppressions above, so synth also writes them as a
# checkov baseline (the findings accepted, by resource and check) and a config in
# the output directory that names it, with baseline findings shown as skipped.
SCAN_CONFIG = ".checkov.yaml"
SCAN_BASELINE = ".checkov.baseline"
_SKIP = re.compile(r"^checkov:skip=([A-Z0-9_]+):")


def write_scan_baseline(outdir: Path, outdir_name: str) -> None:
    """Write ``.checkov.baseline`` and ``.checkov.yaml`` into the synthesized
    ``outdir`` (whose folder will be named ``outdir_name`` in the project, where
    checkov runs: the config names the baseline by that relative path).

    checkov names a finding's resource ``<type>.<name>`` or ``resource.<name>`` (it
    depends on the check), and matches a baseline entry by that name and the check
    alone, whatever the file: both names are listed, and a (name, check) that some
    other resource of the output has without accepting it is left out, so that the
    baseline never hides a finding nobody accepted."""
    accepted: dict[str, dict[str, set[str]]] = {}  # stack file -> resource name -> checks
    everyone: dict[str, list[set[str]]] = {}  # resource name -> the accepted checks of each resource of that name
    for document_path in sorted((outdir / "stacks").glob("*/cdk.tf.json")):
        document = json.loads(document_path.read_text(encoding="utf-8"))
        file = "/" + document_path.relative_to(outdir).as_posix()
        for kind, bodies in sorted(document.get("resource", {}).items()):
            for name, body in sorted(bodies.items()):
                checks = {m.group(1) for line in (body.get("//") or {}).get("checkov", []) if (m := _SKIP.match(line))}
                for resource in (f"{kind}.{name}", f"resource.{name}"):
                    everyone.setdefault(resource, []).append(checks)
                    if checks:
                        accepted.setdefault(file, {})[resource] = checks
    failed_checks = []
    for file, resources in sorted(accepted.items()):
        findings = []
        for resource, checks in sorted(resources.items()):
            kept = sorted(c for c in checks if all(c in others for others in everyone[resource]))
            if kept:
                findings.append({"resource": resource, "check_ids": kept})
        if findings:
            failed_checks.append({"file": file, "findings": findings})
    (outdir / SCAN_BASELINE).write_text(json.dumps({"failed_checks": failed_checks}, indent=2) + "\n", encoding="utf-8")
    (outdir / SCAN_CONFIG).write_text(
        "# Written at synth (constructs_lib/checkov.py). `checkov -d " + outdir_name + "`, run in the project folder,\n"
        "# reads this: the findings the constructs accept, each with its reason in the resource's\n"
        '# "//".checkov list, are in the baseline and reported as skipped (checkov then counts\n'
        "# passed checks of those resources only).\n"
        f"baseline: {outdir_name}/{SCAN_BASELINE}\n"
        "output-baseline-as-skipped: true\n",
        encoding="utf-8",
    )
