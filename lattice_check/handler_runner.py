"""Runs one Lambda handler in a clean child process (``python -I`` on this file).

Reads ``{"package": <zip path>, "handler": "module.function", "event": {...}}`` on
stdin, unpacks the package into a scratch directory, calls the handler with the
event, and prints one JSON line: ``{"response": ...}`` or ``{"error": "Type:
message"}``. The parent sets the child's environment to the function's own
variables, so nothing of the checker's process leaks in or is changed. Standard
library only.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path


def main() -> int:
    request = json.loads(sys.stdin.read())
    module_name, _, function_name = request["handler"].rpartition(".")
    with tempfile.TemporaryDirectory() as workdir:
        with zipfile.ZipFile(request["package"]) as archive:
            archive.extractall(workdir)
        source = Path(workdir) / f"{module_name.replace('.', '/')}.py"
        spec = importlib.util.spec_from_file_location(module_name, source)
        if not source.is_file() or spec is None or spec.loader is None:
            print(json.dumps({"missing": f"handler {request['handler']} not found in the package"}))
            return 0
        sys.path.insert(0, workdir)  # the package's own modules, as in Lambda
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            response = getattr(module, function_name)(request["event"], None)
        except Exception as error:  # the function failed: the caller answers 502
            print(json.dumps({"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc(limit=3)}))
            return 0
    print(json.dumps({"response": response}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
