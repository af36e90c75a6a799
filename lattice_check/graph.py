"""The references of a cdktf output directory (any Terraform JSON of that shape).

Stacks are attributed to their account (the provider's ``allowed_account_ids``) and
region. References are resolved to deterministic stand-ins shaped like the real
values (standins.py), inside a stack (``${type.name.attr}``, also inside
``jsonencode`` documents) and across stacks (``terraform_remote_state`` outputs,
matched to the producing stack by backend; a Secrets Manager secret matched by
account, region and name to the stack that writes it). The typed topology
(topology.py) is built on this.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from . import standins
from .backends import backend_key, remote_state_key, state_names
from .shown_values import AFTER_APPLY, CDKTF
from .shown_values import UNKNOWN_ACCOUNT as UNKNOWN_ACCOUNT  # its home; sharing and curl read it here
from .terraform_show import Input, read_inputs
from .tfjson import MISSING as _MISSING
from .tfjson import TRAVERSAL as _TRAVERSAL
from .tfjson import blocks, decode_json_argument, read_output
from .tfjson import value_at as _known

_REF = re.compile(r"\$\{([^{}]+)\}")
# Types whose id the checker makes up (standins.ID_PREFIXES lists more, for the mocks).
_MADE_UP_IDS = (
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_vpclattice_service",
    "aws_vpclattice_service_network",
    "aws_vpclattice_target_group",
    "aws_vpclattice_listener",
    "aws_vpc_endpoint",
)
_LATTICE_ARNS = ("aws_vpclattice_service", "aws_vpclattice_service_network", "aws_vpclattice_target_group")

# IAM resource type -> the noun of its ARN
_IAM_NOUNS = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_policy": "policy"}



class Unresolved(ValueError):
    """A reference the graph cannot follow (reported, never guessed)."""


_CALL = re.compile(r"([a-z_]+)\(")
_HEAD = re.compile(r"(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)")
_SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)")
# Named values that look like resource references but are not (cdktf emits none of them).
_NOT_RESOURCES = {"var", "local", "module", "each", "count", "path", "self", "terraform"}
# Terraform functions the graph evaluates; any other is reported as not modeled.
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "jsondecode": lambda text: json.loads(text),
    "jsonencode": lambda value: json.dumps(value, separators=(",", ":")),
    "nonsensitive": lambda value: value,
    "sensitive": lambda value: value,
    "tostring": lambda value: str(value),
}


def _closing_paren(text: str, opening: int) -> int:
    depth = 0
    in_string = False
    for index in range(opening, len(text)):
        char = text[index]
        if char == '"' and text[index - 1] != "\\":
            in_string = not in_string
        elif not in_string and char == "(":
            depth += 1
        elif not in_string and char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise Unresolved(f"unbalanced parentheses in ${{{text}}}")


def _traverse(value: Any, steps: str, expression: str) -> Any:
    """``value`` followed by ``.key``, ``["key"]`` and ``[0]`` steps."""
    position = 0
    while position < len(steps):
        step = _TRAVERSAL.match(steps, position)
        if step is None:
            raise Unresolved(f"${{{expression}}}: cannot follow {steps[position:]!r}")
        key: Any = step.group(1) or step.group(3) or int(step.group(2))
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            raise Unresolved(f"${{{expression}}}: {key!r} is not in {json.dumps(value)[:200]}") from None
        position = step.end()
    return value


@dataclass
class Stack:
    name: str
    directory: Path
    document: dict[str, Any]
    account: str  # of the default aws provider
    region: str
    # "aws" and "aws.<alias>" -> (account, region); an account is "unknown" when the
    # provider pins none (allowed_account_ids)
    providers: dict[str, tuple[str, str]] = field(default_factory=dict)
    # where it was read from: a cdktf output, or terraform show -json of a plan or state
    # (whose known values win over stand-ins: terraform_show.py)
    source: str = CDKTF

    @property
    def knows_values(self) -> bool:
        return self.source != CDKTF

    def placement(self, body: dict[str, Any]) -> tuple[str, str]:
        """The account and region a resource is created in (its ``provider`` alias)."""
        return self.providers.get(_provider_of(body), (self.account, self.region))

    def default_tags(self, body: dict[str, Any]) -> dict[str, Any]:
        """The ``default_tags`` of the provider a resource is created with: AWS tags it
        with them as with its own ``tags`` (which win on a shared key)."""
        key = _provider_of(body)
        return next((_default_tags(p) for p in _aws_providers(self.document) if _provider_key(p) == key), {})

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.document.get("resource", {}).get(kind, {})
        return found

    def data(self, kind: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.document.get("data", {}).get(kind, {})
        return found


def _aws_providers(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The stack's aws provider blocks (one when it configures none)."""
    configured = document.get("provider", {}).get("aws") or [{}]
    return [configured] if isinstance(configured, dict) else list(configured)


