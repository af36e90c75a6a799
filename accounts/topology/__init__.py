"""Your own topology: config.py (the section and its checks), grants.py (who may call
what, from the intents), stacks.py (one stack per account and layer)."""
