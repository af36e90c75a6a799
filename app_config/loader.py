"""Read the TOML config file and turn validation failures into one readable error."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from accounts.registry import patterns
from lattice_model.project import DEFAULT_CONFIG_FILE
from lattice_model.pydantic_errors import validation_problems
from lattice_model.regions import REGION_FORMAT
from safe_io.inputs import CONFIG_LIMIT, InputError, read_text
from safe_io.structured import StructureError, parse_toml

from .checks import cross_section_problems
from .schema import LatticeConfig


class ConfigError(Exception):
    """The configuration is invalid. ``str()`` is the full message for the user."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"{source}: invalid configuration ({count}):\n" + "\n".join(f"  - {p}" for p in problems))


def load_config(path: str | Path = DEFAULT_CONFIG_FILE) -> LatticeConfig:
    """Load and validate ``path``: a regular file of at most 1 MiB of UTF-8 TOML,
    nested at most 64 levels. Raises ConfigError naming every bad field."""
    path = Path(path)
    try:
        raw = parse_toml(read_text(path, limit=CONFIG_LIMIT), path)
    except (InputError, StructureError) as exc:
        raise ConfigError(str(path), [exc.reason]) from None
    return parse_config(raw, source=str(path))


def _with_hints(problems: list[str], raw: dict[str, Any]) -> list[str]:
    """``problems``, where top-level keys are a pattern's tables written without the
    pattern's prefix (a topology's tables pasted below ``[patterns.topology]``), as
    one line saying where they belong."""
    for spec in patterns():
        misplaced = [key for key in spec.own_tables if key in raw]
        if not misplaced:
            continue
        unknown = {f"{key}: unknown key " for key in misplaced}
        problems = [p for p in problems if not any(p.startswith(u) for u in unknown)]
        problems.append(
            f"{', '.join(misplaced)}: tables of [patterns.{spec.name}], written at the top level: put them under it with its prefix "
            f"([patterns.{spec.name}.{misplaced[0]}...]), or in a file that patterns.{spec.name}.file names"
        )
    return problems


# The sections the cross-section checks read: they run whenever these are valid.
CHECKED_SECTIONS = ("accounts", "patterns", "vpcs", "backend", "extra_regions")


def parse_config(raw: dict[str, Any], source: str = "<config>") -> LatticeConfig:
    """Validate ``raw``; ConfigError with every problem: each bad field, and each
    rule across sections (app_config.checks) that the valid sections break."""
    try:
        config = LatticeConfig.model_validate(raw)
    except ValidationError as exc:
        problems = _with_hints(validation_problems(exc, LatticeConfig), raw)
        failed = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        if failed.isdisjoint(CHECKED_SECTIONS) and all(error["loc"] for error in exc.errors()):
            # The checks do not read the bad sections: check the rest as it stands.
            partial = LatticeConfig.model_validate({k: v for k, v in raw.items() if k not in failed})
            region = raw.get("region")
            if "region" in failed and isinstance(region, str) and REGION_FORMAT(region):
                # a region unknown to botocore: the checks that read it (certificates, ARNs)
                # judge the one written, not the default; nothing else is taken as known
                partial = partial.model_copy(update={"region": region})
            problems += cross_section_problems(partial)
        raise ConfigError(source, problems) from None
    problems = cross_section_problems(config)
    if problems:
        raise ConfigError(source, problems)
    return config
