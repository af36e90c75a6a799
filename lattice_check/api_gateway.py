"""A request arriving at an execute-api interface endpoint, as API Gateway answers
it: the ``Host`` header names a custom domain of the endpoint's region; a base path
mapping of that domain picks the REST API and stage; the API must be PRIVATE, and
its resource policy must allow ``execute-api:Invoke`` on the method's ARN with
``aws:SourceVpce`` being the endpoint (a Resource in the short form
``execute-api:/<stage>/<METHOD>/<path>`` stands for that API's own ARN); the
OpenAPI document (the API's ``body``) must have the method, whose request validator checks the required parameters and
the body's JSON schema; the ``aws_proxy`` integration names the Lambda function,
which must let API Gateway invoke it; the function gets the REST proxy event
(payload 1.0) and its answer becomes the response.

API Gateway's own error bodies are the ones it sends: ``{"message": "Forbidden"}``,
``{"message": "Missing Authentication Token"}``, ``{"message": "Invalid request
body"}``, ``{"message": "Internal server error"}``."""
from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

import jsonschema
import yaml

from .answer import Answer
from .callers import Request
from .dynamodb import Tables
from .functions import invoke, invoke_permission
from .kinds import Element
from .routing import HttpCall
from .statements import evaluate_policy
from .tfjson import block
from .topology import Topology

INVOKE_API = "execute-api:Invoke"
SHORT_FORM = "execute-api:/"  # a resource policy's Resource, short for the API's own execution ARN (expand_short_forms)
_FUNCTION_URI = re.compile(r"arn:aws[a-z-]*:apigateway:[^:]+:lambda:path/[^/]+/functions/(arn:[^/]+)/invocations")


@dataclass(frozen=True)
class Route:
    """The API, stage and path within it that a custom domain's base path mapping gives."""

    api: Element
    api_id: str
    stage: str
    path: str  # the request path without the base path


def reach(topology: Topology, call: HttpCall, endpoint: Element, tables: Tables, answer: Answer, now: Optional[datetime] = None) -> Answer:
    """``answer`` completed with what API Gateway, behind ``endpoint``, does with ``call``."""
    reasons = answer.reasons
    answer.reachable = True
    endpoint_id = topology.model.attribute(endpoint.stack, "aws_vpc_endpoint", endpoint.name, "id")
    route = _route(topology, call, endpoint, endpoint_id, reasons)
    if route is None:
        return _error(answer, 403, "Forbidden", "DENY")
    api = topology.resolve(route.api.body, route.api)
    types = block(api.get("endpoint_configuration")).get("types") or ["EDGE"]
    if "PRIVATE" not in types:
        reasons.append(f"API {api.get('name')} is {types[0]}, not PRIVATE: an execute-api endpoint serves private APIs only")
        return _error(answer, 403, "Forbidden", "DENY")
    execution_arn = topology.model.attribute(route.api.stack, "aws_api_gateway_rest_api", route.api.name, "execution_arn")
    method_arn = f"{execution_arn}/{route.stage}/{call.method}{route.path}"
    if not _allowed(topology, route, endpoint, endpoint_id, method_arn, api, answer, now or datetime.now(timezone.utc)):
        return answer
    definition = _definition(api)
    if definition is None:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: API {api.get('name')} has no OpenAPI body (methods made as separate resources)")
        return answer
    found = _operation(definition, call.method, route.path)
    if found is None:
        reasons.append(f"API {api.get('name')} has no {call.method} {route.path}: API Gateway answers 403 Missing Authentication Token")
        return _error(answer, 403, "Missing Authentication Token", "DENY")
    template, operation, path_parameters = found
    reasons.append(f"method {call.method} {template} of API {api.get('name')} (stage {route.stage})")
    invalid = _validate(definition, operation, call, path_parameters, reasons)
    if invalid:
        return _error(answer, 400, invalid, "ALLOW")
    integration = operation.get("x-amazon-apigateway-integration") or {}
    function_arn = _FUNCTION_URI.fullmatch(str(integration.get("uri", "")))
    if integration.get("type") != "aws_proxy" or function_arn is None:
        answer.decision = "UNKNOWN"
        reasons.append(f"not modeled: integration {integration.get('type')} {integration.get('uri')}")
        return answer
    function_stack = next((s for s in topology.stacks if topology.function(s, function_arn.group(1))), route.api.stack)
    if not _may_invoke(topology, function_stack, function_arn.group(1), method_arn, reasons):
        return _error(answer, 500, "Internal server error", "ALLOW")
    event = _proxy_event(call, route, template, path_parameters, api_id=route.api_id, account=route.api.account, endpoint_id=endpoint_id)
    invocation = invoke(topology, function_stack, function_arn.group(1), event, tables)
    reasons.append("aws_proxy integration: " + "; ".join(invocation.reasons or ["no answer"]))
    if invocation.failure is not None:
        reasons.append(f"the function failed ({invocation.failure}): API Gateway answers 502")
        return _error(answer, 502, "Internal server error", "ALLOW")
    response = invocation.response
    if not isinstance(response, dict) or not isinstance(response.get("statusCode"), int):
        reasons.append("the function's answer is not a proxy response (an object with an integer statusCode): API Gateway answers 502")
        return _error(answer, 502, "Internal server error", "ALLOW")
    answer.decision, answer.status, answer.body = "ALLOW", response["statusCode"], str(response.get("body") or "")
    return answer


