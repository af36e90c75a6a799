"""What a request gets: the answer every path (Lattice, or a front door outside it)
writes, and ``curl`` and ``matrix`` print."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Answer:
    reachable: bool
    decision: str  # ALLOW, DENY, UNREACHABLE or UNKNOWN: what authorization decided
    status: Optional[int] = None
    body: str = ""
    resolution: Optional[str] = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "decision": self.decision,
            "status": self.status,
            "body": self.body,
            "resolution": self.resolution,
            "reasons": self.reasons,
        }
