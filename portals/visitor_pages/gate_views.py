"""The guard's gate page (phone-friendly): scan the visitor's QR with the camera (the browser's
BarcodeDetector, ``portals/visitors/gate.js``) or type the short code, choose entry or exit, and
see the answer in words; below, who is on site now."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portals.access import current_staff, staff_required
from portals.visitor_pages.access import GATE, console_feature
from portals.visitor_pages.forms import GateForm
from portals.web import add_service_errors
from visitors import selectors, services


@staff_required(*GATE)
@console_feature
def gate(request: HttpRequest) -> HttpResponse:
    guard = current_staff(request)
    form = GateForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.gate_check(
                guard=guard, value=form.cleaned_data["code"], direction=form.cleaned_data["direction"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = GateForm(initial={"direction": form.cleaned_data["direction"]})
    return render(
        request,
        "portals/visitors/console/gate.html",
        {"form": form, "result": result, "on_site": selectors.on_site(actor=guard)},
    )
