"""A customer who types a machine number learns only enough to confirm the machine: no label token,
no site unless they belong to the machine's company, and guessing numbers is rate-limited."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.tests.helpers import Cast

LOOKUP = "/api/v1/portal/assets/lookup/"


def test_a_stranger_sees_the_machine_but_not_its_token_or_site(cast: Cast, actors: Any) -> None:
    found = signed_in(actors.tenant_a, cast.loner, api=True).get(LOOKUP, {"q": "NO000028"}).json()
    assert found["machine_no"] == "NO000028"
    assert "token" not in found and "location" not in found["values"]
    assert cast.asset.token not in str(found)


def test_a_member_of_the_machines_company_also_sees_its_site(cast: Cast, actors: Any) -> None:
    found = signed_in(actors.tenant_a, cast.reporter, api=True).get(LOOKUP, {"q": "NO000028"}).json()
    assert found["values"]["location"]["room"] == cast.asset.location_room


def test_only_an_exact_number_matches(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.loner, api=True)
    for partial in ("NO00002", "NO0000", "000028", "NO00002%", "NO00002_"):
        assert client.get(LOOKUP, {"q": partial}).status_code == 404


@override_settings(ASSET_LOOKUP_LIMITS={"customer": (5, 3600), "address": (100, 3600)})
def test_guessing_numbers_is_limited_per_customer(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.loner, api=True)
    answers = [client.get(LOOKUP, {"q": f"NO0000{n:02d}"}).status_code for n in range(6)]
    assert answers[-1] == 429 and 429 not in answers[:-1]
    other = signed_in(actors.tenant_a, cast.reporter, api=True)
    assert other.get(LOOKUP, {"q": "NO000028"}).status_code == 200


@override_settings(ASSET_LOOKUP_LIMITS={"customer": (100, 3600), "address": (3, 3600)})
def test_guessing_numbers_is_limited_per_address_across_customers(cast: Cast, actors: Any) -> None:
    statuses = [
        signed_in(actors.tenant_a, person, api=True, REMOTE_ADDR="198.51.100.7").get(
            LOOKUP, {"q": "NO000028"}
        )
        for person in (cast.loner, cast.reporter, cast.manager, cast.loner)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]


def test_the_portal_lookup_form_carries_no_label_token_for_a_stranger(cast: Cast, actors: Any) -> None:
    page = text_of(signed_in(actors.tenant_a, cast.loner).get("/report/", {"q": "NO000028"}))
    assert "NO000028" in page
    assert cast.asset.token not in page
