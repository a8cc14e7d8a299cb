"""OpenAPI post-processing: the schema documents every error an operation can answer.

Every API view answers 400 (invalid input), 401 (not signed in), 403 (signed in, not allowed),
404 (missing, or another provider's) and 409 (the order is not in a state for that step) with the
same JSON error body, and 429 when a limit is reached; drf-spectacular only documents what each
view declares. This hook adds the missing ones to every operation from one place, so a new view
cannot forget them and the contract test (tests/api_contract) holds every view to them.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error: ``detail`` in the request's language, ``code`` stable for programs; a "
    "refused form also lists messages per field (``errors``, or DRF's ``{field: [messages]}``).",
    "properties": {
        "detail": {"type": "string"},
        # A stable code, or, on a refused form with a field named ``code``, that field's messages.
        "code": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "transition": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "additionalProperties": True,
}
ERROR_STATUSES = {
    "400": "The request is not valid (see the messages).",
    "401": "Not signed in (session cookie or bearer token).",
    "403": "Signed in, but this role or account may not do this.",
    "404": "Not found (or it belongs to another provider).",
    "409": "Not possible in the current state.",
    "429": "Too many requests: wait and try again.",
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: add the shared error responses to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    # Replaces the component drf-spectacular derives from ErrorSerializer (``detail`` required): a
    # refused form answers DRF's ``{field: [messages]}``, which has no ``detail``.
    schemas[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": reference}}},
                )
    return result
