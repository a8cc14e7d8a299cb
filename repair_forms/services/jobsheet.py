"""The paper job sheet (派单) the customer signs: out-of-warranty (保外) charges and the customer's
handwritten signature, kept on the order's open work order.

Only the engineer the order is assigned to, while repairing or once the job sheet is handed in
(before the customer confirms), may record them; charges only on an out-of-warranty order. The
signature arrives as the PNG the job page's canvas drew; it is decoded and re-encoded (so only
pixels are stored, never whatever else a file might carry) before it goes to default storage.
"""

from __future__ import annotations

import base64
import binascii
import io
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import StaffRole
from repair_forms.lifecycle import Actor
from repair_forms.models import OrderStatus, RepairOrder, WarrantyStatus, WorkOrder, WorkOrderStatus

SIGNING_STATUSES = (OrderStatus.IN_PROGRESS, OrderStatus.AWAITING_CONFIRMATION)
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIDE = 2000
MAX_CHARGE_FEN = 10_000_000  # 100,000 yuan: more is a typing mistake


def _work_order_for(*, actor: Actor, order: RepairOrder) -> WorkOrder:
    """The open work order of ``order`` if ``actor`` is its engineer and the order is at the job
    sheet stage; ValidationError (in words) otherwise."""
    staff = actor.staff
    if staff is None or staff.role != StaffRole.ENGINEER or order.engineer_id != staff.pk:
        raise ValidationError(_("Only the engineer on this job can fill in the job sheet."))
    if order.status not in SIGNING_STATUSES:
        raise ValidationError(
            _("The job sheet can be filled in only during the repair or before the customer confirms.")
        )
    work_order = (
        WorkOrder.objects.select_for_update()
        .filter(order=order, engineer_id=staff.pk)
        .exclude(status__in=[WorkOrderStatus.REASSIGNED, WorkOrderStatus.CANCELLED])
        .order_by("-dispatched_at", "-id")
        .first()
    )
    if work_order is None:
        raise ValidationError(_("This order has no open work order."))
    return work_order


def decode_signature(data_url: str) -> bytes:
    """``data:image/png;base64,…`` → a clean PNG (RGBA, re-encoded); ValidationError otherwise."""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationError({"signature": [_("Sign in the box first.")]})
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": [_("The signature could not be read.")]}) from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError({"signature": [_("The signature image is too large.")]})
    try:
        opened = Image.open(io.BytesIO(raw))
        if opened.format != "PNG" or max(opened.size) > MAX_SIDE:
            raise ValidationError({"signature": [_("The signature could not be read.")]})
        image = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError):
        raise ValidationError({"signature": [_("The signature could not be read.")]}) from None
    if image.getbbox() is None or image.getchannel("A").getbbox() is None:
        raise ValidationError({"signature": [_("Sign in the box first.")]})
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def work_order_sign(
    *, actor: Actor, order: RepairOrder, data_url: str, now: datetime | None = None
) -> WorkOrder:
    """Store the customer's signature on the job sheet (a new signature replaces the old one)."""
    order = RepairOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    work_order = _work_order_for(actor=actor, order=order)
    png = decode_signature(data_url)
    old = work_order.customer_signature.name
    work_order.customer_signature.save(f"{secrets.token_hex(16)}.png", ContentFile(png), save=False)
    work_order.signed_at = now or timezone.now()
    work_order.save(update_fields=["customer_signature", "signed_at"])
    if old:
        transaction.on_commit(lambda: work_order.customer_signature.storage.delete(old))
    return work_order


@transaction.atomic
def work_order_set_charges(*, actor: Actor, order: RepairOrder, labour_fen: int, parts_fen: int) -> WorkOrder:
    """保外 charges (labour, parts) in fen on an out-of-warranty order's job sheet."""
    order = RepairOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    work_order = _work_order_for(actor=actor, order=order)
    if order.warranty_status != WarrantyStatus.OUT:
        raise ValidationError(_("Charges apply only to out-of-warranty repairs."))
    for name, value in (("labour_charge", labour_fen), ("parts_charge", parts_fen)):
        if not 0 <= int(value) <= MAX_CHARGE_FEN:
            raise ValidationError({name: [_("Enter an amount between 0 and 100,000 yuan.")]})
    work_order.labour_charge_fen = int(labour_fen)
    work_order.parts_charge_fen = int(parts_fen)
    work_order.save(update_fields=["labour_charge_fen", "parts_charge_fen"])
    return work_order
