"""lattice_check: answer "will this client reach that service, and will the auth
policies let it in?" offline, from synthesized Terraform (any Terraform JSON of
cdktf.out's shape). It imports nothing of the project but the model at the bottom
(lattice_model: a topology's schema, plan and grants, for ``verify`` and ``diff``),
``safe_io`` and ``pins`` (which images read EKS Pod Identity credentials).

- Reading an output: ``tfjson`` (files and Terraform JSON values), ``standins``
  (made-up ids, ARNs and DNS names), ``backends`` (which stack's state a remote-state
  data source reads), ``graph`` (references resolved within and across stacks).
- The typed topology the commands read: ``kinds`` (its elements), ``declared``
  (networks, services and the ways to them), ``surroundings`` (identities, shares,
  clusters, records), ``topology`` (all of it, with what controllers make:
  ``kubernetes``, ``gateway_controller``, ``controller_dns``).
- One module per hop of a request: ``resolution`` (DNS, associations, endpoints),
  ``sharing`` (RAM), ``security_groups``, ``routing`` (listeners, rules),
  ``authz`` (the layers: identity, network, service) with ``statements``,
  ``conditions`` and ``callers``, ``targets`` (Lambda, ALB; handlers run in a child
  process by ``handler_runner``); outside Lattice ``front_door``, ``api_gateway``,
  ``alb``, ``aws_endpoints`` (an AWS service's own API), ``pods`` (a pod's signing
  proxy), ``identity`` (a caller's own policies).
- Commands (``python -m lattice_check``): ``curl`` (``http_call``: what it sends),
  ``matrix``, ``verify`` and ``diff``, ``predict``, ``diagram``.
"""
