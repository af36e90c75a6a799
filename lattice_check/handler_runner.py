"""Runs one Lambda handler in a clean child process (``python -I`` on this file).

Reads ``{"package": <zip path>, "handler": "module.function", "event": {...},
"tables": [CreateTable arguments], "items": {table: [items]}}`` on stdin, unpacks
the package into a scratch directory and calls the handler with the event, with
moto standing in for AWS (dynamodb.py): the tables the output declares exist and
hold the items earlier requests left. Prints one JSON line: ``{"response": ...}``
or ``{"error": "Type: message"}`` or ``{"missing": ...}``, with ``calls`` (the AWS
operations the handler made, for the IAM and network checks) and ``items`` (every
table's items afterwards). The parent sets the child's environment to the
function's own variables plus what Lambda sets, so nothing of the checker's process
leaks in or is changed.

``--serve`` (what lattice_check uses on POSIX): boto3 and moto are imported once,
then each request line on stdin runs in a fresh fork of this process, with the
environment the line names (and Python's start-up LC_CTYPE where a one-off process
would get it too), and one JSON line comes back: the fork's exit
status, stdout and stderr, as a one-off process would have given them. A handler
child costs ~1 s, ~0.4 s of it importing boto3 and moto.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import select
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws


def main() -> int:
    request = json.loads(sys.stdin.read())
    module_name, _, function_name = request["handler"].rpartition(".")
    calls: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as workdir, mock_aws():
        with zipfile.ZipFile(request["package"]) as archive:
            archive.extractall(workdir)
        source = Path(workdir) / f"{module_name.replace('.', '/')}.py"
        spec = importlib.util.spec_from_file_location(module_name, source)
        if not source.is_file() or spec is None or spec.loader is None:
            print(json.dumps({"missing": f"handler {request['handler']} not found in the package"}))
            return 0
        client = _prepare(request.get("tables", []), request.get("items", {}))
        boto3.setup_default_session()  # the handler's boto3 calls go through this session: record them
        boto3.DEFAULT_SESSION.events.register("before-parameter-build", lambda model, params, **_: calls.append(_call(model, params)))
        sys.path.insert(0, workdir)  # the package's own modules, as in Lambda
        module = importlib.util.module_from_spec(spec)
        reply: dict[str, Any]
        try:
            spec.loader.exec_module(module)
            response = getattr(module, function_name)(request["event"], None)
        except Exception as error:  # the function failed: the caller answers 502
            reply = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc(limit=3)}
        else:
            reply = {"response": response}
        reply.update(calls=calls, items=_items(client, request.get("tables", [])))
    print(json.dumps(reply, default=str))
    return 0


def _prepare(tables: list[dict[str, Any]], items: dict[str, list[dict[str, Any]]]) -> Any:
    if not tables:
        return None
    client = boto3.session.Session().client("dynamodb")  # not the handler's session: its calls are not recorded
    for table in tables:
        client.create_table(**table)
        for item in items.get(table["TableName"], []):
            client.put_item(TableName=table["TableName"], Item=item)
    return client


def _call(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "service": model.service_model.signing_name,
        "operation": model.name,
        "table": params.get("TableName"),
        "index": params.get("IndexName"),
    }


def _items(client: Any, tables: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    if client is None:
        return found
    for table in tables:
        pages = client.get_paginator("scan").paginate(TableName=table["TableName"])
        found[table["TableName"]] = [item for page in pages for item in page["Items"]]
    return found


# What a handler run imports besides the two above: loaded before the forks, once.
PRELOAD = (
    "moto.backends", "moto.dynamodb.models", "moto.dynamodb.responses", "moto.dynamodb.urls",
    "moto.iam.models", "moto.iam.access_control", "boto3.dynamodb.conditions", "boto3.resources.factory",
)


# The server starts with an empty environment, so what it holds is what Python's start
# added to one (PEP 538's LC_CTYPE): a fork adds it too where a one-off process would,
# when the function names no locale. The process's locale is the server's either way.
STARTUP_ADDED = dict(os.environ)
LOCALE_KEYS = ("LC_ALL", "LC_CTYPE", "LANG")


def serve() -> int:
    """Run each request line of stdin in a fork (see the module's docstring)."""
    _adopt_orphans()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # another moto: imported by the fork instead
    for line in sys.stdin:
        job = json.loads(line)
        print(json.dumps(_run_forked(job["request"], job["environment"], job["timeout_s"])), flush=True)
    return 0


def _run_forked(request: str, environment: dict[str, str], timeout_s: float) -> dict[str, Any]:
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        given.write(request.encode())
        given.seek(0)
        pid = os.fork()
        if pid == 0:  # the fork: becomes the one-off process
            code = 1
            try:
                os.setpgid(0, 0)  # a group of its own: what the handler starts is ended with it
                for target, source in ((0, given), (1, out), (2, err)):
                    os.dup2(source.fileno(), target)
                sys.stdin = open(0, encoding="utf-8", closefd=False)
                os.environ.clear()
                if not any(key in environment for key in LOCALE_KEYS):
                    os.environ.update(STARTUP_ADDED)
                os.environ.update(environment)
                time.tzset()
                code = main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except BaseException:  # noqa: BLE001 - reported as the process's own failure
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        try:
            os.setpgid(pid, pid)  # as the fork does: whichever runs first
        except OSError:
            pass  # it has done so and exited already
        overran = not _exited(pid, timeout_s)
        _end_group(pid)  # the fork itself if it overran, and whatever it left running
        _, status = os.waitpid(pid, 0)
        _reap_orphans()
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        if overran:
            stderr += f"the handler did not return within {timeout_s} s"
        return {"returncode": os.waitstatus_to_exitcode(status), "stdout": out.read().decode(errors="replace"), "stderr": stderr}


def _exited(pid: int, timeout_s: float) -> bool:
    """Whether the fork has exited by the deadline; it is left unreaped, so its
    process group cannot be reused before ``_end_group``. This waits for the
    process, not for a descriptor to close: what the handler started may hold the
    fork's descriptors long after it returned."""
    deadline = time.monotonic() + timeout_s
    try:
        exit_fd = os.pidfd_open(pid)  # Linux: readable once the fork has exited
    except (AttributeError, OSError):
        exit_fd = None
    if exit_fd is not None:
        try:
            select.select([exit_fd], [], [], timeout_s)
        finally:
            os.close(exit_fd)
    pause = 0.001  # elsewhere: ask, at most every 20 ms
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(2 * pause, 0.02)
    return True


PR_SET_CHILD_SUBREAPER = 36  # prctl(2), Linux 3.4 and later


def _adopt_orphans() -> None:
    """Become the subreaper of the forks' descendants (Linux): what a handler started
    and left is then this process's child once the fork is gone, and is reaped here.
    Else it passes to the first process of the machine or container, which may never
    reap it: one zombie per process a handler left, for as long as that process runs."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # no prctl: the orphans go to the first process, as before


def _reap_orphans(wait_s: float = 1.0) -> None:
    """Reap the descendants a fork left (ended by ``_end_group``): wait for them a
    little, since SIGKILL takes a moment, but not for one that left the group."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no child left
        if pid == 0:  # children, none ended yet
            if time.monotonic() >= deadline:
                return
            time.sleep(0.005)


def _end_group(pid: int) -> None:
    """End every process left in the fork's group. Lambda freezes or ends them when
    an invocation returns; here they would outlive the check and hold its files."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # nothing left


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["--serve"] else main())
