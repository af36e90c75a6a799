"""The ledger of every version the project pins (pins/ledger.toml), read once.

- :func:`ledger` and :func:`version`: the pins; the code takes its versions from here.
- :func:`expiry_problems`: pins at or within 60 days of their end of support, and
  waivers that lapsed.
- :func:`pod_identity`: whether a chart or image at a version reads EKS Pod Identity
  credentials (True, False, or None: not known), with why.
- ``python -m pins`` (``make outdated``): the ledger with the days left of each pin.

A locator says where a pin lives: ``output:provider:<name>`` (required_providers),
``output:helm:<chart>``, ``output:image:<repository>``, ``output:eks``,
``output:eks-addon:<name>``, ``output:lambda-runtime``, ``output:ssl-policy``,
``output:apigateway-security-policy``, ``output:url:<name>`` (a release file a stack
reads), ``workflow:<action>``, ``workflow:python-version``, ``workflow:terraform_version``,
``pipfile:<package>``, ``pipfile:python_version``, ``npm:<package>``, ``config:<field>``
(a config default). tests/unit/test_ledger.py finds them all and compares.

Standard library only, and nothing else of the project: lattice_check reads the
Pod Identity facts too.
"""
from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

LEDGER = Path(__file__).with_name("ledger.toml")
WARNING_DAYS = 60  # a pin fails the suite this long before its end of support
WAIVER_DAYS = 120  # a waiver runs at most this long after the day its facts were read


@dataclass(frozen=True)
class Waiver:
    until: date
    why: str


@dataclass(frozen=True)
class Pin:
    id: str
    name: str
    kind: str
    version: str
    locators: tuple[str, ...]
    source: str
    read: date
    support: str = ""
    released: str = ""
    end_of_support: Optional[date] = None
    successor: str = ""
    waiver: Optional[Waiver] = None
    facts: dict[str, Any] = field(default_factory=dict)

    def days_left(self, today: date) -> Optional[int]:
        return None if self.end_of_support is None else (self.end_of_support - today).days


@dataclass(frozen=True)
class PodIdentityFact:
    chart: str
    image: str
    works_from: str
    fails_below: str
    why: str
    source: str


@dataclass(frozen=True)
class Ledger:
    pins: dict[str, Pin]
    pod_identity: tuple[PodIdentityFact, ...]
    node20_removed: date


def _date(value: Any) -> Optional[date]:
    return value if isinstance(value, date) else None


@functools.cache
def ledger(path: Path = LEDGER) -> Ledger:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    pins = {}
    for key, entry in raw["pin"].items():
        waiver = entry.get("waiver")
        pins[key] = Pin(
            id=key,
            name=entry["name"],
            kind=entry["kind"],
            version=str(entry["version"]),
            locators=tuple(entry["locators"]),
            source=entry["source"],
            read=entry["read"],
            support=entry.get("support", ""),
            released=str(entry.get("released", "")),
            end_of_support=_date(entry.get("end_of_support")),
            successor=entry.get("successor", ""),
            waiver=Waiver(waiver["until"], waiver["why"]) if waiver else None,
            facts=dict(entry.get("facts", {})),
        )
    facts = tuple(
        PodIdentityFact(f.get("chart", ""), f.get("image", ""), f.get("works_from", ""), f.get("fails_below", ""), f["why"], f["source"])
        for f in raw.get("pod_identity", [])
    )
    return Ledger(pins, facts, raw["runners"]["node20_removed"])


def version(pin: str) -> str:
    """The version the ledger pins for ``pin`` (KeyError for an unknown pin)."""
    return ledger().pins[pin].version


def fact(pin: str, name: str) -> Any:
    return ledger().pins[pin].facts[name]


def expiry_problems(today: date, pins: Optional[dict[str, Pin]] = None) -> list[str]:
    """One line per pin that is past, or within 60 days of, its end of support
    without a waiver in force, and per waiver that lapsed or runs too long."""
    problems = []
    for pin in (pins if pins is not None else ledger().pins).values():
        left = pin.days_left(today)
        successor = f"; successor: {pin.successor}" if pin.successor else ""
        if pin.waiver is not None:
            longest = (pin.read.toordinal() + WAIVER_DAYS)
            if pin.waiver.until.toordinal() > longest:
                problems.append(f"{pin.id} {pin.version}: its waiver runs to {pin.waiver.until}, more than {WAIVER_DAYS} days after its facts were read ({pin.read}): read them again")
            elif today > pin.waiver.until:
                problems.append(f"{pin.id} {pin.version}: its waiver lapsed on {pin.waiver.until} ({pin.waiver.why}){successor}")
            continue
        if left is not None and left < WARNING_DAYS:
            when = f"ended {-left} days ago" if left < 0 else f"ends in {left} days"
            problems.append(f"{pin.id} {pin.version}: its support {when} ({pin.end_of_support}: {pin.support}){successor}")
    return problems


def version_key(text: str) -> tuple[int, ...]:
    """``v2.1.3`` -> (2, 1, 3); a version without digits sorts lowest."""
    return tuple(int(part) for part in re.findall(r"\d+", text))


def pod_identity(*, chart: str = "", image: str = "", at: str) -> tuple[Optional[bool], str]:
    """Whether the workload of ``chart`` (a Helm chart name) or ``image`` (a
    container image repository) at version ``at`` reads EKS Pod Identity
    credentials: True, False, or None when the ledger does not know, with why."""
    what = f"chart {chart} {at}" if chart else f"image {image}:{at}"
    for known in ledger().pod_identity:
        if (chart and known.chart != chart) or (image and known.image != image) or not (known.chart or known.image):
            continue
        if known.fails_below and version_key(at) < version_key(known.fails_below):
            return False, f"{what} cannot read EKS Pod Identity credentials: {known.why} (the ledger, pins/ledger.toml)"
        if known.works_from and version_key(at) >= version_key(known.works_from):
            return True, f"{what} reads EKS Pod Identity credentials (from {known.works_from}: {known.why})"
        return None, f"whether {what} reads EKS Pod Identity credentials is not known (known to from {known.works_from}; the ledger, pins/ledger.toml)"
    return None, f"whether {what} reads EKS Pod Identity credentials is not known (not in the ledger, pins/ledger.toml)"
