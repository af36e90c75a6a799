"""Which stack's state a ``terraform_remote_state`` data source reads: the one
whose backend has the same type and location (local path, or S3 bucket and key).
The checker, the mocked apply and the wiring tests all match producers here."""
from __future__ import annotations

from typing import Any, Mapping, Optional

BackendKey = tuple[Any, ...]  # (type, path, bucket, key)


def backend_key(document: Mapping[str, Any]) -> Optional[BackendKey]:
    """Where a stack keeps its state, or None when it configures no backend."""
    backends = document.get("terraform", {}).get("backend") or {}
    if len(backends) != 1:
        return None
    ((kind, settings),) = backends.items()
    return (kind, settings.get("path"), settings.get("bucket"), settings.get("key"))


def remote_state_key(source: Mapping[str, Any]) -> BackendKey:
    """Where a ``terraform_remote_state`` data source reads state from."""
    config = source.get("config", {})
    return (source["backend"], config.get("path"), config.get("bucket"), config.get("key"))


def remote_state_producers(stacks: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(reading stack, remote-state data source) -> the stack whose state it reads;
    a data source whose state no stack here writes is left out."""
    by_backend = {key: name for name, document in stacks.items() if (key := backend_key(document)) is not None}
    found: dict[tuple[str, str], str] = {}
    for name, document in stacks.items():
        for data_name, source in document.get("data", {}).get("terraform_remote_state", {}).items():
            producer = by_backend.get(remote_state_key(source))
            if producer is not None:
                found[(name, data_name)] = producer
    return found
