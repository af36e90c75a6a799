"""``make clean``: remove what the build wrote, and only that.

    python3 -m tools.clean                  # remove the generated folders (lattice_model.project)
    python3 -m tools.clean --mark DIR WHAT  # make DIR (missing or empty) with the marker of WHAT
    python3 -m tools.clean --adopt DIR WHAT # mark DIR, which a make target has just filled

A folder is removed only with the proof that the build wrote it: this project's
marker (safe_io.ownership.FOLDER_MARKER), the ``.installed`` stamp the Makefile
writes into ``.venv`` and ``node_modules``, or a cache directory tag
(CACHEDIR.TAG, which pytest writes). Nothing is removed if any folder holds
Terraform state or files git tracks: the run names it and stops (status 1). A folder
without proof is left, with a line saying so (status 0: it is not the build's). A symbolic link is removed, never what it
points to. Standard library only: it runs with the system's Python, after the
virtualenv is gone.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from lattice_model.project import BUILD_DIR, EXAMPLES_OUTDIR, GENERATED_FOLDERS, PROJECT_ROOT, SCRATCH_PREFIX
from safe_io.ownership import FOLDER_MARKER, FolderMark, folder_mark, mark_folder, process_alive, state_files, tracked_files

CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55"  # https://bford.info/cachedir/
INSTALL_STAMP = ".installed"  # what the Makefile writes once an install has finished


def proof(folder: Path) -> str | None:
    """What shows that the build wrote ``folder``, or None."""
    mark = folder_mark(folder)
    if mark is not None:
        if mark.pid is not None and process_alive(mark.pid):
            return None  # scratch of a run still going
        return f"its {FOLDER_MARKER} ({mark.what})"
    if folder.name in (".venv", "node_modules") and (folder / INSTALL_STAMP).is_file():
        return f"the {INSTALL_STAMP} stamp of make install"
    try:
        if (folder / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace").startswith(CACHEDIR_TAG):
            return "its CACHEDIR.TAG"
    except OSError:
        pass
    return None


def candidates(root: Path) -> list[Path]:
    """Every folder (or link) `make clean` may remove, those that exist."""
    found = [root / name for name in GENERATED_FOLDERS if (root / name).is_symlink() or (root / name).exists()]
    examples = root / EXAMPLES_OUTDIR
    if examples.is_dir() and not examples.is_symlink() and folder_mark(examples) is None:
        # the folder itself is made by the first example: its children carry the marks
        found.remove(examples)
        found.extend(sorted(child for child in examples.iterdir() if child.is_dir() or child.is_symlink()))
    found.extend(sorted(p for p in root.glob(f"{SCRATCH_PREFIX}*") if p.is_dir() or p.is_symlink()))
    return found


def clean(root: Path = PROJECT_ROOT) -> int:
    targets = candidates(root)
    blocked = []
    for folder in targets:
        if folder.is_symlink():
            continue
        state = state_files(folder)
        if state:
            blocked.append(f"{folder.relative_to(root)} holds Terraform state ({state[0].relative_to(root)}): move it out first")
        tracked = tracked_files(folder)
        if tracked:
            blocked.append(f"{folder.relative_to(root)} holds files git tracks ({(folder / tracked[0]).relative_to(root)})")
    if blocked:
        for line in blocked:
            print(f"make clean: {line}; nothing was removed", file=sys.stderr)
        return 1
    for folder in targets:
        name = folder.relative_to(root)
        if folder.is_symlink():
            folder.unlink()
            print(f"removed {name} (a link; what it points to is kept)")
            continue
        why = proof(folder)
        if why is None:
            print(f"left {name}: nothing shows the build wrote it (no {FOLDER_MARKER}): remove it yourself if it is yours to remove", file=sys.stderr)
            continue
        shutil.rmtree(folder)
        print(f"removed {name} ({why})")
    examples = root / EXAMPLES_OUTDIR
    if examples.is_dir() and not examples.is_symlink() and not any(examples.iterdir()):
        examples.rmdir()
    return 0


def build_dir(root: Path = PROJECT_ROOT) -> Path:
    """``.build``, made with its marker when it is missing or empty (an older one
    without the marker is used as it is; make clean then leaves it to you)."""
    folder = root / BUILD_DIR
    if not folder.is_dir() or not any(folder.iterdir()):
        folder.mkdir(parents=True, exist_ok=True)
        mark_folder(folder, FolderMark("the build's scratch space"))
    return folder


def mark(folder: Path, what: str, *, adopt: bool) -> int:
    """Make ``folder`` (or, with ``adopt``, take the one a make target just filled)
    with the marker of ``what``."""
    if folder.exists() and not folder.is_dir():
        print(f"error: {folder}: is not a folder", file=sys.stderr)
        return 2
    if folder.is_dir() and folder_mark(folder) is None and not adopt and any(folder.iterdir()):
        print(f"error: {folder}: exists, is not empty and has no {FOLDER_MARKER}: the build does not take it over", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    if folder_mark(folder) is None:
        mark_folder(folder, FolderMark(what))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] in (["--mark"], ["--adopt"]) and len(argv) == 3:
        return mark(Path(argv[1]), argv[2], adopt=argv[0] == "--adopt")
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    return clean()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
