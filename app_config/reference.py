"""The config reference table in README.md, generated from the schema's descriptions.

    python -m app_config.reference            # prints the Markdown table

``make docs`` (tools/docs.py) writes it into README.md, between its markers.
"""
from __future__ import annotations

import typing
from typing import Any, Iterator

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from accounts.registry import account_roles, patterns
from lattice_model.backends import CloudBackendConfig, LocalBackendConfig, S3BackendConfig
from lattice_model.fields import AccountConfig

from .schema import LatticeConfig

BEGIN = "<!-- config-reference:begin -->"
END = "<!-- config-reference:end -->"


def _rows(model: type[BaseModel], prefix: str, note: str = "") -> Iterator[tuple[str, str, str]]:
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"  # what the file says: `from`, not the attribute `source`
        nested = _model_of(field.annotation)
        if key == "accounts":
            yield from _account_rows()
            continue
        if prefix == "patterns." and nested is not None:
            yield key, "-", f"{field.description} Its stacks run when `enabled` is true; a section without `enabled`, or no section, means the default below."
        if key == "backend":
            yield key + ".type", "`local`", "`local`, `s3` or `cloud` (HCP Terraform)."
            yield from (r for r in _rows(LocalBackendConfig, "backend.", "(local) ") if r[0] != "backend.type")
            yield from (r for r in _rows(S3BackendConfig, "backend.", "(s3) ") if r[0] != "backend.type")
            yield from (r for r in _rows(CloudBackendConfig, "backend.", "(cloud) ") if r[0] != "backend.type")
            continue
        if nested is not None:
            optional = field.default is None
            if optional:
                yield key, "-", field.description or ""
            origin = typing.get_origin(field.annotation)
            child_prefix = f"{key}.<name>." if origin is dict else f"{key}[]." if origin is list else f"{key}."
            yield from _rows(nested, child_prefix, f"(if `{key}` is set) " if optional else note)
            continue
        yield key, _default(field), note + (field.description or "")


def _account_rows() -> Iterator[tuple[str, str, str]]:
    """One entry per account role of the registered patterns, required by the
    patterns that use it when they are enabled."""
    for role in account_roles():
        users = ", ".join(f"`{spec.name}`" for spec in patterns() if role in spec.roles)
        key = f"accounts.{role.name}"
        yield key, f"required by {users}", role.description
        yield from _rows(AccountConfig, f"{key}.", f"(if `{key}` is set) ")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _default(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.default if field.default_factory is None else field.default_factory()
    if value == {}:
        return "`{}`"
    if value is None:
        return "-"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def markdown() -> str:
    lines = [BEGIN, "| key | default | meaning |", "|---|---|---|"]
    for key, default, description in _rows(LatticeConfig, ""):
        lines.append(f"| `{key}` | {default} | {description} |")
    lines.append(END)
    return "\n".join(lines)


def rewritten(text: str) -> str:
    """``text`` (README.md) with the table between its markers generated anew."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + markdown() + text[end:]


if __name__ == "__main__":
    print(markdown())
