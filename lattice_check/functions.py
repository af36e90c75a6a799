"""A Lambda function answering an event, the last hop of every path: its own packaged
code runs in a child process (handler_runner.py) with its environment and what
Lambda adds, against the DynamoDB stand-in (dynamodb.py). Every AWS call the
handler made is then checked as AWS would: the function's role must allow it
(identity-based policies, authz.py), and a function in a VPC must have a way to the
service (a gateway endpoint on its subnets' route tables, or a NAT route, and
security-group egress on 443). A call that would fail makes the invocation fail,
and what it wrote is not kept."""
from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from .callers import session_arn
from .conditions import evaluate_condition
from .dynamodb import Items, Tables, table_definitions
from .graph import Stack
from .identity import session_may
from .kinds import Function, lambda_qualifier, lambda_unqualified
from .topology import Topology

RUNNER = Path(__file__).with_name("handler_runner.py")
HANDLER_TIMEOUT_S = 60
HTTPS = 443


@dataclass
class Invocation:
    """What came of invoking a function: its return value, or why it failed."""

    function: Optional[Function]
    response: Any = None
    failure: Optional[str] = None  # set when the function did not return a value
    reasons: list[str] = field(default_factory=list)


def invoke(topology: Topology, stack: Stack, function_arn: str, event: dict[str, Any], tables: Tables) -> Invocation:
    """Run the function ``function_arn`` of ``stack`` with ``event``."""
    function = topology.function(stack, function_arn)
    if function is None:
        return Invocation(None, failure=f"function {function_arn} is not in this output")
    account, region = function.element.account, function.element.region
    definitions = table_definitions(topology, account, region)
    reply = run_handler(
        stack.directory / function.package, function.handler, event, _lambda_environment(function, account, region),
        definitions, tables.of(account, region),
    )
    invocation = Invocation(function)
    if "missing" in reply:
        invocation.failure = reply["missing"]
        return invocation
    for call in reply.get("calls", []):
        failed = _call_fails(topology, function, call, invocation.reasons)
        if failed:
            invocation.failure = f"{function.function_name}: {failed}"
            return invocation  # the writes of a call that would fail are not kept
    if "error" in reply:
        invocation.failure = f"{function.function_name} raised {reply['error']}"
        return invocation
    if definitions:
        tables.keep(account, region, reply.get("items", {}))
    invocation.response = reply["response"]
    invocation.reasons.insert(0, f"ran {function.function_name} ({function.handler})")
    return invocation


def invoke_permission(topology: Topology, stack: Stack, function_arn: str, service: str, source_arn: str) -> Optional[str]:
    """The ``aws_lambda_permission`` of ``stack`` that lets the AWS service principal
    ``service`` (``vpc-lattice.amazonaws.com``, ``elasticloadbalancing.amazonaws.com``,
    ``apigateway.amazonaws.com``) invoke ``function_arn`` on behalf of ``source_arn``
    (its target group, its API method): its name, or None. Terraform adds none by
    itself, where the console and the CLI do."""
    function = topology.function(stack, function_arn)
    qualifier = lambda_qualifier(function_arn)  # a permission covers the function, or one alias or version of it
    unqualified = lambda_unqualified(function_arn)
    names = {unqualified, function.function_name if function else unqualified}
    for permission in topology.elements("aws_lambda_permission", stack):
        body = topology.resolve(permission.body, permission)
        named = str(body.get("function_name"))
        if lambda_unqualified(named) not in names or body.get("principal") != service:
            continue  # another function, or another principal
        if (body.get("qualifier") or lambda_qualifier(named)) != qualifier:
            continue  # the function itself, where the target is an alias of it, or the reverse
        if body.get("action") not in ("lambda:InvokeFunction", "lambda:*"):
            continue
        source = body.get("source_arn")
        if source is None or evaluate_condition("ArnLike", [str(source)], [source_arn]) is True:
            return f"aws_lambda_permission.{permission.name}"
    return None


def _lambda_environment(function: Function, account: str, region: str) -> dict[str, str]:
    """The function's variables, and those the Lambda runtime sets (credentials are
    stand-ins; MOTO_ACCOUNT_ID makes the stand-in tables the account's own)."""
    return {
        **function.environment,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_ACCESS_KEY_ID": "ASIASTANDINSTANDIN00",
        "AWS_SECRET_ACCESS_KEY": "stand-in",
        "AWS_SESSION_TOKEN": "stand-in",
        "TZ": ":UTC",
        "MOTO_ACCOUNT_ID": account if account.isdigit() else "123456789012",
    }


