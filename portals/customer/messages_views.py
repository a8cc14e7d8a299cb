"""消息中心 on the customer portal: the signed-in customer's messages about their orders."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.selectors import customer_for_user
from integrations.notifications.selectors import inbox, language_of, unread_count
from integrations.notifications.services import message_mark_read
from integrations.wechat.accounts import language_set


@never_cache
def message_inbox(request: HttpRequest) -> HttpResponse:
    customer = customer_for_user(user=request.user)
    if customer is None:
        return redirect(reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()}))
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "read_all":
            message_mark_read(customer=customer)
        elif action == "read":
            with contextlib.suppress(ValueError):
                message_mark_read(customer=customer, notification_id=int(request.POST.get("id", "0")))
        elif action == "language":
            try:
                language_set(customer=customer, language=request.POST.get("language", ""))
                messages.success(request, _("Your notices will be written in the language you chose."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("portal:messages")
    return render(
        request,
        "portals/customer/messages.html",
        {
            "items": inbox(customer=customer),
            "unread": unread_count(customer=customer),
            "language": language_of(customer=customer),
        },
    )
