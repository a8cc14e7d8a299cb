"""Printable QR labels for assets: an A4 PDF sheet (3 × 8 labels of 70 × 37 mm, the common
adhesive label sheet), each with a QR code that opens the portal's report page with the asset
prefilled, plus the machine number, serial, brand/model and "扫码报修".

The QR holds ``asset_report_url(portal_base, asset)`` = ``<portal_base>/report/?asset=<token>``.
``token`` is the asset's random token (``Asset.token``), not its id, so labels cannot be enumerated;
the report page resolves it with ``selectors.asset_by_token``. The QR is drawn as vector squares, so
it prints sharp at any size.

Text is set in WenQuanYi Micro Hei (shipped by the ``paperang-p2-fonts-cjk`` package as a TrueType
collection), of which reportlab embeds only the glyphs used. A PDF's "built-in" CID font
(STSong-Light) is not built into anything: Poppler draws its Chinese as boxes and Ghostscript drops
the line, so the machine number and serial vanished from printed labels.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from importlib.resources import files
from urllib.parse import urlencode

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from repair_forms.models import Asset

REPORT_PATH = "/report/"
FONT = "WenQuanYiMicroHei"
FONT_FILE = ("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc")
COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37 * mm
MARGIN_X = (A4[0] - COLUMNS * LABEL_W) / 2
MARGIN_Y = (A4[1] - ROWS * LABEL_H) / 2
QR_SIZE = 30 * mm
PADDING = 3 * mm


def asset_report_url(portal_base: str, asset: Asset) -> str:
    """The address a label's QR opens: the portal's report page with this asset prefilled."""
    return f"{portal_base.rstrip('/')}{REPORT_PATH}?{urlencode({'asset': asset.token})}"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        package, name = FONT_FILE
        path = files(package).joinpath(name)
        # subfontIndex 0: the collection's proportional face (1 is the monospaced one).
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


def _draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m")
    matrix = qr.matrix
    border = 2
    modules = len(matrix) + 2 * border
    cell = size / modules
    pdf.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        run_start = None
        for col_index, dark in enumerate([*row, 0]):
            if dark and run_start is None:
                run_start = col_index
            elif not dark and run_start is not None:
                pdf.rect(
                    x + (border + run_start) * cell,
                    y + size - (border + row_index + 1) * cell,
                    (col_index - run_start) * cell,
                    cell,
                    stroke=0,
                    fill=1,
                )
                run_start = None


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def labels_pdf(
    assets: Iterable[Asset],
    *,
    portal_base: str,
    title: str = "",
    codes: Mapping[int, bytes] | None = None,
) -> bytes:
    """A PDF of QR labels for ``assets`` (in order, 24 per A4 page). ``portal_base`` is the
    provider's portal origin, e.g. ``https://acme.baoxiu.cn``; ``title`` (the provider's name) is
    printed on each label when given. ``codes`` (asset id → PNG) prints those images, e.g. WeChat
    mini-program codes, instead of the web QR."""
    font = _font()
    buffer = io.BytesIO()
    # The initial font too: an unused Helvetica would still be declared, unembedded.
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=9)
    pdf.setTitle("Asset QR labels")
    per_page = COLUMNS * ROWS
    count = 0
    for count, asset in enumerate(assets, start=1):
        slot = (count - 1) % per_page
        if slot == 0 and count > 1:
            pdf.showPage()
        column, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + column * LABEL_W
        y = A4[1] - MARGIN_Y - (row + 1) * LABEL_H
        pdf.setStrokeColorRGB(0.85, 0.85, 0.85)
        pdf.setLineWidth(0.3)
        pdf.rect(x, y, LABEL_W, LABEL_H, stroke=1, fill=0)  # a cutting guide; light grey
        code_y = y + (LABEL_H - QR_SIZE) / 2
        if codes and asset.pk in codes:
            image = ImageReader(io.BytesIO(codes[asset.pk]))
            pdf.drawImage(image, x + PADDING, code_y, QR_SIZE, QR_SIZE, mask="auto")
        else:
            _draw_qr(pdf, asset_report_url(portal_base, asset), x + PADDING, code_y, QR_SIZE)
        text_x = x + PADDING + QR_SIZE + 2 * mm
        text_w = LABEL_W - (text_x - x) - PADDING
        lines = [
            (title, 7),
            ("扫码报修", 9),
            (f"机器编号 {asset.machine_no}" if asset.machine_no else "", 8),
            (f"序列号 {asset.serials[0]}" if asset.serials else "", 8),
            (" ".join(p.name for p in (asset.brand, asset.model) if p is not None), 7),
        ]
        cursor_y = y + LABEL_H - PADDING - 8
        pdf.setFillColorRGB(0, 0, 0)
        for text, size in lines:
            if not text:
                continue
            pdf.setFont(font, size)
            pdf.drawString(text_x, cursor_y, _fit(pdf, text, font, size, text_w))
            cursor_y -= size + 3
    if count == 0:
        pdf.setFont(font, 12)
        pdf.drawString(MARGIN_X, A4[1] / 2, "没有可打印的设备 / No assets to print")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
