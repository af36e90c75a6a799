"""Bad input gets one clear error naming the field, the value and the rule, exits 2,
and leaves no cdktf.out behind."""
from __future__ import annotations

import pytest

import main
from app_config.loader import ConfigError, parse_config
from lattice_model.project import SHIPPED_CONFIG
from tests.helpers import ACCOUNTS, ROOT, make_config


def problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value.problems


def with_accounts(**extra: object) -> dict:
    return {"accounts": {k: dict(v) for k, v in ACCOUNTS.items()}, **extra}


def test_defaults_reproduce_the_original_inputs() -> None:
    config = make_config()
    assert config.region == "eu-west-1"
    assert list(config.vpcs) == ["vpc1", "vpc2"]
    for vpc in config.vpcs.values():
        assert (vpc.cidr_block, vpc.number_azs, vpc.workload_subnet_netmask, vpc.endpoints_subnet_netmask) == (
            "10.0.0.0/24",
            2,
            28,
            28,
        )
        assert vpc.instance_type == "t2.micro"
    assert config.patterns.distributed.auth_policy == "least_privilege"
    assert config.patterns.distributed.discovery == "remote_state"
    assert config.backend.type == "local"


def test_shipped_config_file_is_valid_and_uses_fake_accounts(default_config) -> None:
    assert default_config.accounts.service.id == "111111111111"
    assert default_config.accounts.consumer.id == "222222222222"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            {"accounts": {"service": {"id": "12345"}, "consumer": {"id": "222222222222"}}},
            "accounts.service.id = '12345': must be exactly 12 digits",
        ),
        (
            {"accounts": {"service": {"id": "11111111111a"}, "consumer": {"id": "222222222222"}}},
            "accounts.service.id = '11111111111a': must be exactly 12 digits",
        ),
        (
            {"accounts": {"service": {"id": "111111111111"}, "consumer": {"id": "111111111111"}}},
            "accounts.service.id and accounts.consumer.id are both 111111111111: the distributed pattern",
        ),
        (
            with_accounts(vpcs={"vpc1": {"cidr_block": "10.0.0.300/24"}}),
            "vpcs.vpc1.cidr_block = '10.0.0.300/24': must be an IPv4 network in CIDR notation",
        ),
        (
            with_accounts(vpcs={"vpc1": {"cidr_block": "10.0.0.1/24"}}),
            "vpcs.vpc1.cidr_block = '10.0.0.1/24': must be an IPv4 network in CIDR notation with no host bits set",
        ),
        (
            with_accounts(vpcs={"vpc1": {"cidr_block": "10.0.0.0/8"}}),
            "vpcs.vpc1.cidr_block = '10.0.0.0/8': a VPC CIDR must be between /16 and /28",
        ),
        (
            with_accounts(vpcs={"vpc1": {"workload_subnet_netmask": 25}}),
            "vpcs.vpc1: subnets do not fit: 2 AZs x tiers endpoints /28, workload /25 need 288 addresses "
            "but 10.0.0.0/24 has 256",
        ),
        (
            with_accounts(vpcs={"vpc1": {"cidr_block": "10.0.0.0/26", "workload_subnet_netmask": 24}}),
            "vpcs.vpc1: subnets do not fit: tier 'workload' netmask /24 is larger than the VPC 10.0.0.0/26",
        ),
        (
            with_accounts(vpcs={"vpc1": {"endpoints_subnet_netmask": 29}}),
            "vpcs.vpc1.endpoints_subnet_netmask = 29: an AWS subnet netmask must be between 16 and 28",
        ),
        (
            with_accounts(vpcs={"vpc1": {"number_azs": 0}}),
            "vpcs.vpc1.number_azs = 0: must be between 1 and 6",
        ),
        (
            with_accounts(vpcs={"vpc1": {"instance_type": "large"}}),
            "vpcs.vpc1.instance_type = 'large': must be an EC2 instance type such as t3.micro",
        ),
        (with_accounts(vpcs={}), "vpcs: at least one consumer VPC is required"),
        (with_accounts(vpcs={"Vpc_1": {}}), "vpcs: VPC name 'Vpc_1' must be 1-47 lowercase letters"),
        (
            with_accounts(regoin="eu-west-1"),
            "regoin: unknown key (allowed here: accounts, backend, extra_regions, patterns, pipeline, project, region, tags, vpcs); "
            "did you mean 'region'?",
        ),
        (
            with_accounts(vpcs={"vpc1": {"cidr": "10.0.0.0/24"}}),
            "vpcs.vpc1.cidr: unknown key (allowed here: cidr_block, detailed_monitoring, endpoints_subnet_netmask, instance_type, "
            "number_azs, workload_subnet_netmask); did you mean 'cidr_block'?",
        ),
        (
            with_accounts(patterns={"distributed": {"auth_policy": "opne"}}),
            "patterns.distributed.auth_policy = 'opne': Input should be 'least_privilege' or 'open'",
        ),
        (
            with_accounts(patterns={"distributed": {"discovery": "secret"}}),
            "patterns.distributed.discovery = 'secret': Input should be 'remote_state' or 'secrets_manager'",
        ),
        (with_accounts(backend={"type": "s4"}), "backend.type = 's4': must be one of 'local', 's3'"),
        (with_accounts(backend={"type": "s3"}), "backend.bucket: required but missing"),
        (
            with_accounts(backend={"type": "s3", "bucket": "state", "use_lockfile": False}),
            "backend.use_lockfile: unknown key (allowed here: bucket, key_prefix, region, role_arn, type)",
        ),
        (
            with_accounts(backend={"type": "s3", "bucket": "Not_A_Bucket"}),
            "backend.bucket = 'Not_A_Bucket': must be a valid S3 bucket name",
        ),
        (with_accounts(backend={"type": "s3", "bucket": "192.168.5.4"}), "backend.bucket = '192.168.5.4': an S3 bucket name must not look like an IP address"),
        (with_accounts(backend={"type": "s3", "bucket": "xn--state"}), "backend.bucket = 'xn--state': an S3 bucket name must not start with 'xn--'"),
        (with_accounts(backend={"type": "s3", "bucket": "state-s3alias"}), "backend.bucket = 'state-s3alias': an S3 bucket name must not end with '-s3alias'"),
        (with_accounts(region="europe"), "region = 'europe': must be an AWS region name such as eu-west-1"),
        (
            {
                "accounts": {
                    "service": {"id": "111111111111", "role_arn": "arn:aws:iam::333333333333:role/deploy"},
                    "consumer": {"id": "222222222222"},
                }
            },
            "accounts.service: role_arn 'arn:aws:iam::333333333333:role/deploy' is in account 333333333333, "
            "not in 111111111111",
        ),
        (
            {
                "accounts": {
                    "service": {"id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/d", "profile": "p"},
                    "consumer": {"id": "222222222222"},
                }
            },
            "accounts.service: set role_arn or profile, not both",
        ),
    ],
)
def test_bad_input_names_field_value_and_rule(raw: dict, expected: str) -> None:
    found = problems(raw)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_several_problems_are_reported_together() -> None:
    found = problems(with_accounts(region="x", vpcs={"vpc1": {"number_azs": 9}}))
    assert [p.split(" ")[0] for p in found] == ["region", "vpcs.vpc1.number_azs"]


