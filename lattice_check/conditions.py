"""How a policy's patterns and conditions match a request's values: the condition
operators (String, Numeric, Arn, Date, Bool, Null, with ``...IfExists``,
``ForAnyValue:`` and ``ForAllValues:``), globs, and ARN patterns in the Resource
element. Each answers a tri-state: True, False, or None when the policy uses
something this model does not cover."""
from __future__ import annotations

import functools
import re
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

Tri = Optional[bool]

_STRING_OPS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"}
_NUMERIC_OPS = {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}
_ARN_OPS = {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
_DATE_OPS = {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"}
_OTHER_OPS = {"Bool", "Null"}
KNOWN_OPERATORS = _STRING_OPS | _NUMERIC_OPS | _ARN_OPS | _DATE_OPS | _OTHER_OPS
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "ArnNotEquals", "ArnNotLike", "DateNotEquals"}
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # an integer or a decimal
_ORDER = {"Equals": "==", "NotEquals": "==", "LessThan": "<", "LessThanEquals": "<=", "GreaterThan": ">", "GreaterThanEquals": ">="}



@functools.lru_cache(maxsize=8192)
def _glob_regex(pattern: str) -> "re.Pattern[str]":
    """IAM's ``*`` and ``?``, compiled once per pattern (a policy is read for every request)."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), flags=re.DOTALL)


def glob_matches(pattern: str, value: str) -> bool:
    return _glob_regex(pattern).fullmatch(value) is not None


def _arn_match(pattern: str, value: str) -> Tri:
    """Each of the six colon-delimited ARN components is matched separately. How IAM
    reads a pattern of fewer components (``arn:aws:iam::*``) is not documented: a
    component it has that already differs decides; otherwise the answer is unknown."""
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) == len(v_parts):
        return all(glob_matches(p, v) for p, v in zip(p_parts, v_parts))
    if pattern == "*":
        return True
    if len(v_parts) < 6:
        return False  # the value is no ARN
    if not all(glob_matches(p, v) for p, v in zip(p_parts[:-1], v_parts)):
        return False
    return None


@functools.lru_cache(maxsize=8192)
def _resource_arn_regex(pattern: str) -> "re.Pattern[str]":
    """A Resource element's ARN: ``*`` and ``?`` stay within one colon-delimited
    component, except a ``*`` that ends a component, which may run past its colons
    (IAM: ``arn:aws:vpc-lattice:*`` is every Lattice resource); in the resource
    component (the sixth), which may itself hold colons, they match anything."""
    components = pattern.split(":", 5)
    compiled: list[str] = []
    for index, component in enumerate(components):
        last = index == 5
        text = ""
        for position, char in enumerate(component):
            if char == "*":
                text += ".*" if last or position == len(component) - 1 else "[^:]*"
            elif char == "?":
                text += "." if last else "[^:]"
            else:
                text += re.escape(char)
        compiled.append(text)
    return re.compile(":".join(compiled), flags=re.DOTALL)


def resource_matches(pattern: str, resource: str) -> Tri:
    """A Resource element against the request's resource (``<service ARN>/<path>``):
    ``*``; an ARN, with ``*`` and ``?`` (``_resource_arn_regex``); or the guide's short form
    ``<service>/<path>`` (``*/rates``: the path /rates of any service; ``*/*``: any
    path of any service), whose first segment is matched against the service id and
    the rest against the path. Anything else is not modeled (None)."""
    if pattern == "*":
        return True
    if pattern.startswith("arn:"):
        return _resource_arn_regex(pattern).fullmatch(resource) is not None
    service_pattern, slash, path_pattern = pattern.partition("/")
    located = re.match(r"arn:[^:]*:vpc-lattice:[^:]*:[^:]*:service/([^/]+)(/.*)?$", resource)
    if not slash or located is None:
        return None
    service_id, path = located.group(1), located.group(2) or "/"
    return glob_matches(service_pattern, service_id) and glob_matches("/" + path_pattern, path)


def _moment(text: str) -> Optional[datetime]:
    """A date as IAM reads it: ISO 8601 (a date, or a date and time; UTC unless it
    says otherwise) or seconds since the epoch."""
    try:
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _ordered(base: str, prefix: str, policy: Any, request: Any) -> bool:
    relation = _ORDER[base.removeprefix(prefix)]
    return bool({"==": request == policy, "<": request < policy, "<=": request <= policy, ">": request > policy, ">=": request >= policy}[relation])


def _compare(base: str, policy_value: str, request_value: str) -> Tri:
    """One policy value against one request value, for a non-negated base operator."""
    if base in ("StringEquals", "StringNotEquals"):
        return policy_value == request_value
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return policy_value.casefold() == request_value.casefold()
    if base in ("StringLike", "StringNotLike"):
        return glob_matches(policy_value, request_value)
    if base in _ARN_OPS:
        return _arn_match(policy_value, request_value)
    if base == "Bool":
        return policy_value.lower() == request_value.lower()
    if base in _NUMERIC_OPS:
        if not (_NUMBER.fullmatch(policy_value) and _NUMBER.fullmatch(request_value)):
            return None  # not a number as IAM writes one ("1_000", "nan" and " 80" are not)
        return _ordered(base, "Numeric", float(policy_value), float(request_value))
    if base in _DATE_OPS:
        moment, asked_at = _moment(policy_value), _moment(request_value)
        if moment is None or asked_at is None:
            return None
        return _ordered(base, "Date", moment, asked_at)
    return None


def any_of(values: Sequence[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def all_of(values: Sequence[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def evaluate_condition(operator: str, policy_values: Sequence[str], request_values: Optional[Sequence[str]]) -> Tri:
    """One operator on one key. ``request_values`` None means the key is absent."""
    qualifier = ""
    base = operator
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if base.startswith(prefix):
            qualifier, base = prefix[:-1], base[len(prefix) :]
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    if base not in KNOWN_OPERATORS:
        return None
    policy_values = [str(v) for v in policy_values]
    if base == "Null":
        want_absent = [v.lower() == "true" for v in policy_values]
        absent = not request_values
        return any(w == absent for w in want_absent)
    negated = base in _NEGATED
    if not request_values:
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated  # a missing key fails positive operators, passes negated ones

    def value_ok(request_value: str) -> Tri:
        # positive: matches one of the policy values (OR); negated: matches none (NOR)
        hit = any_of([_compare(base, p, request_value) for p in policy_values])
        return hit if not negated else (None if hit is None else not hit)

    results = [value_ok(v) for v in request_values]
    if qualifier == "ForAllValues":
        return all_of(results)
    if qualifier == "ForAnyValue":
        return any_of(results)
    # No qualifier on a (possibly) multi-valued key: positive operators match when
    # any value matches; negated operators when no value matches the policy values.
    return all_of(results) if negated else any_of(results)
