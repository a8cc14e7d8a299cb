"""Every tenant route, fed junk, answers with a 4xx and a message — never a 500.

Routes come from the isolation harness (``tests/isolation/cases.py`` covers every named route of
the tenant urlconf), each requested by the user the case says may use it, with: NUL bytes,
non-ASCII digits ("²"), negative and out-of-range ids, and (for the JSON API) values of the wrong
JSON type, including the photo lists ``[-1]``, ``[{}]``, ``["²"]`` that once crashed the order APIs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django_tenants.utils import schema_context

from tests.actors import client_for
from tests.isolation.cases import CASES

JUNK_QUERY = {
    "q": "²",
    "asset": "²",
    "serial": "-1",
    "company": "²",
    "ids": ["²", "-1", "99999999999999999999999"],
    "version": "²",
    "page": "-1",
    "limit": "null",
    "cursor": "!!",
    "engineer": "99999999999999999999999",
    "status": "²",
    "ticket": "²",
    "token": "-1",
}
NUL_QUERY = {"q": "a\x00b", "asset": "\x00", "serial": "\x00"}
HUGE_ID = 10**20
# Health probes answer before any input is read (saas_platform.health): their query is ignored.
PROBES = frozenset({"healthz", "readyz", "metrics"})


def _junk_form(data: dict[str, Any]) -> dict[str, Any]:
    return dict.fromkeys(data, "²") | {"photos": ["-1", "²"]}


def _junk_json(data: dict[str, Any]) -> dict[str, Any]:
    wrong: dict[str, Any] = {key: {} for key in data}
    return wrong | {"photos": [-1, {}, "²"], "note": 0, "values": {"photos": ["²", -1, {}]}, "engineer": "²"}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_answered(response: Any, what: str) -> None:
    # 503 is an answer too (e.g. the mini-program sign-in while WeChat is not configured); a 500 is not.
    assert response.status_code < 500 or response.status_code == 503, f"{what}: {response.status_code}"
    if response.status_code >= 400 and response.status_code not in (404, 405):
        assert _body(response).strip(), f"{what}: {response.status_code} without a message"


@pytest.mark.parametrize("route", sorted(CASES))
def test_junk_input_never_gets_a_server_error(route: str, actors: Any) -> None:
    case = CASES[route]
    with schema_context(actors.tenant_a.schema_name):
        kwargs, _marker = case.build(actors)
    urlconf = settings.ROOT_URLCONF
    url = reverse(route, kwargs=kwargs, urlconf=urlconf)
    client = case.viewer(actors) if case.viewer else client_for(actors.tenant_a, actors.owner_a)
    data = case.data(actors) if callable(case.data) else dict(case.data)

    if "get" in case.methods:
        _assert_answered(client.get(url, JUNK_QUERY), f"GET {url} with junk")
        nul = client.get(url, NUL_QUERY)
        if route not in PROBES:
            assert nul.status_code == 400 and _body(nul).strip(), f"GET {url} with NUL: {nul.status_code}"
        int_kwargs = {k: HUGE_ID for k, v in kwargs.items() if isinstance(v, int)}
        if int_kwargs:
            huge = reverse(route, kwargs={**kwargs, **int_kwargs}, urlconf=urlconf)
            _assert_answered(client.get(huge), f"GET {huge}")
    if "post" in case.methods:
        _assert_answered(client.post(url, _junk_form(data)), f"POST {url} with junk form values")
        if url.startswith("/api/"):
            body = json.dumps(_junk_json(data))
            _assert_answered(
                client.post(url, body, content_type="application/json"), f"POST {url} with wrong JSON types"
            )
            nul = client.post(url, json.dumps({"note": "a\x00b"}), content_type="application/json")
            assert nul.status_code == 400, f"POST {url} with a NUL in JSON: {nul.status_code}"
