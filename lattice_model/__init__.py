"""The model at the bottom of the project: what the config and the topology mean,
with no cdktf, no jsii and nothing of the app's own config (app_config) or patterns.

- ``project``: where things live, and the folders commands delete (standard
  library only: ``make clean`` reads it with the system's Python).
- Rules of names and values, each in one home: ``text_rule`` (a whole value, in
  ASCII), ``lattice_rules`` (VPC Lattice's API rules and quotas), ``aws_names``
  (IAM, Lambda, load balancer names), ``subnet_plan`` (a VPC's subnets, carved at
  synth).
- ``fields``: what config sections are built from (the strict base model, accounts,
  consumer VPCs, typed field rules); ``pydantic_errors``: one line per failure.
- ``topology``: your own topology: its schema, the file it is read from, its stack
  plan, the reading of its intents into grants, and its checks. The topology
  pattern (accounts/topology) builds stacks from it; lattice_check verifies against it.

Everything above imports it; it imports only ``safe_io`` and ``pins`` of the project.
"""
