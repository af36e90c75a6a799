"""The microservices pattern: config.py (its config section, names, checks, registration), stacks.py and api.py."""
