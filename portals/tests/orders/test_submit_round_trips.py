"""A submit's trips to the database (issue 17): the search path is set once, the default form
version and "is an asset system bound" come from the per-tenant cache, the catalog check is one
query — and every cached answer is forgotten when the thing it caches changes."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import report_data, signed_in
from repair_forms import form_templates
from repair_forms.lifecycle import Actor
from repair_forms.models import FormTemplate, RepairOrder
from repair_forms.tests.helpers import Cast


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def _warm(client: Any, cast: Cast, capture: Any) -> None:
    with capture(execute=True):
        assert client.post("/report/", report_data(cast, asset=cast.asset.token)).status_code == 302


def test_a_portal_submit_sets_the_search_path_once_and_reads_cached_settings(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter)
    _warm(client, cast, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as ctx:
        sent = client.post("/report/", report_data(cast, asset=cast.asset.token))
    assert sent.status_code == 302
    statements = _statements(ctx)
    assert sum(s.startswith("SET search_path") for s in statements) <= 1
    assert not any("repair_forms_formtemplate" in s for s in statements)
    assert not any("asset_systems_assetsystembinding" in s for s in statements)
    catalog = ('FROM "repair_forms_brand"', 'FROM "repair_forms_category"', 'FROM "repair_forms_machinemodel')
    assert sum(any(table in s for table in catalog) for s in statements) == 1
    # SET, machine, user, customer, catalog, number, order, event + the transaction's two ends.
    assert len(statements) <= 10, "\n".join(s[:120] for s in statements)


def test_changing_the_default_form_is_seen_by_the_next_submit(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter)
    _warm(client, cast, django_capture_on_commit_callbacks)
    a = actors.tenant_a.schema_name
    with schema_context(a), django_capture_on_commit_callbacks(execute=True):
        minimal = FormTemplate.objects.get(builtin_key="minimal")
        form_templates.form_template_set_default(actor=Actor.for_staff(cast.admin), template=minimal)
    data = {"f_fault_description": "换了默认表单以后", "action": "submit", "asset": cast.asset.token}
    assert client.post("/report/", data).status_code == 302
    with schema_context(a):
        newest = RepairOrder.objects.order_by("-pk").first()
        assert newest is not None and newest.template_version is not None
        assert newest.template_version.template_id == minimal.pk


def test_another_tenants_cached_default_form_is_never_used(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with schema_context(actors.tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        minimal = FormTemplate.objects.get(builtin_key="minimal")
        form_templates.form_template_set_default(actor=Actor.for_staff(cast.admin), template=minimal)
        assert form_templates.default_template_version().template.builtin_key == "minimal"  # cached for A
    with schema_context(actors.tenant_b.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert form_templates.default_template_version().template.builtin_key == "simple"