def _call_fails(topology: Topology, function: Function, call: dict[str, Any], reasons: list[str]) -> Optional[str]:
    """Why the AWS call the handler made would fail in AWS, or None (reasons noted)."""
    service, operation = call["service"], call["operation"]
    what = f"{service}:{operation}" + (f" on {call['table']}" if call.get("table") else "")
    blocked = _network_path(topology, function, service, reasons)
    if blocked:
        return f"{what} times out after {function.timeout_s} s: {blocked}"
    account, region = function.element.account, function.element.region
    resource = "*"
    if call.get("table"):
        resource = f"arn:aws:dynamodb:{region}:{account}:table/{call['table']}" + (f"/index/{call['index']}" if call.get("index") else "")
    check = session_may(topology, function.role_arn, function.function_name, f"{service}:{operation}", resource)
    reasons.append(f"{what}: {check.reason}")
    reasons.extend(f"not modeled: {u}" for u in check.unmodeled)
    if check.allowed is False:
        session = session_arn(function.role_arn, function.function_name)
        return f"AccessDeniedException: {session} is not authorized to perform {service}:{operation} on {resource}"
    return None


def _network_path(topology: Topology, function: Function, service: str, reasons: list[str]) -> Optional[str]:
    """Why a function in a VPC cannot reach ``service`` (None when it can; the way is noted)."""
    if not function.subnet_ids:
        reasons.append(f"{service}: {function.function_name} is not in a VPC: it reaches the public endpoint")
        return None
    stack = function.element.stack
    tables = _route_tables(topology, stack, function.subnet_ids)
    endpoint = _gateway_endpoint(topology, stack, service, tables)
    if endpoint is not None:
        name, prefix_lists = endpoint
        peers = ("prefix list", prefix_lists)
        way = f"gateway endpoint aws_vpc_endpoint.{name} on the route tables of its subnets"
    elif _nat_route(topology, stack, tables):
        peers, way = ("address", ()), "a NAT route of its subnets"
    else:
        return f"its subnets' route tables lead to no {service} gateway endpoint and no NAT gateway"
    for group_id in function.security_group_ids:
        for rule in topology.egress(stack, group_id):
            if not rule.admits_port(HTTPS):
                continue
            if "0.0.0.0/0" in rule.cidrs or (peers[0] == "prefix list" and set(rule.prefix_lists) & set(peers[1])):
                reasons.append(f"{service}: reached through {way}; egress on {HTTPS} by {rule.where}")
                return None
    return f"its security groups allow no egress on {HTTPS} to {service} ({way} exists)"


def _route_tables(topology: Topology, stack: Stack, subnet_ids: tuple[str, ...]) -> set[str]:
    return {
        str(topology.resolve(element.body["route_table_id"], element))
        for element in topology.elements("aws_route_table_association", stack)
        if topology.resolve(element.body.get("subnet_id"), element) in subnet_ids
    }


def _gateway_endpoint(topology: Topology, stack: Stack, service: str, route_tables: set[str]) -> Optional[tuple[str, tuple[str, ...]]]:
    """(the gateway endpoint of ``service`` on one of ``route_tables``, the ids its
    prefix list goes by in this output)."""
    for element in topology.elements("aws_vpc_endpoint", stack):
        body = element.body
        service_name = str(topology.resolve(body.get("service_name", ""), element))
        if body.get("vpc_endpoint_type") != "Gateway" or not service_name.endswith(f".{service}"):
            continue
        attached = set(topology.resolve(body.get("route_table_ids") or [], element))
        attached |= {
            str(topology.resolve(a.body["route_table_id"], a))
            for a in topology.elements("aws_vpc_endpoint_route_table_association", stack)
            if topology.resolve(a.body["vpc_endpoint_id"], a) == topology.model.attribute(stack, "aws_vpc_endpoint", element.name, "id")
        }
        if attached & route_tables:
            lists = tuple(
                f"data:{stack.name}:aws_ec2_managed_prefix_list.{name}.id"
                for name, source in stack.data("aws_ec2_managed_prefix_list").items()
                if topology.model.resolve(source.get("name"), stack) == service_name
            )
            return element.name, lists
    return None


