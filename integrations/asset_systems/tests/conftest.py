"""Fixtures for the asset-system sync: the loopback fakes (Snipe-IT and a configurable generic REST
system), tenant A on the premium plan, and the cast of an order (repair_forms' helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from integrations.asset_systems.tests.fakes import GenericFake, SnipeItFake
from repair_forms.tests.helpers import Cast, make_cast


@pytest.fixture(scope="session")
def _snipeit_server() -> Iterator[SnipeItFake]:
    fake = SnipeItFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _generic_server() -> Iterator[GenericFake]:
    fake = GenericFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def snipeit(_snipeit_server: SnipeItFake, settings: Any) -> SnipeItFake:
    settings.ASSET_SYNC_ALLOW_PRIVATE_NETWORKS = True  # the fake listens on 127.0.0.1
    _snipeit_server.reset()
    return _snipeit_server


@pytest.fixture
def generic(_generic_server: GenericFake, settings: Any) -> GenericFake:
    settings.ASSET_SYNC_ALLOW_PRIVATE_NETWORKS = True
    settings.ASSET_SYNC_LOOKUP_TIMEOUT_SECONDS = 0.5
    settings.ASSET_SYNC_TIMEOUT_SECONDS = 0.5
    _generic_server.reset()
    _generic_server.slow_seconds = 1.5
    return _generic_server


@pytest.fixture
def premium(actors: Any) -> Any:
    """Tenant A on the premium plan (asset sync included)."""
    from integrations.asset_systems.tests.helpers import set_plan

    set_plan(actors.tenant_a, "premium")
    return actors.tenant_a


@pytest.fixture
def in_a(actors: Any) -> Iterator[Any]:
    with schema_context(actors.tenant_a.schema_name):
        yield actors.tenant_a


@pytest.fixture
def cast(in_a: Any, actors: Any) -> Cast:
    return make_cast(actors)
