"""python -m lattice_check {curl,matrix,verify,diff,predict,diagram} ... (also: pipenv run lattice_check ...)

Exit status, the same rule for every subcommand:

- 0: what was asked holds: ``curl``, the call gets through (allowed, and a 2xx
  answer, or a target whose answer cannot be known offline); ``matrix``, every row
  as expected; ``verify``, every call as the intents say; ``diff``, no call opens or
  closes; ``predict`` and ``diagram``, printed (and written);
- 1: it does not: any other answer, a row or call that differs, a call that opens
  or closes;
- 2: bad input, one line naming it (an option, a file, an output directory);
- 130: interrupted (Ctrl-C); 141: whoever read the output stopped reading (``| head``).

``lattice_check`` writes only where told to (``curl --state FILE``, ``diagram --svg
FILE``), and there only a file it wrote itself, or a new one; never an input or a
file git tracks, unless given ``--force``.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from safe_io import cli
from safe_io.inputs import BODY_LIMIT, InputError, read_text
from safe_io.ownership import SVG_FILE, writable_file_problem, write_file

from . import access_diff
from . import diagram as pictures
from .curl import BadInput, curl
from .dynamodb import BadState, Tables
from .graph import Model, Unresolved
from .matrix import MatrixError, load_matrix, render_table, run_matrix
from .organizations import BadLayout, Organizations
from .shown_values import EITHER, PLAN, STATE
from .terraform_show import Input
from .tfjson import UnreadableOutput
from .topology import Topology
from .verify import BadTopology, diff, load_topology, render_matrix, verify

DEFAULT_OUT = Path("cdktf.out")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lattice_check", description="Offline reachability and authorization checks of VPC Lattice, from synthesized Terraform.")
    commands = parser.add_subparsers(dest="command", required=True)

    request = commands.add_parser("curl", help="what a client in a VPC would get from a Lattice service")
    _out_option(request)
    where = request.add_mutually_exclusive_group(required=True)
    where.add_argument("--from", dest="source", help="<stack>/<VPC Name tag>: any client of that VPC")
    where.add_argument("--via", help="with --from-cidr: <stack>/<VPC Name tag> the addresses are in or arrive through")
    request.add_argument(
        "--from-cidr", help="the client's address or CIDR (an on-premises host over VPN or Direct Connect, a peer, one subnet of the VPC)"
    )
    request.add_argument(
        "--pod", metavar="NAMESPACE/DEPLOYMENT",
        help="with --from: a pod of that Deployment in an EKS cluster of the VPC (it signs as its Pod Identity session, through its proxy)",
    )
    request.add_argument("-X", dest="method", help="HTTP method (default: GET, or POST with -d, as curl)")
    request.add_argument("-H", dest="headers", action="append", default=[], help="'Name: value' (repeatable)")
    request.add_argument("--principal", help="IAM ARN of a SigV4-signing caller (default: anonymous)")
    request.add_argument("--tag", action="append", default=[], help="principal tag key=value (repeatable)")
    request.add_argument("-d", "--data", default="", help="request body (as curl -d: @FILE reads FILE, @- stdin, without line breaks; say -H 'Content-Type: application/json' for JSON)")
    request.add_argument(
        "--state", type=Path,
        help="a file that keeps the DynamoDB items the handlers write from one curl to the next (created when missing; "
        "only a file curl --state wrote is written again)",
    )
    _force_option(request, "--state")
    request.add_argument("--json", action="store_true", help="one JSON object")
    _context_options(request)
    request.add_argument("url", help="http://<service DNS name, custom domain or Lattice service name>/path?query")
    request.set_defaults(run=_curl)

    table = commands.add_parser("matrix", help="requests with expected answers from a YAML file: a pass/fail table")
    _out_option(table)
    table.add_argument("file", type=Path, help="matrix file (YAML)")
    _context_options(table)
    table.set_defaults(run=_matrix)

    proof = commands.add_parser(
        "verify", help="a topology's intents against the output: every granted call ALLOW, every other DENY or UNREACHABLE"
    )
    _out_option(proof)
    proof.add_argument("topology", type=Path, help="a topology file, or a config whose [patterns.topology] holds or names one")
    proof.set_defaults(run=_verify)

    review = commands.add_parser(
        "diff", help="which calls a change opens or closes (exit 1 when any): of the Terraform (--before/--after), or of two topologies"
    )
    review.add_argument("old", type=Path, nargs="?", help="the topology (file or config) before the change")
    review.add_argument("new", type=Path, nargs="?", help="the topology after it")
    review.add_argument(
        "--before", action="append", default=[], metavar="[NAME=]PATH",
        help="the Terraform before the change: terraform show -json of state (or a plan), a folder of them, or a cdktf output (repeatable)",
    )
    review.add_argument("--after", action="append", default=[], metavar="[NAME=]PATH", help="the Terraform after it: a plan's JSON, a folder of them, or a cdktf output")
    asked = review.add_mutually_exclusive_group()
    asked.add_argument("--requests", type=Path, metavar="MATRIX", help="ask the requests of a matrix file (default: every call the auth policies speak of)")
    asked.add_argument("--topology", type=Path, help="ask the calls verify sends for a topology's intents")
    review.add_argument("--json", action="store_true", help="one JSON object: compared, opened, closed, unknown")
    review.set_defaults(run=_diff)

    guess = commands.add_parser(
        "predict", help="what the Gateway API controller makes of the clusters' Kubernetes objects, as Terraform JSON, with notes"
    )
    _out_option(guess)
    guess.set_defaults(run=_predict)

    picture = commands.add_parser("diagram", help="accounts, VPCs, networks, services, associations and shares")
    _out_option(picture)
    picture.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="text printed (default: %(default)s)")
    picture.add_argument("--svg", type=Path, help="also write an SVG rendered by Graphviz dot (a new file, or one diagram --svg wrote)")
    _force_option(picture, "--svg")
    picture.set_defaults(run=_diagram)

    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (BadInput, BadLayout, BadState, BadTopology, MatrixError, UnreadableOutput, Unresolved, pictures.GraphvizMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _force_option(parser: argparse.ArgumentParser, option: str) -> None:
    parser.add_argument(
        "--force", action="store_true",
        help=f"let {option} overwrite a file git tracks or one lattice_check did not write (never an input, never anything but a regular file)",
    )


def _context_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--time", type=_moment, help="the request's time, ISO 8601 (aws:CurrentTime; default: now)")
    parser.add_argument(
        "--org", action="append", default=[], metavar="ORG_ID:ACCOUNT[,ACCOUNT...]",
        help="accounts of an AWS Organization (repeatable): decides aws:PrincipalOrgID and RAM shares inside it",
    )


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time, such as 2026-12-01T09:30:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _out_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="cdktf output directory (default: cdktf.out, unless --plan or --tfstate is given)")
    parser.add_argument(
        "--plan", action="append", default=[], metavar="[NAME=]FILE|DIR",
        help="what `terraform show -json PLANFILE` prints, a file per stack or workspace (named by its file; repeatable; "
        "a folder: its *.json files). Replaces a stack of the same name from --out or --tfstate",
    )
    parser.add_argument(
        "--tfstate", action="append", default=[], metavar="[NAME=]FILE|DIR",
        help="what `terraform show -json` prints for state (deployed values, real ids and ARNs), as --plan",
    )


def _model(args: argparse.Namespace) -> Model:
    """The stacks the command reads: the cdktf output, then state, then plans."""
    inputs = [Input.parse(STATE, text) for text in args.tfstate] + [Input.parse(PLAN, text) for text in args.plan]
    out = args.out if args.out is not None or inputs else DEFAULT_OUT
    return Model.load(out, inputs)


def _input_files(args: argparse.Namespace) -> list[Path]:
    """The files a command reads (what it may never overwrite)."""
    given = [Input.parse(STATE, t).path for t in args.tfstate] + [Input.parse(PLAN, t).path for t in args.plan]
    out = args.out if args.out is not None or given else DEFAULT_OUT
    folders = ([out] if out is not None else []) + [path for path in given if path.is_dir()]
    return [path for path in given if not path.is_dir()] + [path for folder in folders if folder.is_dir() for path in folder.rglob("*") if path.is_file()]


def _body(data: str) -> str:
    """What curl -d sends: the text, or with ``@FILE`` (``@-``: stdin) the file's
    contents without its carriage returns and newlines (--data-binary would keep them)."""
    if not data.startswith("@"):
        return data
    name = data[1:]
    try:
        text = sys.stdin.read(BODY_LIMIT + 1) if name == "-" else read_text(name, limit=BODY_LIMIT)
    except InputError as error:
        raise BadInput(f"-d {data!r}: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"-d {data!r}: cannot read {name}: {getattr(error, 'strerror', None) or error}") from None
    if len(text) > BODY_LIMIT:
        raise BadInput(f"-d {data!r}: more than {BODY_LIMIT} characters: Lambda takes a request of at most 6 MB")
    return text.replace("\r", "").replace("\n", "")


def _curl(args: argparse.Namespace) -> int:
    args.data = _body(args.data)
    headers: dict[str, list[str]] = {}
    for name, value in (_pair(h, ":", "-H") for h in args.headers):  # a name given again is sent again
        spelled = next((k for k in headers if k.lower() == name.lower()), name)
        headers.setdefault(spelled, []).append(value)
    tags = dict(_pair(t, "=", "--tag") for t in args.tag)
    tables = Tables.load(args.state, force=args.force) if args.state else Tables()
    if args.pod is not None and args.source is None:
        raise BadInput("--pod goes with --from <stack>/<VPC Name tag>: the VPC of the pod's cluster")
    if (args.via is None) != (args.from_cidr is None):
        raise BadInput("--from-cidr and --via go together: --from-cidr 172.16.5.10 --via <stack>/<VPC Name tag> (or --from <stack>/<VPC Name tag>)")
    answer = curl(
        _model(args), args.source or args.via, args.url, from_cidr=args.from_cidr, method=args.method if args.method is not None else ("POST" if args.data else "GET"), headers=headers, principal=args.principal, tags=tags,
        organizations=Organizations.parse(args.org), now=args.time, data=args.data, tables=tables, pod=args.pod,
    )
    if args.json:
        print(json.dumps(answer.as_dict(), indent=2))
    else:
        for reason in answer.reasons:
            print(f"* {reason}")
        print(f"< {answer.decision}" + (f" {answer.status}" if answer.status is not None else ""))
        if answer.body:
            print(answer.body)
    return 0 if answer.succeeded else 1


def _matrix(args: argparse.Namespace) -> int:
    matrix = load_matrix(args.file)  # the file first: a bad file is reported before the model loads
    organizations = Organizations.parse(args.org) if args.org else None
    rows = run_matrix(_model(args), matrix, source=str(args.file), organizations=organizations, now=args.time)
    if matrix.description:
        print(matrix.description.strip())
        print()
    print(render_table(rows))
    return 0 if all(row.passed for row in rows) else 1


def _predict(args: argparse.Namespace) -> int:
    """One JSON object: per cluster running the controller, its predicted resources and the notes."""
    topology = Topology(_model(args))
    print(json.dumps(
        {p.cluster: {"stack": p.stack.name if p.stack else None, "notes": p.notes, **(p.stack.document if p.stack else {})} for p in topology.predictions},
        indent=2,
    ))
    return 0


def _diagram(args: argparse.Namespace) -> int:
    if args.svg:  # before the model loads: a path that cannot be written is bad input
        problem = writable_file_problem(args.svg, is_ours=SVG_FILE.is_ours, inputs=_input_files(args), force=args.force)
        if problem:
            raise BadInput(f"--svg {args.svg}: {problem}")
    drawing = pictures.build(Topology(_model(args)))
    graphviz = pictures.dot(drawing)
    if args.svg:
        write_file(args.svg, SVG_FILE.marked(pictures.svg(graphviz), "lattice_check diagram"))
    print(pictures.mermaid(drawing) if args.format == "mermaid" else graphviz, end="")
    return 0


def _verify(args: argparse.Namespace) -> int:
    settings = load_topology(args.topology)  # the topology first: a bad file is reported before the model loads
    results = verify(settings, _model(args))
    print(render_matrix(settings, results))
    return 0 if all(checked.passed for checked in results) else 1


def _diff(args: argparse.Namespace) -> int:
    terraform = bool(args.before or args.after)
    if terraform and (args.old or args.new):
        raise BadInput("diff compares two topologies (OLD NEW) or the Terraform before and after a change (--before, --after), not both")
    if terraform:
        return _access_diff(args)
    if args.old is None or args.new is None or args.requests or args.topology or args.json:
        raise BadInput("give two topologies (lattice_check diff OLD NEW), or --before STATE --after PLAN for the calls a change of the Terraform opens or closes")
    opened, closed = diff(load_topology(args.old), load_topology(args.new))
    for call in opened:
        print(f"+ opens  {call}")
    for call in closed:
        print(f"- closes {call}")
    if not opened and not closed:
        print("no call opens or closes")
    return 1 if opened or closed else 0


def _access_diff(args: argparse.Namespace) -> int:
    if not args.before or not args.after:
        raise BadInput("--before and --after go together: --before STATE.json --after PLAN.json (or cdktf outputs, or folders of them)")
    matrix = load_matrix(args.requests) if args.requests else None  # files first: bad input before the models load
    settings = load_topology(args.topology) if args.topology else None
    before, after = _side(args.before, "--before"), _side(args.after, "--after")
    if settings is not None:
        result = access_diff.diff_topology(before, after, settings)
    elif matrix is not None:
        result = access_diff.diff_matrix(before, after, matrix)
    else:
        result = access_diff.diff_calls(before, after, access_diff.default_calls(before, after))
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.render())
    return 1 if result.changed else 0


def _side(texts: list[str], option: str) -> Model:
    """One side of a diff: a cdktf output (a folder with manifest.json) and plans or state."""
    outdirs = [t for t in texts if (Path(t.partition("=")[2] or t) / "manifest.json").is_file() and Path(t).is_dir()]
    if len(outdirs) > 1:
        raise BadInput(f"{option}: one cdktf output per side, got {', '.join(outdirs)}")
    inputs = [Input.parse(EITHER, text, option) for text in texts if text not in outdirs]
    return Model.load(Path(outdirs[0]) if outdirs else None, inputs)


def _pair(text: str, separator: str, option: str) -> tuple[str, str]:
    key, found, value = text.partition(separator)
    if not found or not key.strip():
        raise BadInput(f"{option} {text!r}: expected 'key{separator}value'")
    return key.strip(), value.strip()


if __name__ == "__main__":
    cli.run(main, name="lattice_check")
