"""The centralized pattern: config.py (its config section, names, checks, registration) and stacks.py."""
