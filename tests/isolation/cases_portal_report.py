"""Isolation cases of the portal's quick report (issue 13): the thumbnail of a photo kept in an unsent
report's draft. Only the browser session whose draft holds the photo gets it — not tenant B's user,
on B's host or with B's cookie on A's, and not another browser on A's host."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from tests.actors import host_of
from tests.isolation.case import Case, Private

DRAFT_MARKER = "草稿照片isoA"
_drafts: dict[str, int] = {}


def _draft_photo(actors: Any) -> tuple[dict[str, Any], str]:
    from repair_forms.draft_photos import draft_photo_store

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buffer, format="JPEG")
    photo = draft_photo_store(SimpleUploadedFile("draft.jpg", buffer.getvalue(), content_type="image/jpeg"))
    _drafts[actors.tenant_a.schema_name] = photo.pk
    return {"pk": photo.pk}, DRAFT_MARKER


def _drafting_visitor(actors: Any) -> Any:
    """A browser on A's host whose session's report draft holds the photo."""
    from portals.customer.report_draft import DRAFT_KEY

    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    with schema_context(actors.tenant_a.schema_name):
        session = client.session
        pk = _drafts[actors.tenant_a.schema_name]
        session[DRAFT_KEY] = {"data": {"photos": [pk]}, "asset": "", "free": True, "photos": [pk]}
        session.save()
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = str(session.session_key)
    return client


CASES: dict[str, Case] = {
    "portal:report-photo": Private(build=_draft_photo, viewer=_drafting_visitor),
}
