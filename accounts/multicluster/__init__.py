"""The multi-cluster pattern (seed 004): config.py, stacks.py (the AWS provider part) and controller.py (the Gateway API controller: chart and permissions)."""
