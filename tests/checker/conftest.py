"""Fixtures of the checker tests."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from lattice_check.graph import Model


@pytest.fixture(scope="session")
def default_model(default_out: Path) -> Model:
    """The default app's output, read once: copy it (``model``) before changing it."""
    return Model.load(default_out)


@pytest.fixture()
def model(default_model: Model) -> Model:
    """A fresh copy of the default app's model, for a test that changes it in memory."""
    return copy.deepcopy(default_model)
