"""HTTP to an external asset system: authentication, timeouts, JSON, and one sync-log row per call.

What must stay true:
- credentials go only into request headers or the sign-in body, never into the sync log, a log
  line or an exception message (``request_summary`` is the method and path, query values of
  secret-looking names are replaced by ``***``);
- every outcome is an ``AdapterError`` with a readable message (timeout, refused connection,
  5xx, wrong credentials, a body that is not JSON), never a raw ``requests`` exception;
- a base URL on loopback or a private network is refused unless the platform allows it
  (``ASSET_SYNC_ALLOW_PRIVATE_NETWORKS``), so one tenant cannot probe the platform's network.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations import crypto
from integrations.asset_systems.adapters.base import AdapterError
from integrations.asset_systems.models import AssetSystemBinding, AuthMode, SyncLogEntry, SyncResult
from repair_forms.models import RepairOrder

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024
SECRET_WORDS = ("token", "key", "secret", "password", "passwd", "pwd", "sign", "auth")
USER_AGENT = "Baoxiu-AssetSync/1.0"


def redact_path(path: str) -> str:
    """``path`` with the values of secret-looking query parameters replaced (for the log)."""
    parts = urlsplit(path)
    if not parts.query:
        return parts.path
    query = [
        (name, "***" if any(word in name.lower() for word in SECRET_WORDS) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return f"{parts.path}?{urlencode(query, safe='*')}"


def host_is_private(host: str) -> bool:
    """True when ``host`` is, or resolves to, a loopback, private, link-local or reserved address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request itself reports it
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return True
    return False


