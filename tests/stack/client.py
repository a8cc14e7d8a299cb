"""A small browser for the stack test: HTTPS to Caddy on 127.0.0.1 with the tenant's name as SNI and
Host (no DNS needed), Caddy's internal root CA as the only trust anchor, a chosen loopback source
address (127.0.0.2, 127.0.0.3, … are distinct clients to Caddy), cookies, CSRF-aware form posts."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from urllib3.filepost import encode_multipart_formdata


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return str(self.headers.get(name) or "")


class _TLSConnection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1:port but names ``sni`` in the handshake (what a browser does after DNS)."""

    def __init__(self, port: int, sni: str, context: ssl.SSLContext, source: str, timeout: float) -> None:
        super().__init__("127.0.0.1", port, context=context, timeout=timeout, source_address=(source, 0))
        self._sni = sni
        self._tls_context = context
        self._source = (source, 0)

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout, self._source)
        self.sock = self._tls_context.wrap_socket(sock, server_hostname=self._sni)


def tls_context(ca_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file))
    context.check_hostname = True
    return context


def handshake(port: int, sni: str, ca_file: Path, source: str = "127.0.0.1") -> dict[str, Any]:
    """Complete a TLS handshake for ``sni`` and return the verified peer certificate."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
    with sock, tls_context(ca_file).wrap_socket(sock, server_hostname=sni) as tls:
        cert = tls.getpeercert()
    assert cert is not None
    return dict(cert)


class Browser:
    """One user agent on one host: keeps its connection and cookies."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ca_file: Path | None = None,
        source: str = "127.0.0.1",
        timeout: float = 60.0,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.host = host  # a hostname without port
        self.port = port
        self.ca_file = ca_file
        self.source = source
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.extra_headers = dict(extra_headers or {})
        self._conn: http.client.HTTPConnection | None = None

    @property
    def https(self) -> bool:
        return self.ca_file is not None

    @property
    def origin(self) -> str:
        # Behind the proxy (X-Forwarded-Proto: https) the app sees an HTTPS request: so does Origin.
        forwarded = self.extra_headers.get("X-Forwarded-Proto") == "https"
        scheme = "https" if self.https or forwarded else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.ca_file is not None:
                self._conn = _TLSConnection(
                    self.port, self.host, tls_context(self.ca_file), self.source, self.timeout
                )
            else:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source, 0)
                )
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = "",
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {
            "Host": f"{self.host}:{self.port}",
            "Accept-Language": "en",
            "User-Agent": "baoxiu-stack-test",
            **self.extra_headers,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            sent["Content-Type"] = content_type
        if method != "GET":
            sent.setdefault("Origin", self.origin)
            sent.setdefault("Referer", f"{self.origin}{path}")
            sent.setdefault("X-CSRFToken", self.cookies.get("csrftoken", ""))
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=sent)
                raw = conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        for cookie in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or value in {"", '""'}:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if raw.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, raw.headers, data)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields: list[tuple[str, Any]] | dict[str, str]) -> Response:
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if "csrftoken" in self.cookies and not any(k == "csrfmiddlewaretoken" for k, _ in items):
            items.append(("csrfmiddlewaretoken", self.cookies["csrftoken"]))
        if any(isinstance(value, tuple) for _, value in items):
            body, content_type = encode_multipart_formdata(items)
            return self.request("POST", path, body=body, content_type=content_type)
        return self.request(
            "POST",
            path,
            body=urlencode(items).encode(),
            content_type="application/x-www-form-urlencoded",
        )


def location_path(response: Response) -> str:
    """The path (and query) of a redirect's Location, wherever it points."""
    target = urlsplit(response.header("Location"))
    return target.path + (f"?{target.query}" if target.query else "")


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        if not self.forms:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value, self._first_option = a["name"], None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self.forms:
            value = self._select_value if self._select_value is not None else self._first_option
            self.forms[-1].append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1].append((self._textarea, self._text.strip()))
            self._textarea = None


def form_with(html: str, field: str) -> list[tuple[str, str]]:
    """The fields a browser would send from the first form that has an input named ``field``."""
    parser = _FormParser()
    parser.feed(html)
    for fields in parser.forms:
        if any(name == field for name, _ in fields):
            return fields
    raise AssertionError(f"no form with a field {field!r} on the page")


def first(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text[:3000]}"
    return match.group(1) if match.groups() else match.group(0)
