"""Hop 4, routing: the service's listener on the request's port, then its rules by
priority (method, path, headers; docs/lattice-rules.md section 1), else its default
action."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .kinds import Listener, Service
from .tfjson import block, blocks
from .topology import Topology


@dataclass(frozen=True)
class HttpCall:
    method: str
    host: str
    port: int
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    principal: Optional[str]
    tags: dict[str, str]
    body: str = ""
    scheme: str = "http"
    raw_query: str = ""  # the query string as sent, still percent-encoded
    # A header sent more than once: its values in order (``headers`` holds them comma-joined).
    repeated_headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def sent_host(self) -> str:
        """The host name the request names: its Host header's, without a port, else the URL's."""
        header = self.headers.get("host")
        if not header:
            return self.host
        return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def listener_on(topology: Topology, service: Service, port: int) -> Optional[Listener]:
    return next((listener for listener in topology.listeners(service) if listener.port == port), None)


def route(listener: Listener, call: HttpCall) -> tuple[dict[str, Any], str]:
    """(the action taken, which rule chose it)."""
    for rule in listener.rules:
        if rule_matches(rule.match, call):
            return rule.action, f"rule {rule.name} (priority {rule.priority}) matched"
    return listener.default_action, "no rule matched: default action"


def rule_matches(match: dict[str, Any], call: HttpCall) -> bool:
    if match.get("method") and match["method"] != call.method:
        return False
    path_match = block(match.get("path_match"))
    if path_match:
        sensitive = path_match.get("case_sensitive", True)
        how = block(path_match["match"])
        want = how.get("exact") or how.get("prefix") or ""
        have, want = (call.path, want) if sensitive else (call.path.lower(), want.lower())
        if "exact" in how and have != want or "prefix" in how and not have.startswith(want):
            return False
    for header in blocks(match.get("header_matches")):
        value = call.headers.get(header["name"].lower())
        if value is None:
            return False
        kind, want = next(iter(block(header["match"]).items()))
        if not header.get("case_sensitive", False):
            value, want = value.lower(), want.lower()
        if not {"exact": value == want, "prefix": value.startswith(want), "contains": want in value}[kind]:
            return False
    return True
