"""The isolation harness's case types, shared by ``cases.py`` and the per-area ``cases_*.py`` modules.

An area (visitors, mini-program, …) adds its routes in its own ``tests/isolation/cases_<area>.py``
with a module-level ``CASES: dict[str, Case]``; ``cases.py`` merges every such module, so no two
features edit one dict.

- ``Public``: anyone may load it on a provider's host (portal pages, login, API schema). The harness
  still checks that tenant B's signed-in user sees none of A's private markers through it.
- ``Private``: needs a signed-in member of the provider. ``build`` runs inside tenant A's schema,
  creates whatever object the route shows, and returns the URL kwargs and a marker string that
  appears only in that object; B's user must never get that marker, on either host.
  ``viewer`` (default: A's owner) makes the client of tenant A that must get a 200 — e.g. the
  customer who filed the order, or the engineer it is assigned to. ``data`` may be a function of
  the actors (for ids and files known only at run time).
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
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)
    viewer: Callable[[Any], Any] | None = None


def Public(**kwargs: Any) -> Case:  # noqa: N802
    return Case(private=False, **kwargs)


def Private(**kwargs: Any) -> Case:  # noqa: N802
    return Case(private=True, **kwargs)


def _kwargs(**values: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        return dict(values), actors.owner_a.phone

    return build


def _marker_only(build: Build) -> Build:
    """For list pages: build the object, pass no URL kwargs, look for its marker."""

    def wrapped(actors: Any) -> tuple[dict[str, Any], str]:
        return {}, build(actors)[1]

    return wrapped
