"""A submit's trips to the database (issue 17): six for the portal and the API alike. The search
path is set once, the signed-in user and customer, the default form version and "is an asset system
bound" come from the cache, the catalog check is one query, number + order + event one statement,
the API answers from what it wrote, the after-commit enqueue asks nothing — and every cached answer
is forgotten when the thing it caches changes."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import report_data, signed_in
from repair_forms import form_templates
from repair_forms.lifecycle import Actor
from repair_forms.models import FormTemplate, OrderEvent, RepairOrder
from repair_forms.tests.helpers import Cast, jpeg
from tenants import broker


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
    _six_round_trips(statements)


def _six_round_trips(statements: list[str]) -> None:
    """SET search_path, the machine, the catalog check and one statement for number + order +
    event, between the transaction's two ends; the signed-in user and customer come from the cache."""
    assert not any('FROM "auth_user"' in s or 'FROM "accounts_customer"' in s for s in statements)
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "WITH"))]
    assert len(writes) == 1 and "repair_forms_numbercounter" in writes[0], writes
    assert "repair_forms_repairorder" in writes[0] and "repair_forms_orderevent" in writes[0]
    assert len(statements) <= 6, "\n".join(s[:120] for s in statements)


def test_an_api_submit_makes_six_round_trips_too(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    body = {"asset": cast.asset.token, "values": _api_values(cast)}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/portal/orders/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        assert client.post("/api/v1/portal/orders/", body, format="json").status_code == 201
    _six_round_trips(_statements(ctx))


def test_the_after_commit_enqueue_makes_no_query(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    """The notification fan-out is queued after the commit without asking the database anything
    (the event's id and schema travel with the task)."""
    published: list[tuple[str, tuple[Any, ...], Any]] = []

    def publish(task: Any, *, args: tuple[Any, ...] = (), headers: Any = None, **options: Any) -> bool:
        published.append((task.name, args, headers))
        return True

    monkeypatch.setattr(broker, "publish", publish)
    client = signed_in(actors.tenant_a, cast.reporter)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post("/report/", report_data(cast, asset=cast.asset.token)).status_code == 302
    with CaptureQueriesContext(connection) as ctx:
        for callback in callbacks:
            callback()
    assert _statements(ctx) == []
    with schema_context(actors.tenant_a.schema_name):
        event = OrderEvent.objects.filter(transition="submit").latest("pk")
    assert published == [
        ("integrations.fan_out_event", (event.pk,), {"_schema_name": actors.tenant_a.schema_name})
    ]


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


# --- The API submit (the mini-program's path) ---------------------------------------------------------


def _api_values(cast: Cast) -> dict[str, Any]:
    brand, category, model = cast.catalog
    return {
        "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
        "fault_description": "不能打印",
        "service_type": "repair",
    }


READ_BACK = (
    'FROM "repair_forms_repairorder"',
    'FROM "repair_forms_orderevent"',
    'FROM "repair_forms_orderphoto"',
    'FROM "repair_forms_workorder"',
    'FROM "repair_forms_suspensionrequest"',
    'FROM "repair_forms_rating"',
    'FROM "accounts_providersettings"',
    'FROM "accounts_providerprofile"',
)


def test_the_api_answers_a_submit_with_what_it_wrote_and_reads_nothing_back(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    uploaded = client.post("/api/v1/portal/photos/", {"file": jpeg()}, format="multipart").json()
    values: dict[str, Any] = {**_api_values(cast), "photos": [uploaded["id"]]}
    body = {"asset": cast.asset.token, "values": values}
    with django_capture_on_commit_callbacks(execute=True):  # warm: the per-tenant cache is filled
        assert client.post("/api/v1/portal/orders/", body, format="json").status_code == 201
    uploaded = client.post("/api/v1/portal/photos/", {"file": jpeg()}, format="multipart").json()
    values["photos"] = [uploaded["id"]]
    with CaptureQueriesContext(connection) as ctx:
        created = client.post("/api/v1/portal/orders/", body, format="json")
    assert created.status_code == 201
    statements = _statements(ctx)
    written = next(i for i, s in enumerate(statements) if 'INSERT INTO "repair_forms_orderevent"' in s)
    read_back = [s for s in statements[written:] if any(table in s for table in READ_BACK)]
    assert read_back == [], "\n".join(s[:120] for s in read_back)
    # The answer is the order as any later read shows it: photos, timeline, actions, values.
    answer = created.json()
    shown = client.get(f"/api/v1/portal/orders/{answer['id']}/").json()
    answer_durations, shown_durations = answer.pop("durations"), shown.pop("durations")
    assert answer == shown
    assert abs(answer_durations.pop("waiting_seconds") - shown_durations.pop("waiting_seconds")) <= 5
    assert [p["id"] for p in answer["photos"]] == [uploaded["id"]]
    assert answer["timeline"][0]["photos"] == answer["photos"]
    assert answer["values"]["photos"] == [uploaded["id"]]
    assert {"edit", "cancel"} <= set(answer["actions"])
