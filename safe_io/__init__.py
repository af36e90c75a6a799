"""How every command of this project reads its inputs and writes its outputs.

- ``inputs``: only regular files, of bounded size, as UTF-8 text (a byte order
  mark is named, not misread); one :class:`InputError` line otherwise.
- ``structured``: TOML, YAML and JSON parsed with bounded nesting and, for YAML,
  bounded aliases (no "billion laughs").
- ``ownership``: a file or folder is replaced or deleted only when this project
  wrote it and can prove it (a marker it wrote), never when git tracks it or it
  holds Terraform state.
- ``cli``: Ctrl-C ends a command with one line; output to a closed pipe ends quietly.

Standard library only (YAML is imported when a YAML file is read), and nothing else
of the project: every other package, ``make clean`` included, can use it.
"""
