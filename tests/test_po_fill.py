"""tools/po_fill.py fills entries by msgid and keeps context entries (pgettext) apart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import po_fill  # noqa: E402


def _catalog(path: Path) -> None:
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="Suspended", msgstr=""))
    catalog.append(polib.POEntry(msgid="Suspended", msgctxt="provider account", msgstr=""))
    catalog.save(str(path))


def test_bare_key_fills_only_the_entry_without_context(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    _catalog(po)
    (tmp_path / "m.json").write_text(json.dumps({"Suspended": "已挂起"}), encoding="utf-8")

    po_fill.main(str(po), str(tmp_path / "m.json"))

    by_context = {entry.msgctxt: entry.msgstr for entry in polib.pofile(str(po))}
    assert by_context == {None: "已挂起", "provider account": ""}


def test_context_key_fills_only_its_context_entry(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    _catalog(po)
    mapping = {"provider account\x04Suspended": "已停用"}
    (tmp_path / "m.json").write_text(json.dumps(mapping), encoding="utf-8")

    po_fill.main(str(po), str(tmp_path / "m.json"))

    by_context = {entry.msgctxt: entry.msgstr for entry in polib.pofile(str(po))}
    assert by_context == {None: "", "provider account": "已停用"}
    assert (tmp_path / "django.mo").exists()
