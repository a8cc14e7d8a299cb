"""Adapters by kind. ``register`` adds a class; ``adapter_class`` / ``adapter_for`` find it.

The built-in adapters (Snipe-IT, generic REST) are registered when the app is ready
(``load_builtin``); another adapter registers itself the same way from its own module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.asset_systems.adapters.base import AdapterError, AssetAdapter

if TYPE_CHECKING:
    from integrations.asset_systems.client import SyncClient
    from integrations.asset_systems.models import AssetSystemBinding

_REGISTRY: dict[str, type[AssetAdapter]] = {}


def register(cls: type[AssetAdapter]) -> type[AssetAdapter]:
    if not cls.kind:
        raise ValueError("an adapter needs a kind")
    _REGISTRY[cls.kind] = cls
    return cls


def adapter_class(kind: str) -> type[AssetAdapter]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise AdapterError(f"no adapter for {kind!r}", retryable=False) from None


def registered_kinds() -> list[str]:
    return list(_REGISTRY)


def adapter_for(binding: AssetSystemBinding, client: SyncClient | None = None) -> AssetAdapter:
    from integrations.asset_systems.client import SyncClient

    cls = adapter_class(binding.kind)
    adapter = cls(binding, client or SyncClient(binding))
    adapter.client.login = adapter.login
    return adapter


def load_builtin() -> None:
    from integrations.asset_systems.adapters import generic, snipeit

    register(generic.GenericRestAdapter)
    register(snipeit.SnipeItAdapter)
