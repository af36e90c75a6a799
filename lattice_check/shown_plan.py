"""A plan's JSON (``terraform show -json PLANFILE``) as a stack document: what the
plan leaves in place, with each value known only after apply replaced by the
reference the configuration gives for it (terraform_show.py says how it is read)."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Optional

from .shown_values import (
    AFTER_APPLY,
    DEFAULT_REGION,
    ModulePath,
    add,
    compact,
    local_name,
    module_of,
    module_path,
    resources,
)

# References that name no resource: the checker does not follow them.
_NOT_FOLLOWED = ("count.", "each.", "path.", "self.", "terraform.")


class PlanDocument:
    """The stack document of a plan's JSON."""

    def __init__(self, shown: dict[str, Any]) -> None:
        self.shown = shown
        self.configuration = shown.get("configuration") or {}
        self.variables = {name: (v or {}).get("value") for name, v in (shown.get("variables") or {}).items()}
        self.instances: Counter[tuple[ModulePath, str]] = Counter()  # (module path, type.name) -> instances

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        changes = [c for c in self.shown.get("resource_changes") or [] if isinstance(c, dict)]
        data = [r for r in resources((self.shown.get("prior_state") or {}).get("values", {}).get("root_module", {})) if r.get("mode") == "data"]
        for change in changes:
            self.instances[(module_path(change.get("module_address")), f"{change['type']}.{change['name']}")] += 1
        for record in data:
            self.instances[(module_path(module_of(record["address"])), f"data.{record['type']}.{record['name']}")] += 1
        read_now = {record["address"] for record in data}
        for record in data:
            body = compact(record.get("values") or {})
            body["//"] = {"address": record["address"]}
            add(document, "data", record["type"], local_name(module_path(module_of(record["address"])), record["name"], record.get("index")), body)
        for change in changes:
            after = (change.get("change") or {}).get("after")
            if after is None or change.get("address") in read_now:  # destroyed, or a data source already read
                continue
            section = "resource" if change.get("mode") == "managed" else "data"
            path = module_path(change.get("module_address"))
            config = self._config_resource(path, change)
            planned = change.get("change") or {}
            shape = _Shape(planned.get("after_sensitive"))
            body = self._fill(compact(after), planned.get("after_unknown") or {}, (config or {}).get("expressions") or {}, path, change["address"], shape)
            provider = (config or {}).get("provider_config_key", "aws").rpartition(":")[2]
            if provider != "aws" and provider.startswith("aws."):
                body["provider"] = provider
            body["//"] = {"address": change["address"]}
            add(document, section, change["type"], local_name(path, change["name"], change.get("index")), body)
        document["provider"] = {"aws": self._providers(document)}
        outputs = self.shown.get("planned_values", {}).get("outputs") or {}
        configured = (self.configuration.get("root_module") or {}).get("outputs") or {}
        for name in sorted(set(outputs) | set(configured)):
            if "value" in (outputs.get(name) or {}):
                document.setdefault("output", {})[name] = {"value": compact(outputs[name]["value"])}
            else:
                reference = self._reference((configured.get(name) or {}).get("expression") or {}, (), f"output.{name}")
                document.setdefault("output", {})[name] = {"value": reference}
        return document

    def _config_module(self, path: ModulePath) -> dict[str, Any]:
        module: dict[str, Any] = self.configuration.get("root_module") or {}
        for name, _ in path:
            module = ((module.get("module_calls") or {}).get(name) or {}).get("module") or {}
        return module

    def _module_call(self, path: ModulePath) -> dict[str, Any]:
        """The ``module`` block that makes the module at ``path`` (not the root)."""
        found: dict[str, Any] = (self._config_module(path[:-1]).get("module_calls") or {}).get(path[-1][0]) or {}
        return found

    def _config_resource(self, path: ModulePath, change: dict[str, Any]) -> Optional[dict[str, Any]]:
        wanted = f"{'data.' if change.get('mode') == 'data' else ''}{change['type']}.{change['name']}"
        return next((r for r in self._config_module(path).get("resources") or [] if r.get("address") == wanted), None)

    def _fill(self, value: Any, unknown: Any, expression: Any, path: ModulePath, where: str, shape: "_Shape") -> Any:
        """``value`` with what is known only after apply replaced by the configured
        reference (in a list when the attribute is one: ``security_group_ids``)."""
        if unknown is True:
            if not isinstance(expression, dict) or not expression:
                return None
            reference = self._reference(expression, path, where)
            return [reference] if shape.is_list and _one_value(reference) else reference
        if isinstance(unknown, dict) and isinstance(value, dict | type(None)):
            filled = dict(value or {})
            for key, part in unknown.items():
                sub = expression.get(key) if isinstance(expression, dict) else None
                if sub is None and not isinstance(part, (dict, list)):
                    continue  # computed by AWS, not configured: the graph's stand-in
                result = self._fill(filled.get(key), part, sub, path, f"{where}.{key}", shape.part(key))
                if result is not None and result != [] and result != {}:
                    filled[key] = result
            return filled
        if isinstance(unknown, list) and isinstance(value, list | type(None)):
            items = list(value or [])
            items += [None] * (len(unknown) - len(items))
            filled_items = []
            for index, part in enumerate(unknown):
                if isinstance(expression, list):  # blocks: one expression object per block
                    sub = expression[index] if index < len(expression) else None
                elif part is True and len(unknown) == 1:  # a list of one, from one reference
                    sub = expression
                else:
                    sub = None if part is True else expression
                filled_items.append(self._fill(items[index], part, sub, path, f"{where}[{index}]", shape.part(index)) if part not in (False, None) else items[index])
            return [item for item in filled_items if item is not None]
        return value

    def _reference(self, expression: dict[str, Any], path: ModulePath, where: str) -> Any:
        """The one reference an unknown value comes from, as ``${type.name.rest}``;
        ``${known_after_apply("<where>")}`` when there is none or several."""
        if "constant_value" in expression:
            return compact(expression["constant_value"])
        references = [r for r in expression.get("references") or [] if not r.startswith(_NOT_FOLLOWED)]
        specific = [r for r in references if not any(o != r and (o.startswith(r + ".") or o.startswith(r + "[")) for o in references)]
        if len(specific) == 1:
            resolved = self._follow(specific[0], path)
            if resolved is not None:
                return resolved
        return f'${{{AFTER_APPLY}("{where}")}}'

    def _follow(self, reference: str, path: ModulePath) -> Any:
        """A configuration reference made in module ``path``, followed through
        variables and module outputs to a resource: ``${type.local_name.rest}``."""
        head, _, rest = reference.partition(".")
        if head == "var":
            name, _, tail = rest.partition(".")
            if not path:
                return None if tail else self.variables.get(name)
            call = self._module_call(path)
            argument = (call.get("expressions") or {}).get(name)
            return None if argument is None or tail else self._reference(argument, path[:-1], reference) if "references" in argument else compact(argument.get("constant_value"))
        if head == "module":
            module_name, _, output_rest = rest.partition(".")
            output, _, tail = output_rest.partition(".")
            child = path + ((module_name, None),)
            call = self._module_call(child)
            if tail or not call or "count_expression" in call or "for_each_expression" in call:  # not one module
                return None
            expression = ((self._config_module(child).get("outputs") or {}).get(output) or {}).get("expression") or {}
            followed = self._reference(expression, child, reference)
            return None if isinstance(followed, str) and AFTER_APPLY in followed else followed
        if head == "local":
            return None
        data = head == "data"
        if data:
            head, _, rest = rest.partition(".")
        match = re.match(r"([A-Za-z0-9_-]+)(\[(\d+|\"[^\"]*\")\])?(.*)", rest)
        if match is None:
            return None
        name, _, key, tail = match.groups()
        address = f"{'data.' if data else ''}{head}.{name}"
        count = self.instances[(path, address)]
        if key is None and count != 1:  # several instances, or one not planned: not one value
            return None
        index = None if key is None else key.strip('"') if key.startswith('"') else int(key)
        if key is None and self._is_counted(path, address):
            index = 0
        return f"${{{'data.' if data else ''}{head}.{local_name(path, name, index)}{tail}}}"

    def _is_counted(self, path: ModulePath, address: str) -> bool:
        config: dict[str, Any] = next((r for r in self._config_module(path).get("resources") or [] if r.get("address") == address), {})
        return "count_expression" in config or "for_each_expression" in config

    def _providers(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        blocks = []
        for key, provider in sorted((self.configuration.get("provider_config") or {}).items()):
            if provider.get("name") != "aws" or ":" in key:  # a module's own provider block: not modeled
                continue
            expressions = provider.get("expressions") or {}
            accounts = self._value(expressions.get("allowed_account_ids"))
            accounts = [accounts] if isinstance(accounts, str) else accounts  # [var.account_id]
            region = self._value(expressions.get("region"))
            block: dict[str, Any] = {"region": region if isinstance(region, str) else _data_region(document) or DEFAULT_REGION}
            account = accounts[0] if isinstance(accounts, list) and accounts else _data_account(document)
            if account:
                block["allowed_account_ids"] = [str(account)]
            if provider.get("alias"):
                block["alias"] = provider["alias"]
            blocks.append(block)
        return blocks or [{"region": _data_region(document) or DEFAULT_REGION, **({"allowed_account_ids": [a]} if (a := _data_account(document)) else {})}]

    def _value(self, expression: Optional[dict[str, Any]]) -> Any:
        if not expression:
            return None
        if "constant_value" in expression:
            return expression["constant_value"]
        references = expression.get("references") or []
        if len(references) == 1 and references[0].startswith("var."):
            return self.variables.get(references[0][4:])
        return None


class _Shape:
    """A plan's ``after_sensitive`` at one place of a value: it is ``[]`` (or a list)
    where the attribute is a list or set, which the unknown value does not say."""

    def __init__(self, sensitive: Any) -> None:
        self.sensitive = sensitive

    @property
    def is_list(self) -> bool:
        return isinstance(self.sensitive, list)

    def part(self, key: Any) -> "_Shape":
        try:
            return _Shape(self.sensitive[key])
        except (KeyError, IndexError, TypeError):
            return _Shape(None)


def _one_value(reference: Any) -> bool:
    """Whether a followed reference names one value (``aws_x.y.id``), not a list
    (``aws_x.y.subnet_ids``: a plural attribute) or a stand-in for several."""
    if not isinstance(reference, str) or not reference.startswith("${") or AFTER_APPLY in reference:
        return False
    return not reference.rstrip("}").rsplit(".", 1)[-1].endswith("s")


def _data_account(document: dict[str, Any]) -> Optional[str]:
    for body in document.get("data", {}).get("aws_caller_identity", {}).values():
        if isinstance(body.get("account_id"), str):
            return str(body["account_id"])
    return None


def _data_region(document: dict[str, Any]) -> Optional[str]:
    for body in document.get("data", {}).get("aws_region", {}).values():
        for key in ("region", "name"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return None
