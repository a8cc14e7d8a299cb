"""Fail when any of our zh_Hans catalogs has an untranslated or fuzzy entry, or a stale .mo.

Run by ``make lint``: English is the source language, Simplified Chinese must be complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    problems: list[str] = []
    catalogs = [
        path
        for path in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
        if not path.relative_to(ROOT).parts[0].startswith((".", "var"))
    ]
    for po_path in sorted(catalogs):
        catalog = polib.pofile(str(po_path))
        rel = po_path.relative_to(ROOT)
        for entry in catalog.untranslated_entries():
            problems.append(f"{rel}: untranslated: {entry.msgid!r}")
        for entry in catalog.fuzzy_entries():
            problems.append(f"{rel}: fuzzy: {entry.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(f"{rel}: no compiled .mo (run tools/po_fill.py or compilemessages)")
        else:
            # Keyed by context too: "Overdue" and pgettext("tag", "Overdue") are different entries.
            compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
            for entry in catalog.translated_entries():
                if not entry.msgid_plural and compiled.get((entry.msgctxt, entry.msgid)) != entry.msgstr:
                    problems.append(f"{rel}: .mo is stale for {entry.msgid!r}")
                    break
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
