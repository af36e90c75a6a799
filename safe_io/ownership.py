"""What this project may replace or delete: only what it wrote, and can prove it.

The proof is a marker written with the thing itself:

- a folder it writes (a synth output, an example's output, scratch space) holds
  :data:`FOLDER_MARKER`, a small JSON file naming the project, what the folder is
  and, for scratch space, the process that made it;
- a single file it writes (a diagram, a workflow, a ``curl --state`` file) carries
  a marker line with the SHA-256 of the rest of the file: a file edited since, or
  one that only looks similar, is not ours any more.

Never replaced, whatever its marker says: a folder holding files git tracks, a
``.git`` folder, or Terraform state; a file git tracks (unless the command was
told ``--force``); an input of the same command.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

PROJECT = "lattice-cdktf"
FOLDER_MARKER = ".written-by-lattice-cdktf"
MARKER_LIMIT = 4096
STATE_PATTERNS = ("*.tfstate", "*.tfstate.backup")


class NotOurs(ValueError):
    """Writing or deleting there could lose something this project did not write.
    ``rule`` says why and what to do."""

    def __init__(self, path: str | Path, rule: str) -> None:
        self.path = str(path)
        self.rule = rule
        super().__init__(f"{self.path!r}: {rule}")


# ---- folders


@dataclass(frozen=True)
class FolderMark:
    """What a folder's marker says."""

    what: str  # "synth output", "example output", "scratch", ...
    source: str = ""  # the config or program it came from
    pid: Optional[int] = None  # for scratch: the process that is still using it

    def text(self) -> str:
        fields: dict[str, object] = {"written_by": PROJECT, "what": self.what}
        if self.source:
            fields["source"] = self.source
        if self.pid is not None:
            fields["pid"] = self.pid
        return json.dumps(fields, indent=1, sort_keys=True) + "\n"


def mark_folder(folder: Path, mark: FolderMark) -> None:
    """Write ``mark`` into ``folder`` (which this process has just made)."""
    (folder / FOLDER_MARKER).write_text(mark.text(), encoding="utf-8")


def folder_mark(folder: Path) -> Optional[FolderMark]:
    """The marker ``folder`` holds, or None when it holds none this project wrote."""
    marker = folder / FOLDER_MARKER
    try:
        status = marker.lstat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > MARKER_LIMIT:
            return None
        fields = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(fields, dict) or fields.get("written_by") != PROJECT or not isinstance(fields.get("what"), str):
        return None
    pid = fields.get("pid")
    return FolderMark(fields["what"], str(fields.get("source", "")), pid if isinstance(pid, int) and pid > 0 else None)


def state_files(folder: Path) -> list[Path]:
    """Terraform state anywhere below ``folder``. ``.terraform/`` holds only backend
    settings (its ``terraform.tfstate`` is not state) and is skipped. Symbolic links
    are not followed."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".terraform"]
        for name in files:
            if any(Path(name).match(pattern) for pattern in STATE_PATTERNS):
                found.append(Path(root) / name)
    return sorted(found)


def tracked_files(path: Path) -> list[str]:
    """The files under ``path`` (a file or a folder) that git tracks, if ``path`` is
    in a git work tree; [] outside one or without git."""
    path = Path(path)
    where = path if path.is_dir() else path.parent
    if not where.is_dir():
        return []
    target = "." if path.is_dir() else path.name
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        listed = subprocess.run(
            ["git", "-C", str(where), "ls-files", "-z", "--", target],
            capture_output=True, env=environment, timeout=30, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if listed.returncode != 0:
        return []
    return [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name]


def replaceable_folder_problem(folder: Path, *, what: str) -> Optional[str]:
    """Why replacing (or deleting) ``folder`` could lose something this project did
    not write; None when it may go: missing, empty, or marked ours with nothing git
    tracks, no ``.git`` and no Terraform state inside. ``what`` names the folder
    in the advice ("the output directory")."""
    try:
        status = folder.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(status.st_mode):
        return f"is a symbolic link: {what} is replaced as a whole; give the folder it points to, or another"
    if not stat.S_ISDIR(status.st_mode):
        return f"is a file, not a directory: {what} is replaced as a whole"
    if not any(folder.iterdir()):
        return None
    if (folder / ".git").exists():
        return f"holds a .git folder: {what} is replaced as a whole"
    tracked = tracked_files(folder)
    if tracked:
        return f"holds files git tracks ({folder / tracked[0]}{' and others' if len(tracked) > 1 else ''}): {what} is replaced as a whole; choose a new or empty folder"
    if folder_mark(folder) is None:
        return (
            f"is not empty and has no {FOLDER_MARKER} marker, so {PROJECT} did not write it: only a missing or empty "
            f"directory, or one {PROJECT} wrote, is replaced. If it is an output of an older version, remove it yourself; "
            "otherwise choose a new or empty folder"
        )
    state = state_files(folder)
    if state:
        return f"holds Terraform state ({state[0].relative_to(folder)}) that replacing it would delete: move it out first"
    return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError as error:
        return error.errno != errno.ESRCH
    return True


def remove_stale_scratch(parent: Path, prefix: str) -> list[Path]:
    """Remove the folders ``<prefix>*`` of ``parent`` that an earlier run of this
    project left behind (killed before it could tidy up): each must carry a
    scratch marker whose process is gone. Returns what was removed."""
    removed = []
    try:
        candidates = sorted(parent.glob(f"{prefix}*"))
    except OSError:
        return []
    for candidate in candidates:
        if candidate.is_symlink() or not candidate.is_dir():
            continue
        mark = folder_mark(candidate)
        if mark is None or mark.pid is None or process_alive(mark.pid) or state_files(candidate) or tracked_files(candidate):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def make_scratch(parent: Path, prefix: str, *, what: str, source: str = "") -> Path:
    """A new folder ``<prefix>XXXX`` in ``parent``, marked as this process's scratch."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    mark_folder(scratch, FolderMark("scratch", source or what, os.getpid()))
    return scratch