def test_main_exits_2_and_writes_nothing_on_bad_config(tmp_path, capsys) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[accounts.service]\nid = "1234"\n[accounts.consumer]\nid = "222222222222"\n')
    outdir = tmp_path / "cdktf.out"
    assert main.main(["--config", str(config), "--outdir", str(outdir)]) == 2
    err = capsys.readouterr().err
    assert "accounts.service.id = '1234': must be exactly 12 digits" in err
    assert not outdir.exists()
    assert list(tmp_path.iterdir()) == [config], "no scratch directory may be left behind"


def test_main_reports_toml_syntax_errors(tmp_path, capsys) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("region = \n")
    assert main.main(["--config", str(config), "--outdir", str(tmp_path / "out")]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_main_reports_a_missing_config_file(tmp_path, capsys) -> None:
    assert main.main(["--config", str(tmp_path / "nope.toml"), "--outdir", str(tmp_path / "out")]) == 2
    assert "nope.toml: invalid configuration (1 problem):\n  - no such file" in capsys.readouterr().err


def test_config_reference_is_current() -> None:
    """docs/config-reference.md is generated whole (make docs); without a synth, so it fails fast."""
    from app_config.reference import markdown, page

    current = (ROOT / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert current == page(), "docs/config-reference.md is stale: run `make docs`"
    assert markdown() in current and "generated by make docs" in current.splitlines()[2]


def test_config_errors_do_not_wait_for_the_aws_bindings(tmp_path) -> None:
    """main.py validates before importing cdktf (a ~20 s jsii start-up)."""
    import subprocess
    import sys

    root = ROOT
    bad = tmp_path / "bad.toml"
    bad.write_text('[accounts.service]\nid = "1"\n[accounts.consumer]\nid = "222222222222"\n')
    probe = (
        "import sys, main; code = main.main(['--config', sys.argv[1], '--outdir', sys.argv[2]]);"
        "assert 'cdktf' not in sys.modules and 'jsii' not in sys.modules; sys.exit(code)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(bad), str(tmp_path / "out")], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert "accounts.service.id = '1': must be exactly 12 digits" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_main_reports_a_config_that_is_a_directory(tmp_path, capsys) -> None:
    assert main.main(["--config", str(tmp_path), "--outdir", str(tmp_path / "out")]) == 2
    assert f"{tmp_path}: invalid configuration (1 problem):\n  - is a directory, not a regular file: only regular files are read" in capsys.readouterr().err


def test_main_reports_a_config_that_is_not_utf8(tmp_path, capsys) -> None:
    config = tmp_path / "latin1.toml"
    config.write_bytes('project = "caf\xe9"\n'.encode("latin-1"))
    assert main.main(["--config", str(config), "--outdir", str(tmp_path / "out")]) == 2
    assert "  - is not UTF-8 text (byte 14): save it as UTF-8" in capsys.readouterr().err


def test_main_reports_an_unreadable_config(tmp_path, capsys, monkeypatch) -> None:
    config = tmp_path / "secret.toml"
    config.write_text("region = 'eu-west-1'\n")

    import os

    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path) == str(config):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # root reads any mode, so refuse here
    assert main.main(["--config", str(config), "--outdir", str(tmp_path / "out")]) == 2
    assert "  - cannot be read: permission denied" in capsys.readouterr().err


def test_main_reports_an_outdir_that_is_a_file(tmp_path, capsys) -> None:
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    assert main.main(["--config", str(SHIPPED_CONFIG), "--outdir", str(target)]) == 2
    assert capsys.readouterr().err == f"error: --outdir = {str(target)!r}: is a file, not a directory: the output directory is replaced as a whole\n"
    assert target.read_text() == "keep me"


def test_accounts_are_required_by_the_patterns_that_use_them() -> None:
    assert problems({}) == [
        "patterns.distributed is enabled: accounts.service is required: Owns the Lattice services (and the Lambda behind them).",
        "patterns.distributed is enabled: accounts.consumer is required: Owns the client VPCs (and, in the distributed "
        "pattern, their service networks).",
    ]
    assert problems({"patterns": {"distributed": {"enabled": False}, "shared": {"enabled": True}}}) == [
        "patterns.shared is enabled: accounts.common is required: Common-services account of the shared-service pattern "
        "(DirectoryService)."
    ]


def test_every_problem_is_reported_at_once_fields_and_rules_across_sections() -> None:
    found = problems(
        {
            "region": "xx-mars-1",
            "tags": {"aws:owner": "me", "Project": "x"},
            "accounts": {"service": {"id": "111111111111"}, "consumer": {"id": "111111111111"}},
            "patterns": {"centralized": {"enabled": True, "service_name": "lambda-service"}},
            "vpcs": {"amazon-linux": {}, "vpc1": {}},
        }
    )
    assert [p.split(" ", 1)[0] for p in found] == [
        "region",
        "tags:",
        "accounts.service.id",
        "patterns.centralized",
        "vpcs.amazon-linux:",
    ]
    assert "tag key 'aws:owner': the aws: prefix is reserved for AWS; tag key 'Project': the stacks set it themselves" in found[1]
    assert found[3] == (
        "patterns.centralized is enabled: accounts.network is required: Central service-network account (centralized pattern only)."
    )


def test_a_bad_region_hides_no_other_region_problem() -> None:
    """The checks beside a refused region judge the region written, without taking
    it as known: a backend in the same unknown region is still refused."""
    found = problems(with_accounts(region="xx-fake-1", backend={"type": "s3", "bucket": "state", "region": "xx-fake-1"}))
    assert [p.split(" = ")[0] for p in found] == ["region", "backend.region"], found


def test_rules_across_sections_wait_for_the_sections_they_read() -> None:
    """A bad VPC field hides the collision checks that read vpcs (they would judge a
    default), but not the field problems."""
    found = problems(with_accounts(vpcs={"amazon-linux": {"number_azs": 0}}))
    assert found == ["vpcs.amazon-linux.number_azs = 0: must be between 1 and 6"]


def test_no_enabled_pattern_is_refused_before_the_import() -> None:
    assert problems(with_accounts(patterns={"distributed": {"enabled": False}})) == [
        "patterns: no pattern is enabled, so there is nothing to synthesize: set enabled = true in one of distributed, centralized, shared, microservices, ingress, multicluster, topology"
    ]


def test_a_section_without_enabled_means_the_default(default_config) -> None:
    config = make_config(patterns={"centralized": {"discovery": "secrets_manager"}})
    assert [spec.name for spec in config.enabled_patterns()] == ["distributed"]
    both = make_config(accounts={**ACCOUNTS, "network": {"id": "333333333333"}}, patterns={"centralized": {"enabled": True}})
    assert [spec.name for spec in both.enabled_patterns()] == ["distributed", "centralized"], "the defaults work together"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (with_accounts(region="xx-mars-1"), "region = 'xx-mars-1': VPC Lattice does not run in this region per the AWS endpoint data in botocore"),
        (with_accounts(region="mx-central-1"), "region = 'mx-central-1': VPC Lattice does not run in this region"),
        (with_accounts(tags={"": "x"}), "tags: tag key '': a tag key is 1-128 letters"),
        (with_accounts(tags={"AWS:team": "x"}), "tags: tag key 'AWS:team': the aws: prefix is reserved for AWS"),
        (with_accounts(tags={"Project": "x"}), "tags: tag key 'Project': the stacks set it themselves (set project = ... for its value)"),
        (with_accounts(tags={"Team": "a\nb"}), "tags: tag 'Team': a tag value is at most 256 letters"),
        (with_accounts(project=""), "project = '': must not be empty (it is the value of the Project tag)"),
        (with_accounts(extra_regions=["nowhere"]), "extra_regions: 'nowhere' must be an AWS region name"),
        (
            with_accounts(backend={"type": "s3", "bucket": "state", "region": "xx-mars-1"}),
            "backend.region = 'xx-mars-1': no such AWS region per the AWS endpoint data in botocore",
        ),
    ],
)
def test_regions_and_tags_follow_aws_rules(raw: dict, expected: str) -> None:
    (problem,) = problems(raw)
    assert problem.startswith(expected), problem


