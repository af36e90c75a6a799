"""Read the TOML config file and turn validation failures into one readable error."""
from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from .checks import cross_section_problems
from .schema import LatticeConfig

DEFAULT_CONFIG_FILE = "lattice.toml"


class ConfigError(Exception):
    """The configuration is invalid. ``str()`` is the full message for the user."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"{source}: invalid configuration ({count}):\n" + "\n".join(f"  - {p}" for p in problems))


def load_config(path: str | Path = DEFAULT_CONFIG_FILE) -> LatticeConfig:
    """Load and validate ``path``. Raises ConfigError naming every bad field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except IsADirectoryError:
        raise ConfigError(str(path), ["is a directory, not a TOML file"]) from None
    except PermissionError:
        raise ConfigError(str(path), ["cannot be read: permission denied"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [f"is not UTF-8 text (byte {exc.start}): save it as UTF-8"]) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from None
    return parse_config(raw, source=str(path))


# The sections the cross-section checks read: they run whenever these are valid.
CHECKED_SECTIONS = ("accounts", "patterns", "vpcs", "backend", "extra_regions")


def parse_config(raw: dict[str, Any], source: str = "<config>") -> LatticeConfig:
    """Validate ``raw``; ConfigError with every problem: each bad field, and each
    rule across sections (app_config.checks) that the valid sections break."""
    try:
        config = LatticeConfig.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, LatticeConfig)
        failed = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        if failed.isdisjoint(CHECKED_SECTIONS) and all(error["loc"] for error in exc.errors()):
            # The checks do not read the bad sections: check the rest as it stands.
            partial = LatticeConfig.model_validate({k: v for k, v in raw.items() if k not in failed})
            problems += cross_section_problems(partial)
        raise ConfigError(source, problems) from None
    problems = cross_section_problems(config)
    if problems:
        raise ConfigError(source, problems)
    return config


def validation_problems(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per failure of ``root.model_validate``: field, value and rule."""
    return [_describe(error, root) for error in exc.errors()]


def _describe(error: Any, root: type[BaseModel]) -> str:
    loc = tuple(error["loc"])
    field = _dotted(loc)
    kind = error["type"]
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "extra_forbidden":
        allowed = sorted(_fields_at(root, loc[:-1]))
        key = str(loc[-1])
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
    return f"{field} = {value!r}: {message}"


def _dotted(loc: Iterable[Any]) -> str:
    # Discriminated unions add the tag ('s3', 'local') to the location: drop it.
    return ".".join(str(part) for part in _strip_tags(tuple(loc)))


def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for i, part in enumerate(loc):
        if i > 0 and loc[i - 1] == "backend" and part in ("local", "s3"):
            continue
        out.append(part)
    return tuple(out)


def _fields_at(model: type[BaseModel], path: tuple[Any, ...]) -> set[str]:
    """Allowed keys of the model reached by ``path`` (best effort for messages)."""
    candidates: list[Any] = [model]
    for part in path:
        following: list[Any] = []
        tagged = [m for c in candidates for m in _models_in(c) if _tag_of(m) == part]
        if tagged:  # a discriminated-union tag in the location picks the member
            candidates = tagged
            continue
        for candidate in candidates:
            for cls in _models_in(candidate):
                field = cls.model_fields.get(str(part))
                if field is not None:
                    following.append(field.annotation)
                    continue
            # dict[str, Model] keyed by a user name, list[Model] by index: step into the item type
            if typing.get_origin(candidate) is dict:
                following.append(typing.get_args(candidate)[1])
            if typing.get_origin(candidate) is list and isinstance(part, int):
                following.append(typing.get_args(candidate)[0])
        candidates = following
    names: set[str] = set()
    for candidate in candidates:
        for cls in _models_in(candidate):
            names.update(cls.model_fields)
    return names


def _tag_of(model: type[BaseModel]) -> Any:
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