def _error(answer: Answer, status: int, message: str, decision: str) -> Answer:
    answer.decision, answer.status, answer.body = decision, status, json.dumps({"message": message})
    return answer


def _route(topology: Topology, call: HttpCall, endpoint: Element, endpoint_id: str, reasons: list[str]) -> Optional[Route]:
    """The custom domain ``Host`` names and its base path mapping for the path."""
    domains = [
        d for d in topology.elements("aws_api_gateway_domain_name")
        if topology.resolve(d.body.get("domain_name"), d) == call.host and d.region == endpoint.region
    ]
    if not domains:
        reasons.append(f"API Gateway: no custom domain name {call.host} in {endpoint.region}: 403 Forbidden")
        return None
    domain = domains[0]
    kind = (block(domain.body.get("endpoint_configuration")).get("types") or ["EDGE"])[0]
    where = f"custom domain {call.host} (aws_api_gateway_domain_name.{domain.name} in {domain.stack.name}, {kind})"
    if kind == "PRIVATE":
        associated = any(
            topology.resolve(a.body.get("access_association_source"), a) == endpoint_id
            for a in topology.elements("aws_api_gateway_domain_name_access_association")
        )
        if not associated:
            reasons.append(f"API Gateway: {where} has no access association with {endpoint_id}: 403 Forbidden")
            return None
    mappings = []
    for mapping in topology.elements("aws_api_gateway_base_path_mapping", domain.stack):
        body = topology.resolve(mapping.body, mapping)
        if body.get("domain_name") != call.host:
            continue
        base = str(body.get("base_path") or "").strip("/")
        base = "" if base == "(none)" else base
        if base == "" or call.path == f"/{base}" or call.path.startswith(f"/{base}/"):
            mappings.append((len(base), base, body))
    if not mappings:
        reasons.append(f"API Gateway: {where} maps no base path that {call.path} starts with: 403 Forbidden")
        return None
    _, base, body = max(mappings, key=lambda m: m[0])
    api = next(
        (a for a in topology.elements("aws_api_gateway_rest_api", domain.stack)
         if topology.model.attribute(domain.stack, "aws_api_gateway_rest_api", a.name, "id") == body["api_id"]),
        None,
    )
    if api is None:
        reasons.append(f"API Gateway: {where} maps {base or '(none)'} to API {body['api_id']}, not in this output: not modeled")
        return None
    stage = str(body.get("stage_name") or "")
    staged = any(
        topology.resolve(s.body.get("stage_name"), s) == stage and topology.resolve(s.body.get("rest_api_id"), s) == body["api_id"]
        for s in topology.elements("aws_api_gateway_stage", domain.stack)
    )
    if not staged:
        reasons.append(f"API Gateway: API {api.body.get('name')} has no stage {stage!r}: 403 Forbidden")
        return None
    path = call.path[len(base) + 1 :] if base else call.path
    reasons.append(f"API Gateway: Host {call.host} is {where}; base path {base or '(none)'} maps to API {api.body.get('name')} stage {stage}")
    return Route(api, body["api_id"], stage, path or "/")


