"""An embed sign-in ticket is redeemed once, atomically: requests racing with the same ticket (before
any of them finished signing in) get one session between them, not one each."""

from __future__ import annotations

from typing import Any

from accounts.services import customer_get_or_create
from portals.customer.embed_views import _ticket_for, _user_for_ticket
from portals.tests.helpers import anonymous, in_schema


def test_a_ticket_redeemed_twice_before_any_sign_in_finished_signs_in_only_once(actors: Any) -> None:
    with in_schema(actors.tenant_a):
        customer = customer_get_or_create(phone="13700005555")
        ticket = _ticket_for(customer)
        # Both racers read the ticket before either called login(); only one may win.
        first, second = _user_for_ticket(ticket), _user_for_ticket(ticket)
    assert first is not None and first.pk == customer.user.pk
    assert second is None


def test_a_redeemed_ticket_link_does_not_sign_in_a_second_browser(actors: Any) -> None:
    with in_schema(actors.tenant_a):
        ticket = _ticket_for(customer_get_or_create(phone="13700005556"))
    first = anonymous(actors.tenant_a).get("/embed/enter/", {"ticket": ticket})
    second = anonymous(actors.tenant_a).get("/embed/enter/", {"ticket": ticket})
    assert first["Location"] == "/"
    assert second["Location"] == "/login/"
