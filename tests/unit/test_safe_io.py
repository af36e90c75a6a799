"""Every input answered in about a second with one line, and nothing written that the
project did not write: safe_io's rules, then each command's inputs that once hung,
recursed or grew without bound."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app_config.loader import ConfigError, load_config
from safe_io.inputs import InputError, read_text
from safe_io.ownership import SVG_FILE, YAML_FILE, json_document, json_is_ours, writable_file_problem, write_file
from safe_io.structured import StructureError, parse_json, parse_toml, parse_yaml
from tests.helpers import ROOT, git_repository

ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
    + ["requests: [*i]"]
)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def timed(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    try:
        return call(*args, **kwargs), time.monotonic() - start
    except Exception as error:  # noqa: BLE001 - the error is what is measured
        return error, time.monotonic() - start


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/dev/zero", "is a character device, not a regular file: only regular files are read"),
        ("/dev/full", "is a character device, not a regular file: only regular files are read"),
        ("/dev/null", "is a character device, not a regular file: only regular files are read"),
    ],
)
def test_devices_are_refused_at_once(path: str, reason: str) -> None:
    error, seconds = timed(read_text, path, limit=1024)
    assert isinstance(error, InputError) and error.reason == reason
    assert seconds < 1


def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    error, seconds = timed(read_text, fifo, limit=1024)
    assert isinstance(error, InputError) and error.reason == "is a FIFO (named pipe), not a regular file: only regular files are read"
    assert seconds < 1


def test_size_limit_and_text_rules(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 2048)
    with pytest.raises(InputError, match="is 2 KiB: at most 1 KiB is read"):
        read_text(big, limit=1024)
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbfregion = 'eu-west-1'\n")
    with pytest.raises(InputError, match="starts with a UTF-8 byte order mark"):
        read_text(bom, limit=1024)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"# caf\xe9\n")
    with pytest.raises(InputError, match=r"is not UTF-8 text \(byte 5\)"):
        read_text(latin, limit=1024)
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path, limit=1024)
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "missing", limit=1024)


@pytest.mark.parametrize(
    "parse, text",
    [
        (parse_toml, "a = " + "[" * 50_000 + "]" * 50_000),
        (parse_toml, "a = " + "[" * 70 + "]" * 70),
        (parse_json, "[" * 100_000 + "]" * 100_000),
        (parse_yaml, "a: " + "[" * 100_000 + "]" * 100_000),
        (parse_yaml, "a: " + "[" * 70 + "]" * 70),
    ],
    ids=["toml-deep", "toml-65", "json-deep", "yaml-deep", "yaml-65"],
)
def test_deep_nesting_is_one_line(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    error, seconds = timed(parse, text, "doc")
    assert isinstance(error, StructureError), error
    assert str(error) == "doc: is nested more than 64 levels deep"
    assert seconds < 2


def test_a_yaml_alias_bomb_is_refused_before_it_grows() -> None:
    assert len(ALIAS_BOMB) < 10_000
    error, seconds = timed(parse_yaml, ALIAS_BOMB, "bomb.yaml")
    assert isinstance(error, StructureError)
    assert "stands for more than 200,000 values once its YAML aliases are expanded" in str(error)
    assert seconds < 1
    many = "base: &b 1\nitems: [" + ", ".join(["*b"] * 101) + "]\n"
    with pytest.raises(StructureError, match="uses more than 100 YAML aliases"):
        parse_yaml(many, "many.yaml")
    assert parse_yaml("base: &b {x: 1}\nitems: [*b, *b]\n", "ok.yaml") == {"base": {"x": 1}, "items": [{"x": 1}, {"x": 1}]}


# ---- files the project writes: only new ones, or its own unchanged


def test_a_marked_file_is_ours_until_someone_edits_it(tmp_path: Path) -> None:
    path = tmp_path / "workflow.yml"
    write_file(path, YAML_FILE.marked(b"on: push\n", "make pipeline"))
    assert path.read_text().startswith("# written by lattice-cdktf (make pipeline); sha256 of the rest: ")
    assert writable_file_problem(path, is_ours=YAML_FILE.is_ours) is None
    path.write_text(path.read_text() + "# my edit\n")
    assert "did not write it (or it was changed since)" in str(writable_file_problem(path, is_ours=YAML_FILE.is_ours))
    assert writable_file_problem(path, is_ours=YAML_FILE.is_ours, force=True) is None
    svg = tmp_path / "d.svg"
    write_file(svg, SVG_FILE.marked(b'<?xml version="1.0"?>\n<svg/>\n', "lattice_check diagram"))
    with pytest.raises(ValueError, match="an XML comment may not hold"):
        SVG_FILE.marked(b"<svg/>", "lattice_check diagram --svg")
    assert svg.read_text().splitlines()[0] == '<?xml version="1.0"?>', "the XML declaration stays first"
    assert SVG_FILE.is_ours(svg.read_bytes()) and not YAML_FILE.is_ours(svg.read_bytes())
    document = json_document({"dynamodb": {"a": []}}, "lattice_check curl --state")
    import json

    assert json_is_ours(json.loads(document))
    assert not json_is_ours({**json.loads(document), "dynamodb": {"a": [1]}})


def test_what_is_never_written(tmp_path: Path) -> None:
    git_repository(tmp_path)
    tracked = tmp_path / "tracked.yml"
    tracked.write_bytes(YAML_FILE.marked(b"x: 1\n", "make pipeline"))
    subprocess.run(["git", "add", "tracked.yml"], cwd=tmp_path, check=True)
    assert "is a file git tracks" in str(writable_file_problem(tracked, is_ours=YAML_FILE.is_ours))
    config = tmp_path / "lattice.toml"
    config.write_text("region = 'eu-west-1'\n")
    assert "is an input of this command" in str(writable_file_problem(config, inputs=[config], force=True))
    assert "is a directory" in str(writable_file_problem(tmp_path, force=True))
    assert "its folder" in str(writable_file_problem(tmp_path / "missing" / "x.svg"))
    assert "its folder" in str(writable_file_problem(config / "x.svg"))
    os.mkfifo(tmp_path / "fifo")
    assert "is a FIFO (named pipe), not a regular file" in str(writable_file_problem(tmp_path / "fifo", force=True))
    (tmp_path / "link").symlink_to(config)
    assert "is a symbolic link" in str(writable_file_problem(tmp_path / "link", force=True))


# ---- each command's inputs


def run(*args: str, stdin: object = subprocess.DEVNULL, timeout: int = 30) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, stdin=stdin)
    return result, time.monotonic() - start


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") <= 2 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


def test_a_config_nested_thousands_of_levels_deep(tmp_path: Path) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("tags = " + "[" * 5000 + "]" * 5000 + "\n")
    result, seconds = run("main.py", "--config", str(config), "--outdir", str(tmp_path / "out"))
    assert "deep.toml: invalid configuration (1 problem):\n  - is nested more than 64 levels deep" in one_line(result)
    assert seconds < 5


def test_a_topology_nested_thousands_of_levels_deep(tmp_path: Path) -> None:
    topology = tmp_path / "deep-topology.toml"
    topology.write_text("access = " + "[" * 5000 + "]" * 5000 + "\n")
    config = tmp_path / "lattice.toml"
    config.write_text(f'[patterns.topology]\nenabled = true\nfile = "{topology}"\n[patterns.distributed]\nenabled = false\n')
    result, _ = run("main.py", "--config", str(config), "--outdir", str(tmp_path / "out"))
    assert "is nested more than 64 levels deep" in one_line(result)


def test_a_fifo_or_device_as_the_config_or_topology(tmp_path: Path, fifo: Path) -> None:
    for given in (str(fifo), "/dev/zero"):
        result, seconds = run("main.py", "--config", given, "--outdir", str(tmp_path / "out"))
        assert "not a regular file: only regular files are read" in one_line(result)
        assert seconds < 5
    config = tmp_path / "lattice.toml"
    config.write_text(f'[patterns.topology]\nenabled = true\nfile = "{fifo}"\n[patterns.distributed]\nenabled = false\n')
    result, seconds = run("main.py", "--config", str(config), "--outdir", str(tmp_path / "out"))
    assert "is a FIFO (named pipe), not a regular file" in one_line(result)
    assert seconds < 5


def test_a_config_of_megabytes_is_refused_at_once(tmp_path: Path) -> None:
    config = tmp_path / "huge.toml"
    config.write_text("[tags]\n" + "".join(f'k{i} = "v"\n' for i in range(160_000)))
    assert config.stat().st_size > 1_500_000
    result, seconds = run("main.py", "--config", str(config), "--outdir", str(tmp_path / "out"))
    assert "huge.toml: invalid configuration (1 problem):\n  - is 2.0 MiB: at most 1.0 MiB is read" in one_line(result)
    assert seconds < 5


def test_too_many_tags_for_a_resource() -> None:
    from tests.helpers import make_config

    with pytest.raises(ConfigError) as caught:
        make_config(tags={f"k{i}": "v" for i in range(47)})
    assert caught.value.problems == [
        "tags: 47 tags: with the stacks' own Project, Pattern, AccountRole, Name a resource would carry 51, over AWS's 50 per resource: at most 46 here"
    ]
    assert make_config(tags={f"k{i}": "v" for i in range(46)}).tags


def test_no_resource_carries_more_tags_than_the_config_rule_counts(default_stacks, topology_outputs) -> None:
    """The rule counts Name as the one key a construct sets itself: hold every synthesized resource to it."""
    from app_config.schema import PROJECT_TAGS, RESOURCE_TAG_KEYS
    from tests.helpers import load_stacks

    stacks = dict(default_stacks)
    for out in topology_outputs.values():
        stacks.update(load_stacks(out))
    own = {
        key
        for stack in stacks.values()
        for group in stack.get("resource", {}).values()
        for body in group.values()
        for key in (body.get("tags") or {})
    }
    assert own - set(PROJECT_TAGS) <= set(RESOURCE_TAG_KEYS)


def test_a_bom_and_an_empty_config_variable(tmp_path: Path) -> None:
    config = tmp_path / "bom.toml"
    config.write_bytes(b"\xef\xbb\xbf" + (ROOT / "examples" / "lattice.toml").read_bytes())
    with pytest.raises(ConfigError, match="starts with a UTF-8 byte order mark"):
        load_config(config)


def test_a_huge_value_is_echoed_as_a_short_prefix() -> None:
    from tests.helpers import make_config

    with pytest.raises(ConfigError) as caught:
        make_config(region="x" * 100_000)
    (problem,) = caught.value.problems
    assert problem.startswith("region = 'xxxxxxxx") and "... (100002 characters)" in problem and len(problem) < 300


def test_pipeline_never_overwrites_what_it_did_not_write(tmp_path: Path) -> None:
    from tools import pipeline

    workflow = tmp_path / "lattice-cdktf.yml"
    workflow.write_text("name: my own workflow\n")
    assert pipeline.main(["--example", "--out", str(tmp_path / "none"), str(workflow)]) == 2
    assert workflow.read_text() == "name: my own workflow\n"
    config = ROOT / "examples" / "lattice.toml"
    before = config.read_bytes()
    assert pipeline.main(["--example", "--config", str(config), str(config)]) == 2
    assert config.read_bytes() == before
