"""lattice-cdktf: read the config, instantiate one stack per account role, synth.

    python main.py [--config lattice.toml] [--outdir cdktf.out]

The cdktf CLI runs this file (see cdktf.json) and passes the output directory in
CDKTF_OUTDIR. A bad config exits with status 2 and a message naming every bad field,
and no output directory is written.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from app_config import DEFAULT_CONFIG_FILE, ConfigError, LatticeConfig, load_config

if TYPE_CHECKING:
    from constructs_lib.cdk import App


def build_app(config: LatticeConfig, outdir: str) -> "App":
    """Every stack the config enables, with deploy order declared between them."""
    # Imported here: loading cdktf and the AWS bindings takes ~20 s, and a bad
    # config should be reported before paying that.
    import accounts
    from constructs_lib.cdk import App

    app = App(outdir=outdir)
    if config.patterns.distributed.enabled:
        service = accounts.DistributedServiceAccountStack(app, config)
        accounts.DistributedConsumerAccountStack(app, config, service)
    if config.patterns.centralized.enabled:
        service = accounts.CentralizedServiceAccountStack(app, config)
        network = accounts.CentralizedServiceNetworkAccountStack(app, config, service)
        accounts.CentralizedConsumerAccountStack(app, config, network)
    if config.patterns.shared.enabled:
        common = accounts.SharedCommonAccountStack(app, config)
        for tenant in config.patterns.shared.tenants:
            accounts.SharedTenantAccountStack(app, config, tenant, common)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        default=os.environ.get("LATTICE_CONFIG", DEFAULT_CONFIG_FILE),
        help="config file (default: $LATTICE_CONFIG or %(default)s)",
    )
    parser.add_argument(
        "--outdir",
        default=os.environ.get("CDKTF_OUTDIR", "cdktf.out"),
        help="output directory (default: $CDKTF_OUTDIR or %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from constructs_lib.synth import synth_atomically

    synth_atomically(lambda outdir: build_app(config, outdir), args.outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
