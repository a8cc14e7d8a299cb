"""The visitor list pages cost the same number of queries for one row as for many (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portals.tests.visitors.conftest import signed_in
from visitors.tests.helpers import School


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_cost_the_same_queries_for_one_or_five_applications(school: School, actors):
    school.invite()
    school.submit()
    urls = [
        reverse("console:visitors-applications"),
        reverse("console:visitors") + "?tab=waiting",
        reverse("console:visitors-invitations"),
    ]
    admin, host = signed_in(actors.tenant_a, school.admin), signed_in(actors.tenant_a, school.host)
    visitor = signed_in(actors.tenant_a, school.visitor)
    (
        _queries(admin, urls[0]),
        _queries(visitor, reverse("portal:visit-applications")),
    )  # warm caches (plan, profile)
    before = [_queries(admin, urls[0]), _queries(host, urls[1]), _queries(host, urls[2])]
    before.append(_queries(visitor, reverse("portal:visit-applications") + "?tab=pending"))
    for _ in range(4):
        school.invite()
        school.submit()
    after = [_queries(admin, urls[0]), _queries(host, urls[1]), _queries(host, urls[2])]
    after.append(_queries(visitor, reverse("portal:visit-applications") + "?tab=pending"))
    assert after == before
