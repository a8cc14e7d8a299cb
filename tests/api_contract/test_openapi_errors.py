"""The OpenAPI document tells the truth about errors: every operation documents 400, 401, 403, 404
and 409 with the shared error body, and an unknown path under /api/ answers JSON, not a web page."""

from __future__ import annotations

import json
from typing import Any

from tests.actors import client_for

METHODS = {"get", "post", "put", "patch", "delete"}


def test_every_operation_documents_its_errors_with_the_error_body(actors: Any) -> None:
    raw = client_for(actors.tenant_a, actors.owner_a).get("/api/schema/", {"format": "json"})
    schema = json.loads(raw.content)
    assert "Error" in schema["components"]["schemas"]
    missing = [
        f"{method.upper()} {path} {status}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        for status in ("400", "401", "403", "404", "409")
        if "application/json" not in operation["responses"].get(status, {}).get("content", {})
    ]
    assert missing == []


def test_an_unknown_api_path_answers_json_404(actors: Any) -> None:
    client = client_for(actors.tenant_a, actors.owner_a)
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