class SyncClient:
    """Calls one binding's system. ``login`` (set by ``adapters.adapter_for`` for account+password
    bindings) exchanges the account and password for a session token when one is needed."""

    def __init__(self, binding: AssetSystemBinding, *, session: requests.Session | None = None) -> None:
        self.binding = binding
        self.session = session or requests.Session()
        self.login: Callable[[], tuple[str, int | None]] | None = None
        self.order: RepairOrder | None = None  # the order the current calls are about (sync log)
        self.timeout: float | None = None  # read timeout for this client's calls (default: settings)

    # --- Authentication ----------------------------------------------------------------------------

    def auth_headers(self, *, fresh: bool = False) -> dict[str, str]:
        binding = self.binding
        if binding.auth_mode == AuthMode.BEARER:
            return {"Authorization": f"Bearer {binding.secret}"} if binding.has_secret else {}
        if binding.auth_mode == AuthMode.HEADER:
            name = binding.header_name or "X-Api-Key"
            return {name: binding.secret} if binding.has_secret else {}
        token = "" if fresh else self._cached_session_token()
        if not token:
            token = self._sign_in()
        header = (
            str(binding.options.get("token_header") or "Authorization")
            if binding.options
            else "Authorization"
        )
        prefix = str(binding.options.get("token_prefix", "Bearer ")) if binding.options else "Bearer "
        return {header: f"{prefix}{token}"}

    def _cached_session_token(self) -> str:
        binding = self.binding
        if not binding.session_token_sealed:
            return ""
        if binding.session_token_expires_at and binding.session_token_expires_at <= timezone.now():
            return ""
        try:
            return binding.session_token
        except crypto.SecretUnreadable:
            return ""

    def _sign_in(self) -> str:
        if self.login is None:
            raise AdapterError(
                _("This system does not sign in with an account and password."), retryable=False
            )
        token, lifetime = self.login()
        if not token:
            raise AdapterError(_("The system accepted the sign-in but returned no token."), retryable=False)
        binding = self.binding
        binding.session_token_sealed = crypto.seal(token)
        # Renew a minute early so a token never expires between our check and the call.
        seconds = max(60, int(lifetime)) if lifetime else 3600
        binding.session_token_expires_at = timezone.now() + timedelta(seconds=seconds - 30)
        if binding.pk:
            AssetSystemBinding.objects.filter(pk=binding.pk).update(
                session_token_sealed=binding.session_token_sealed,
                session_token_expires_at=binding.session_token_expires_at,
            )
        return token

    # --- Requests ----------------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        if "://" in path or path.startswith("//"):
            raise AdapterError(_("A request path must be relative to the base URL."), retryable=False)
        return self.binding.base_url.rstrip("/") + "/" + path.lstrip("/")

    def _check_host(self) -> None:
        if getattr(settings, "ASSET_SYNC_ALLOW_PRIVATE_NETWORKS", False):
            return
        host = urlsplit(self.binding.base_url).hostname or ""
        if host_is_private(host):
            raise AdapterError(
                _("The address %(host)s is on a private network, which this platform may not call.")
                % {"host": host},
                retryable=False,
            )

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        authenticate: bool = True,
        timeout: float | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """One call; returns the parsed JSON body (None for an empty one, and for a 404 when
        ``missing_ok``: a lookup that found nothing). Raises ``AdapterError``. A 401 on an
        account+password binding signs in again once and repeats the call."""
        summary = f"{method.upper()} {redact_path(path)}"
        if params:
            summary += ("&" if "?" in summary else "?") + urlencode(
                [(k, "***" if any(w in k.lower() for w in SECRET_WORDS) else v) for k, v in params.items()],
                safe="*",
            )
        started = time.monotonic()
        status: int | None = None
        try:
            self._check_host()
            response = self._send(
                method, path, params=params, body=body, authenticate=authenticate, timeout=timeout
            )
            status = response.status_code
            if (
                status == 401
                and authenticate
                and self.binding.auth_mode == AuthMode.PASSWORD
                and self.login is not None
            ):
                response.close()
                response = self._send(
                    method, path, params=params, body=body, authenticate=True, timeout=timeout, fresh=True
                )
                status = response.status_code
            if missing_ok and status == 404:
                response.close()
                self._log(operation, SyncResult.OK, started, status, "", summary)
                return None
            data = self._parse(response)
        except AdapterError as exc:
            exc.http_status = exc.http_status or status
            self._log(operation, SyncResult.FAILED, started, status, exc.message, summary)
            raise
        self._log(operation, SyncResult.OK, started, status, "", summary)
        return data

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        body: Any,
        authenticate: bool,
        timeout: float | None,
        fresh: bool = False,
    ) -> requests.Response:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if authenticate:
            headers.update(self.auth_headers(fresh=fresh))
        if body is not None:
            headers["Content-Type"] = "application/json"
        if timeout is None:
            timeout = self.timeout if self.timeout is not None else float(settings.ASSET_SYNC_TIMEOUT_SECONDS)
        read_timeout = timeout
        connect_timeout = min(read_timeout, float(settings.ASSET_SYNC_CONNECT_TIMEOUT_SECONDS))
        try:
            return self.session.request(
                method.upper(),
                self.url_for(path),
                params=params,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None,
                headers=headers,
                timeout=(connect_timeout, read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise AdapterError(
                _("The system did not answer within %(seconds)s seconds.") % {"seconds": f"{read_timeout:g}"}
            ) from None
        except requests.ConnectionError:
            raise AdapterError(
                _("Cannot connect to %(host)s. Check the address and that the system is online.")
                % {"host": urlsplit(self.binding.base_url).netloc}
            ) from None
        except requests.RequestException:
            raise AdapterError(_("The request to the system failed.")) from None

    def _parse(self, response: requests.Response) -> Any:
        status = response.status_code
        try:
            raw = response.raw.read(MAX_BODY_BYTES + 1, decode_content=True)
        except (requests.RequestException, OSError):
            raise AdapterError(_("The system's answer was cut off."), http_status=status) from None
        finally:
            response.close()
        if len(raw) > MAX_BODY_BYTES:
            raise AdapterError(_("The system's answer is too large."), http_status=status)
        if status in (401, 403):
            raise AdapterError(
                _("The system refused the credentials (HTTP %(status)d). Check the account and secret.")
                % {"status": status},
                retryable=False,
                http_status=status,
            )
        if status == 404:
            raise AdapterError(
                _("The system has no such address (HTTP 404)."), retryable=False, http_status=status
            )
        if status == 429:
            raise AdapterError(_("The system asks us to slow down (HTTP 429)."), http_status=status)
        if status >= 500:
            raise AdapterError(
                _("The system had an error (HTTP %(status)d).") % {"status": status}, http_status=status
            )
        if 300 <= status < 400:
            raise AdapterError(
                _("The system redirected the request (HTTP %(status)d). Check the base URL.")
                % {"status": status},
                retryable=False,
                http_status=status,
            )
        if not raw.strip():
            if status >= 400:
                raise AdapterError(
                    _("The system refused the request (HTTP %(status)d).") % {"status": status}
                )
            return None
        try:
            data = json.loads(raw.decode(response.encoding or "utf-8", errors="replace"))
        except ValueError:
            raise AdapterError(
                _("The system answered with something that is not JSON (HTTP %(status)d).")
                % {"status": status},
                http_status=status,
            ) from None
        if status >= 400:
            raise AdapterError(
                _("The system refused the request (HTTP %(status)d): %(detail)s")
                % {"status": status, "detail": error_detail(data)},
                retryable=False,
                http_status=status,
            )
        return data

    def _log(
        self, operation: str, result: str, started: float, status: int | None, error: str, summary: str
    ) -> None:
        elapsed = int((time.monotonic() - started) * 1000)
        try:
            SyncLogEntry.objects.create(
                binding=self.binding if self.binding.pk else None,
                operation=operation,
                result=result,
                latency_ms=max(0, elapsed),
                http_status=status,
                error=error[:500],
                request_summary=summary[:300],
                order=self.order,
            )
        except Exception:  # the log must never break the call it describes
            logger.exception("could not write the asset sync log")
        if result != SyncResult.OK:
            logger.warning(
                "asset sync %s failed for binding %s: %s (%s)", operation, self.binding.pk, error, summary
            )


def error_detail(data: Any) -> str:
    """A short readable reason from an error body (Snipe-IT's ``messages``, ``message``, ``error``)."""
    if isinstance(data, dict):
        for key in ("messages", "message", "error", "errors", "msg", "detail"):
            value = data.get(key)
            if value:
                return flatten_messages(value)
    return ""


def flatten_messages(value: Any) -> str:
    if isinstance(value, dict):
        parts = [f"{k}: {flatten_messages(v)}" for k, v in value.items()]
        return "; ".join(parts)[:300]
    if isinstance(value, list):
        return " ".join(flatten_messages(v) for v in value)[:300]
    return str(value)[:300]
