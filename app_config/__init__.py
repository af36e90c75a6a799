"""The configuration file of the lattice-cdktf app, as a whole: ``schema`` (the file,
with one section and the account roles of each registered pattern, from
accounts/registry.py), ``checks`` (rules across sections, name collisions),
``loader`` (TOML in, one readable error out), ``reference`` (the generated
reference). Sections are built from lattice_model (fields, backends, regions,
project). Import from the submodules: this package imports nothing."""
