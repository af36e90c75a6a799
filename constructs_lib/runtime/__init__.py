"""How the constructs run: cdktf (``cdk``: the one module that imports it, swap to CDK
Terrain there), the AWS provider's bindings (``aws``, loaded lazily), jsii's Node
process (``jsii_host``, with its JavaScript preloads; ``node_runtime``: which Node),
readable Terraform names (``naming``), type hints cached for jsii (``type_hints``),
and the output directory, replaced atomically (``synth``)."""
