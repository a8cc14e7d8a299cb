"""The generic REST adapter against a configurable fake: account+password sign-in, field mapping,
status mapping, and the failures a real system produces (slow, 500, not JSON, wrong credentials)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from integrations.asset_systems import services
from integrations.asset_systems.adapters.base import StatusChange
from integrations.asset_systems.lookup import asset_lookup_anywhere
from integrations.asset_systems.models import (
    AdapterKind,
    AssetSystemBinding,
    AuthMode,
    ExternalOrderLink,
    PushStatus,
    SyncLogEntry,
    SyncOperation,
    SyncResult,
)
from integrations.asset_systems.services import BindingInput, binding_defaults
from integrations.asset_systems.tests.helpers import bind_generic
from repair_forms import lifecycle
from repair_forms import services as order_services
from repair_forms.lifecycle import Actor
from repair_forms.models import OrderEvent, OrderStatus

S = OrderStatus


def add_asset(fake: Any, **values: Any) -> dict[str, Any]:
    row = {
        "id": f"A{len(fake.assets) + 1}",
        "asset_no": "YHL-0001",
        "serial": "YHL-SN-1",
        "brand": "格力",
        "category": "空调",
        "model": "KFR-76LW",
        "customer": "",
        "address": "杭州市西湖区",
        "warranty_until": "2027-01-31",
    }
    row.update(values)
    fake.assets.append(row)
    return row


def submit(cast: Any, capture: Any, **data: Any) -> Any:
    asset = data.pop("asset", None)
    with capture(execute=True):
        return order_services.order_submit(
            actor=Actor.for_customer(cast.reporter), data=cast.form_data(**data), asset=asset
        )


def test_the_admin_password_is_exchanged_for_a_token_once(premium, cast, generic):
    add_asset(generic, serial="YHL-SN-1")
    add_asset(generic, asset_no="YHL-0002", serial="YHL-SN-2")
    bind_generic(cast.admin, generic)

    assert asset_lookup_anywhere("YHL-SN-1") is not None
    assert asset_lookup_anywhere("YHL-SN-2") is not None

    assert len(generic.calls("POST", "/api/login")) == 1
    login = generic.calls("POST", "/api/login")[0]
    assert login.body == {"account": "admin", "password": generic.password}
    assert generic.calls("GET", "/api/assets")[-1].headers["Authorization"].startswith("Bearer tok-")


def test_an_expired_token_is_renewed_by_signing_in_again(premium, cast, generic):
    add_asset(generic, serial="YHL-SN-3")
    bind_generic(cast.admin, generic)
    assert services.binding_test(actor=cast.admin, binding=AssetSystemBinding.objects.get()).ok
    generic.tokens.clear()  # the system forgot every session

    assert asset_lookup_anywhere("YHL-SN-3") is not None
    assert len(generic.calls("POST", "/api/login")) == 2


def test_a_generic_asset_is_mapped_by_the_field_mapping(premium, cast, generic):
    add_asset(generic, id="A77", asset_no="YHL-0077", serial="YHL-SN-77", customer="芒果科技")
    bind_generic(cast.admin, generic)

    asset = asset_lookup_anywhere("YHL-0077")

    assert asset is not None and asset.external_id == "A77"
    assert (str(asset.brand), str(asset.category), str(asset.model)) == ("格力", "空调", "KFR-76LW")
    assert asset.company == cast.company  # matched to the existing customer company by name
    assert str(asset.warranty_ends_on) == "2027-01-31"


def test_wrong_credentials_are_reported_in_the_systems_own_words(premium, cast, generic):
    binding = bind_generic(cast.admin, generic, enabled=False, password="not-the-password")

    result = services.binding_test(actor=cast.admin, binding=binding)

    assert not result.ok
    assert "账号或密码错误" in result.message


def test_a_slow_system_never_holds_the_customer_up(premium, cast, generic):
    add_asset(generic, serial="YHL-SLOW")
    bind_generic(cast.admin, generic)
    services.binding_test(actor=cast.admin, binding=AssetSystemBinding.objects.get())  # signed in
    generic.misbehave["/api/assets"] = "slow"

    assert asset_lookup_anywhere("YHL-SLOW") is None

    entry = SyncLogEntry.objects.filter(operation=SyncOperation.LOOKUP).latest("id")
    assert entry.result == SyncResult.FAILED
    assert "0.5" in entry.error


@pytest.mark.parametrize(
    ("behaviour", "words"),
    [("500", "HTTP 500"), ("malformed", "JSON"), ("unauthorized", "HTTP 401")],
)
def test_a_failing_push_keeps_the_report_and_retries_with_backoff(
    premium, cast, generic, django_capture_on_commit_callbacks, behaviour, words
):
    bind_generic(cast.admin, generic)
    services.binding_test(actor=cast.admin, binding=AssetSystemBinding.objects.get())
    generic.misbehave["/api/work-orders"] = behaviour
    if behaviour == "unauthorized":
        generic.misbehave["/api/login"] = "unauthorized"

    order = submit(cast, django_capture_on_commit_callbacks, serial="NEW-1")

    order.refresh_from_db()
    assert order.status == S.SUBMITTED
    link = ExternalOrderLink.objects.get(order=order)
    assert words in link.last_error
    if behaviour == "unauthorized":
        assert link.push_status == PushStatus.FAILED  # credentials must be fixed first; retry button
    else:
        assert link.push_status == PushStatus.PENDING and link.attempts == 1
        assert link.next_retry_at is not None
        wait = link.next_retry_at - timezone.now()
        assert timedelta(seconds=50) < wait <= timedelta(seconds=60)


def test_backoff_doubles_and_then_gives_up(
    premium, cast, generic, settings, django_capture_on_commit_callbacks
):
    settings.ASSET_SYNC_PUSH_MAX_ATTEMPTS = 3
    bind_generic(cast.admin, generic)
    generic.misbehave["/api/work-orders"] = "500"
    order = submit(cast, django_capture_on_commit_callbacks, serial="NEW-2")
    link = ExternalOrderLink.objects.get(order=order)
    later = timezone.now() + timedelta(minutes=2)

    assert services.due_push_ids(now=later) == [link.pk]
    services.order_push(link_id=link.pk, now=later)
    link.refresh_from_db()
    assert link.attempts == 2 and link.next_retry_at == later + timedelta(minutes=2)

    services.order_push(link_id=link.pk, now=later + timedelta(minutes=3))
    link.refresh_from_db()
    assert link.push_status == PushStatus.FAILED and link.next_retry_at is None

    generic.misbehave.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.link_retry(actor=cast.admin, link=link)
    link.refresh_from_db()
    assert link.push_status == PushStatus.PUSHED and link.external_id.startswith("WO")


def test_the_push_body_is_filled_from_the_order(premium, cast, generic, django_capture_on_commit_callbacks):
    bind_generic(cast.admin, generic)

    order = submit(cast, django_capture_on_commit_callbacks, serial="NEW-3", fault_description="不制冷")

    body = generic.calls("POST", "/api/work-orders")[-1].body
    assert body["reference"] == order.number
    assert body["description"] == "不制冷"
    assert body["phone"] == cast.reporter.phone
    link = ExternalOrderLink.objects.get(order=order)
    assert link.external_status == "new"


# --- Status mapping = the console's transitions ------------------------------------------------------


def pushed_order(cast: Any, generic: Any, capture: Any) -> tuple[Any, ExternalOrderLink]:
    order = submit(cast, capture, serial="MAP-1")
    return order, ExternalOrderLink.objects.get(order=order)


def test_a_mapped_status_runs_the_same_transition_as_the_console(
    premium, cast, generic, django_capture_on_commit_callbacks
):
    binding = bind_generic(cast.admin, generic, engineer=cast.engineer)
    order, link = pushed_order(cast, generic, django_capture_on_commit_callbacks)
    console_order = submit(cast, django_capture_on_commit_callbacks, serial="MAP-2")
    order_services.order_accept(actor=cast.actor("dispatcher"), order=console_order)

    services.status_change_apply(
        binding=binding, change=StatusChange(link.external_id, "accepted"), via="test"
    )

    synced = OrderEvent.objects.get(order=order, transition="accept")
    by_hand = OrderEvent.objects.get(order=console_order, transition="accept")
    assert synced.notify_roles == by_hand.notify_roles == list(lifecycle.TRANSITIONS["accept"].notify)
    assert synced.to_status == by_hand.to_status == S.ACCEPTED
    assert synced.actor_role == "asset_adapter" and synced.payload["external_status"] == "accepted"


def test_a_status_several_steps_ahead_walks_each_step_with_its_notifications(
    premium, cast, generic, django_capture_on_commit_callbacks
):
    binding = bind_generic(cast.admin, generic, engineer=cast.engineer2)
    order, link = pushed_order(cast, generic, django_capture_on_commit_callbacks)
    generic.set_status(link.external_id, "done", remark="已更换压缩机")

    binding.refresh_from_db()
    services.binding_pull(binding=binding)

    order.refresh_from_db()
    assert order.status == S.AWAITING_CONFIRMATION
    assert order.engineer == cast.engineer2
    events = {e.transition: e for e in OrderEvent.objects.filter(order=order)}
    assert list(events) == ["submit", "accept", "dispatch", "start", "submit_job_sheet"]
    for name, event in events.items():
        assert event.notify_roles == list(lifecycle.TRANSITIONS[name].notify)
    assert events["submit_job_sheet"].note == "" and "已更换压缩机" in order.work_orders.get().work_done


def test_the_external_engineer_is_matched_by_phone(
    premium, cast, generic, django_capture_on_commit_callbacks
):
    binding = bind_generic(cast.admin, generic, engineer=cast.engineer)
    order, link = pushed_order(cast, generic, django_capture_on_commit_callbacks)
    generic.set_status(link.external_id, "in_progress", engineer_phone="137 0000 0203")

    services.binding_pull(binding=binding)

    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS and order.engineer == cast.engineer2


def test_a_repeated_change_is_harmless(premium, cast, generic, django_capture_on_commit_callbacks):
    binding = bind_generic(cast.admin, generic)
    order, link = pushed_order(cast, generic, django_capture_on_commit_callbacks)
    change = StatusChange(link.external_id, "accepted")

    services.status_change_apply(binding=binding, change=change, via="test")
    outcome = services.status_change_apply(binding=binding, change=change, via="test")

    assert outcome.result == SyncResult.OK and not outcome.changed
    assert OrderEvent.objects.filter(order=order, transition="accept").count() == 1


def test_an_unmapped_status_changes_nothing(premium, cast, generic, django_capture_on_commit_callbacks):
    binding = bind_generic(cast.admin, generic)
    order, link = pushed_order(cast, generic, django_capture_on_commit_callbacks)

    outcome = services.status_change_apply(
        binding=binding, change=StatusChange(link.external_id, "转交"), via="test"
    )

    assert not outcome.changed
    order.refresh_from_db()
    assert order.status == S.SUBMITTED
    link.refresh_from_db()
    assert link.external_status == "转交"


def test_a_backwards_status_is_refused_readably(premium, cast, generic, django_capture_on_commit_callbacks):
    binding = bind_generic(cast.admin, generic)
    order, link = pushed_order(cast, generic, django_capture_on_commit_callbacks)
    order_services.order_accept(actor=cast.actor("admin"), order=order)
    order_services.order_dispatch(actor=cast.actor("admin"), order=order, engineer=cast.engineer)

    outcome = services.status_change_apply(
        binding=binding, change=StatusChange(link.external_id, "cancelled"), via="t"
    )

    assert outcome.result == SyncResult.FAILED and order.number in outcome.message
    order.refresh_from_db()
    assert order.status == S.DISPATCHED


# --- Configuration errors -----------------------------------------------------------------------------


def binding_input(generic: Any, **overrides: Any) -> BindingInput:
    defaults = binding_defaults(AdapterKind.GENERIC)
    values: dict[str, Any] = {
        "name": "一葫芦",
        "kind": AdapterKind.GENERIC,
        "base_url": generic.url,
        "auth_mode": AuthMode.PASSWORD,
        "username": "admin",
        "secret": "pw",
        "options": defaults["options"],
        "field_mapping": defaults["field_mapping"],
        "status_mapping": defaults["status_mapping"],
    }
    values.update(overrides)
    return BindingInput(**values)


def test_configuration_mistakes_get_helpful_messages(premium, cast, generic):
    options = binding_defaults(AdapterKind.GENERIC)["options"]
    options["operations"]["lookup"]["path"] = "/api/assets/{serial}"
    options["operations"]["login"]["path"] = "/api/login?pwd={password}"
    del options["operations"]["push"]
    with pytest.raises(ValidationError) as caught:
        services.binding_save(
            actor=cast.admin,
            data=binding_input(
                generic,
                options=options,
                status_mapping={"done": "finished"},
                field_mapping={"asset": {"colour": "c"}},
            ),
        )
    errors = caught.value.message_dict
    assert any("{serial}" in m and "{query}" in m for m in errors["options"])
    assert any("push" in m for m in errors["options"])
    assert any("sign-in body" in m or "登录" in m for m in errors["options"])
    assert any("finished" in m for m in errors["status_mapping"])
    assert any("colour" in m for m in errors["field_mapping"])


def test_snipeit_only_takes_an_api_token(premium, cast, generic):
    with pytest.raises(ValidationError) as caught:
        services.binding_save(
            actor=cast.admin, data=binding_input(generic, kind=AdapterKind.SNIPEIT, options={})
        )
    assert "auth_mode" in caught.value.message_dict
