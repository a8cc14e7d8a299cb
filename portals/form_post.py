"""The POST round trip of a console form whose save is one service call: the service's refusal
shown on the form (per field where it has one), or a success message and a redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portals.web import add_service_errors


def saved_or_shown(
    request: HttpRequest, form: forms.Form, save: Callable[[dict[str, Any]], object], *, done: str, page: str
) -> HttpResponse | None:
    """``save(cleaned_data)`` for a valid ``form``: then the message ``done`` and a redirect to
    ``page``; None when the form (with the service's refusal on it) is to be shown again."""
    if not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, done)
    return redirect(page)
