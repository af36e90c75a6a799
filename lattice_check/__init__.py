"""lattice_check: answer "will this client reach that service, and will the auth
policies let it in?" offline, from synthesized Terraform (any Terraform JSON of
cdktf.out's shape). It imports nothing from the rest of the project.

- ``tfjson``: reading an output directory and Terraform JSON values;
  ``standins``: made-up ids, ARNs and DNS names; ``backends``: which stack's state
  a remote-state data source reads.
- ``graph``: references resolved within and across stacks; ``topology``: the typed
  topology built on it, which the commands read.
- One module per hop of a request: ``resolution`` (DNS, associations, endpoints),
  ``sharing`` (RAM), ``security_groups``, ``routing`` (listeners, rules),
  ``authz`` (auth policies), ``targets`` (Lambda, ALB; handlers run in a child
  process by ``handler_runner``); an AWS service's own API (its interface
  endpoint, else a way out of the VPC): ``aws_endpoints``.
- Commands: ``curl``, ``matrix``, ``diagram`` (``python -m lattice_check``).
"""
