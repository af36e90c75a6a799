"""checkov over synthesized stacks, with the project's in-line suppressions applied.

checkov's ``terraform_json`` runner (3.3) does not read in-line suppressions, so the
scan runs once over every stack and this module applies checkov's own rule itself:
a failed check is *suppressed* when a line of the failing block carries
``checkov:skip=<ID>:<reason>`` (written there by ``constructs_lib.checkov.accept_risks``
in the construct that creates the resource). Any other failure is *failed*.

    python -m tools.security_scan cdktf.out     # prints the per-stack table
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_SKIP = re.compile(r"checkov:skip=([A-Za-z_\d-]+):([^\"\n]+)")


@dataclass(frozen=True)
class Finding:
    check_id: str
    resource: str
    check_name: str
    reason: str = ""


@dataclass
class StackScan:
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)


def scan(outdir: Path) -> dict[str, StackScan]:
    """Scan ``<outdir>/stacks``; returns the result per stack name."""
    stacks_dir = Path(outdir) / "stacks"
    proc = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-d", str(stacks_dir), "--framework", "terraform_json", "-o", "json", "--compact"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        documents = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"checkov printed no JSON (exit {proc.returncode}):\n{proc.stderr[-2000:]}") from None
    reports = documents if isinstance(documents, list) else [documents]
    results: dict[str, StackScan] = {p.name: StackScan() for p in sorted(stacks_dir.iterdir()) if p.is_dir()}
    lines: dict[str, list[str]] = {}
    for report in reports:
        if report.get("check_type") != "terraform_json":
            continue
        for check in report["results"].get("passed_checks", []):
            results[_stack_of(check["file_path"])].passed += 1
        for check in report["results"].get("failed_checks", []):
            stack = _stack_of(check["file_path"])
            file_lines = lines.setdefault(stack, (stacks_dir / stack / "cdk.tf.json").read_text().splitlines())
            start, end = check["file_line_range"]
            reasons = {m.group(1): m.group(2).strip() for line in file_lines[start - 1 : end] for m in _SKIP.finditer(line)}
            finding = Finding(check["check_id"], check["resource"], check["check_name"], reasons.get(check["check_id"], ""))
            (results[stack].suppressed if finding.reason else results[stack].failed).append(finding)
    return results


def _stack_of(file_path: str) -> str:
    return file_path.strip("/").split("/")[0]


def table(results: dict[str, StackScan]) -> str:
    rows = ["| stack | passed | failed | suppressed |", "|---|---|---|---|"]
    for name, result in results.items():
        rows.append(f"| {name} | {result.passed} | {len(result.failed)} | {len(result.suppressed)} |")
    total = StackScan(
        passed=sum(r.passed for r in results.values()),
        failed=[f for r in results.values() for f in r.failed],
        suppressed=[f for r in results.values() for f in r.suppressed],
    )
    rows.append(f"| **all** | {total.passed} | {len(total.failed)} | {len(total.suppressed)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    found = scan(Path(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out"))
    print(table(found))
    for stack, result in found.items():
        for finding in result.failed:
            print(f"FAILED {stack}: {finding.resource}: {finding.check_id} {finding.check_name}")
    sys.exit(1 if any(r.failed for r in found.values()) else 0)
