"""Read the TOML config file and turn validation failures into one readable error."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lattice_check.pydantic_errors import validation_problems

from .checks import cross_section_problems
from .regions import REGION_FORMAT
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
