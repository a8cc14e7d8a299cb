"""QR codes (segno): the portal link as PNG or SVG, for download and printing."""

from __future__ import annotations

import io

import segno
from django.http import HttpResponse


def qr_response(data: str, *, kind: str, filename: str, scale: int = 8) -> HttpResponse:
    qr = segno.make(data, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=scale, border=2, xmldecl=True)
        content_type = "image/svg+xml"
    else:
        qr.save(buffer, kind="png", scale=scale, border=2)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response