def _allowed(
    topology: Topology, route: Route, endpoint: Element, endpoint_id: str, method_arn: str, api: Mapping[str, Any], answer: Answer, now: datetime
) -> bool:
    """Whether the API's resource policy lets this endpoint's anonymous caller invoke the method."""
    policies = [
        topology.resolve(p.body["policy"], p) for p in topology.elements("aws_api_gateway_rest_api_policy", route.api.stack)
        if topology.resolve(p.body.get("rest_api_id"), p) == route.api_id
    ] or ([api["policy"]] if api.get("policy") else [])
    deny = f"User: anonymous is not authorized to perform: {INVOKE_API} on resource: {method_arn}"
    if not policies:
        answer.reasons.append(f"API {api.get('name')} is private with no resource policy: every call is denied")
        answer.decision, answer.status, answer.body = "DENY", 403, json.dumps({"Message": deny})
        return False
    policy = policies[-1]
    document = json.loads(policy) if isinstance(policy, str) else policy
    execution_arn = str(topology.model.attribute(route.api.stack, "aws_api_gateway_rest_api", route.api.name, "execution_arn"))
    document, shortened = expand_short_forms(document, execution_arn)
    if shortened:
        answer.reasons.append(
            f"resource policy of API {api.get('name')}: {', '.join(shortened)} read as {execution_arn}/... (API Gateway expands {SHORT_FORM}... "
            "against the API the policy belongs to when it saves the policy)"
        )
    moment = now.astimezone(timezone.utc)
    request = Request(
        action=INVOKE_API,
        resource=method_arn,
        context={
            "aws:SourceVpce": [endpoint_id],
            "aws:SourceVpc": [str(topology.resolve(endpoint.body.get("vpc_id"), endpoint))],
            "aws:PrincipalType": ["Anonymous"],
            "aws:CurrentTime": [moment.strftime("%Y-%m-%dT%H:%M:%SZ")],
            "aws:EpochTime": [str(int(moment.timestamp()))],
        },
    )
    result = evaluate_policy(document, request)
    answer.reasons.extend(f"not modeled: {u}" for u in result.unmodeled)
    if result.effect == "ALLOW":
        answer.reasons.append(f"resource policy of API {api.get('name')}: {INVOKE_API} through {endpoint_id} allowed by statement {result.statement}")
        return True
    if result.effect == "UNKNOWN":
        answer.decision = "UNKNOWN"
        answer.reasons.append(f"resource policy of API {api.get('name')}: depends on what the model does not cover")
        return False
    explicit = result.effect == "EXPLICIT_DENY"
    answer.reasons.append(
        f"resource policy of API {api.get('name')}: "
        + (f"statement {result.statement} denies" if explicit else f"no statement allows {INVOKE_API} through {endpoint_id}")
    )
    answer.decision, answer.status = "DENY", 403
    answer.body = json.dumps({"Message": deny + (" with an explicit deny" if explicit else "")})
    return False


def expand_short_forms(document: Mapping[str, Any], execution_arn: str) -> tuple[dict[str, Any], list[str]]:
    """The resource policy ``document`` with each ``Resource`` or ``NotResource`` written
    in the short form ``execute-api:/<stage>/<METHOD>/<resource path>`` made the full
    ARN of the API the policy belongs to, ``<execution_arn>/<stage>/<METHOD>/<path>``
    (``execution_arn`` is ``arn:aws:execute-api:<region>:<account>:<api-id>``), as
    API Gateway saves it; and the short forms found, in order.

    The API Gateway developer guide, "API Gateway resource policy examples": "API
    Gateway converts the abbreviated syntax to the full ARN when you save the policy.
    For example, you can specify the resource execute-api:/stage-name/GET/pets in a
    resource policy. API Gateway converts the resource to
    arn:aws:execute-api:us-east-2:123456789012:aabbccddee/stage-name/GET/pets [...]
    API Gateway builds the full ARN by using the current Region, your AWS account ID,
    and the ID of the REST API that the resource policy is associated with. You can
    use execute-api:/* to represent all stages, methods, and paths in the current
    API." (Its examples write ``execute-api:/*`` and ``execute-api:/stage/GET/pets``;
    x-amazon-apigateway-policy: "On import, "execute-api:/*" is converted to
    arn:aws:execute-api:region:account-id:api-id/*".) So the short form is the full
    ARN with ``arn:aws:execute-api:<region>:<account>:<api-id>`` written
    ``execute-api:``, the stage, method and resource path in the same order, and its
    wildcards read as in any ARN afterwards. Other short spellings are left as
    written (the authorizer reports them as not modeled)."""
    found: list[str] = []

    def expanded(value: Any) -> Any:
        if isinstance(value, list):
            return [expanded(v) for v in value]
        if isinstance(value, str) and value.startswith(SHORT_FORM):
            found.append(value)
            return execution_arn + value[len(SHORT_FORM) - 1 :]
        return value

    statements = document.get("Statement", [])
    listed = [statements] if isinstance(statements, Mapping) else list(statements)
    rewritten = [
        {key: expanded(value) if key in ("Resource", "NotResource") else value for key, value in statement.items()}
        if isinstance(statement, Mapping) else statement
        for statement in listed
    ]
    return {**document, "Statement": rewritten}, found


