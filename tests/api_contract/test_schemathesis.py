"""The API keeps its published contract: schemathesis generates requests from the live OpenAPI schema
(``/api/schema/``) of tenant A and sends them in process (WSGI) as an admin, an engineer and a
customer (browser sessions) and as a customer of the mini-program (bearer token): every generated
request is sent by each of the four, so one input exercises every role's code path.

Every case must get a status code the schema documents, never a server error, and a request the
schema calls invalid must not be accepted. Cases are derandomized (the same run every time) and
share the test's database transaction: nothing is flushed between cases, everything is rolled back
at the end.

The credentials are put into the WSGI environ by a small wrapper around Django's test handler: the
werkzeug client schemathesis drives drops a ``Cookie`` header whose cookies it does not hold for the
request's host, so a plain header would reach Django as an anonymous request.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import schemathesis
from django.test.client import ClientHandler
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.prepare import get_exclude_headers

from integrations.tests.fake_miniprogram import FakeMiniProgram
from portals.tests.miniprogram.fixtures import bearer, fake_mp, mp_a, sign_in  # noqa: F401
from portals.tests.orders.helpers import signed_in
from repair_forms.tests.helpers import make_cast
from tests.actors import host_of

EXAMPLES_PER_OPERATION = 3
CHECKS = [not_a_server_error, status_code_conformance, negative_data_rejection, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# Operations that end the caller's own session (the bearer token's): run after all the others.
LAST = {"POST /api/v1/auth/sign-out/", "DELETE /api/v1/me/sessions/{id}/"}

WsgiApp = Callable[[dict[str, Any], Any], list[bytes]]


def _wsgi_app(host: str, credentials: dict[str, str]) -> WsgiApp:
    """Django's test handler as a WSGI app on ``host`` carrying ``credentials`` (environ keys): no
    connection closing between requests (every case runs inside the test's transaction) and no
    CSRF enforcement, as in Django's test client."""
    handler = ClientHandler(enforce_csrf_checks=False)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ.update({"HTTP_HOST": host, "SERVER_NAME": host, **credentials})
        response: Any = handler(environ)
        headers = [(key, str(value)) for key, value in response.items()]
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return [body]

    return app


def _ordered(schema: Any) -> list[Any]:
    """The operations, those that end the caller's own session last (so the others run signed in)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda operation: operation.label in LAST)


def _run(
    schema: Any, *, host: str, credentials: dict[str, dict[str, str]]
) -> tuple[int, list[str], Counter[str]]:
    """Every operation, valid and invalid requests, each generated request sent by every caller:
    the number of requests sent, the failures and each caller's number of successful (2xx) answers."""
    callers = {who: _wsgi_app(host, environ) for who, environ in credentials.items()}
    anonymous = _wsgi_app(host, {})
    sent = 0
    succeeded: Counter[str] = Counter()
    failures: list[str] = []
    for operation in _ordered(schema):
        for mode in MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Any) -> None:
                nonlocal sent
                # A negative case without the Authorization header the schema requires goes out
                # without the caller's token too (else the token would make it a valid request).
                dropped = {f"HTTP_{name.upper().replace('-', '_')}" for name in get_exclude_headers(case)}
                for who, app in callers.items():
                    sent += 1
                    app = anonymous if dropped & credentials[who].keys() else app
                    try:
                        response = case.call_and_validate(base_url=f"http://{host}", app=app, checks=CHECKS)
                        succeeded[who] += response.status_code < 300
                    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 (collect all, then report)
                        found = getattr(exc, "exceptions", [exc])
                        failures.append(
                            f"{who} {case.operation.label} [{case.meta.generation.mode.value}]: "
                            + " | ".join(" ".join(str(e).split())[:400] for e in found)
                        )

            try:
                check()
            except Unsatisfiable:  # no request of this kind exists (no negative case without inputs)
                continue
    return sent, failures, succeeded


def _session(client: Any) -> dict[str, str]:
    return {"HTTP_COOKIE": f"sessionid={client.cookies['sessionid'].value}"}


def test_the_api_answers_every_generated_request_as_its_schema_says(
    mp_a: FakeMiniProgram,  # noqa: F811 (the fixture, imported above)
    actors: Any,
) -> None:
    tenant = actors.tenant_a
    host = host_of(tenant)
    with schema_context(tenant.schema_name):
        cast = make_cast(actors)
    pair = sign_in(mp_a, tenant, "o-contract", nickname="契约测试")
    bound = bearer(tenant, pair["access_token"]).post(
        "/api/v1/auth/miniprogram/phone/", {"code": mp_a.phone_code("13700000103")}, format="json"
    )
    assert bound.status_code == 200, bound.content
    raw = signed_in(tenant, cast.admin).get("/api/schema/", {"format": "json"})
    schema = schemathesis.openapi.from_dict(json.loads(raw.content))
    credentials = {
        "admin": _session(signed_in(tenant, cast.admin)),
        "engineer": _session(signed_in(tenant, cast.engineer)),
        "customer": _session(signed_in(tenant, cast.reporter)),
        "miniprogram": {"HTTP_AUTHORIZATION": f"Bearer {pair['access_token']}"},
    }
    started = time.monotonic()
    total, failures, succeeded = _run(schema, host=host, credentials=credentials)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {total} cases, 2xx per caller {dict(succeeded)}, in {elapsed:.0f} s")  # noqa: T201
    assert not failures, "\n".join(sorted(set(failures)))
    assert total >= 1000
    # Every caller's credentials are honoured: each one gets real answers, not only 401/403.
    assert all(succeeded[who] >= 10 for who in credentials), succeeded
