"""python -m lattice_check curl --out cdktf.out --from <stack>/<vpc> [-X M] [-H 'N: v'] [--principal ARN] [--tag k=v] [--json] URL"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .curl import BadInput, curl
from .graph import Model, Unresolved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lattice_check", description="Offline reachability and authorization checks of VPC Lattice.")
    commands = parser.add_subparsers(dest="command", required=True)
    request = commands.add_parser("curl", help="what a client in a VPC would get from a Lattice service")
    request.add_argument("--out", default="cdktf.out", help="cdktf output directory (default: %(default)s)")
    request.add_argument("--from", dest="source", required=True, help="<stack>/<VPC Name tag>")
    request.add_argument("-X", dest="method", default="GET")
    request.add_argument("-H", dest="headers", action="append", default=[], help="'Name: value'")
    request.add_argument("--principal", help="IAM ARN of a SigV4-signing caller (default: anonymous)")
    request.add_argument("--tag", action="append", default=[], help="principal tag key=value")
    request.add_argument("--json", action="store_true", help="one JSON object")
    request.add_argument("url")
    args = parser.parse_args(argv)
    try:
        headers = dict(_pair(h, ":", "-H") for h in args.headers)
        tags = dict(_pair(t, "=", "--tag") for t in args.tag)
        answer = curl(Model.load(Path(args.out)), args.source, args.url, method=args.method, headers=headers, principal=args.principal, tags=tags)
    except (BadInput, FileNotFoundError, Unresolved) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.as_dict(), indent=2))
    else:
        for reason in answer.reasons:
            print(f"* {reason}")
        print(f"< {answer.decision}" + (f" {answer.status}" if answer.status is not None else ""))
        if answer.body:
            print(answer.body)
    return 0 if answer.status is not None and 200 <= answer.status < 300 else 1


def _pair(text: str, separator: str, option: str) -> tuple[str, str]:
    key, found, value = text.partition(separator)
    if not found or not key.strip():
        raise BadInput(f"{option} {text!r}: expected 'key{separator}value'")
    return key.strip(), value.strip()


if __name__ == "__main__":
    sys.exit(main())
