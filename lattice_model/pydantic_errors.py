"""One line per failure of a pydantic model's validation: the field, the value and
the rule, with a did-you-mean for an unknown key. The config loader (app_config)
and the matrix files share it; it lives here because lattice_check imports nothing
from the rest of the project."""
from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from safe_io.inputs import shown


def validation_problems(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per failure of ``root.model_validate``: field, value and rule."""
    return [_describe(error, root) for error in exc.errors()]


def _describe(error: Any, root: type[BaseModel]) -> str:
    raw_loc = tuple(error["loc"])
    field = field_path(_without_tags(root, raw_loc))
    kind = error["type"]
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "extra_forbidden":
        allowed = sorted(_fields_at(root, raw_loc[:-1]))
        key = str(raw_loc[-1])
        hint = difflib.get_close_matches(key, allowed, n=1) or [a for a in allowed if a.startswith(key)][:1]
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{field}: unknown key (allowed here: {', '.join(allowed)}){suggestion}"
    if kind == "union_tag_invalid":
        return f"{field}.type = {error['ctx']['tag']!r}: must be one of {error['ctx']['expected_tags']}"
    if kind == "missing":
        return f"{field}: required but missing"
    value = error.get("input")
    if not field:  # a rule across sections: the message names the fields itself
        return message
    if isinstance(value, (dict, list)) or value is None:
        return f"{field}: {message}"
    return f"{field} = {shown(value)}: {message}"


def field_path(parts: "typing.Iterable[Any]") -> str:
    """A field's path as the messages write it: keys joined by dots, list
    positions in brackets (``access[0].methods``)."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _walk(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[list[Any], list[Any]]:
    """Follow ``loc`` from ``root``: (the parts that are fields or keys, without the
    tags a discriminated union adds to a location; the annotations reached)."""
    candidates: list[Any] = [root]
    kept: list[Any] = []
    for part in loc:
        members = [m for c in candidates for m in _models_in(c)]
        tagged = [m for m in members if _tag_of(m) == part]
        if tagged and len(members) > 1:  # a union's tag picks the member; it is not a key
            candidates = tagged
            continue
        kept.append(part)
        following: list[Any] = []
        for candidate in candidates:
            for cls in _models_in(candidate):
                found = cls.model_fields.get(str(part)) or next((f for f in cls.model_fields.values() if f.alias == part), None)
                if found is not None:
                    following.append(found.annotation)
            # dict[str, Model] keyed by a user name, list[Model] by index: step into the item type
            if typing.get_origin(candidate) is dict:
                following.append(typing.get_args(candidate)[1])
            if typing.get_origin(candidate) is list and isinstance(part, int):
                following.append(typing.get_args(candidate)[0])
        candidates = following
    return kept, candidates


def _without_tags(root: type[BaseModel], loc: tuple[Any, ...]) -> list[Any]:
    return _walk(root, loc)[0]


def _fields_at(model: type[BaseModel], path: tuple[Any, ...]) -> set[str]:
    """Allowed keys of the model reached by ``path`` (best effort for messages)."""
    names: set[str] = set()
    for candidate in _walk(model, path)[1]:
        for cls in _models_in(candidate):
            names.update(f.alias or name for name, f in cls.model_fields.items())  # as written in the file
    return names


def _tag_of(model: type[BaseModel]) -> Any:
    """The tag of a union member: the value of its ``type: Literal[...]`` field."""
    field = model.model_fields.get("type")
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return None
    return typing.get_args(field.annotation)[0]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found