def _provider_key(provider: dict[str, Any]) -> str:
    """How resources name a provider block: ``aws``, or ``aws.<alias>``."""
    return f"aws.{provider['alias']}" if provider.get("alias") else "aws"


def _default_tags(provider: dict[str, Any]) -> dict[str, Any]:
    """A provider block's ``default_tags { tags = ... }`` (a block: one, or a list of one)."""
    defaults = provider.get("default_tags")
    listed = [defaults] if isinstance(defaults, dict) else defaults or []
    return {key: value for block in listed for key, value in (block.get("tags") or {}).items()}


def _provider_of(body: dict[str, Any]) -> str:
    """The provider a resource names: ``aws`` or ``aws.<alias>``."""
    return str(body.get("provider") or "aws").removeprefix("${").removesuffix("}")


@dataclass
class Model:
    stacks: dict[str, Stack] = field(default_factory=dict)
    # Cross-stack channels followed so far: (reader, how, producer).
    links: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, outdir: Optional[Path], inputs: Sequence[Input] = ()) -> "Model":
        """The stacks of the cdktf output ``outdir`` (None: none), then those of plans and
        state (``terraform show -json``): a stack of the same name is replaced by the
        later one. UnreadableOutput (tfjson) when one cannot be read."""
        model = cls()
        read = [(CDKTF, synthesized) for synthesized in read_output(Path(outdir))] if outdir is not None else []
        for source, synthesized in read + read_inputs(list(inputs)):
            document = synthesized.document
            providers = {
                _provider_key(provider): ((provider.get("allowed_account_ids") or [UNKNOWN_ACCOUNT])[0], provider.get("region", "us-east-1"))
                for provider in _aws_providers(document)
            }
            account, region = providers.get("aws") or next(iter(providers.values()))
            model.stacks[synthesized.name] = Stack(synthesized.name, synthesized.directory, document, account, region, providers, source)
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
        if value.startswith("${") and value.endswith("}") and value.count("${") == 1:  # one expression, any value
            return self._expression(value[2:-1], stack)
        return _REF.sub(lambda m: str(self._expression(m.group(1), stack)), value)

    def _expression(self, expression: str, stack: Stack) -> Any:
        expression = expression.strip()
        call = _CALL.match(expression)
        if call:
            close = _closing_paren(expression, call.end() - 1)
            function = _FUNCTIONS.get(call.group(1))
            if call.group(1) == AFTER_APPLY:  # terraform_show.py: a plan's value no reference gives
                where = expression[call.end() : close].strip('"')
                raise Unresolved(f"{stack.name}: {where} is known only after apply (the plan gives no one reference it comes from)")
            if function is None:
                raise Unresolved(f"{stack.name}: function {call.group(1)}() in ${{{expression}}} is not modeled")
            return _traverse(function(self._expression(expression[call.end() : close], stack)), expression[close + 1 :], expression)
        if expression.startswith('"') and expression.endswith('"'):  # a string literal
            return json.loads(expression)
        head = _HEAD.match(expression)
        if head is None or (head.group(1) is None and head.group(2) in _NOT_RESOURCES):
            raise Unresolved(f"{stack.name}: expression ${{{expression}}} is not modeled")
        data, kind, name = head.group(1) is not None, head.group(2), head.group(3)
        rest = expression[head.end() :]
        if data and kind == "terraform_remote_state":
            outputs = _TRAVERSAL.match(rest)
            if outputs is None or rest[: outputs.end()] != ".outputs" or not rest[outputs.end() :]:
                raise Unresolved(f"{stack.name}: ${{{expression}}}: expected data.terraform_remote_state.<name>.outputs.<key>")
            key_step = _TRAVERSAL.match(rest, outputs.end())
            assert key_step is not None
            key = key_step.group(1) or key_step.group(3)
            if stack.knows_values:  # state, or a plan that read the producer's state: what it read
                known = _known(stack.data(kind).get(name), "outputs" + rest[outputs.end() :])
                if known is not _MISSING:
                    return known
            producer = self._remote_producer(stack, name)
            self.links.add((stack.name, "remote state", producer.name))
            value = producer.document.get("output", {}).get(key, {}).get("value")
            if value is None:
                raise Unresolved(f"{stack.name}: {producer.name} has no output {key!r}")
            return _traverse(self.resolve(value, producer), rest[key_step.end() :], expression)
        if data and kind == "aws_secretsmanager_secret_version" and rest.startswith(".secret_string"):
            return _traverse(self._secret_string(stack, name), rest[len(".secret_string") :], expression)
        if data and kind == "aws_iam_policy_document" and rest == ".json":
            return json.dumps(self._policy_document(stack, name), separators=(",", ":"))
        if data and stack.knows_values and name in stack.data(kind):  # read by the plan, or in state
            known = _known(stack.data(kind)[name], rest.lstrip("."))
            if known is not _MISSING:
                return self.resolve(known, stack)
        if data:
            return f"data:{stack.name}:{kind}.{name}{rest}"
        if stack.resources(kind).get(name) is None:
            raise Unresolved(f"{stack.name}: no resource {kind}.{name}")
        return self.attribute(stack, kind, name, rest.lstrip("."))

    def attribute(self, stack: Stack, kind: str, name: str, attribute: str) -> Any:
        """The stand-in of a computed attribute, or the configured value."""
        body = stack.resources(kind)[name]
        if stack.knows_values:  # a real or planned value first; stand-ins for what apply makes
            known = _known(body, attribute)
            if known is not _MISSING:
                return self.resolve(known, stack)
        account, region = stack.placement(body)
        suffix = standins.digest(stack.name, kind, name)
        made_up_id = standins.resource_id(kind, suffix)
        if attribute in ("id", "listener_id") and kind in _MADE_UP_IDS:
            return made_up_id
        if attribute in ("arn", "id") and kind == "aws_ram_resource_share":  # its id is its ARN
            return standins.ram_share_arn(region, account, standins.share_id(suffix))
        if attribute == "arn" and kind in _LATTICE_ARNS:
            return standins.lattice_arn(region, account, kind, made_up_id)
        if attribute == "arn" and kind == "aws_vpclattice_listener":  # below its service's ARN
            service = str(self.resolve(body["service_identifier"], stack)).rsplit("/", 1)[-1]
            return standins.listener_arn(region, account, service, made_up_id)
        if kind in _IAM_NOUNS and "name" in body and (attribute == "arn" or (attribute == "id" and kind != "aws_iam_policy")):
            if attribute == "id":  # a role's or user's id is its name
                return self.resolve(body["name"], stack)
            return standins.iam_arn(account, _IAM_NOUNS[kind], str(self.resolve(body["name"], stack)), str(body.get("path", "/")))
        if attribute == "arn" and kind == "aws_lambda_function":
            return standins.lambda_arn(region, account, body["function_name"])
        if attribute == "arn" and kind == "aws_lambda_alias":  # the function's ARN, qualified by the alias
            function = str(self.resolve(body["function_name"], stack)).rsplit(":", 1)[-1]
            return f"{standins.lambda_arn(region, account, function)}:{self.resolve(body['name'], stack)}"
        if attribute == "arn" and kind == "aws_lb":
            return standins.load_balancer_arn(region, account, body.get("name", name), suffix[:16])
        if attribute == "arn" and kind == "aws_lb_target_group":
            return standins.lb_target_group_arn(region, account, body.get("name", name), suffix[:16])
        if kind == "aws_lb" and attribute in ("dns_name", "zone_id"):
            if attribute == "zone_id":
                return standins.LOAD_BALANCER_HOSTED_ZONE_ID
            return standins.load_balancer_dns_name(body.get("name", name), bool(body.get("internal")), suffix, region)
        if kind == "aws_api_gateway_rest_api" and attribute in ("id", "execution_arn"):
            api_id = standins.rest_api_id(suffix)
            return api_id if attribute == "id" else standins.execute_api_arn(region, account, api_id)
        if attribute == "arn" and kind == "aws_acm_certificate":
            return standins.certificate_arn(region, account, standins.uuid_like(stack.name, kind, name))
        if attribute == "arn" and kind == "aws_acmpca_certificate_authority":
            return standins.certificate_authority_arn(region, account, standins.uuid_like(stack.name, kind, name))
        if kind == "aws_eks_cluster" and attribute == "arn":
            return f"arn:aws:eks:{region}:{account}:cluster/{self.resolve(body['name'], stack)}"
        if kind == "aws_eks_cluster" and attribute == "vpc_config[0].cluster_security_group_id":  # EKS makes it
            return standins.resource_id("aws_security_group", suffix)
        if kind == "aws_dynamodb_table" and attribute == "arn":
            return standins.dynamodb_table_arn(region, account, str(self.resolve(body["name"], stack)))
        if kind == "aws_vpclattice_service" and attribute.startswith("dns_entry[0]."):
            if attribute.endswith("domain_name"):
                return standins.service_dns_name(body["name"], made_up_id, region)
            return standins.SERVICE_HOSTED_ZONE_ID
        if attribute in body:
            return self.resolve(body[attribute], stack)
        if attribute in ("id", "arn", "name", "function_name", "zone_id"):
            return f"{kind}.{name}.{attribute}@{stack.name}"
        raise Unresolved(f"{stack.name}: attribute {kind}.{name}.{attribute} is not modeled")

    def _policy_document(self, stack: Stack, data_name: str) -> dict[str, Any]:
        """The JSON an ``aws_iam_policy_document`` data source renders (its statements;
        merged source or override documents are not modeled)."""
        source = stack.data("aws_iam_policy_document").get(data_name)
        if source is None:
            raise Unresolved(f"{stack.name}: no data source aws_iam_policy_document.{data_name}")
        merged = [k for k in ("source_policy_documents", "override_policy_documents", "source_json", "override_json") if k in source]
        if merged:
            raise Unresolved(f"{stack.name}: aws_iam_policy_document.{data_name} merges {merged[0]}, which is not modeled")
        body = self.resolve(source, stack)
        return {"Version": body.get("version", "2012-10-17"), "Statement": [_policy_statement(s) for s in blocks(body.get("statement"))]}

    def _remote_producer(self, stack: Stack, data_name: str) -> Stack:
        source = stack.data("terraform_remote_state").get(data_name)
        if source is None:
            raise Unresolved(f"{stack.name}: no remote state {data_name}")
        wanted = remote_state_key(source)
        for candidate in self.stacks.values():
            if backend_key(candidate.document) == wanted:
                return candidate
        # plans and state do not say where they are kept: the stack named like the location
        named = [c for c in self.stacks.values() if c.knows_values and c.name in state_names(wanted)]
        if len(named) == 1:
            return named[0]
        where = ", ".join(str(part) for part in wanted if part)
        raise Unresolved(
            f"{stack.name}: remote state {data_name} ({where}) matches no stack given; give the producer's state or plan, named: --tfstate NAME=FILE"
        )

    def _secret_string(self, stack: Stack, data_name: str) -> str:
        """The producer's secret value, for a reader's ``aws_secretsmanager_secret_version``.

        The reader names the secret by (partial) ARN: its account, region and name
        pick the stack whose ``aws_secretsmanager_secret`` has that name."""
        source = stack.data("aws_secretsmanager_secret_version").get(data_name)
        if source is None:
            raise Unresolved(f"{stack.name}: no data source aws_secretsmanager_secret_version.{data_name}")
        secret_id = str(self.resolve(source["secret_id"], stack))
        arn = _SECRET_ARN.fullmatch(secret_id)
        if arn:
            region, account, secret_name = arn.group(1), arn.group(2), arn.group(3)
        else:  # a bare name: the reader's own account and region
            (account, region), secret_name = stack.placement(source), secret_id
        for producer in self.stacks.values():
            for name, secret in producer.resources("aws_secretsmanager_secret").items():
                # a full ARN ends in "-" and six random characters; a partial one does not
                if producer.placement(secret) != (account, region):
                    continue
                if secret.get("name") not in (secret_name, secret_name[:-7] if secret_name[-7:-6] == "-" else None):
                    continue
                secret_ids = {self.attribute(producer, "aws_secretsmanager_secret", name, a) for a in ("id", "arn")}
                for version in producer.resources("aws_secretsmanager_secret_version").values():
                    if self.resolve(version["secret_id"], producer) in secret_ids:
                        self.links.add((stack.name, f"Secrets Manager secret {secret['name']}", producer.name))
                        value = self.resolve(version["secret_string"], producer)
                        return value if isinstance(value, str) else json.dumps(value)
                raise Unresolved(f"{stack.name}: secret {secret_name} of {producer.name} has no secret version")
        raise Unresolved(f"{stack.name}: no stack in account {account} ({region}) writes the secret {secret_name!r} that {data_name} reads")


def _policy_statement(statement: dict[str, Any]) -> dict[str, Any]:
    """One ``statement`` block of ``aws_iam_policy_document`` as IAM JSON."""
    rendered: dict[str, Any] = {"Effect": statement.get("effect", "Allow")}
    if statement.get("sid"):
        rendered["Sid"] = statement["sid"]
    for block_name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        named: dict[str, list[str]] = {}
        for principal in blocks(statement.get(block_name)):
            named.setdefault(principal["type"], []).extend(principal["identifiers"])
        if named:
            rendered[key] = "*" if named == {"*": ["*"]} else named
    for attribute, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
        if statement.get(attribute):
            rendered[key] = statement[attribute]
    conditions: dict[str, dict[str, list[str]]] = {}
    for condition in blocks(statement.get("condition")):
        conditions.setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
    if conditions:
        rendered["Condition"] = conditions
    return rendered
