"""Loopback fakes of external asset systems, for the real adapters to talk to over HTTP.

``SnipeItFake`` follows Snipe-IT's documented API v1 (grokability/snipe-it: AssetsController,
MaintenancesController and their transformers): bearer API tokens; ``GET /api/v1/hardware``
(``?search=``, ``?limit=``) and ``/hardware/byserial/{serial}`` answer ``{"total", "rows"}``;
``/hardware/{id}`` one asset; a miss is the standard envelope
``{"status": "error", "messages": "Asset does not exist.", "payload": null}`` with HTTP 200;
``POST /api/v1/maintenances`` validates ``asset_id``, ``title``, ``asset_maintenance_type``,
``start_date`` (and ``supplier_id`` when ``require_supplier``) and answers the success envelope
with the new maintenance as ``payload``; ``GET /api/v1/maintenances?asset_id=`` lists them. Dates
are ``{"date": …, "formatted": …}`` / ``{"datetime": …, "formatted": …}`` objects.

``GenericFake`` is a configurable JSON API for the generic adapter: account+password sign-in
that issues expiring tokens, asset search, work orders and a change feed, and per-path
misbehaviour (``slow``, ``500``, ``malformed``, ``unauthorized``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 that hands each request to ``handle``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                parts = urlsplit(self.path)
                record = Recorded(
                    self.command, unquote(parts.path), parse_qs(parts.query), dict(self.headers.items()), body
                )
                with fake.lock:
                    fake.requests.append(record)
                status, payload, raw_text = fake.handle(record)
                data = raw_text.encode() if raw_text is not None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = _serve  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: Recorded) -> tuple[int, Any, str | None]:
        raise NotImplementedError

    def calls(self, method: str, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]


# --- Snipe-IT -------------------------------------------------------------------------------------


def _date(value: str | None) -> dict[str, str] | None:
    return {"date": value, "formatted": value} if value else None


def _datetime(value: datetime) -> dict[str, str]:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    return {"datetime": text, "formatted": text}


def envelope(status: str, messages: Any, payload: Any = None) -> dict[str, Any]:
    return {"status": status, "messages": messages, "payload": payload}


class SnipeItFake(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.token = ""
        self.reset()

    def reset(self) -> None:
        self.token = "snipe-" + secrets.token_hex(24)
        self.assets: dict[int, dict[str, Any]] = {}
        self.maintenances: dict[int, dict[str, Any]] = {}
        self.require_supplier = False
        self.clock = datetime(2026, 3, 1, 9, 0, 0)
        self.modern = True  # completed_at present (current versions); False: completion_date only
        self.requests = []

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def add_asset(
        self,
        *,
        asset_tag: str,
        serial: str,
        name: str = "",
        manufacturer: str = "HP",
        category: str = "打印机",
        model: str = "LaserJet M404",
        company: str = "",
        location: str = "",
        warranty_expires: str | None = None,
    ) -> dict[str, Any]:
        asset_id = len(self.assets) + 1
        now = self._tick()
        row = {
            "id": asset_id,
            "name": name or f"{model} {asset_tag}",
            "asset_tag": asset_tag,
            "serial": serial,
            "model": {"id": 10 + asset_id, "name": model},
            "byod": False,
            "model_number": model.split()[-1],
            "eol": None,
            "status_label": {
                "id": 2,
                "name": "Ready to Deploy",
                "status_type": "deployable",
                "status_meta": "deployable",
            },
            "category": {"id": 3, "name": category},
            "manufacturer": {"id": 4, "name": manufacturer},
            "supplier": None,
            "notes": "",
            "order_number": None,
            "company": {"id": 5, "name": company} if company else None,
            "location": {"id": 6, "name": location} if location else None,
            "rtd_location": None,
            "image": None,
            "assigned_to": None,
            "warranty_months": "12 months" if warranty_expires else None,
            "warranty_expires": _date(warranty_expires),
            "created_at": _datetime(now),
            "updated_at": _datetime(now),
            "last_audit_date": None,
            "next_audit_date": None,
            "deleted_at": None,
            "purchase_date": None,
            "custom_fields": {},
            "available_actions": {
                "checkout": True,
                "checkin": True,
                "clone": True,
                "restore": False,
                "update": True,
                "delete": True,
            },
        }
        self.assets[asset_id] = row
        return row

    def complete(
        self, maintenance_id: int, *, on: str = "2026-03-02", notes: str | None = None
    ) -> dict[str, Any]:
        """What a technician does in Snipe-IT's UI: mark the maintenance complete."""
        row = self.maintenances[maintenance_id]
        now = self._tick()
        row["completion_date"] = _date(on)
        if self.modern:
            row["completed_at"] = _datetime(now)
        if notes is not None:
            row["notes"] = notes
        row["updated_at"] = _datetime(now)
        return row

    def handle(self, request: Recorded) -> tuple[int, Any, str | None]:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, envelope("error", "Unauthorized or unauthenticated."), None
        path = request.path.rstrip("/")
        query = {k: v[0] for k, v in request.query.items()}
        live = [a for a in self.assets.values() if not a["deleted_at"]]
        if request.method == "GET" and path == "/api/v1/hardware":
            rows = live
            if query.get("search"):
                needle = query["search"].lower()
                rows = [a for a in rows if needle in json.dumps(a, ensure_ascii=False).lower()]
            limit = int(query.get("limit", 50))
            return 200, {"total": len(rows), "rows": rows[:limit]}, None
        if request.method == "GET" and path.startswith("/api/v1/hardware/byserial/"):
            serial = path.removeprefix("/api/v1/hardware/byserial/")
            rows = [a for a in live if a["serial"] == serial]
            if not rows:
                return 200, envelope("error", "Asset does not exist."), None
            return 200, {"total": len(rows), "rows": rows}, None
        if request.method == "GET" and path.startswith("/api/v1/hardware/"):
            key = path.removeprefix("/api/v1/hardware/")
            row = self.assets.get(int(key)) if key.isdigit() else None
            if row is None:
                return 200, envelope("error", "Asset does not exist."), None
            return 200, row, None
        if request.method == "POST" and path == "/api/v1/maintenances":
            return self._create_maintenance(request.body if isinstance(request.body, dict) else {})
        if request.method == "GET" and path == "/api/v1/maintenances":
            rows = list(self.maintenances.values())
            if query.get("asset_id"):
                rows = [m for m in rows if str(m["asset"]["id"]) == query["asset_id"]]
            return 200, {"total": len(rows), "rows": rows[: int(query.get("limit", 50))]}, None
        return 404, {"status": "error", "messages": "404 endpoint not found", "payload": None}, None

    def _create_maintenance(self, body: dict[str, Any]) -> tuple[int, Any, str | None]:
        errors: dict[str, list[str]] = {}
        for name in ("asset_id", "title", "asset_maintenance_type", "start_date"):
            if body.get(name) in (None, ""):
                errors[name] = [f"The {name.replace('_', ' ')} field is required."]
        if self.require_supplier and not body.get("supplier_id"):
            errors["supplier_id"] = ["The supplier id field is required."]
        asset = self.assets.get(int(body["asset_id"])) if str(body.get("asset_id", "")).isdigit() else None
        if body.get("asset_id") not in (None, "") and asset is None:
            errors["asset_id"] = ["The selected asset id is invalid."]
        if errors:
            return 200, envelope("error", errors), None
        assert asset is not None
        maintenance_id = 100 + len(self.maintenances) + 1
        now = self._tick()
        row: dict[str, Any] = {
            "id": maintenance_id,
            "asset": {
                "id": asset["id"],
                "name": asset["name"],
                "asset_tag": asset["asset_tag"],
                "serial": asset["serial"],
            },
            "model": {"id": asset["model"]["id"], "name": asset["model"]["name"]},
            "company": None,
            "title": body["title"],
            "name": body["title"],
            "location": None,
            "notes": body.get("notes"),
            "supplier": {"id": body["supplier_id"], "name": "Supplier"} if body.get("supplier_id") else None,
            "cost": None,
            "asset_maintenance_type": body["asset_maintenance_type"],
            "start_date": _date(body["start_date"]),
            "asset_maintenance_time": 0,
            "completion_date": None,
            "user_id": {"id": 1, "name": "Admin"},
            "created_by": {"id": 1, "name": "Admin"},
            "created_at": _datetime(now),
            "updated_at": _datetime(now),
            "is_warranty": bool(body.get("is_warranty")),
            "available_actions": {"update": True, "delete": True},
        }
        if self.modern:
            row["completed_at"] = None
        self.maintenances[maintenance_id] = row
        return 200, envelope("success", "Maintenance created successfully.", row), None


