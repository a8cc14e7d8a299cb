"""One long-lived Django process of the fault stack that runs the test's snippets (``Stack.run``),
so that each snippet costs an ``exec`` instead of a Python and Django start-up — several seconds
each on a loaded box.

Protocol: the test writes one JSON line ``{"code": ...}``; the shell runs it (what it prints is
captured) and answers with one line ``REPLY`` + ``{"out": ...}`` (plus ``"error"``: the traceback).
Other lines on stdout (the app's own logging) are not replies.

Each snippet starts with fresh database connections: the test stops and starts PostgreSQL, and a
connection from before a restart is dead.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback

import django

REPLY = "@@fault-shell-reply@@ "


def main() -> None:
    django.setup()
    from django.db import connections

    answer = sys.stdout
    for line in sys.stdin:
        code = json.loads(line)["code"]
        connections.close_all()
        out = io.StringIO()
        reply: dict[str, str] = {}
        try:
            with contextlib.redirect_stdout(out):
                exec(code, {"json": json, "django": django, "__name__": "__fault_shell__"})  # noqa: S102
        except BaseException:  # noqa: BLE001 (the test reads it)
            reply["error"] = traceback.format_exc()
        reply["out"] = out.getvalue()
        answer.write(REPLY + json.dumps(reply) + "\n")
        answer.flush()


if __name__ == "__main__":
    main()
