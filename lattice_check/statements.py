"""One policy against one request: which statements apply (principal, action,
resource, conditions with policy variables), and the policy's result: an explicit
Deny wins, then an Allow, else an implicit deny; UNKNOWN when a statement that
could decide uses what this model does not cover."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional, Sequence

from .callers import Request, caller
from .conditions import Tri, all_of, any_of, evaluate_condition, glob_matches, resource_matches


@dataclass(frozen=True)
class PolicyResult:
    effect: Literal["ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY", "UNKNOWN"]
    statement: Optional[str] = None  # "Sid" or "#<index>" of the deciding statement
    unmodeled: tuple[str, ...] = ()


def _listify(value: Any) -> list[str]:
    """An element's value as a list of strings: one value or a list of them, each a
    string, a number or a boolean (JSON ``true`` reads as IAM's ``"true"``)."""
    if value is None:
        return []
    values = value if isinstance(value, (list, tuple)) else [value]
    return [_as_text(v) for v in values]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _principal_matches(statement: Mapping[str, Any], request: Request) -> Tri:
    if "NotPrincipal" in statement:
        return None
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return None
    if "*" in _listify(principal.get("AWS")):
        return True  # {"AWS": "*"} or {"AWS": ["*"]}: everyone, as "*" (anonymous callers too)
    if request.principal is None:
        return False  # a named principal never matches an anonymous caller
    facts = caller(request.principal)
    for arn in _listify(principal.get("AWS")):
        if arn == "*" or arn == request.principal:
            return True
        if facts is None:
            continue
        if arn == facts.account or (arn.endswith(":root") and arn.split(":")[4:5] == [facts.account]):
            return True  # the account: any of its principals that its own policies allow
        if arn == facts.arn:
            return True
        if facts.type == "AssumedRole" and ":role/" in arn and arn.split(":")[4] == facts.account and arn.rsplit("/", 1)[-1] == facts.arn.rsplit("/", 1)[-1]:
            return True  # a role written with its path; a session's ARN carries only the role's name
    return False


def _action_matches(patterns: list[str], action: str) -> bool:
    return any(glob_matches(p.lower(), action.lower()) for p in patterns)


_ALWAYS_SET = {
    f"vpc-lattice-svcs:{k}".lower()
    for k in ("Port", "RequestMethod", "RequestPath", "ServiceArn", "SourceVpc", "SourceVpcOwnerAccount")
} | {"aws:currenttime", "aws:epochtime"}
# Keys set in every signed request, from the caller's own ARN.
_SIGNED_SET = {"aws:principalaccount", "aws:principalarn", "aws:principaltype"}


def _absence_is_known(key: str, request: Request) -> bool:
    """Whether a key missing from the request context is really missing. Lattice sets
    its own keys (an absent header or query key is absent); every request has a
    principal type and a time; a signed request has the caller's account and ARN; the
    caller's tags are what the request says; an anonymous caller has no aws:Principal*
    key; the organization is known when the organizations are declared. Anything else
    (aws:ResourceTag/..., aws:SourceIp, an undeclared organization) is unknown."""
    lowered = key.lower()
    if request.principal is None and lowered.startswith("aws:principal") and lowered != "aws:principaltype":
        return True  # an unsigned request carries no principal keys
    if lowered in _ALWAYS_SET or lowered in _SIGNED_SET:  # set whenever known: missing means the model lacks it
        return False
    if lowered.startswith(("vpc-lattice-svcs:", "aws:principaltag/")):
        return True
    return lowered == "aws:principalorgid" and request.organizations_declared


# Policy variables (``${aws:PrincipalTag/team}``, ``${key, 'default'}``) are read in
# the Resource element and in condition values of a policy whose Version is this one;
# in an older policy they are plain text.
VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULTED = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
# A statement of several policies read as one carries the Version of its own policy.
VERSION_OF_STATEMENT = "lattice_check:Version"


class _NoValue:
    """A policy variable whose key the request lacks: the value equals, and is like, nothing."""


_NO_VALUE = _NoValue()


def _expand(text: str, request: Request) -> "str | _NoValue | None":
    """``text`` with its policy variables replaced by the request's values; _NO_VALUE
    when a key is absent and names no default; None when the model does not know a
    key's value, the key has several values, or the value is a literal ``*``/``?``
    (``${*}``, ``${?}``), which a pattern would read as a wildcard."""
    outcome: "str | _NoValue | None" = ""
    position = 0
    for found in _VARIABLE.finditer(text):
        inner = found.group(1)
        if inner in ("*", "?"):
            return None
        if inner == "$":
            value: "str | _NoValue | None" = "$"
        else:
            defaulted = _DEFAULTED.match(inner)
            key, default = (defaulted.group(1), defaulted.group(2)) if defaulted else (inner.strip(), None)
            present = _context_value(request.context, key)
            if present is not None:
                value = present[0] if len(present) == 1 else None
            elif _absence_is_known(key, request):
                value = default if default is not None else _NO_VALUE
            else:
                value = None
        if value is None:
            return None
        if isinstance(value, _NoValue) or isinstance(outcome, _NoValue):
            outcome = _NO_VALUE
        else:
            assert isinstance(outcome, str)
            outcome += text[position : found.start()] + value
        position = found.end()
    return outcome + text[position:] if isinstance(outcome, str) else outcome


def _with_variables(values: list[str], request: Request, variables: bool) -> Optional[list[str]]:
    """``values`` with their policy variables replaced (a value whose key is absent
    drops out: it matches nothing); None when one cannot be known."""
    if not variables:
        return values
    expanded: list[str] = []
    for value in values:
        replaced = _expand(value, request) if "${" in value else value
        if replaced is None:
            return None
        if isinstance(replaced, str):
            expanded.append(replaced)
    return expanded


def statement_applies(
    statement: Mapping[str, Any], request: Request, *, identity: bool = False, version: Optional[str] = None
) -> tuple[Tri, tuple[str, ...]]:
    """Whether the statement's principal, action, resource and conditions all match.
    An identity-based policy names no principal: it is the caller's own. ``version``:
    the policy's Version (its policy variables are read only in 2012-10-17)."""
    unmodeled: list[str] = []
    variables = statement.get(VERSION_OF_STATEMENT, version) == VARIABLES_VERSION
    principal = True if identity else _principal_matches(statement, request)
    if principal is None:
        unmodeled.append("NotPrincipal or an unrecognised Principal form")
    if "NotAction" in statement:
        action: Tri = not _action_matches(_listify(statement["NotAction"]), request.action)
    else:
        action = _action_matches(_listify(statement.get("Action")), request.action)
    element = "NotResource" if "NotResource" in statement else "Resource"
    patterns = _with_variables(_listify(statement.get(element)), request, variables)
    resource: Tri
    if patterns is None:
        resource = None
        unmodeled.append(f"a policy variable in the {element} element whose value the model does not know")
    else:
        named = any_of([resource_matches(p, request.resource) for p in patterns])
        resource = named if element == "Resource" or named is None else not named
        if named is None:
            unmodeled.append("a Resource form that is neither *, an ARN nor <service>/<path>")
    results: list[Tri] = [principal, action, resource]
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in keys.items():
            present = _context_value(request.context, key)
            if present is None and not _absence_is_known(key, request):
                unmodeled.append(f"condition {operator} {key}: the model does not know this key's value")
                results.append(None)
                continue
            policy_values = _with_variables(_listify(values), request, variables)
            if policy_values is None:
                unmodeled.append(f"condition {operator} {key}: a policy variable whose value the model does not know")
                results.append(None)
                continue
            result = evaluate_condition(operator, policy_values, present)
            if result is None:
                unmodeled.append(f"condition {operator} {key}")
            results.append(result)
    return all_of(results), tuple(unmodeled)


def _context_value(context: Mapping[str, Sequence[str]], key: str) -> Optional[Sequence[str]]:
    """A condition key's values; key names are case-insensitive (aws:sourceVpce is aws:SourceVpce)."""
    if key in context:
        return context[key]
    lowered = key.lower()
    return next((values for name, values in context.items() if name.lower() == lowered), None)


def evaluate_policy(policy: Mapping[str, Any], request: Request, *, identity: bool = False) -> PolicyResult:
    """Explicit deny wins; otherwise any allow; otherwise implicit deny. ``identity``:
    the policy is an identity-based one (its statements name no principal)."""
    allow: Optional[str] = None
    unknown: list[str] = []
    unmodeled: list[str] = []
    statements = policy.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    for index, statement in enumerate(statements):
        label = statement.get("Sid") or f"#{index}"
        applies, missing = statement_applies(statement, request, identity=identity, version=policy.get("Version"))
        unmodeled.extend(f"{label}: {m}" for m in missing)
        if applies is None:
            unknown.append(label)
        elif applies and statement.get("Effect") == "Deny":
            return PolicyResult("EXPLICIT_DENY", label, tuple(unmodeled))
        elif applies and statement.get("Effect") == "Allow" and allow is None:
            allow = label
    if unknown and any((s.get("Sid") or f"#{i}") in unknown and s.get("Effect") == "Deny" for i, s in enumerate(statements)):
        return PolicyResult("UNKNOWN", None, tuple(unmodeled))  # an unmodeled Deny could win
    if allow is not None:
        return PolicyResult("ALLOW", allow, tuple(unmodeled))
    if unknown:
        return PolicyResult("UNKNOWN", None, tuple(unmodeled))
    return PolicyResult("IMPLICIT_DENY", None, tuple(unmodeled))
