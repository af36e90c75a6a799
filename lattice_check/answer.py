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

    @property
    def succeeded(self) -> bool:
        """The call gets through: allowed, and the target answers 2xx, or its
        answer cannot be known offline (an IP, instance or ALB target: no status).
        ``curl``'s exit status is 0 exactly then."""
        return self.reachable and self.decision == "ALLOW" and (self.status is None or 200 <= self.status < 300)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "decision": self.decision,
            "status": self.status,
            "body": self.body,
            "resolution": self.resolution,
            "reasons": self.reasons,
        }
