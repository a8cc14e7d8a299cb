"""Photos of a report that is not sent yet (the portal's draft across the SMS sign-in).

A visitor who attaches photos and presses send is asked to sign in first; a browser cannot carry the
chosen files across that redirect. So the photos are checked and stored right away (``prepare_image``:
the same re-encoding as any order photo, through the default storage — local disk or S3) as
``OrderPhoto`` rows with no order and no uploader. Their ids live in the visitor's server-side
session, which is the only proof of whose they are. After sign-in the session's photos are handed to
the customer (``draft_photos_claim``) and attached by ``order_submit`` like photos uploaded ahead
through the API. Photos of a draft that is never sent are deleted with "start over"
(``draft_photos_discard``) or, once the session has expired, by the hourly purge
(``draft_photos_purge``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from repair_forms.models import OrderPhoto, PhotoKind
from repair_forms.photos import prepare_image


def _ownerless() -> Any:
    return OrderPhoto.objects.filter(
        order__isnull=True, uploaded_by_customer__isnull=True, uploaded_by_staff__isnull=True
    )


def draft_photo_store(file: Any) -> OrderPhoto:
    """Check, re-encode and store one uploaded file as a draft photo. Raises ``ValidationError`` with
    the same sentences as an order's photos (format, size, pixels)."""
    prepared = prepare_image(file)
    photo = OrderPhoto(
        kind=PhotoKind.REPORT,
        width=prepared.width,
        height=prepared.height,
        size_bytes=len(prepared.content),
    )
    photo.file.save("photo.jpg", ContentFile(prepared.content), save=False)
    photo.save()
    return photo


def draft_photos_store(files: Iterable[Any]) -> tuple[list[OrderPhoto], list[str]]:
    """Each file stored (``draft_photo_store``); the files refused give their reasons instead."""
    stored: list[OrderPhoto] = []
    refused: list[str] = []
    for file in files:
        try:
            stored.append(draft_photo_store(file))
        except ValidationError as exc:
            name = str(getattr(file, "name", "") or "")
            refused.extend(f"{name}: {message}" if name else message for message in exc.messages)
    return stored, refused


def draft_photos(ids: Iterable[int], *, customer: Customer | None = None) -> dict[int, OrderPhoto]:
    """The draft photos among ``ids`` still waiting to be sent: ownerless, or already handed to
    ``customer`` and not attached to an order yet."""
    ids = list(ids)
    if not ids:
        return {}
    queryset = OrderPhoto.objects.filter(pk__in=ids, order__isnull=True, uploaded_by_staff__isnull=True)
    if customer is None:
        queryset = queryset.filter(uploaded_by_customer__isnull=True)
    else:
        queryset = queryset.filter(uploaded_by_customer__isnull=True) | queryset.filter(
            uploaded_by_customer=customer
        )
    return {photo.pk: photo for photo in queryset}


def draft_photos_claim(*, ids: Iterable[int], customer: Customer) -> list[int]:
    """Hand the session's ownerless draft photos to the customer who has just signed in, so the
    report can attach them. Returns the ids the customer now holds (unattached)."""
    ids = list(ids)
    if not ids:
        return []
    _ownerless().filter(pk__in=ids).update(uploaded_by_customer=customer)
    return list(
        OrderPhoto.objects.filter(pk__in=ids, order__isnull=True, uploaded_by_customer=customer)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _delete(photos: Iterable[OrderPhoto]) -> int:
    count = 0
    for photo in photos:
        name, storage = photo.file.name, photo.file.storage
        photo.delete()
        # The stored file goes only once the row is gone for good.
        transaction.on_commit(partial(storage.delete, name), robust=True)
        count += 1
    return count


@transaction.atomic
def draft_photos_discard(ids: Iterable[int], *, customer: Customer | None = None) -> int:
    """Delete draft photos the customer left out or threw away ("start over"); never a photo that
    is on an order or belongs to someone else."""
    return _delete(draft_photos(ids, customer=customer).values())


@transaction.atomic
def draft_photos_purge(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete ownerless draft photos older than ``older_than`` (the session lifetime: no session
    can name them any more). Returns how many went."""
    cutoff = (now or timezone.now()) - older_than
    return _delete(list(_ownerless().filter(created_at__lt=cutoff).select_for_update(skip_locked=True)))
