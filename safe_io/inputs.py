"""Reading an input file: a regular file of bounded size, as UTF-8 text.

A FIFO, a device or a socket given as an input would block a read forever
(``/dev/zero`` never ends, a FIFO waits for a writer): the file is opened without
blocking and refused unless it is a regular file. Its size is checked before and
while reading, so a huge file costs at most the limit.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

# The largest input of each kind this project reads (each far above any real one).
CONFIG_LIMIT = 1 * MIB  # lattice.toml: the shipped one is 6 KB
TOPOLOGY_LIMIT = 4 * MIB  # a topology file: 100 accounts and 500 services are ~200 KB
MATRIX_LIMIT = 1 * MIB  # a matrix file of requests
STATE_LIMIT = 16 * MIB  # a curl --state file of DynamoDB items
BODY_LIMIT = 6 * MIB  # curl -d @FILE: Lambda's 6 MB request payload
OUTPUT_LIMIT = 256 * MIB  # one synthesized stack, a manifest, a plan or a state JSON

BOM = b"\xef\xbb\xbf"


class InputError(ValueError):
    """An input cannot be read. ``str()`` is one line naming the file and why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words ('a regular file', 'a FIFO (named pipe)', ...)."""
    return next((name for test, name in _KINDS if test(mode)), "a regular file" if stat.S_ISREG(mode) else "not a regular file")


def size_text(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    if size >= KIB:
        return f"{size / KIB:.0f} KiB"
    return f"{size} bytes"


def read_bytes(path: str | Path, *, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them;
    :class:`InputError` for anything else (missing, a directory, a FIFO or device,
    unreadable, too large)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path, "cannot be read: permission denied") from None
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(path, f"is {kind_of(status.st_mode)}, not a regular file: only regular files are read")
        if status.st_size > limit:
            raise InputError(path, f"is {size_text(status.st_size)}: at most {size_text(limit)} is read")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(descriptor, min(MIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise InputError(path, f"is more than {size_text(limit)}: at most {size_text(limit)} is read")
        return b"".join(chunks)
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def decode_text(data: bytes, path: str | Path) -> str:
    """``data`` as UTF-8 text; :class:`InputError` naming a byte order mark or the
    first byte that is not UTF-8."""
    if data.startswith(BOM):
        raise InputError(path, "starts with a UTF-8 byte order mark (BOM, as some Windows editors save): save it as UTF-8 without BOM")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(path, f"is not UTF-8 text (byte {error.start}): save it as UTF-8") from None


def read_text(path: str | Path, *, limit: int) -> str:
    """The regular file ``path`` as UTF-8 text, at most ``limit`` bytes."""
    return decode_text(read_bytes(path, limit=limit), path)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters: an error echoes a short
    prefix of a huge value, not all of it."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"
