"""The company manager chases his company's orders: he gets the urge button once urging opens, and
the "you can urge from …" line disappears once that time has passed (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import set_provider, signed_in, text_of
from repair_forms import services
from repair_forms.tests.helpers import Cast, drive


@contextmanager
def _in_a(actors: Any) -> Iterator[None]:
    with schema_context(actors.tenant_a.schema_name):
        yield


def test_the_company_manager_can_urge_a_members_order_once_urging_opens(cast: Cast, actors: Any) -> None:
    set_provider(actors.tenant_a, urge_after_hours=2)
    with _in_a(actors):
        old = drive(cast, "submitted", start=timezone.now() - timedelta(hours=30))
        fresh = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    manager = signed_in(actors.tenant_a, cast.manager)
    page = text_of(manager.get(f"/orders/{old.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert f"/orders/{old.pk}/urge/" in page
    assert "You can urge this order from" not in page  # the time passed a day ago
    assert manager.post(f"/orders/{old.pk}/urge/").status_code == 302
    with _in_a(actors):
        old.refresh_from_db()
        assert old.is_urged and old.urge_count == 1
    early = text_of(manager.get(f"/orders/{fresh.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "You can urge this order from" in early and f"/orders/{fresh.pk}/urge/" not in early