def test_a_region_of_another_partition_is_refused_even_when_declared() -> None:
    """Every ARN the stacks write is arn:aws:...: in GovCloud or China they would name
    the wrong partition (and policies measured before synth would be too short)."""
    for region, partition in (("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn")):
        found = problems(with_accounts(region=region, extra_regions=[region]))
        assert found == [f"region = {region!r}: is in the {partition} partition: the stacks write aws ARNs (arn:aws:...) only"], found


def test_a_new_region_is_accepted_when_declared() -> None:
    assert make_config(region="mx-central-1", extra_regions=["mx-central-1"]).region == "mx-central-1"


def test_a_backend_without_type_is_local() -> None:
    assert make_config(backend={"state_dir": "ops/state"}).backend.type == "local"


def test_a_field_a_section_overrides_keeps_its_rule() -> None:
    """A field's rule is its type (lattice_model.fields): a section that overrides
    the field with a plain type would drop it (centralized's service_name once did)."""
    import typing

    from pydantic import BaseModel

    from app_config.schema import LatticeConfig

    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = [LatticeConfig]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for field in model.model_fields.values():
            for arg in (field.annotation, *typing.get_args(field.annotation)):
                for inner in (arg, *typing.get_args(arg)):
                    if isinstance(inner, type) and issubclass(inner, BaseModel):
                        pending.append(inner)
        for base in model.__mro__[1:]:
            if not (isinstance(base, type) and issubclass(base, BaseModel)) or base is BaseModel:
                continue
            for name in set(base.model_fields) & set(model.model_fields):
                assert set(map(repr, base.model_fields[name].metadata)) <= set(map(repr, model.model_fields[name].metadata)), f"{model.__name__}.{name}"
    assert len(seen) > 20
