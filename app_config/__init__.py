"""The configuration of the lattice-cdktf app: ``fields`` (what sections are built
from), ``schema`` (the whole file, with one section per registered pattern),
``checks`` (rules across sections), ``loader`` (TOML in, one readable error out),
``project`` (where things live), ``reference`` (README's table). Import from the
submodules; this package imports nothing, so pattern config modules can import
``app_config.fields`` while the schema imports the registry."""