# --- Generic REST -------------------------------------------------------------------------------------


class GenericFake(FakeServer):
    """Routes: POST /api/login, GET /api/ping, GET /api/assets?serial=, POST /api/work-orders,
    GET /api/work-orders/changes?since=. ``misbehave[path] = "slow"|"500"|"malformed"|
    "unauthorized"`` changes one route's answer; ``slow_seconds`` is how slow "slow" is."""

    account = "admin"
    slow_seconds = 2.0

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self.password = "pw-" + secrets.token_hex(8)
        self.tokens: dict[str, float] = {}
        self.token_lifetime = 3600
        self.assets: list[dict[str, Any]] = []
        self.work_orders: dict[str, dict[str, Any]] = {}
        self.sequence = 0
        self.misbehave: dict[str, str] = {}
        self.requests = []

    def set_status(
        self, work_order_id: str, status: str, *, remark: str = "", engineer_phone: str = ""
    ) -> None:
        self.sequence += 1
        row = self.work_orders[work_order_id]
        row.update(
            status=status,
            remark=remark,
            engineer_phone=engineer_phone,
            updated_at=f"2026-03-01T10:{self.sequence:02d}:00",
        )

    def handle(self, request: Recorded) -> tuple[int, Any, str | None]:
        path = request.path
        behaviour = self.misbehave.get(path, "")
        if behaviour == "slow":
            time.sleep(self.slow_seconds)
        elif behaviour == "500":
            return 500, {"code": 500, "msg": "internal error"}, None
        elif behaviour == "malformed":
            return 200, None, "<html>502 Bad Gateway</html>"
        elif behaviour == "unauthorized":
            return 401, {"code": 401, "msg": "token invalid"}, None
        if request.method == "POST" and path == "/api/login":
            body = request.body if isinstance(request.body, dict) else {}
            if body.get("account") != self.account or body.get("password") != self.password:
                return 200, {"code": 40101, "msg": "账号或密码错误"}, None
            token = "tok-" + secrets.token_hex(12)
            self.tokens[token] = time.time() + self.token_lifetime
            return 200, {"code": 0, "data": {"token": token, "expires_in": self.token_lifetime}}, None
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.tokens.get(token, 0) < time.time():
            return 401, {"code": 401, "msg": "token invalid"}, None
        query = {k: v[0] for k, v in request.query.items()}
        if request.method == "GET" and path == "/api/ping":
            return 200, {"code": 0, "data": {"pong": True}}, None
        if request.method == "GET" and path == "/api/assets":
            serial = query.get("serial", "")
            rows = [a for a in self.assets if serial in (a["serial"], a["asset_no"])]
            return 200, {"code": 0, "data": rows}, None
        if request.method == "POST" and path == "/api/work-orders":
            self.sequence += 1
            work_order_id = f"WO{self.sequence:04d}"
            row = {
                "id": work_order_id,
                "status": "new",
                "request": request.body,
                "updated_at": f"2026-03-01T10:{self.sequence:02d}:00",
            }
            self.work_orders[work_order_id] = row
            return 200, {"code": 0, "data": {"id": work_order_id, "status": "new"}}, None
        if request.method == "GET" and path == "/api/work-orders/changes":
            since = query.get("since", "")
            rows = sorted(
                (w for w in self.work_orders.values() if w["updated_at"] > since),
                key=lambda w: w["updated_at"],
            )
            cursor = rows[-1]["updated_at"] if rows else since
            items = [{k: v for k, v in w.items() if k != "request"} for w in rows]
            return 200, {"code": 0, "data": {"items": items, "cursor": cursor}}, None
        return 404, {"code": 404, "msg": "not found"}, None
