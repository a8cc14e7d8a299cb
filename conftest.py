"""Shared pytest fixtures: two tenants (A and B) made once per session, and the three actors of
STYLE.md — the owner of A, a staff member of A, and an outsider who belongs to B.

Each test runs in a transaction that is rolled back (pytest-django's ``db``), including any schema a
test provisions, because PostgreSQL DDL is transactional.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation

from tests.actors import Actors, make_actors


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Actors]:  # noqa: PT004
    with django_db_blocker.unblock():
        actors = make_actors()
    yield actors


@pytest.fixture
def actors(django_db_setup: Actors, db: Any) -> Actors:
    return django_db_setup


@pytest.fixture(autouse=True)
def _reset_schema_and_cache() -> Iterator[None]:
    cache.clear()
    yield
    if hasattr(connection, "set_schema_to_public") and connection.connection is not None:
        connection.set_schema_to_public()
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's default language (zh-hans), whatever an earlier test or a
    served request left active on this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def tenant_a(actors: Actors) -> Any:
    return actors.tenant_a


@pytest.fixture
def tenant_b(actors: Actors) -> Any:
    return actors.tenant_b


@pytest.fixture
def public_client() -> Client:
    from tests.actors import public_host

    return Client(HTTP_HOST=public_host())