def _nat_route(topology: Topology, stack: Stack, route_tables: set[str]) -> bool:
    for element in topology.elements("aws_route", stack):
        body = element.body
        if body.get("destination_cidr_block") == "0.0.0.0/0" and body.get("nat_gateway_id"):
            if topology.resolve(body["route_table_id"], element) in route_tables:
                return True
    return False


def run_handler(
    package: Path, handler: str, event: dict[str, Any], environment: dict[str, str],
    tables: Sequence[dict[str, Any]] = (), items: Optional[Items] = None,
) -> dict[str, Any]:
    """The handler's reply from a child process (handler_runner.py): ``response``,
    ``error`` or ``missing``, with the ``calls`` it made and the tables' ``items``."""
    if not Path(package).is_file():  # a plan or state names the package its apply uploads: it may not be here
        return {"missing": f"its package {package} is not there to run (build it beside the stack, where its filename points)"}
    request = json.dumps({"package": str(package), "handler": handler, "event": event, "tables": list(tables), "items": items or {}})
    returncode, stdout, stderr = _RUNNERS.run(request, dict(environment))
    lines = stdout.strip().splitlines()
    if returncode != 0 or not lines:
        return {"error": f"the handler's process failed (exit {returncode}): {stderr.strip()[-500:]}"}
    reply: dict[str, Any] = json.loads(lines[-1])
    return reply


class _Runners:
    """Handler children: forks of one ``handler_runner.py --serve`` process that has
    imported boto3 and moto (on POSIX), else one ``python -I`` process per call. The
    server starts on the first call with an empty environment; each fork gets the
    function's, as a one-off process would."""

    def __init__(self) -> None:
        self._server: Optional[subprocess.Popen[str]] = None
        self._lock = threading.Lock()
        self._serving = os.name == "posix" and hasattr(os, "fork")

    def run(self, request: str, environment: dict[str, str]) -> tuple[int, str, str]:
        with self._lock:
            if self._serving:
                answer = self._ask_server(request, environment)
                if answer is not None:
                    return answer
                self._serving = False  # the server is gone: one process per call from here on
            return _run_one_off(request, environment)

    def _ask_server(self, request: str, environment: dict[str, str]) -> Optional[tuple[int, str, str]]:
        try:
            if self._server is None:
                self._server = subprocess.Popen(
                    [sys.executable, "-I", str(RUNNER), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, env={}, text=True,
                )
                atexit.register(self.close)
            assert self._server.stdin is not None and self._server.stdout is not None
            self._server.stdin.write(json.dumps({"request": request, "environment": environment, "timeout_s": HANDLER_TIMEOUT_S}) + "\n")
            self._server.stdin.flush()
            line = self._server.stdout.readline()
            answer = json.loads(line)
            return int(answer["returncode"]), str(answer["stdout"]), str(answer["stderr"])
        except (OSError, ValueError, KeyError):
            self.close()
            return None

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                if server.stdin is not None:
                    server.stdin.close()
                server.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                server.kill()


def _run_one_off(request: str, environment: dict[str, str]) -> tuple[int, str, str]:
    """One ``python -I`` process for one call. Its output goes to files, not pipes,
    and the call is over when the process exits: a process the handler started may
    hold its output open long after. On POSIX it gets a session of its own, and what
    it leaves running there is ended with it, as Lambda ends an invocation."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-I", str(RUNNER)], stdin=subprocess.PIPE, stdout=out, stderr=err,
            env=environment, start_new_session=os.name == "posix",
        )
        try:
            child.communicate(request.encode(), timeout=HANDLER_TIMEOUT_S)
            overran = False
        except subprocess.TimeoutExpired:
            overran = True
        if os.name == "posix":
            try:
                os.killpg(child.pid, signal.SIGKILL)  # before the wait: the group's id is still the child's
            except (ProcessLookupError, PermissionError):
                pass
        elif overran:
            child.kill()
        child.wait()
        out.seek(0)
        err.seek(0)
        if overran:
            return -9, "", f"the handler did not return within {HANDLER_TIMEOUT_S} s"
        return child.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace")


_RUNNERS = _Runners()
