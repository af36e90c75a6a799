"""lattice_check: answer "will this client reach that service, and will the auth
policies let it in?" offline, from synthesized Terraform.

This package so far holds the authorization model (``authz``); the graph builder
and the ``curl`` / ``matrix`` / ``diagram`` commands build on it.
"""
