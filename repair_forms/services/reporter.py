"""Submit, edit, cancel and urge: the reporter's steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import provider_settings
from repair_forms import lifecycle
from repair_forms.fields import CORE_KEYS, CleanedSubmission, validate_submission
from repair_forms.form_templates import default_template_version
from repair_forms.lifecycle import Actor, TransitionNotAllowed, check
from repair_forms.models import (
    Asset,
    FormTemplateVersion,
    OrderEvent,
    OrderPhoto,
    PhotoKind,
    RepairOrder,
    Urge,
)
from repair_forms.numbering import insert_numbered_order
from repair_forms.photos import PreparedImage, attach_photos, resolve_photos
from repair_forms.services._common import (
    EDITABLE_COLUMNS,
    S,
    _apply_status,
    _event,
    _lock,
    _new_event,
    _now,
    _save,
    _text,
)
from tenants.inputs import parse_id

# --- Submit / edit / cancel / urge (the reporter) --------------------------------------------------


def _default_version() -> FormTemplateVersion:
    return default_template_version()


def _fill_from_asset(core: dict[str, Any], asset: Asset) -> None:
    defaults = {
        "brand": asset.brand,
        "category": asset.category,
        "model": asset.model,
        "machine_no": asset.machine_no,
        "serial": asset.serials[0] if asset.serials else "",
        "location_plot": asset.location_plot,
        "location_building": asset.location_building,
        "location_room": asset.location_room,
        "location_address": asset.location_address,
        "warranty_status": asset.effective_warranty(),
    }
    for column, value in defaults.items():
        if not core.get(column) and value:
            core[column] = value


def _resolve_images(cleaned: CleanedSubmission, actor: Actor) -> dict[str, list[PreparedImage | OrderPhoto]]:
    return {key: resolve_photos(items, actor=actor) for key, items in cleaned.images.items() if items}


@dataclass(frozen=True)
class SubmittedOrder:
    """What a submit wrote: the order, its ``submit`` event and the report photos attached to both.
    Enough to answer the submitter without reading any of it back (the API's 201 body)."""

    order: RepairOrder
    event: OrderEvent
    photos: list[OrderPhoto] = field(default_factory=list)


def order_submit(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    template_version: FormTemplateVersion | None = None,
    asset: Asset | None = None,
    now: datetime | None = None,
) -> RepairOrder:
    """File a new order (→ submitted) with the default template (or ``template_version``).

    ``asset``: the machine the customer came from (QR label or a lookup). Without one, the serial /
    machine number typed in the form is looked up; if nothing matches, the report is free-form,
    which the provider may have switched off."""
    return order_submit_recorded(
        actor=actor, data=data, template_version=template_version, asset=asset, now=now
    ).order


@transaction.atomic
def order_submit_recorded(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    template_version: FormTemplateVersion | None = None,
    asset: Asset | None = None,
    now: datetime | None = None,
) -> SubmittedOrder:
    """``order_submit``, answering everything it wrote (``SubmittedOrder``)."""
    from repair_forms.selectors import asset_form_values, asset_lookup

    now = _now(now)
    check("submit", order=None, actor=actor)
    customer = actor.customer
    assert customer is not None
    version = template_version or _default_version()
    data = dict(data)
    if asset is None:
        for key in ("serial", "machine_no"):
            typed = str(data.get(key) or "").strip()
            if typed and len(typed) <= 80:
                asset = asset_lookup(typed)
                if asset is not None:
                    break
    if asset is not None:
        # What the customer left empty comes from the asset (the prefilled form).
        for key, value in asset_form_values(asset).items():
            if data.get(key) in (None, "", [], {}):
                data[key] = value
    cleaned = validate_submission(version.fields, data, now=now)
    core = cleaned.core
    if asset is None and not provider_settings().free_form_reporting_enabled:
        field = "serial" if any(f["key"] == "serial" for f in version.fields) else "__all__"
        raise ValidationError(
            {field: [_("No machine has this number or serial number. Check the number on the label.")]}
        )
    if asset is not None:
        _fill_from_asset(core, asset)
    images = _resolve_images(cleaned, actor)
    order = RepairOrder(
        status=S.SUBMITTED,
        template_version=version,
        reporter=customer,
        # Only the customer's own company: a machine's company manager must not see the orders
        # (and phones) of strangers who found its machine by number or label.
        company=customer.company,
        asset=asset,
        extra=cleaned.extra,
        submitted_at=now,
    )
    for column in EDITABLE_COLUMNS:
        if column in core and core[column] is not None:
            setattr(order, column, core[column])
    order.contact_name = order.contact_name or customer.name
    order.contact_phone = order.contact_phone or customer.phone
    event = _new_event(
        order,
        "submit",
        actor,
        from_status="",
        now=now,
        payload={"template_version": version.pk, "asset": asset.pk if asset else None},
    )
    # The day's next number, the order and its event: one statement (``numbering``).
    insert_numbered_order(order, event, now)
    photos = _store_images(order, images, actor=actor, event=event)
    return SubmittedOrder(order=order, event=event, photos=photos)


def _store_images(
    order: RepairOrder,
    images: dict[str, list[PreparedImage | OrderPhoto]],
    *,
    actor: Actor,
    event: OrderEvent,
) -> list[OrderPhoto]:
    """Attach the resolved images to ``order`` and ``event``; the photos attached, by id."""
    extra_changed = False
    attached: list[OrderPhoto] = []
    for key, items in images.items():
        photos = attach_photos(items, kind=PhotoKind.REPORT, actor=actor, order=order, event=event)
        attached.extend(photos)
        if key not in CORE_KEYS:
            order.extra[key] = [p.pk for p in photos]
            extra_changed = True
    if extra_changed:
        order.save(update_fields=["extra", "updated_at"])
    return sorted(attached, key=lambda p: p.pk)


def _display(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value


@transaction.atomic
def order_edit(
    *, actor: Actor, order: RepairOrder, data: Mapping[str, Any], now: datetime | None = None
) -> RepairOrder:
    """The reporter corrects the order before it is accepted (same template version as filed).

    Images fields: ids of the order's current photos are kept, new files or uploaded ids are added,
    and current photos left out are removed; a missing images key keeps the photos as they are."""
    now = _now(now)
    order = _lock(order)
    check("edit", order=order, actor=actor)
    version = order.template_version or _default_version()
    current_photos = {p.pk: p for p in order.photos.filter(kind=PhotoKind.REPORT)}
    data = dict(data)
    image_keys = [f["key"] for f in version.fields if f["type"] == "images"]
    for key in image_keys:
        if key not in data:
            data[key] = (
                [p.pk for p in current_photos.values()] if key == "photos" else list(order.extra.get(key, []))
            )
    cleaned = validate_submission(version.fields, data, now=now)
    kept: set[int] = set()
    new_images: dict[str, list[Any]] = {}
    for key, items in cleaned.images.items():
        fresh = []
        for item in items:
            pk = parse_id(item)
            if pk is not None and pk in current_photos:
                kept.add(pk)
            else:
                fresh.append(item)
        new_images[key] = fresh
    resolved = {key: resolve_photos(items, actor=actor) for key, items in new_images.items() if items}
    changes: dict[str, list[Any]] = {}
    for column in EDITABLE_COLUMNS:
        if column not in cleaned.core:
            continue
        new = cleaned.core[column]
        new = (
            ""
            if new is None
            and column not in ("brand", "category", "model", "appointment_at", "appointment_until")
            else new
        )
        old = getattr(order, column)
        if old != new:
            changes[column] = [_display(old), _display(new)]
            setattr(order, column, new)
    extra = {
        k: v
        for k, v in order.extra.items()
        if k in {f["key"] for f in version.fields if f["type"] == "images"}
    }
    extra.update(cleaned.extra)
    for key in set(order.extra) | set(extra):
        if order.extra.get(key) != extra.get(key) and key not in image_keys:
            changes[key] = [order.extra.get(key), extra.get(key)]
    order.extra = extra
    removed = [pk for pk in current_photos if pk not in kept]
    if removed:
        changes["photos_removed"] = removed
    if resolved:
        changes["photos_added"] = [sum(len(v) for v in resolved.values())]
    if not changes:
        return order
    order.save()
    event = _event(order, "edit", actor, from_status=order.status, now=now, payload={"changes": changes})
    for pk in removed:
        photo = current_photos[pk]
        photo.file.delete(save=False)
        photo.delete()
    _store_images(order, resolved, actor=actor, event=event)
    for key in image_keys:
        if key not in CORE_KEYS and key not in resolved:
            order.extra[key] = [pk for pk in order.extra.get(key, []) if pk in kept]
    order.save(update_fields=["extra", "updated_at"])
    return order


@transaction.atomic
def order_cancel(
    *, actor: Actor, order: RepairOrder, reason: str, now: datetime | None = None
) -> RepairOrder:
    """撤销: the reporter withdraws the order before acceptance, with a reason. Final."""
    now = _now(now)
    order = _lock(order)
    check("cancel", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    before = order.status
    _apply_status(order, S.CANCELLED, now, reason=reason)
    _save(order)
    _event(order, "cancel", actor, from_status=before, note=reason, now=now)
    return order


@transaction.atomic
def order_urge(*, actor: Actor, order: RepairOrder, now: datetime | None = None) -> RepairOrder:
    """催单: allowed ``urge_after_hours`` after submitting, then at most once per
    ``lifecycle.URGE_INTERVAL_SECONDS``. Sets the 催 flag."""
    now = _now(now)
    order = _lock(order)
    check("urge", order=order, actor=actor)
    settings = provider_settings()
    opens_at = order.submitted_at + timedelta(hours=settings.urge_after_hours)
    if now < opens_at:
        raise TransitionNotAllowed(
            _("You can urge this order from %(time)s, %(hours)d hours after submitting it.")
            % {
                "time": timezone.localtime(opens_at).strftime("%Y-%m-%d %H:%M"),
                "hours": settings.urge_after_hours,
            },
            transition="urge",
            code="too_early",
        )
    if order.last_urged_at:
        again_at = order.last_urged_at + timedelta(seconds=lifecycle.URGE_INTERVAL_SECONDS)
        if now < again_at:
            raise TransitionNotAllowed(
                _("You urged this order at %(last)s; you can urge again from %(next)s.")
                % {
                    "last": timezone.localtime(order.last_urged_at).strftime("%H:%M"),
                    "next": timezone.localtime(again_at).strftime("%H:%M"),
                },
                transition="urge",
                code="rate_limited",
            )
    customer = actor.customer
    assert customer is not None
    Urge.objects.create(order=order, customer=customer, created_at=now)
    order.is_urged = True
    order.urge_count += 1
    order.last_urged_at = now
    _save(order)
    _event(order, "urge", actor, from_status=order.status, now=now, payload={"urge_count": order.urge_count})
    return order
