"""Fill msgstr entries of a .po catalog from a JSON object {msgid: msgstr}, then compile.

.venv/bin/python tools/po_fill.py portals/locale/zh_Hans/LC_MESSAGES/django.po translations.json

A key names an entry without context; an entry with a context (``pgettext``) is named
``"<msgctxt>\\u0004<msgid>"`` — gettext's own separator — so a bare msgid never overwrites a
context entry, nor a context key a bare one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

CONTEXT_SEPARATOR = "\x04"


def entry_key(entry: polib.POEntry) -> str:
    """The mapping key of a catalog entry: its msgid, prefixed by its context when it has one."""
    if entry.msgctxt is not None:
        return f"{entry.msgctxt}{CONTEXT_SEPARATOR}{entry.msgid}"
    return entry.msgid


def main(po_path: str, mapping_path: str) -> int:
    catalog = polib.pofile(po_path)
    mapping = json.loads(Path(mapping_path).read_text(encoding="utf-8"))
    filled = 0
    for entry in catalog:
        key = entry_key(entry)
        if key not in mapping:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: mapping[key]}
        else:
            entry.msgstr = mapping[key]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    catalog.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalog.metadata["Language"] = "zh_Hans"
    catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalog.save(po_path)
    catalog.save_as_mofile(str(Path(po_path).with_suffix(".mo")))
    print(f"{po_path}: filled {filled}, untranslated {len(catalog.untranslated_entries())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
