"""The company's orders for its manager (seed 000: 负责人确认派单). Customers who do not manage a
company get 403; everything else — tabs, order pages, confirm/reject — is the customer portal's,
with the selectors scoping a manager to their company's orders."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portals.access import current_customer, customer_required
from portals.customer.order_views import tab_links
from portals.order_ui import customer_actor, order_page
from repair_forms.selectors import ORDER_TABS, OrderFilters, dashboard_counts, tab_counts


@customer_required
def company_orders(request: HttpRequest) -> HttpResponse:
    customer = current_customer(request)
    if not (customer.is_company_manager and customer.company_id):
        raise PermissionDenied
    actor = customer_actor(customer)
    tab = request.GET.get("tab", "")
    if tab not in ORDER_TABS:
        tab = ""
    awaiting = request.GET.get("awaiting") == "1"
    filters = OrderFilters(
        company=customer.company_id,
        tab=tab or None,
        status="awaiting_confirmation" if awaiting else None,
    )
    try:
        page = order_page(actor=actor, filters=filters, cursor=request.GET.get("cursor") or None, limit=20)
    except ValidationError:
        return redirect("portal:manager-orders")
    counts = dashboard_counts(actor=actor)
    return render(
        request,
        "portals/manager/orders.html",
        {
            "customer": customer,
            "company": customer.company,
            "tabs": tab_links(tab_counts(actor=actor)),
            "tab": tab,
            "awaiting": awaiting,
            "awaiting_count": counts["awaiting_confirmation"],
            "page": page,
        },
    )
