"""Listeners (HTTP, HTTPS, TLS_PASSTHROUGH), their rules, matches and actions."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Optional, Sequence, Union

from lattice_model.lattice_rules import FORWARD_TARGET_GROUPS, MATCH_HEADERS_MAX, MATCH_METHOD_MAX, RULE_PRIORITIES, header_match_problem, match_path_problem

from ..runtime import aws
from ..runtime.cdk import Construct
from .target_group import TargetGroup
from .validation import check_choice, check_name, check_quota, check_range, fail, is_token

if TYPE_CHECKING:
    from .service import ServiceLike

ListenerProtocol = Literal["HTTP", "HTTPS", "TLS_PASSTHROUGH"]
DEFAULT_PORTS = {"HTTP": 80, "HTTPS": 443}


@dataclass(frozen=True)
class WeightedTarget:
    """A target group (construct, or the id of one defined elsewhere) and its weight."""

    target_group: Union[TargetGroup, str]
    weight: Optional[int] = None  # needed when a forward names several groups

    @property
    def identifier(self) -> str:
        return self.target_group.id if isinstance(self.target_group, TargetGroup) else self.target_group


@dataclass(frozen=True)
class Forward:
    targets: Sequence[WeightedTarget]


@dataclass(frozen=True)
class FixedResponse:
    status_code: int


Action = Union[Forward, FixedResponse]


@dataclass(frozen=True)
class PathMatch:
    value: str
    kind: Literal["exact", "prefix"] = "prefix"
    case_sensitive: bool = True


@dataclass(frozen=True)
class HeaderMatch:
    name: str
    value: str
    kind: Literal["exact", "prefix", "contains"] = "exact"
    case_sensitive: bool = False


@dataclass(frozen=True)
class RuleMatch:
    method: Optional[str] = None
    path: Optional[PathMatch] = None
    headers: Sequence[HeaderMatch] = field(default_factory=tuple)


@dataclass(frozen=True)
class ListenerProps:
    name: str
    service: "ServiceLike"  # a LatticeService, or a ServiceReference to one owned elsewhere
    default_action: Action
    protocol: ListenerProtocol = "HTTP"
    port: Optional[int] = None  # HTTP defaults to 80, HTTPS to 443; required for TLS_PASSTHROUGH


@dataclass(frozen=True)
class RuleProps:
    name: str
    priority: int
    match: RuleMatch
    action: Action


class Listener(Construct):
    def __init__(self, scope: Construct, id: str, props: ListenerProps) -> None:
        super().__init__(scope, id)
        self._priorities: dict[int, str] = {}  # rule priority -> path of the rule using it
        self.props = props
        self.service = props.service
        self.protocol = props.protocol
        check_name(self, "listener", props.name)
        check_choice(self, "protocol", props.protocol, ("HTTP", "HTTPS", "TLS_PASSTHROUGH"))
        if props.protocol == "TLS_PASSTHROUGH":
            if props.port is None:
                fail(self, "port", None, "a TLS_PASSTHROUGH listener needs an explicit port")
            if not props.service.custom_domain_name:
                fail(
                    self,
                    "service.custom_domain_name",
                    None,
                    "a TLS_PASSTHROUGH listener needs a service with a custom domain name (SNI)",
                )
            if isinstance(props.default_action, FixedResponse):
                fail(self, "default_action", props.default_action, "a TLS_PASSTHROUGH listener can only forward")
        if props.protocol == "HTTPS" and props.service.custom_domain_name and not props.service.certificate_arn:
            fail(
                self,
                "service.certificate_arn",
                None,
                "an HTTPS listener on a service with a custom domain name needs the service's ACM certificate",
            )
        port = props.port if props.port is not None else DEFAULT_PORTS.get(props.protocol)
        check_range(self, "port", port, 1, 65535, "a listener port")
        props.service.register_listener(self)
        action = _check_action(self, "default_action", props.default_action)
        self.resource = aws.vpclattice_listener.VpclatticeListener(
            self,
            "listener",
            name=props.name,
            service_identifier=props.service.identifier,
            protocol=props.protocol,
            port=port,
            default_action=_render_action(
                action,
                aws.vpclattice_listener.VpclatticeListenerDefaultAction,
                aws.vpclattice_listener.VpclatticeListenerDefaultActionForward,
                aws.vpclattice_listener.VpclatticeListenerDefaultActionForwardTargetGroups,
                aws.vpclattice_listener.VpclatticeListenerDefaultActionFixedResponse,
                forward_is_list=True,  # a listener's forward is a list block, a rule's a single one
            ),
        )

    @cached_property
    def id(self) -> str:
        return str(self.resource.listener_id)

    @cached_property
    def arn(self) -> str:
        return str(self.resource.arn)

    def add_rule(self, id: str, props: RuleProps) -> "ListenerRule":
        return ListenerRule(self, id, props)

    def claim_priority(self, rule: "ListenerRule", priority: int) -> None:
        """Record that ``rule`` uses ``priority``: unique per listener, counted
        against the rules-per-listener quota."""
        if priority in self._priorities:
            fail(rule, "priority", priority, f"already used by {self._priorities[priority]} on this listener")
        self._priorities[priority] = rule.node.path
        check_quota(rule, "rules_per_listener", len(self._priorities), "rules on one listener")


class ListenerRule(Construct):
    def __init__(self, listener: Listener, id: str, props: RuleProps) -> None:
        super().__init__(listener, id)
        check_name(self, "rule", props.name)
        if listener.protocol == "TLS_PASSTHROUGH":
            fail(self, "listener.protocol", "TLS_PASSTHROUGH", "a TLS_PASSTHROUGH listener takes no rules")
        check_range(self, "priority", props.priority, *RULE_PRIORITIES, "a rule priority")
        listener.claim_priority(self, props.priority)
        match = _check_match(self, props.match)
        action = _check_action(self, "action", props.action, listener)
        self.resource = aws.vpclattice_listener_rule.VpclatticeListenerRule(
            self,
            "rule",
            name=props.name,
            service_identifier=listener.service.identifier,
            listener_identifier=listener.id,
            priority=props.priority,
            match=match,
            action=_render_action(
                action,
                aws.vpclattice_listener_rule.VpclatticeListenerRuleAction,
                aws.vpclattice_listener_rule.VpclatticeListenerRuleActionForward,
                aws.vpclattice_listener_rule.VpclatticeListenerRuleActionForwardTargetGroups,
                aws.vpclattice_listener_rule.VpclatticeListenerRuleActionFixedResponse,
                forward_is_list=False,
            ),
        )


def _render_action(
    action: Action, action_cls: Any, forward_cls: Any, group_cls: Any, fixed_cls: Any, *, forward_is_list: bool
) -> Any:
    """The provider's typed action struct (plain dicts would be dropped by jsii)."""
    if isinstance(action, FixedResponse):
        return action_cls(fixed_response=fixed_cls(status_code=action.status_code))
    forward = forward_cls(
        target_groups=[group_cls(target_group_identifier=t.identifier, weight=t.weight) for t in action.targets]
    )
    return action_cls(forward=[forward] if forward_is_list else forward)


