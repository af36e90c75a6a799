"""Your own topology (``[patterns.topology]``, or a file it names), as the model
reads it: ``schema`` (the tables, each checked on its own; ``services`` and
``consumers`` hold the larger ones), ``plan`` (which stack of which account holds
what, in deploy order, and the names it creates), ``grants`` (the access intents,
resolved) and ``checks`` (the rules across the tables). The topology pattern
(accounts/topology) builds the stacks from it; ``lattice_check verify`` and ``diff``
check an output against it. No cdktf here."""
