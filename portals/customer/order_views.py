"""我的报修: the signed-in customer's orders in the GZIC tabs (待接单 / 已接单 / 已挂起 / 已完成 /
已取消) with the 超 and 催 tags; one order with its timeline, durations, suspension and job-sheet
details; edit and cancel before acceptance, urge, confirm or reject completion, and rate.

A company manager sees their company's orders here too (``repair_forms.selectors`` scopes them)
and may confirm or reject completion of any of them. Orders the customer may not see are 404,
whether they exist or not. Thin views: parse, call one selector or service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from portals.access import current_customer, customer_required
from portals.customer.order_forms import CancelForm, QueryForm, RateForm, ReasonForm
from portals.order_ui import customer_actor, order_for, order_page, order_view, photo_for, refusal_status
from portals.report_form import error_dict, form_fields, order_values, parse_post, photo_map
from portals.web import add_service_errors
from repair_forms import services
from repair_forms.lifecycle import TransitionNotAllowed, check
from repair_forms.models import OrderPhoto, RepairOrder
from repair_forms.selectors import ORDER_TABS, OrderFilters, catalog_tree, order_get, tab_counts
from repair_forms.status_words import TAB_WORDS
from tenants.storage import presigned_url

# GZIC's tabs, in the words of ``repair_forms.status_words`` (a suspended order is 已挂起 in the
# tab and on its badge).
TABS: list[tuple[str, Any]] = [("", gettext_lazy("All")), *TAB_WORDS.items()]


def tab_links(counts: dict[str, int]) -> list[dict[str, Any]]:
    total = sum(counts.values())
    return [
        {"key": key, "label": label, "count": counts.get(key, 0) if key else total} for key, label in TABS
    ]


def _order_or_404(request: HttpRequest, pk: int) -> RepairOrder:
    try:
        return order_for(customer_actor(current_customer(request)), pk)
    except RepairOrder.DoesNotExist:
        raise Http404 from None


@customer_required
def my_orders(request: HttpRequest) -> HttpResponse:
    actor = customer_actor(current_customer(request))
    tab = request.GET.get("tab", "")
    if tab and tab not in ORDER_TABS:
        tab = ""
    try:
        page = order_page(
            actor=actor,
            filters=OrderFilters(tab=tab or None),
            cursor=request.GET.get("cursor") or None,
            limit=20,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:orders")
    counts = tab_counts(actor=actor)
    return render(
        request,
        "portals/customer/orders.html",
        {"tabs": tab_links(counts), "tab": tab, "page": page, "customer": current_customer(request)},
    )


@customer_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    view = order_view(actor=customer_actor(current_customer(request)), order=order)
    return render(
        request,
        "portals/customer/order_detail.html",
        {"v": view, "order": order, "rate_form": RateForm(view=view), "cancel_form": CancelForm()},
    )


# --- Actions -------------------------------------------------------------------------------------

# URL action → (transition, form class or None, success message)
ACTIONS: dict[str, tuple[str, Any, Any]] = {
    "cancel": ("cancel", CancelForm, gettext_lazy("The order was cancelled.")),
    "urge": ("urge", None, gettext_lazy("We have reminded the repair centre.")),
    "confirm": (
        "confirm_completion",
        None,
        gettext_lazy("Thank you for confirming. The order is completed."),
    ),
    "reject": (
        "reject_completion",
        ReasonForm,
        gettext_lazy("The engineer has been told the fault is not fixed."),
    ),
    "rate": ("rate", RateForm, gettext_lazy("Thank you for your rating.")),
}


def _perform(request: HttpRequest, order: RepairOrder, action: str, data: dict[str, Any]) -> None:
    actor = customer_actor(current_customer(request))
    if action == "cancel":
        services.order_cancel(actor=actor, order=order, reason=data["reason"])
    elif action == "urge":
        services.order_urge(actor=actor, order=order)
    elif action == "confirm":
        services.order_confirm_completion(actor=actor, order=order, note=data.get("note", ""))
    elif action == "reject":
        services.order_reject_completion(actor=actor, order=order, reason=data["reason"])
    elif action == "rate":
        services.order_rate(
            actor=actor,
            order=order,
            stars=data["stars"],
            tags=data.get("tags", []),
            comment=data.get("comment", ""),
        )


@never_cache
@customer_required
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET: the step's page (a reason, the rating…); POST: do it. A refused step says why:
    403 for someone who may never do it, 409 for the wrong moment."""
    if action not in ACTIONS:
        raise Http404
    order = _order_or_404(request, pk)
    actor = customer_actor(current_customer(request))
    transition, form_class, done = ACTIONS[action]
    view = order_view(actor=actor, order=order)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, view=view) if form_class else None
    refusal = ""
    status = 200
    try:
        check(transition, order=order, actor=actor)
    except TransitionNotAllowed as exc:
        refusal, status = " ".join(exc.messages), refusal_status(exc)
    if request.method == "POST" and not refusal and (form is None or form.is_valid()):
        try:
            _perform(request, order, action, form.cleaned_data if form else {})
        except TransitionNotAllowed as exc:
            refusal, status = " ".join(exc.messages), refusal_status(exc)
        except ValidationError as exc:
            if form is None:
                refusal, status = " ".join(exc.messages), 400
            else:
                add_service_errors(form, exc)
                status = 400
        else:
            messages.success(request, done)
            return redirect("portal:order-detail", pk=order.pk)
    elif request.method == "POST" and form is not None and not refusal:
        status = 400
    return render(
        request,
        "portals/customer/order_action.html",
        {"v": view, "order": order, "action": action, "form": form, "refusal": refusal},
        status=status,
    )