def _check_action(where: Construct, field: str, action: Action, listener: Optional[Listener] = None) -> Action:
    owner = listener if listener is not None else where
    assert isinstance(owner, Listener)
    if isinstance(action, FixedResponse):
        check_range(where, f"{field}.status_code", action.status_code, 100, 599, "a fixed response status code")
        return action
    targets = list(action.targets)
    low, high = FORWARD_TARGET_GROUPS
    if not low <= len(targets) <= high:
        fail(where, f"{field}.targets", len(targets), f"a forward action names {low} to {high} target groups")
    for index, target in enumerate(targets):
        name = f"{field}.targets[{index}]"
        if target.weight is None and len(targets) > 1:
            fail(where, f"{name}.weight", None, "when a forward names several target groups, each needs a weight")
        check_range(where, f"{name}.weight", target.weight, 0, 999, "a target group weight")
        group = target.target_group
        if isinstance(group, TargetGroup):
            _check_compatible(where, name, owner, group)
    return Forward([WeightedTarget(t.target_group, 100 if t.weight is None else t.weight) for t in targets])


def _check_compatible(where: Construct, field: str, listener: Listener, group: TargetGroup) -> None:
    if listener.protocol == "TLS_PASSTHROUGH":
        if group.protocol != "TCP":
            fail(where, f"{field}.protocol", group.protocol or group.type, "a TLS_PASSTHROUGH listener forwards only to TCP target groups")
    elif group.protocol == "TCP":
        fail(where, f"{field}.protocol", "TCP", f"TCP target groups work only behind TLS_PASSTHROUGH listeners, not {listener.protocol}")
    group.bind_service(where, field, listener.service.node.path)
    listener.service.register_target_group(group)


def _check_match(where: Construct, match: RuleMatch) -> aws.vpclattice_listener_rule.VpclatticeListenerRuleMatch:
    if match.method is None and match.path is None and not match.headers:
        fail(where, "match", match, "a rule matches on at least a method, a path or a header")
    if match.method is not None and not is_token(match.method) and not 1 <= len(match.method) <= MATCH_METHOD_MAX:
        fail(where, "match.method", match.method, f"a method is 1 to {MATCH_METHOD_MAX} characters")
    path = match.path
    if path is not None:
        problem = None if is_token(path.value) else match_path_problem(path.value)
        if problem:
            fail(where, "match.path.value", path.value, problem)
        check_choice(where, "match.path.kind", path.kind, ("exact", "prefix"))
    if len(match.headers) > MATCH_HEADERS_MAX:
        fail(where, "match.headers", len(match.headers), f"a rule matches at most {MATCH_HEADERS_MAX} headers")
    for index, header in enumerate(match.headers):
        check_choice(where, f"match.headers[{index}].kind", header.kind, ("exact", "prefix", "contains"))
        problem = None if is_token(header.name) or is_token(header.value) else header_match_problem(header.name, header.value)
        if problem:
            fail(where, f"match.headers[{index}]", f"{header.name}: {header.value}", problem)
    return aws.vpclattice_listener_rule.VpclatticeListenerRuleMatch(
        http_match=aws.vpclattice_listener_rule.VpclatticeListenerRuleMatchHttpMatch(
            method=match.method,
            path_match=aws.vpclattice_listener_rule.VpclatticeListenerRuleMatchHttpMatchPathMatch(
                case_sensitive=path.case_sensitive,
                match=aws.vpclattice_listener_rule.VpclatticeListenerRuleMatchHttpMatchPathMatchMatch(**{path.kind: path.value}),
            )
            if path
            else None,
            header_matches=[
                aws.vpclattice_listener_rule.VpclatticeListenerRuleMatchHttpMatchHeaderMatches(
                    name=h.name,
                    case_sensitive=h.case_sensitive,
                    match=aws.vpclattice_listener_rule.VpclatticeListenerRuleMatchHttpMatchHeaderMatchesMatch(**{h.kind: h.value}),
                )
                for h in match.headers
            ]
            or None,
        )
    )
