"""The quick report's draft in the session: what a visitor typed and the photos they chose, kept
across the SMS sign-in (and while the provider's online reporting is paused).

The typed values are plain JSON. Photos cannot ride in a session, so they are stored at once as draft
photos (``repair_forms.draft_photos``) and the draft keeps their ids — in each images field's value,
as photos to keep, and under ``photos``, the list of draft photos this session may show and send.
Ids a browser posts that are not on that list are never handed to the customer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Customer
from portals.report_form import draft_of
from repair_forms.draft_photos import (
    draft_photos,
    draft_photos_claim,
    draft_photos_discard,
    draft_photos_store,
)
from repair_forms.fields import DEFAULT_MAX_FILES, field_label
from repair_forms.models import Asset, OrderPhoto
from tenants.inputs import parse_id

DRAFT_KEY = "portal_report_draft"
NAME_MAX_LENGTH = 60


def draft_get(request: HttpRequest) -> dict[str, Any] | None:
    draft = request.session.get(DRAFT_KEY)
    return draft if isinstance(draft, dict) else None


def session_photo_ids(request: HttpRequest) -> list[int]:
    draft = draft_get(request) or {}
    return [pk for pk in (parse_id(v) for v in draft.get("photos", [])) if pk is not None]


def session_photos(request: HttpRequest, customer: Customer | None) -> dict[int, OrderPhoto]:
    """The session's draft photos that still wait to be sent (for thumbnails and "keep" boxes)."""
    return draft_photos(session_photo_ids(request), customer=customer)


def draft_keep(
    request: HttpRequest,
    definitions: list[dict[str, Any]],
    data: dict[str, Any],
    *,
    asset: Asset | None,
    free: bool,
    customer: Customer | None,
    reporter_name: str = "",
) -> tuple[dict[str, Any], list[str]]:
    """Keep ``data`` in the session: uploaded files are stored as draft photos and replaced by their
    ids; photos of the earlier draft that were left out are deleted. Returns the values as kept and
    the sentences for files that could not be kept (not an image, too big…)."""
    earlier = session_photos(request, customer)
    kept_ids: list[int] = []
    refused: list[str] = []
    values = dict(data)
    for definition in definitions:
        key = definition["key"]
        if definition["type"] != "images":
            continue
        items = data.get(key) or []
        ids = [pk for pk in (parse_id(i) for i in items if isinstance(i, str | int)) if pk in earlier]
        room = max(0, int(definition.get("max_files", DEFAULT_MAX_FILES)) - len(ids))
        files = [i for i in items if not isinstance(i, str | int)]
        if len(files) > room:  # never store more than the field takes
            refused.append(
                _("“%(label)s” allows at most %(max)d images.")
                % {"label": field_label(definition), "max": room + len(ids)}
            )
        stored, errors = draft_photos_store(files[:room])
        refused.extend(errors)
        values[key] = [*ids, *(photo.pk for photo in stored)]
        kept_ids.extend(values[key])
    draft_photos_discard([pk for pk in earlier if pk not in kept_ids], customer=customer)
    kept = draft_of(values)
    request.session[DRAFT_KEY] = {
        "data": kept,
        "asset": asset.token if asset else "",
        "free": free,
        "photos": kept_ids,
        "reporter_name": reporter_name,
    }
    return kept, refused


def draft_claim_photos(request: HttpRequest, data: dict[str, Any], customer: Customer) -> None:
    """Before sending: the session's draft photos that the form keeps become the customer's, so the
    order service attaches them like photos uploaded ahead."""
    allowed = set(session_photo_ids(request))
    wanted = [
        pk
        for value in data.values()
        if isinstance(value, list)
        for pk in (parse_id(i) for i in value if isinstance(i, str | int))
        if pk in allowed
    ]
    draft_photos_claim(ids=wanted, customer=customer)


def draft_drop(request: HttpRequest, customer: Customer | None) -> None:
    """Forget the draft; its photos that were not sent are deleted."""
    ids = session_photo_ids(request)
    request.session.pop(DRAFT_KEY, None)
    if ids:
        draft_photos_discard(ids, customer=customer)


def clean_reporter_name(raw: Any) -> str:
    return " ".join(str(raw or "").split())[:NAME_MAX_LENGTH]
