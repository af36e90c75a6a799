"""The shapes shared by plans and state as the checker reads them (terraform_show.py):
where a stack came from, the checker's names of module resources and instances,
and the values a configuration leaves out; and state, whose values are all known."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterator, Optional

CDKTF = "cdktf"
PLAN = "plan"
STATE = "state"
EITHER = "plan or state"  # diff --before/--after: told apart by their content
DEFAULT_REGION = "us-east-1"
UNKNOWN_ACCOUNT = "unknown"  # a provider that pins no account: compared, never guessed equal to a real one
AFTER_APPLY = "known_after_apply"  # the function the graph answers with "known only after apply"

_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):(\d{12}|aws)?:")
_SAFE_KEY = re.compile(r"[^A-Za-z0-9_-]")

ModulePath = tuple[tuple[str, Optional[str]], ...]  # (module name, instance key or None) from the root


def local_name(module_path: ModulePath, name: str, index: Any = None) -> str:
    """The checker's name of a resource: its module path, name and instance key."""
    keyed = [n if k is None else f"{n}-{_SAFE_KEY.sub('_', k)}" for n, k in module_path]
    text = "--".join([*keyed, name])
    if index is not None:
        text += "-" + _SAFE_KEY.sub("_", str(index))
    return text


def module_path(address: Optional[str]) -> ModulePath:
    """``module.a.module.b["k"]`` -> (("a", None), ("b", "k"))."""
    if not address:
        return ()
    return tuple((name, key.strip('[]"') if key else None) for name, key in re.findall(r"module\.([A-Za-z0-9_-]+)(\[[^\]]*\])?", address))


def compact(value: Any) -> Any:
    """``value`` without what a configuration leaves out: nulls, empty strings, and
    empty lists and objects (an absent block shows as ``[]``)."""
    if isinstance(value, dict):
        compacted = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in compacted.items() if v is not None and v != "" and v != [] and v != {}}
    if isinstance(value, list):
        return [compact(v) for v in value if v is not None]
    return value


def placement_of(values: dict[str, Any]) -> Optional[tuple[str, str]]:
    """The account and region in a resource's own ``arn`` (never its ``id``: a share
    accepter's id is the ARN of the share it accepts, in the sharing account)."""
    text = values.get("arn")
    match = _ARN.match(text) if isinstance(text, str) else None
    if match and match.group(2) and match.group(2) != "aws" and match.group(1):
        return match.group(2), match.group(1)
    return None


def add(document: dict[str, Any], section: str, kind: str, name: str, body: dict[str, Any]) -> None:
    document.setdefault(section, {}).setdefault(kind, {})[name] = body


def module_of(address: str) -> str:
    """``module.a.data.x.y`` -> ``module.a``."""
    parts = re.findall(r'(module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)\.', address)
    return ".".join(parts)


def resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from resources(child)


# --- state --------------------------------------------------------------------------------


class StateDocument:
    """The stack document of state's JSON: each resource placed by its ARN."""

    def __init__(self, shown: dict[str, Any]) -> None:
        self.values = shown.get("values") or {}

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        records = list(resources(self.values.get("root_module") or {}))
        placements = {r["address"]: placement_of(r.get("values") or {}) for r in records}
        counted = Counter(p for p in placements.values() if p)
        account, region = counted.most_common(1)[0][0] if counted else (None, None)
        for record in records:
            if record.get("mode") == "data" and record["type"] == "aws_caller_identity" and not account:
                account = (record.get("values") or {}).get("account_id")
        default = (account or UNKNOWN_ACCOUNT, region or DEFAULT_REGION)
        aliases: dict[tuple[str, str], str] = {}
        for record in records:
            body = compact(record.get("values") or {})
            placement = placements[record["address"]]
            if placement and placement != default:
                alias = aliases.setdefault(placement, f"state_{placement[0]}_{placement[1]}".replace("-", "_"))
                body["provider"] = f"aws.{alias}"
            body["//"] = {"address": record["address"]}
            section = "resource" if record.get("mode") == "managed" else "data"
            add(document, section, record["type"], local_name(module_path(module_of(record["address"])), record["name"], record.get("index")), body)
        document["provider"] = {
            "aws": [{"region": default[1], **({"allowed_account_ids": [default[0]]} if account else {})}]
            + [{"alias": alias, "region": r, "allowed_account_ids": [a]} for (a, r), alias in sorted(aliases.items())]
        }
        for name, output in sorted((self.values.get("outputs") or {}).items()):
            document.setdefault("output", {})[name] = {"value": compact(output.get("value"))}
        return document
