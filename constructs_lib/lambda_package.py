"""Deterministic zip packages for Lambda sources, built at synth time.

The same source tree always gives the same bytes (sorted entries, fixed timestamps
and permissions), so ``source_code_hash`` only changes when the code does and two
synths of one config are byte-identical. No ``archive`` provider is involved.
"""
from __future__ import annotations

import base64
import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


@dataclass(frozen=True)
class LambdaPackage:
    path: Path  # the zip file on disk
    base64_sha256: str  # what aws_lambda_function.source_code_hash expects


def zip_bytes(source_dir: Path) -> bytes:
    source_dir = Path(source_dir)
    files = sorted(
        p
        for p in source_dir.rglob("*")
        if p.is_file()
        and not _SKIP_DIRS.intersection(p.relative_to(source_dir).parts)
        and p.suffix not in _SKIP_SUFFIXES
    )
    if not files:
        raise ValueError(f"Lambda source directory {source_dir} has no files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in files:
            info = zipfile.ZipInfo(file.relative_to(source_dir).as_posix(), date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.create_system = 3  # unix, so the mode above is honoured on every OS
            archive.writestr(info, file.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def build_package(source_dir: Path, name: str) -> LambdaPackage:
    """Zip ``source_dir`` into a content-addressed file and return it with its hash.

    The file lives in the system temp dir under its own digest, so concurrent or
    repeated synths share it safely; cdktf copies it into the stack's assets.
    """
    data = zip_bytes(source_dir)
    digest = hashlib.sha256(data)
    out_dir = Path(tempfile.gettempdir()) / "lattice-cdktf-lambda" / digest.hexdigest()[:16]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.zip"
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return LambdaPackage(path=path, base64_sha256=base64.b64encode(digest.digest()).decode())
