"""One entry per named route of the tenant urlconf: how to reach it and what kind it is.

Adding a route without an entry here fails ``test_every_tenant_route_has_an_isolation_case``.

- ``Public``: anyone may load it on a provider's host (portal pages, login, API schema). The harness
  still checks that tenant B's signed-in user sees none of A's private markers through it.
- ``Private``: needs a signed-in member of the provider. ``build`` runs inside tenant A's schema,
  creates whatever object the route shows, and returns the URL kwargs and a marker string that
  appears only in that object; B's user must never get that marker, on either host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Build = Callable[[Any], tuple[dict[str, Any], str]]


def _no_object(actors: Any) -> tuple[dict[str, Any], str]:
    return {}, actors.owner_a.phone


@dataclass(frozen=True)
class Case:
    private: bool
    build: Build = _no_object
    methods: tuple[str, ...] = ("get",)
    data: dict[str, Any] = field(default_factory=dict)


def Public(**kwargs: Any) -> Case:  # noqa: N802
    return Case(private=False, **kwargs)


def Private(**kwargs: Any) -> Case:  # noqa: N802
    return Case(private=True, **kwargs)


def _kwargs(**values: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        return dict(values), actors.owner_a.phone

    return build


def _handoff_token(actors: Any) -> tuple[dict[str, Any], str]:
    """A real, valid hand-off token for A's owner: B's host must refuse it."""
    from portals.console.handoff import handoff_token_make

    return {"token": handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)}, (
        actors.owner_a.phone
    )


def _domain_request(kind: str) -> Build:
    """A domain request of tenant A (public table) whose hostname is the marker."""

    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from tenants.models import DomainRequest

        request = DomainRequest.objects.create(
            provider=actors.tenant_a,
            kind=kind,
            hostname=f"secret-{kind}-a.example",
            status="verifying" if kind == "custom" else "pending",
            txt_token="isolation-token",
        )
        return {"pk": request.pk}, request.hostname

    return build


def _domain_list(actors: Any) -> tuple[dict[str, Any], str]:
    _kwargs, hostname = _domain_request("subdomain")(actors)
    return {}, hostname


CASES: dict[str, Case] = {
    "healthz": Public(),
    "set_language": Public(methods=("post",), data={"language": "en", "next": "/"}),
    "api-schema": Public(),
    "api-docs": Public(),
    "api-me": Private(),
    "console:login": Public(),
    "console:logout": Public(methods=("post",)),
    "console:home": Private(),
    "console:portal-qr": Private(build=_kwargs(kind="png")),
    "portal:home": Public(),
    "tls-ask": Public(),
    "console:handoff": Public(build=_handoff_token),
    # Domain forms post and redirect; a GET shows the page they belong to (POSTs: test_console_domains).
    "console:domains": Private(build=_domain_list),
    "console:domain-subdomain": Private(build=_domain_list),
    "console:domain-custom": Private(build=_domain_list),
    "console:domain-detail": Private(build=_domain_request("custom")),
    "console:domain-verify": Private(build=_domain_request("custom")),
    "console:domain-cancel": Private(build=_domain_request("subdomain")),
}
