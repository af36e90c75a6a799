"""Example apps, one per feature group of constructs_lib. Each module has
``build(outdir) -> App``; run one with ``pipenv run python -m examples.<name>``."""