@never_cache
@customer_required
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑: the reporter corrects the order before it is accepted, in the form it was filed with."""
    order = _order_or_404(request, pk)
    actor = customer_actor(current_customer(request))
    try:
        check("edit", order=order, actor=actor)
    except TransitionNotAllowed as exc:
        view = order_view(actor=actor, order=order)
        return render(
            request,
            "portals/customer/order_action.html",
            {"v": view, "order": order, "action": "edit", "form": None, "refusal": " ".join(exc.messages)},
            status=refusal_status(exc),
        )
    version = order.template_version
    definitions = version.fields if version else []
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    values = order_values(order, definitions)
    status = 200
    if request.method == "POST":
        data = parse_post(definitions, request.POST, request.FILES)
        try:
            services.order_edit(actor=actor, order=order, data=data)
        except TransitionNotAllowed as exc:
            general, status = list(exc.messages), refusal_status(exc)
        except ValidationError as exc:
            errors, general = error_dict(exc)
            status = 400
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("portal:order-detail", pk=order.pk)
        values = {k: v for k, v in data.items() if not isinstance(v, list)} | {
            k: [i for i in v if isinstance(i, int)] for k, v in data.items() if isinstance(v, list)
        }
    catalog = catalog_tree() if any(f["type"] == "machine" for f in definitions) else []
    return render(
        request,
        "portals/customer/order_edit.html",
        {
            "order": order,
            "style": version.style if version else "stacked",
            "fields": form_fields(definitions, values, errors, catalog=catalog, photos=photo_map(order)),
            "general_errors": general,
        },
        status=status,
    )


@customer_required  # type: ignore[arg-type]
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo on one of the customer's orders (never a staff-only note's)."""
    try:
        item = photo_for(customer_actor(current_customer(request)), pk)
    except OrderPhoto.DoesNotExist:
        raise Http404 from None
    return photo_response(item)


def photo_response(item: OrderPhoto) -> HttpResponseBase:
    """The photo's bytes — or, on S3, a redirect to a short-lived signed URL so a 40 MB photo never
    streams through a web worker."""
    signed = presigned_url(item.file)
    if signed:
        redirect_to = HttpResponseRedirect(signed)
        redirect_to["Cache-Control"] = "private, max-age=60"  # well inside the URL's lifetime
        return redirect_to
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@customer_required
def query(request: HttpRequest) -> HttpResponse:
    """报修查询: find one of your orders by its number (BX-…)."""
    form = QueryForm(request.GET or None)
    if form.is_bound and form.is_valid():
        try:
            order = order_get(
                actor=customer_actor(current_customer(request)), number=form.cleaned_data["number"]
            )
        except RepairOrder.DoesNotExist:
            form.add_error("number", _("None of your orders has this number."))
        else:
            return redirect("portal:order-detail", pk=order.pk)
    return render(request, "portals/customer/query.html", {"form": form})
