"""``Idempotency-Key`` for the API's creating POSTs (order submit, photo upload, order steps).

A client that does not know whether its request went through (timeout, dropped connection, a 500
while the database restarted) sends it again with the same key and gets the first answer — status
and body — instead of a second order. Keys are scoped per user (a customer or staff member of this
tenant) and kept ``KEEP_HOURS``; ``idempotency_records_purge`` (beat) deletes older ones.

What must stay true:
- the record is written in the same transaction as the work, and the response is rendered inside
  it, so a record exists exactly when the work committed and the answer never depends on a query
  made after the commit;
- two requests racing with one key: the second waits on the unique (user, key) row, then replays;
- only answers the handler returned are kept (2xx–4xx); an exception rolls everything back, so the
  retry does the work afresh;
- the same key with a different method, path or body is refused (422), never replayed.

``submit_once`` gives the portal's HTML report form the same guarantee with a one-time token
rendered into the form.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from portals.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEEP_HOURS = 24
MAX_KEY_LENGTH = 255
View = TypeVar("View", bound=Callable[..., Any])
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (≤ 255 characters) per intended write; a retry with the same key "
    "within 24 h gets the first answer instead of writing again.",
)


class _Unkept(Exception):  # noqa: N818 (control flow: roll back and answer without keeping)
    def __init__(self, response: Any) -> None:
        self.response = response


def _fingerprint(request: Request) -> str:
    files = sorted((name, f.name, f.size) for name, f in request.FILES.items())
    data = (
        {k: v for k, v in request.data.items() if k not in request.FILES}
        if hasattr(request.data, "items")
        else request.data
    )
    raw = json.dumps([request.method, request.path, data, files], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status_code, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _error(message: str, *, code: str, status_code: int) -> Response:
    return Response({"detail": message, "code": code}, status=status_code)


def _kept(user_id: int, key: str) -> IdempotencyRecord | None:
    cutoff = timezone.now() - timedelta(hours=KEEP_HOURS)
    return IdempotencyRecord.objects.filter(user_id=user_id, key=key, created_at__gte=cutoff).first()


def idempotent(handler: View) -> View:
    """Decorate an APIView's ``post``: with an ``Idempotency-Key`` header, run it at most once per
    user and key, and answer repeats with the first answer."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = (request.headers.get(HEADER) or "").strip()
        if not key or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _error(
                _("The Idempotency-Key header must be at most 255 printable characters."),
                code="invalid_idempotency_key",
                status_code=400,
            )
        user_id = int(request.user.pk)
        fingerprint = _fingerprint(request)
        kept = _kept(user_id, key)
        if kept is not None:
            return _replay(kept) if kept.fingerprint == fingerprint else _mismatch()
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(user_id=user_id, key=key).delete()  # expired
                record = IdempotencyRecord.objects.create(
                    user_id=user_id, key=key, fingerprint=fingerprint, status_code=0, content_type="", body=""
                )
                response = view.finalize_response(
                    request, handler(view, request, *args, **kwargs), *args, **kwargs
                )
                if hasattr(response, "render"):
                    response.render()
                if response.status_code >= 500 or getattr(response, "streaming", False):
                    raise _Unkept(response)
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "application/json")
                record.body = response.content.decode()
                record.save(update_fields=["status_code", "content_type", "body"])
        except _Unkept as unkept:
            return unkept.response
        except IntegrityError:
            kept = _kept(user_id, key)  # the same key committed first, concurrently
            if kept is None:
                raise
            return _replay(kept) if kept.fingerprint == fingerprint else _mismatch()
        return response

    return wrapper  # type: ignore[return-value]


def _mismatch() -> Response:
    return _error(
        _("This Idempotency-Key was already used for a different request."),
        code="idempotency_key_reused",
        status_code=422,
    )


def idempotency_records_purge(*, older_than_hours: int = KEEP_HOURS) -> int:
    """Delete this schema's records past their lifetime; how many."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)


def submit_once(request: HttpRequest, *, token: str, submit: Callable[[], HttpResponse]) -> HttpResponse:
    """The HTML form's counterpart: ``token`` is the one-time token the form was rendered with. The
    first submit that ends in a redirect (success) is kept with it; a double click, or a retry after
    a 500, is sent to the same place instead of filing again. Other answers (the form redisplayed
    with errors) are not kept: the person fixes the form and sends it again."""
    token = (token or "").strip()
    if not token or len(token) > 64 or not request.user.is_authenticated:
        return submit()
    user_id, key = int(request.user.pk), f"form:{request.path}:{token}"
    kept = _kept(user_id, key)
    if kept is not None:
        return HttpResponseRedirect(kept.body)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user_id=user_id, key=key, fingerprint="", status_code=302, content_type="", body=""
            )
            response = submit()
            if not isinstance(response, HttpResponseRedirect):
                raise _Unkept(response)
            record.body = response["Location"]
            record.save(update_fields=["body"])
    except _Unkept as unkept:
        return unkept.response
    except IntegrityError:
        kept = _kept(user_id, key)
        if kept is None:
            raise
        return HttpResponseRedirect(kept.body)
    return response
