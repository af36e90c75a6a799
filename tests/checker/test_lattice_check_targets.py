"""Handlers run in a clean child process: with exactly the function's environment,
and nothing of the checker's process changed."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from lattice_check import functions
from lattice_check.functions import run_handler

HANDLER = '''
import os, sys
def handler(event, context):
    return {"statusCode": 200, "body": f"{os.environ.get('GREETING')}|{os.environ.get('SECRET_OF_PARENT')}|{event['x']}"}
def broken(event, context):
    raise KeyError("orderDate")
'''


def package(tmp_path: Path) -> Path:
    path = tmp_path / "fn.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    path.write_bytes(buffer.getvalue())
    return path


def test_the_handler_sees_only_its_own_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SECRET_OF_PARENT", "leaked")
    before = dict(os.environ)
    reply = run_handler(package(tmp_path), "app.handler", {"x": 1}, {"GREETING": "hello"})
    assert reply == {"response": {"statusCode": 200, "body": "hello|None|1"}, "calls": [], "items": {}}
    assert dict(os.environ) == before, "the checker's environment is untouched"
    assert "GREETING" not in os.environ


def test_a_failing_or_missing_handler_is_reported(tmp_path: Path) -> None:
    assert run_handler(package(tmp_path), "app.broken", {}, {})["error"] == "KeyError: 'orderDate'"
    assert run_handler(package(tmp_path), "nowhere.handler", {}, {}) == {"missing": "handler nowhere.handler not found in the package"}


PROBES = '''
import json, os, subprocess, sys, time
import boto3
def environment(event, context):
    print("a line of the handler's own")  # not the reply: the reply is the last line
    return dict(os.environ)
def mark(event, context):
    seen = getattr(boto3, "_left_by_an_earlier_call", None)
    boto3._left_by_an_earlier_call = True
    return seen
def exits(event, context):
    os._exit(3)
def sleeps(event, context):
    time.sleep(30)
def leaves(event, context):
    started = subprocess.Popen(["sleep", "30"])  # holds the handler's stdout and stderr
    forked = os.fork()  # holds every descriptor the handler's process has
    if forked == 0:
        time.sleep(30)
        os._exit(0)
    return [started.pid, forked]
'''


def probes(tmp_path: Path) -> Path:
    path = tmp_path / "probes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("probes.py", PROBES)
    return path


def one_off_runners(monkeypatch) -> None:
    runners = functions._Runners()
    runners._serving = False
    monkeypatch.setattr(functions, "_RUNNERS", runners)


@pytest.mark.skipif(os.name != "posix", reason="forks of the handler server are POSIX only")
def test_a_fork_of_the_server_answers_as_a_one_off_process(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SECRET_OF_PARENT", "leaked")
    given = {"GREETING": "hello", "TZ": ":UTC", "AWS_REGION": "eu-west-1"}
    forked = run_handler(probes(tmp_path), "probes.environment", {}, given)
    assert functions._RUNNERS._server is not None, "the first call starts the server"
    assert given.items() <= forked["response"].items() and "SECRET_OF_PARENT" not in forked["response"]
    one_off_runners(monkeypatch)
    assert run_handler(probes(tmp_path), "probes.environment", {}, given) == forked


def test_each_call_starts_from_nothing_an_earlier_call_left(tmp_path: Path) -> None:
    assert run_handler(probes(tmp_path), "probes.mark", {}, {})["response"] is None
    assert run_handler(probes(tmp_path), "probes.mark", {}, {})["response"] is None


@pytest.mark.parametrize("served", [True, False], ids=["fork", "one-off"])
def test_an_exit_or_a_timeout_is_the_handlers_failure(tmp_path: Path, monkeypatch, served: bool) -> None:
    if not served:
        one_off_runners(monkeypatch)
    assert run_handler(probes(tmp_path), "probes.exits", {}, {}) == {"error": "the handler's process failed (exit 3): "}
    monkeypatch.setattr(functions, "HANDLER_TIMEOUT_S", 1)
    reply = run_handler(probes(tmp_path), "probes.sleeps", {}, {})
    assert reply["error"].startswith("the handler's process failed (exit -9)") and "did not return within 1 s" in reply["error"]
    monkeypatch.undo()
    assert run_handler(probes(tmp_path), "probes.mark", {}, {})["response"] is None, "the next call runs as usual"


@pytest.mark.skipif(os.name != "posix", reason="forks of the handler server are POSIX only")
def test_when_the_server_is_gone_each_call_gets_its_own_process(tmp_path: Path, monkeypatch) -> None:
    runners = functions._Runners()
    monkeypatch.setattr(functions, "_RUNNERS", runners)
    run_handler(probes(tmp_path), "probes.mark", {}, {})
    assert runners._server is not None
    runners._server.kill()
    runners._server.wait()
    assert run_handler(probes(tmp_path), "probes.mark", {}, {})["response"] is None
    assert runners._server is None and not runners._serving


def ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (a container's first process may not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(") ")[2].startswith(("Z", "X"))
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc")
@pytest.mark.parametrize("served", [True, False], ids=["fork", "one-off"])
def test_the_call_ends_when_the_handler_returns_and_ends_what_it_left_running(tmp_path: Path, monkeypatch, served: bool) -> None:
    if not served:
        one_off_runners(monkeypatch)
    monkeypatch.setattr(functions, "HANDLER_TIMEOUT_S", 20)
    start = time.monotonic()
    reply = run_handler(probes(tmp_path), "probes.leaves", {}, {})
    took = time.monotonic() - start
    left = reply["response"]
    assert reply == {"response": left, "calls": [], "items": {}}, "not a timeout: the handler returned"
    assert took < 10, f"the call waited {took:.1f} s for what the handler left running"
    deadline = time.monotonic() + 5
    while not all(ended(pid) for pid in left) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in left if not ended(pid)] == [], "what the handler started is ended with the call"



# A first process that never reaps (a container's without an init, say): a subreaper
# that never waits, with the checker under it.
NEVER_REAPS = """
import ctypes, json, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans below come here
sys.path.insert(0, sys.argv[1])
from lattice_check.functions import run_handler
print(json.dumps(run_handler(sys.argv[2], "probes.leaves", {}, {})["response"]), flush=True)
sys.stdin.read()  # stays, without reaping, until the test has looked
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="subreapers are Linux's")
def test_what_a_fork_left_is_reaped_not_left_a_zombie_of_the_first_process(tmp_path: Path) -> None:
    """Before, what the handler left passed to the first process once ended: one
    zombie per process where that one never reaps. The handler server now adopts and
    reaps them."""
    root = str(Path(__file__).resolve().parents[2])
    checker = subprocess.Popen([sys.executable, "-c", NEVER_REAPS, root, str(probes(tmp_path))],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        left = json.loads(checker.stdout.readline())  # type: ignore[union-attr]
        deadline = time.monotonic() + 5
        while any(os.path.exists(f"/proc/{pid}") for pid in left) and time.monotonic() < deadline:
            time.sleep(0.05)
        zombies = [pid for pid in left if os.path.exists(f"/proc/{pid}")]
        assert zombies == [], "reaped by the handler server, not left to a first process that never reaps"
    finally:
        checker.kill()
        checker.wait()
