"""受理并派单 in one step (with the engineer picker showing load and distance) and the order list's
bulk steps. Thin: parse, call ``repair_forms.services.dispatching``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.console.dispatch import BulkForm, PickerDispatchForm
from portals.order_ui import order_for, order_view, refusal_status, staff_actor
from portals.web import add_service_errors
from repair_forms.lifecycle import TransitionNotAllowed, check
from repair_forms.models import RepairOrder
from repair_forms.selectors import orders_visible_to
from repair_forms.services.dispatching import order_accept_and_dispatch, orders_bulk_step

BACK_OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER)
MAX_BULK = 200


@staff_required(*BACK_OFFICE)
def order_accept_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(current_staff(request))
    try:
        order = order_for(actor, pk)
    except RepairOrder.DoesNotExist:
        raise Http404 from None
    detail = reverse("console:order-detail", args=[order.pk])
    form = PickerDispatchForm(request.POST or None, order=order)
    refusal, status = "", 200
    try:
        check("accept", order=order, actor=actor)
    except TransitionNotAllowed as exc:
        refusal, status = " ".join(exc.messages), refusal_status(exc)
    if request.method == "POST" and not refusal:
        if form.is_valid():
            try:
                order_accept_and_dispatch(
                    actor=actor,
                    order=order,
                    engineer=form.cleaned_data["engineer"],
                    note=form.cleaned_data["note"],
                )
            except TransitionNotAllowed as exc:
                refusal, status = " ".join(exc.messages), refusal_status(exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The order was accepted and dispatched."))
                return redirect(detail)
        else:
            status = 400
    return render(
        request,
        "portals/console/orders/step.html",
        {
            "v": order_view(actor=actor, order=order),
            "order": order,
            "step": {"title": _("Accept and dispatch"), "danger": False},
            "form": form,
            "refusal": refusal,
            "success_url": detail,
            "photo_route": "console:photo",
        },
        status=status,
    )


@require_POST
@staff_required(*BACK_OFFICE)
def orders_bulk(request: HttpRequest) -> HttpResponse:
    """Accept / dispatch / accept-and-dispatch the ticked orders. The list's script sends one order
    per request and shows the progress (``X-Bulk-Progress``: JSON answer); without the script the
    whole batch runs in this request and a page lists how each order went."""
    actor = staff_actor(current_staff(request))
    back = request.POST.get("back", "")
    back = back if back.startswith("?") else ""
    form = BulkForm(request.POST)
    wants_json = request.headers.get("X-Bulk-Progress") == "1"
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return render(
            request, "portals/console/orders/bulk_done.html", {"form": form, "back": back}, status=400
        )
    ids = form.cleaned_data["orders"][:MAX_BULK]
    orders = orders_visible_to(actor).filter(pk__in=ids).order_by("submitted_at", "id")
    outcomes = orders_bulk_step(
        actor=actor, orders=orders, step=form.cleaned_data["step"], engineer=form.cleaned_data["engineer"]
    )
    if wants_json:
        return JsonResponse(
            {
                "results": [
                    {"id": o.order_id, "number": o.number, "ok": o.ok, "message": o.message} for o in outcomes
                ]
            }
        )
    return render(
        request,
        "portals/console/orders/bulk_done.html",
        {"outcomes": outcomes, "done": sum(1 for o in outcomes if o.ok), "back": back},
    )
