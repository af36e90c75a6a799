"""An Application Load Balancer listener's choice for one request: its rules
(``aws_lb_listener_rule``) in priority order, then its default action, as the ELB
guide's "Listener rules for your Application Load Balancer" describes them.

- A rule applies when all of its conditions match; a condition matches when any of
  its values does.
- ``host-header`` (the host name, without a port) and ``http-header`` values are
  case-insensitive; ``path-pattern`` (the path only, not the query) is
  case-sensitive; all three take the wildcards ``*`` (any characters) and ``?``
  (exactly one).
- ``http-request-method`` is an exact, case-sensitive name.
- ``query-string`` pairs are matched against the query as sent (the guide has reserved
  characters in a condition written percent-encoded), case-insensitively, with the same
  wildcards; a pair without a key matches any value.
- ``source-ip`` CIDRs are matched against the address the balancer sees.
- A rule without a priority gets the next one free when it is created: after every
  numbered rule, in an order the model cannot know (two of them that both match are
  UNKNOWN).

Used by both paths that cross an ALB: a private zone's alias to a balancer in front
of an endpoint (front_door.py), and a VPC Lattice target group of type ALB (targets.py)."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Optional

from .graph import Stack
from .kinds import Element
from .routing import HttpCall
from .tfjson import block, blocks
from .topology import Topology


@dataclass(frozen=True)
class AlbAction:
    """What the listener does with the request.

    ``kind``: ``forward`` (``groups``: (target group ARN, weight) pairs), ``fixed-response``
    (``status``, ``body``), ``redirect`` (``status``, ``location``), or None when the
    model cannot say (``how`` says why)."""

    kind: Optional[str]
    how: str
    groups: tuple[tuple[str, int], ...] = ()
    status: Optional[int] = None
    body: str = ""
    location: str = ""


@dataclass(frozen=True)
class _Rule:
    element: Element
    priority: Optional[int]
    conditions: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class AlbRequest:
    """The request as the balancer sees it."""

    call: HttpCall
    source: Optional[str] = None  # the sender's address or CIDR; None when unknown

    @property
    def host(self) -> str:
        return self.call.sent_host


def listener_action(topology: Topology, stack: Stack, listener: Element, request: AlbRequest) -> AlbAction:
    """The action ``listener`` (an ``aws_lb_listener`` of ``stack``) takes for ``request``."""
    listener_arn = topology.model.attribute(stack, "aws_lb_listener", listener.name, "arn")
    rules = sorted(
        (_rule(topology, e) for e in topology.elements("aws_lb_listener_rule", stack) if topology.resolve(e.body.get("listener_arn"), e) == listener_arn),
        key=lambda r: (r.priority is None, r.priority or 0),
    )
    unnumbered_match: Optional[_Rule] = None
    for rule in rules:
        matched = _all_match(rule.conditions, request)
        if matched is None:
            return AlbAction(None, f"not modeled: whether aws_lb_listener_rule.{rule.element.name} matches ({_describe(rule)}) depends on what the model cannot know")
        if not matched:
            continue
        if rule.priority is not None:
            return _action(topology, rule.element, rule.actions, f"rule aws_lb_listener_rule.{rule.element.name} (priority {rule.priority}: {_describe(rule)})")
        if unnumbered_match is not None:
            return AlbAction(None, (f"not modeled: aws_lb_listener_rule.{unnumbered_match.element.name} and .{rule.element.name} both match and have "
                                    "no priority: which gets the lower one depends on the order they are created in"))
        unnumbered_match = rule
    if unnumbered_match is not None:
        return _action(topology, unnumbered_match.element, unnumbered_match.actions,
                       f"rule aws_lb_listener_rule.{unnumbered_match.element.name} (no priority, after the numbered rules: {_describe(unnumbered_match)})")
    how = f"the default action of aws_lb_listener.{listener.name}" + (f" (none of its {len(rules)} rules matched)" if rules else "")
    return _action(topology, listener, tuple(blocks(listener.body.get("default_action"))), how)


def _rule(topology: Topology, element: Element) -> _Rule:
    priority = topology.resolve(element.body.get("priority"), element)
    return _Rule(
        element,
        int(priority) if isinstance(priority, (int, str)) and str(priority).isdigit() else None,
        tuple(blocks(element.body.get("condition"))),
        tuple(blocks(element.body.get("action"))),
    )


def _action(topology: Topology, element: Element, actions: tuple[dict[str, Any], ...], how: str) -> AlbAction:
    """The terminal action of a rule or default action (an authenticate action before it is not modeled)."""
    ordered = sorted(actions, key=lambda a: int(a.get("order", 0) or 0))
    if not ordered:
        return AlbAction(None, f"not modeled: {how} has no action")
    if any(str(a.get("type", "")).startswith("authenticate-") for a in ordered):
        return AlbAction(None, f"not modeled: {how} authenticates the user first ({ordered[0].get('type')})")
    action = ordered[-1]
    kind = action.get("type")
    if kind == "forward":
        weighted = block(action.get("forward"))
        if action.get("target_group_arn"):
            groups: tuple[tuple[str, int], ...] = ((str(topology.resolve(action["target_group_arn"], element)), 1),)
        else:
            groups = tuple(
                (str(topology.resolve(g.get("arn"), element)), int(g.get("weight", 1)))
                for g in blocks(weighted.get("target_group"))
            )
        if not groups:
            return AlbAction(None, f"not modeled: {how} forwards to no target group")
        return AlbAction("forward", how, groups=groups)
    if kind == "fixed-response":
        fixed = block(action.get("fixed_response"))
        status = str(fixed.get("status_code", ""))
        if not status.isdigit():
            return AlbAction(None, f"not modeled: {how} answers with status {status!r}")
        return AlbAction("fixed-response", how, status=int(status), body=str(fixed.get("message_body", "") or ""))
    if kind == "redirect":
        redirect = block(action.get("redirect"))
        code = {"HTTP_301": 301, "HTTP_302": 302}.get(str(redirect.get("status_code")))
        if code is None:
            return AlbAction(None, f"not modeled: {how} redirects with {redirect.get('status_code')!r}")
        return AlbAction("redirect", how, status=code, location=_location(redirect))
    return AlbAction(None, f"not modeled: {how} is a {kind!r} action")


def _location(redirect: dict[str, Any]) -> str:
    """The Location of a redirect, its #{...} placeholders left for the request's own
    values (the ELB guide: each part defaults to the request's)."""
    protocol = str(redirect.get("protocol") or "#{protocol}")
    host = str(redirect.get("host") or "#{host}")
    port = str(redirect.get("port") or "#{port}")
    path = str(redirect.get("path") or "/#{path}")
    query = str(redirect.get("query") if redirect.get("query") is not None else "#{query}")
    return f"{protocol.lower()}://{host}:{port}{path}" + (f"?{query}" if query else "")


def fill_location(location: str, request: AlbRequest) -> str:
    """A redirect's Location with the request's values in its placeholders."""
    call = request.call
    values = {
        "#{protocol}": call.scheme, "#{host}": request.host, "#{port}": str(call.port),
        "#{path}": call.path.lstrip("/"), "#{query}": call.raw_query,
    }
    for placeholder, value in values.items():
        location = location.replace(placeholder, value)
    return location[:-1] if location.endswith("?") else location


# --- conditions ------------------------------------------------------------------------------------


def _all_match(conditions: tuple[dict[str, Any], ...], request: AlbRequest) -> Optional[bool]:
    """True when every condition matches, False when one does not; None when one cannot be decided."""
    undecided = False
    for condition in conditions:
        matched = _matches(condition, request)
        if matched is False:
            return False
        undecided = undecided or matched is None
    return None if undecided else True


def _matches(condition: dict[str, Any], request: AlbRequest) -> Optional[bool]:
    call = request.call
    if "host_header" in condition:
        return _any_wildcard(block(condition["host_header"]).get("values"), [request.host], case_sensitive=False)
    if "path_pattern" in condition:
        return _any_wildcard(block(condition["path_pattern"]).get("values"), [call.path], case_sensitive=True)
    if "http_request_method" in condition:
        return call.method in (block(condition["http_request_method"]).get("values") or ())
    if "http_header" in condition:
        header = block(condition["http_header"])
        name = str(header.get("http_header_name", "")).lower()
        sent = call.repeated_headers.get(name) or ([call.headers[name]] if name in call.headers else [])
        verdicts = {_any_wildcard(header.get("values"), [value], case_sensitive=False) for value in sent}
        if not verdicts:
            return False
        return verdicts.pop() if len(verdicts) == 1 else None  # which of a repeated header's values counts is not documented
    if "query_string" in condition:
        pairs = [pair.partition("=")[::2] for pair in call.raw_query.split("&") if pair]
        for wanted in blocks(condition["query_string"]):
            key, value = wanted.get("key"), str(wanted.get("value", ""))
            for sent_key, sent_value in pairs:
                if (key is None or _wildcard(str(key), sent_key, case_sensitive=False)) and _wildcard(value, sent_value, case_sensitive=False):
                    return True
        return False
    if "source_ip" in condition:
        return _source_matches(block(condition["source_ip"]).get("values") or (), request.source)
    return None  # a condition type the model does not read


def _any_wildcard(patterns: Any, values: list[str], *, case_sensitive: bool) -> bool:
    return any(_wildcard(str(p), v, case_sensitive=case_sensitive) for p in patterns or () for v in values)


def _wildcard(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """ELB's wildcards: ``*`` any characters, ``?`` exactly one; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE | re.DOTALL) is not None


def _source_matches(cidrs: Any, source: Optional[str]) -> Optional[bool]:
    """Whether the sender is in one of ``cidrs``: None when ``source`` is a range only part of which is."""
    if source is None:
        return None
    sender = ipaddress.ip_network(source, strict=False)
    partly = False
    for cidr in cidrs:
        allowed = ipaddress.ip_network(str(cidr), strict=False)
        if sender.version != allowed.version:
            continue
        if sender.subnet_of(allowed):  # type: ignore[arg-type]
            return True
        partly = partly or sender.overlaps(allowed)
    return None if partly else False


def _describe(rule: _Rule) -> str:
    parts = []
    for condition in rule.conditions:
        for kind, value in condition.items():
            if kind == "http_header":
                header = block(value)
                parts.append(f"header {header.get('http_header_name')} {' or '.join(map(str, header.get('values') or ()))}")
            elif kind == "query_string":
                parts.append("query " + " or ".join(f"{q.get('key', '*')}={q.get('value')}" for q in blocks(value)))
            else:
                parts.append(f"{kind.replace('_', ' ')} {' or '.join(map(str, block(value).get('values') or ()))}")
    return ", ".join(parts) or "no condition"
