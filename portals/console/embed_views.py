"""嵌入窗口登录: the console page that previews the embeddable login window and gives the
``<iframe>`` snippet for the provider's own web site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import StaffRole
from accounts.selectors import provider_settings
from portals.access import staff_required
from portals.console.forms import EmbedSizeForm
from portals.web import absolute_url


@staff_required(StaffRole.ADMIN)
def embed_setup(request: HttpRequest) -> HttpResponse:
    form = EmbedSizeForm(request.GET or None)
    width, height = EmbedSizeForm.base_fields["width"].initial, EmbedSizeForm.base_fields["height"].initial
    if form.is_bound and form.is_valid():
        width, height = form.cleaned_data["width"], form.cleaned_data["height"]
    elif not form.is_bound:
        form = EmbedSizeForm(initial={"width": width, "height": height})
    return render(
        request,
        "portals/console/embed/setup.html",
        {
            "form": form,
            "width": width,
            "height": height,
            "embed_url": absolute_url(request, reverse("portal:embed-login")),
            "preview_url": reverse("portal:embed-login"),
            "origins": provider_settings().embed_allowed_origins,
        },
    )
