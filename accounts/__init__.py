"""One package per pattern (``accounts/<pattern>/config.py`` and ``stacks.py``, found
by ``registry.patterns()``: the pattern contract, ``PatternSpec``, lives there too),
and what the patterns share: ``base.py`` (the account stack), ``stack_ids.py`` (the
construct ids every stack holds, and a consumer-VPC stack's claims),
``hello_service.py`` (the service and consumer roles and the "Hello from Lambda!"
service of the reference sample), ``building_blocks.py`` (building those),
``discovery.py`` (how ids flow between stacks). Importing this package imports no
cdktf; the patterns read the model (lattice_model) and build with constructs_lib."""