# ---- single files

_MARK_FORMAT = "written by {project} ({writer}); sha256 of the rest: {digest}"


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class FileFormat:
    """How a kind of file carries the marker line: ``prefix`` and ``suffix`` make it
    a comment of the file's language (``# `` for YAML, ``<!-- `` and `` -->`` for
    SVG). ``after_first_line``: the marker goes after a first line that must stay
    first (an XML declaration)."""

    prefix: str
    suffix: str = ""
    after_first_line: bool = False

    def marked(self, body: bytes, writer: str) -> bytes:
        if self.prefix.startswith("<!--") and "--" in writer:
            raise ValueError(f"{writer!r}: an XML comment may not hold '--'")
        head, rest = b"", body
        if self.after_first_line and b"\n" in body:
            head, rest = body.split(b"\n", 1)
            head += b"\n"
        line = f"{self.prefix}{_MARK_FORMAT.format(project=PROJECT, writer=writer, digest=_digest(head + rest))}{self.suffix}\n"
        return head + line.encode() + rest

    def is_ours(self, data: bytes) -> bool:
        """Whether ``data`` is exactly what this project wrote: the marker line is
        there and the rest is unchanged since."""
        lines = data.split(b"\n")
        index = 1 if self.after_first_line else 0
        if len(lines) <= index:
            return False
        line = lines[index].decode("utf-8", "replace")
        start = f"{self.prefix}written by {PROJECT} ("
        if not line.startswith(start) or not line.endswith(self.suffix) or "; sha256 of the rest: " not in line:
            return False
        digest = line[: len(line) - len(self.suffix)].rsplit("; sha256 of the rest: ", 1)[1]
        rest = b"\n".join(lines[:index] + lines[index + 1 :])
        return digest == _digest(rest)


YAML_FILE = FileFormat("# ")
SVG_FILE = FileFormat("<!-- ", " -->", after_first_line=True)
JSON_FILE_KEY = "written_by"  # a JSON file's marker is a key of its top object (see json_document)


def json_document(fields: dict[str, object], writer: str) -> bytes:
    """``fields`` as a JSON object whose ``written_by`` names the writer and the
    SHA-256 of the other fields (sorted, as written)."""
    body = json.dumps(fields, indent=1, sort_keys=True)
    marker = _MARK_FORMAT.format(project=PROJECT, writer=writer, digest=_digest(body.encode()))
    return (json.dumps({JSON_FILE_KEY: marker, **fields}, indent=1, sort_keys=True) + "\n").encode()


def json_is_ours(document: object) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get(JSON_FILE_KEY), str):
        return False
    marker = str(document[JSON_FILE_KEY])
    if not marker.startswith(f"written by {PROJECT} (") or "; sha256 of the rest: " not in marker:
        return False
    rest = {k: v for k, v in document.items() if k != JSON_FILE_KEY}
    return marker.rsplit("; sha256 of the rest: ", 1)[1] == _digest(json.dumps(rest, indent=1, sort_keys=True).encode())


def writable_file_problem(
    path: Path, *, is_ours: Optional[Callable[[bytes], bool]] = None, inputs: Iterable[Path] = (), force: bool = False,
    limit: int = 256 * 1024 * 1024,
) -> Optional[str]:
    """Why writing the file ``path`` could lose something; None when it may be
    written: it does not exist (in a folder that does), or it is a regular file
    this project wrote (``is_ours`` of its bytes), git does not track, and the
    command does not read. ``force`` allows overwriting a tracked file or one this
    project did not write, never an input or anything but a regular file."""
    resolved = path.resolve()
    for source in inputs:
        try:
            if resolved == Path(source).resolve():
                return "is an input of this command: it would be overwritten; write somewhere else"
        except OSError:
            continue
    parent = resolved.parent
    if not parent.is_dir():
        what = "a file, not a folder" if parent.exists() else "missing"
        return f"its folder {parent} is {what}: create the folder first, or write somewhere else"
    try:
        status = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be checked: {error.strerror or error}"
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link: write to a regular file"
    if not stat.S_ISREG(status.st_mode):
        from .inputs import kind_of

        return f"is {kind_of(status.st_mode)}, not a regular file: only regular files are written"
    if force:
        return None
    if tracked_files(path):
        return "is a file git tracks: it is not overwritten unless you add --force"
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        return f"cannot be read to check who wrote it: {error.strerror or error}"
    if is_ours is None or len(data) > limit or not is_ours(data):
        return f"exists and {PROJECT} did not write it (or it was changed since): it is not overwritten unless you add --force"
    return None


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed over
    it: a reader never sees half a file, and a failure leaves the old one."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
