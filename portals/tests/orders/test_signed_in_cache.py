"""The signed-in user and customer come from the cache (``accounts.signed_in``): no query for them
once cached, every change seen by the next request, and one tenant's entry never serves another."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import Customer
from accounts.signed_in import signed_in_user
from portals.tests.orders.helpers import signed_in
from repair_forms.models import RepairOrder
from repair_forms.tests.helpers import Cast

ORDERS = "/api/v1/portal/orders/"


def _values(cast: Cast) -> dict[str, Any]:
    brand, category, model = cast.catalog
    return {
        "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
        "fault_description": "不能打印",
        "service_type": "repair",
    }


def _in(provider: Any) -> Any:
    return schema_context(provider.schema_name)


def _submit(client: Any, cast: Cast) -> Any:
    return client.post(ORDERS, {"values": _values(cast)}, format="json")


def test_the_second_request_reads_no_user_and_no_customer(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(ORDERS).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert _submit(client, cast).status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries]
    assert not [s for s in statements if 'FROM "auth_user"' in s or 'FROM "accounts_customer"' in s]


def test_a_renamed_customer_is_seen_by_the_next_submit(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert _submit(client, cast).status_code == 201  # cached now
        with _in(actors.tenant_a):
            customer = Customer.objects.get(pk=cast.reporter.pk)
            customer.name = "改名后的小张"
            customer.save()
        second = _submit(client, cast)
    assert second.status_code == 201
    with _in(actors.tenant_a):
        assert RepairOrder.objects.get(pk=second.json()["id"]).contact_name == "改名后的小张"


def test_a_deactivated_user_or_a_changed_password_signs_the_cached_session_out(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(ORDERS).status_code == 200  # cached now
        with _in(actors.tenant_a):
            user = get_user_model().objects.get(pk=cast.reporter.user_id)
            user.is_active = False
            user.save()
    assert client.get(ORDERS).status_code == 403

    other = signed_in(actors.tenant_a, cast.manager, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert other.get(ORDERS).status_code == 200  # cached now
        with _in(actors.tenant_a):
            user = get_user_model().objects.get(pk=cast.manager.user_id)
            user.set_password("a-new-secret-2026")
            user.save()
    assert other.get(ORDERS).status_code == 403


def test_another_tenants_cached_user_is_never_served(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Tenant A's cached entry for user id N, asked for with A's valid session data on B's host:
    the session cannot be verified there (B's user N, if any, is someone else), so nobody."""
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(ORDERS).status_code == 200  # A's entry for the reporter's id is cached
    with _in(actors.tenant_a):
        a_user = get_user_model().objects.get(pk=cast.reporter.user_id)
    session = {
        SESSION_KEY: str(a_user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: a_user.get_session_auth_hash(),
    }
    with schema_context(actors.tenant_b.schema_name):
        request = RequestFactory().get("/")
        request.session = _Session(session)  # type: ignore[assignment]
        user = signed_in_user(request)
    assert not user.is_authenticated


class _Session(dict[str, Any]):
    """Enough of a session for ``auth.get_user``."""

    def flush(self) -> None:
        self.clear()

    def cycle_key(self) -> None:
        pass
