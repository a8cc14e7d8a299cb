"""Every order screen and endpoint refuses the roles it is not for: 403 for a signed-in person of
the wrong kind or role, the customer sign-in for staff on portal pages. The objects are built by
the isolation harness's own builders (tests/isolation/cases.py), so every route is exercised with
a real object of tenant A."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import signed_in
from repair_forms.tests.helpers import Cast
from tests.isolation.cases import CASES

OFFICE_PAGES = [
    "console:orders",
    "console:orders-export",
    "console:dashboard",
    "console:order-detail",
    "console:order-action",
    "console:assets",
    "console:asset-new",
    "console:asset-edit",
    "console:asset-labels",
    "console:asset-export",
    "console:asset-import",
    "console:asset-import-template",
    "console:asset-import-job",
    "console:asset-import-status",
    "console:catalog",
    "console:catalog-entry",
]
ADMIN_PAGES = [
    "console:forms",
    "console:form-preview",
    "console:form-edit",
    "console:form-versions",
    "console:form-action",
]
ENGINEER_PAGES = ["console:jobs", "console:job-detail", "console:job-action"]
CUSTOMER_PAGES = [
    "portal:orders",
    "portal:order-detail",
    "portal:order-edit",
    "portal:order-action",
    "portal:photo",
    "portal:query",
    "portal:manager-orders",
]
PORTAL_API = [name for name in CASES if name.startswith("api-portal-") and name != "api-portal-form"]
CONSOLE_API = [name for name in CASES if name.startswith("api-console-")]
ENGINEER_API = [name for name in CASES if name.startswith("api-engineer-")]


def _request(client: Any, route: str, actors: Any) -> Any:
    case = CASES[route]
    with schema_context(actors.tenant_a.schema_name):
        kwargs, _marker = case.build(actors)
    url = reverse(route, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)
    data = case.data(actors) if callable(case.data) else case.data
    return getattr(client, case.methods[0])(url, data=data or None)


@pytest.mark.parametrize("route", OFFICE_PAGES)
def test_engineers_get_403_on_office_pages(cast: Cast, actors: Any, route: str) -> None:
    assert _request(signed_in(actors.tenant_a, cast.engineer), route, actors).status_code == 403


@pytest.mark.parametrize("route", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["dispatcher", "supervisor", "engineer"])
def test_only_administrators_reach_the_form_templates(cast: Cast, actors: Any, route: str, who: str) -> None:
    assert _request(signed_in(actors.tenant_a, getattr(cast, who)), route, actors).status_code == 403


@pytest.mark.parametrize("route", ENGINEER_PAGES)
@pytest.mark.parametrize("who", ["admin", "dispatcher", "supervisor"])
def test_only_engineers_reach_the_job_pages(cast: Cast, actors: Any, route: str, who: str) -> None:
    assert _request(signed_in(actors.tenant_a, getattr(cast, who)), route, actors).status_code == 403


@pytest.mark.parametrize("route", CUSTOMER_PAGES)
def test_staff_on_portal_pages_are_sent_to_the_customer_sign_in(cast: Cast, actors: Any, route: str) -> None:
    response = _request(signed_in(actors.tenant_a, cast.admin), route, actors)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("route", OFFICE_PAGES + ENGINEER_PAGES + ADMIN_PAGES)
def test_customers_on_console_pages_are_sent_to_the_staff_sign_in(
    cast: Cast, actors: Any, route: str
) -> None:
    response = _request(signed_in(actors.tenant_a, cast.reporter), route, actors)
    assert response.status_code == 302 and "/console/login/" in response["Location"]


@pytest.mark.parametrize("route", PORTAL_API)
@pytest.mark.parametrize("who", ["admin", "engineer"])
def test_staff_get_403_from_the_portal_api(cast: Cast, actors: Any, route: str, who: str) -> None:
    assert (
        _request(signed_in(actors.tenant_a, getattr(cast, who), api=True), route, actors).status_code == 403
    )


@pytest.mark.parametrize("route", CONSOLE_API)
@pytest.mark.parametrize("who", ["reporter", "engineer"])
def test_customers_and_engineers_get_403_from_the_console_api(
    cast: Cast, actors: Any, route: str, who: str
) -> None:
    assert (
        _request(signed_in(actors.tenant_a, getattr(cast, who), api=True), route, actors).status_code == 403
    )


@pytest.mark.parametrize("route", ENGINEER_API)
@pytest.mark.parametrize("who", ["reporter", "dispatcher"])
def test_customers_and_office_staff_get_403_from_the_engineer_api(
    cast: Cast, actors: Any, route: str, who: str
) -> None:
    assert (
        _request(signed_in(actors.tenant_a, getattr(cast, who), api=True), route, actors).status_code == 403
    )