def _definition(api: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    body = api.get("body")
    if isinstance(body, str):
        body = yaml.safe_load(body)  # JSON is YAML too
    return body if isinstance(body, dict) else None


def _operation(definition: Mapping[str, Any], method: str, path: str) -> Optional[tuple[str, dict[str, Any], dict[str, str]]]:
    """(the path template, its operation, the path parameters) for the request; the
    template with the most literal segments wins, as in API Gateway."""
    wanted = [s for s in path.split("/") if s]
    candidates = []
    for template, operations in (definition.get("paths") or {}).items():
        segments = [s for s in template.split("/") if s]
        parameters = _match_template(segments, wanted)
        operation = (operations or {}).get(method.lower()) or (operations or {}).get("x-amazon-apigateway-any-method")
        if parameters is None or operation is None:
            continue
        literal = sum(1 for s in segments if not s.startswith("{"))
        candidates.append((literal, template, operation, parameters))
    if not candidates:
        return None
    _, template, operation, parameters = max(candidates, key=lambda c: c[0])
    return template, operation, parameters


def _match_template(segments: list[str], wanted: list[str]) -> Optional[dict[str, str]]:
    """The path parameters when the request's segments fit the template's, else None."""
    parameters: dict[str, str] = {}
    for index, segment in enumerate(segments):
        if segment.startswith("{") and segment.endswith("+}"):  # greedy: the rest of the path
            if index >= len(wanted):
                return None
            parameters[segment[1:-2]] = "/".join(wanted[index:])
            return parameters
        if index >= len(wanted):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            parameters[segment[1:-1]] = wanted[index]
        elif segment != wanted[index]:
            return None
    return parameters if len(segments) == len(wanted) else None


def _validate(definition: Mapping[str, Any], operation: Mapping[str, Any], call: HttpCall, path_parameters: Mapping[str, str], reasons: list[str]) -> Optional[str]:
    """API Gateway's error message when the request validator rejects the request."""
    name = operation.get("x-amazon-apigateway-request-validator") or definition.get("x-amazon-apigateway-request-validator")
    if not name:
        reasons.append("no request validator: the request goes to the integration unchecked")
        return None
    validator = (definition.get("x-amazon-apigateway-request-validators") or {}).get(name) or {}
    parameters = [p for p in operation.get("parameters") or [] if isinstance(p, Mapping)]
    if validator.get("validateRequestParameters"):
        present = {"query": set(call.query), "header": set(call.headers), "path": set(path_parameters)}
        missing = [p["name"] for p in parameters if p.get("required") and p.get("in") in present and p["name"].lower() not in {n.lower() for n in present[p["in"]]}]
        if missing:
            reasons.append(f"validator {name!r}: required parameters missing: {', '.join(missing)}")
            return f"Missing required request parameters: [{', '.join(missing)}]"
    body_parameter = next((p for p in parameters if p.get("in") == "body" and p.get("schema")), None)
    if validator.get("validateRequestBody") and body_parameter is not None:
        content_type = (call.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        consumes = [c.lower() for c in operation.get("consumes") or definition.get("consumes") or ["application/json"]]
        if content_type not in consumes:
            reasons.append(f"validator {name!r}: no model for content type {content_type} (the method consumes {', '.join(consumes)}): the body is not checked")
            return None
        schema = {**body_parameter["schema"], "definitions": definition.get("definitions") or {}}
        try:
            document = json.loads(call.body or "null")
        except json.JSONDecodeError:
            reasons.append(f"validator {name!r}: the body is not JSON")
            return "Invalid request body"
        problems = sorted(jsonschema.Draft4Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
        if problems:
            first = problems[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(the body)"
            reasons.append(f"validator {name!r}: the body breaks the model at {where}: {first.message}")
            return "Invalid request body"
        reasons.append(f"validator {name!r}: parameters and body match the model")
    else:
        reasons.append(f"validator {name!r}: parameters present")
    return None


def _may_invoke(topology: Topology, stack: Any, function_arn: str, method_arn: str, reasons: list[str]) -> bool:
    """Whether a ``aws_lambda_permission`` lets API Gateway invoke the function for this method."""
    permission = invoke_permission(topology, stack, function_arn, "apigateway.amazonaws.com", method_arn)
    if permission is not None:
        reasons.append(f"{permission} lets API Gateway invoke it from {method_arn}")
        return True
    reasons.append(f"no aws_lambda_permission lets API Gateway invoke {function_arn} from {method_arn}: API Gateway answers 500")
    return False


def _proxy_event(call: HttpCall, route: Route, template: str, path_parameters: Mapping[str, str], *, api_id: str, account: str, endpoint_id: str) -> dict[str, Any]:
    """The REST API proxy event (payload 1.0); ``path`` keeps the base path, as through a custom domain."""
    query = {k: v[-1] for k, v in call.query.items()}
    headers = {k.title(): v for k, v in call.headers.items()} | {"Host": call.host}
    return {
        "resource": template,
        "path": call.path,
        "httpMethod": call.method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: list(v) for k, v in call.query.items()} or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": template,
            "httpMethod": call.method,
            "path": call.path,
            "accountId": account,
            "apiId": api_id,
            "stage": route.stage,
            "domainName": call.host,
            "requestId": str(uuid.uuid4()),
            "identity": {"vpceId": endpoint_id, "sourceIp": "192.0.2.10"},
            "requestTimeEpoch": int(time.time() * 1000),
        },
        "body": call.body or None,
        "isBase64Encoded": False,
    }
