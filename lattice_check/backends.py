"""Which stack's state a ``terraform_remote_state`` data source reads: the one
whose backend has the same type and location (local path, or S3 bucket and key).
The checker, the mocked apply and the wiring tests all match producers here."""
from __future__ import annotations

from typing import Any, Mapping, Optional

BackendKey = tuple[Any, ...]  # (type, path, bucket, key)


def backend_key(document: Mapping[str, Any]) -> Optional[BackendKey]:
    """Where a stack keeps its state, or None when it configures no backend. An HCP
    Terraform workspace (a ``cloud`` block) is keyed by host, organization and name."""
    cloud = document.get("terraform", {}).get("cloud")
    if cloud:
        return _workspace_key(cloud.get("hostname"), cloud.get("organization"), (cloud.get("workspaces") or {}).get("name"))
    backends = document.get("terraform", {}).get("backend") or {}
    if len(backends) != 1:
        return None
    ((kind, settings),) = backends.items()
    return (kind, settings.get("path"), settings.get("bucket"), settings.get("key"))


def remote_state_key(source: Mapping[str, Any]) -> BackendKey:
    """Where a ``terraform_remote_state`` data source reads state from (the ``remote``
    backend reads an HCP Terraform workspace)."""
    config = source.get("config", {})
    if source["backend"] == "remote":
        return _workspace_key(config.get("hostname"), config.get("organization"), (config.get("workspaces") or {}).get("name"))
    return (source["backend"], config.get("path"), config.get("bucket"), config.get("key"))


def state_names(key: BackendKey) -> set[str]:
    """The stack names a state location suggests: ``terraform.<name>.tfstate``,
    ``<name>.tfstate``, ``.../<name>/terraform.tfstate``, a workspace's name."""
    names: set[str] = set()
    for part in (key[3],) if key[0] == "hcp" else (key[1], key[3]):  # a workspace; a local path or an S3 key
        if not isinstance(part, str) or not part:
            continue
        pieces = part.replace("\\", "/").split("/")
        stem = pieces[-1].removesuffix(".tfstate").removeprefix("terraform.")
        names.add(stem)
        if stem == "terraform" and len(pieces) > 1:
            names.add(pieces[-2])
    return names - {"", "terraform"}


def _workspace_key(hostname: Optional[str], organization: Optional[str], workspace: Optional[str]) -> BackendKey:
    return ("hcp", hostname or "app.terraform.io", organization, workspace)


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
