"""Which Node.js runs jsii (the process behind every cdktf and AWS binding call).

jsii supports Node 22 and 24; the machines this project runs on may have an older
Node (20 is past its end of life). ``make install`` installs Node 22 for the
project from the npm registry (the ``node`` package, in ``node_modules``), without
touching the system's. This module points jsii at it (``JSII_NODE``) before the
jsii kernel starts, so every entry point (``main.py``, the cdktf CLI's app command,
``Testing.synth``, the tests, the examples, your own app on ``constructs_lib``)
runs on it. A ``JSII_NODE`` already set is kept: it is the user's choice.

cdktf 0.21 (archived) calls ``util.isArray`` in ``TerraformOutput``
(lib/terraform-output.js), a runtime deprecation since Node 22 (DEP0044) that
would print on every synth: that one warning is turned off for the jsii process,
nothing else.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_NODE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "node"


CDKTF_DEPRECATION = "--disable-warning=DEP0044"


def use_project_node() -> None:
    if "JSII_NODE" not in os.environ and PROJECT_NODE.is_file():
        os.environ["JSII_NODE"] = str(PROJECT_NODE)
        options = os.environ.get("NODE_OPTIONS", "")
        if CDKTF_DEPRECATION not in options.split():
            os.environ["NODE_OPTIONS"] = f"{options} {CDKTF_DEPRECATION}".strip()


use_project_node()
