"""The Lattice graph of a cdktf output directory (any Terraform JSON of that shape).

Stacks are attributed to their account (the provider's ``allowed_account_ids``) and
region. References are resolved to deterministic stand-ins shaped like the real
values (``vpc-…``, ``svc-…``, service ARNs, generated DNS names), inside a stack
(``${type.name.attr}``, also inside ``jsonencode`` documents) and across stacks
(``terraform_remote_state`` outputs, matched to the producing stack by backend).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from tools.tfjson import decode_json_argument

_REF = re.compile(r"\$\{([^{}]+)\}")
_PREFIXES = {
    "aws_vpc": "vpc-",
    "aws_subnet": "subnet-",
    "aws_security_group": "sg-",
    "aws_vpclattice_service": "svc-",
    "aws_vpclattice_service_network": "sn-",
    "aws_vpclattice_target_group": "tg-",
    "aws_vpclattice_listener": "listener-",
    "aws_ram_resource_share": "share-",
}
_ARN_KIND = {
    "aws_vpclattice_service": "service",
    "aws_vpclattice_service_network": "servicenetwork",
    "aws_vpclattice_target_group": "targetgroup",
}


class Unresolved(ValueError):
    """A reference the graph cannot follow (reported, never guessed)."""


@dataclass
class Stack:
    name: str
    directory: Path
    document: dict[str, Any]
    account: str
    region: str

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.document.get("resource", {}).get(kind, {})
        return found

    def data(self, kind: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.document.get("data", {}).get(kind, {})
        return found


@dataclass
class Model:
    stacks: dict[str, Stack] = field(default_factory=dict)

    @classmethod
    def load(cls, outdir: Path) -> "Model":
        outdir = Path(outdir)
        manifest_path = outdir / "manifest.json"
        if not manifest_path.exists():
            raise FileNotFoundError(f"{outdir}: no manifest.json (synthesize first: make synth)")
        manifest = json.loads(manifest_path.read_text())
        model = cls()
        for name, entry in manifest["stacks"].items():
            document = json.loads((outdir / entry["synthesizedStackPath"]).read_text())
            (provider,) = document.get("provider", {}).get("aws", [{}])[:1] or [{}]
            accounts = provider.get("allowed_account_ids") or ["000000000000"]
            model.stacks[name] = Stack(name, outdir / entry["workingDirectory"], document, accounts[0], provider.get("region", "us-east-1"))
        return model

    # --- references -------------------------------------------------------------------

    def resolve(self, value: Any, stack: Stack) -> Any:
        """``value`` with every reference replaced by its stand-in or its producer's value."""
        if isinstance(value, dict):
            return {k: self.resolve(v, stack) for k, v in value.items() if k != "//"}
        if isinstance(value, list):
            return [self.resolve(v, stack) for v in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        if value.startswith("${jsonencode("):
            return self.resolve(decode_json_argument(value), stack)
        whole = _REF.fullmatch(value)
        if whole:
            return self._expression(whole.group(1), stack)
        return _REF.sub(lambda m: str(self._expression(m.group(1), stack)), value)

    def _expression(self, expression: str, stack: Stack) -> Any:
        parts = expression.split(".")
        if parts[0] == "data" and parts[1] == "terraform_remote_state":
            producer = self._remote_producer(stack, parts[2])
            value = producer.document.get("output", {}).get(parts[4], {}).get("value")
            if value is None:
                raise Unresolved(f"{stack.name}: {producer.name} has no output {parts[4]!r}")
            value = self.resolve(value, producer)
            for key in parts[5:]:
                value = value[key]
            return value
        if parts[0] == "data":
            return f"data:{stack.name}:{'.'.join(parts[1:])}"
        kind, name, attribute = parts[0], parts[1], ".".join(parts[2:])
        body = stack.resources(kind).get(name)
        if body is None:
            raise Unresolved(f"{stack.name}: no resource {kind}.{name}")
        return self.attribute(stack, kind, name, attribute)

    def attribute(self, stack: Stack, kind: str, name: str, attribute: str) -> Any:
        """The stand-in of a computed attribute, or the configured value."""
        body = stack.resources(kind)[name]
        digest = hashlib.sha256(f"{stack.name}/{kind}/{name}".encode()).hexdigest()[:17]
        short = _PREFIXES.get(kind, f"{kind}-") + digest
        arn_kind = _ARN_KIND.get(kind)
        if attribute in ("id", "listener_id") and kind in _PREFIXES:
            return short
        if attribute == "arn" and arn_kind:
            return f"arn:aws:vpc-lattice:{stack.region}:{stack.account}:{arn_kind}/{short}"
        if attribute == "arn" and kind == "aws_lambda_function":
            return f"arn:aws:lambda:{stack.region}:{stack.account}:function:{body['function_name']}"
        if attribute == "arn" and kind == "aws_lb":
            return f"arn:aws:elasticloadbalancing:{stack.region}:{stack.account}:loadbalancer/app/{body.get('name', name)}/{digest[:16]}"
        if attribute == "arn" and kind == "aws_lb_target_group":
            return f"arn:aws:elasticloadbalancing:{stack.region}:{stack.account}:targetgroup/{body.get('name', name)}/{digest[:16]}"
        if kind == "aws_vpclattice_service" and attribute.startswith("dns_entry[0]."):
            if attribute.endswith("domain_name"):
                return f"{body['name']}-{short[4:]}.7d67968.vpc-lattice-svcs.{stack.region}.on.aws"
            return "Z03015023A3ML7CQ8UDS0"
        if attribute in body:
            return self.resolve(body[attribute], stack)
        if attribute in ("id", "arn", "name", "function_name"):
            return f"{kind}.{name}.{attribute}@{stack.name}"
        raise Unresolved(f"{stack.name}: attribute {kind}.{name}.{attribute} is not modeled")

    def _remote_producer(self, stack: Stack, data_name: str) -> Stack:
        source = stack.data("terraform_remote_state").get(data_name)
        if source is None:
            raise Unresolved(f"{stack.name}: no remote state {data_name}")
        config = source.get("config", {})
        for candidate in self.stacks.values():
            ((kind, settings),) = candidate.document["terraform"]["backend"].items()
            if kind == source["backend"] and all(settings.get(k) == config.get(k) for k in ("path", "bucket", "key") if k in config or k in settings):
                return candidate
        raise Unresolved(f"{stack.name}: remote state {data_name} matches no stack's backend")

    def find(self, kind: str, *, where: Optional[dict[str, Any]] = None) -> list[tuple[Stack, str, dict[str, Any]]]:
        """Every resource of ``kind`` (across stacks) whose resolved fields equal ``where``."""
        found = []
        for stack in self.stacks.values():
            for name, body in stack.resources(kind).items():
                if where and any(self.resolve(body.get(k), stack) != v for k, v in where.items()):
                    continue
                found.append((stack, name, body))
        return found
