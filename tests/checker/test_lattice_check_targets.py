"""Handlers run in a clean child process: with exactly the function's environment,
and nothing of the checker's process changed."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

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
