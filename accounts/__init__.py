"""One package per pattern (``accounts/<pattern>/config.py`` and ``stacks.py``, found
by ``registry.patterns()``), and what the patterns share: ``base.py`` (the account
stack), ``building_blocks.py`` and ``hello_settings.py`` (the hello service and the
consumer VPCs), ``discovery.py`` (how ids flow between stacks). Importing this
package imports no cdktf."""
