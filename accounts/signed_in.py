"""The signed-in user and their customer record, read from the cache on every request.

Loading them from the database was two of a submit's round trips (``auth_user`` by the session's
user id, then ``accounts_customer`` with its company; bench/README, "Submit speed"). Here both come
from one cache entry, filled on the first request after a change and dropped on every change.

Correctness, in the order it matters:
- **Tenant keying.** Every schema has its own ``auth_user`` table, so user 7 of tenant A is not user
  7 of tenant B. The key carries the schema the request is routed to (``tenants.tenant_cache``),
  exactly like the cached session (``tenants.session_store``): an entry written for A is never
  found on B's host.
- **The session is still verified.** The cached user answers the session's auth hash like the
  database row would (a password change, which saves the user, drops the entry and signs other
  sessions out). Anything unusual — no hash, a hash from a rotated secret key, an inactive user,
  another authentication backend — goes through Django's own ``auth.get_user``, unchanged.
- **Invalidation.** Saving or deleting a user, a customer or a customer company drops the entries
  it appears in, at once and again after the commit (so a request cannot re-cache the state a
  transaction is about to replace). ``TTL_SECONDS`` bounds what a write bypassing the models
  (``QuerySet.update``) can leave behind.
- **Outages.** The fail-soft cache returns nothing when Redis is down: the database is asked.

Sign-in views keep naming ``ModelBackend`` (they need not know about this); sessions of that backend
are the ones served from the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.models import Customer, CustomerCompany
from tenants.tenant_cache import tenant_key

TTL_SECONDS = 120
CACHED_BACKENDS = frozenset({"django.contrib.auth.backends.ModelBackend"})
# Set on the request's user: its customer record as loaded with it (``selectors.customer_for_user``).
CUSTOMER_ATTR = "_signed_in_customer"
UNKNOWN: Any = object()


@dataclass(frozen=True)
class SignedIn:
    user: Any
    customer: Customer | None


def _key(user_id: Any) -> str:
    return tenant_key(f"signed-in:{user_id}")


def signed_in_user(request: HttpRequest) -> Any:
    """``django.contrib.auth.get_user(request)``, from the cache when the session allows it."""
    if getattr(request, "tenant", None) is None:
        # The public host (operator console): operators have no customer record and the public
        # schema has no customers table, so Django's own lookup, uncached.
        return auth.get_user(request)
    session = request.session
    raw_id, backend = session.get(SESSION_KEY), session.get(BACKEND_SESSION_KEY)
    if raw_id is None or backend not in CACHED_BACKENDS or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    key = _key(raw_id)
    entry = cache.get(key)
    if isinstance(entry, SignedIn) and _verified(entry.user, session.get(HASH_SESSION_KEY)):
        setattr(entry.user, CUSTOMER_ATTR, entry.customer)
        return entry.user
    user = auth.get_user(request)
    if user.is_authenticated and str(user.pk) == str(raw_id):
        customer = Customer.objects.select_related("company").filter(user_id=user.pk).first()
        _remember(key, SignedIn(user=user, customer=customer))
        setattr(user, CUSTOMER_ATTR, customer)
    return user


def _verified(user: Any, session_hash: str | None) -> bool:
    return bool(
        user.is_active and session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())
    )


def _remember(key: str, entry: SignedIn) -> None:
    if connection.in_atomic_block:  # read inside a transaction: cache it once that has committed
        transaction.on_commit(lambda: cache.set(key, entry, TTL_SECONDS), robust=True)
    else:
        cache.set(key, entry, TTL_SECONDS)


def forget_user(user_id: Any) -> None:
    """Drop ``user_id``'s entry in the current schema, now and after the commit."""
    key = _key(user_id)
    cache.delete(key)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key), robust=True)


def _user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


def _customer_changed(sender: Any, instance: Customer, **kwargs: Any) -> None:
    forget_user(instance.user_id)


def _company_changed(sender: Any, instance: CustomerCompany, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    for user_id in Customer.objects.filter(company_id=instance.pk).values_list("user_id", flat=True):
        forget_user(user_id)


def connect() -> None:
    """Called from ``AccountsConfig.ready``."""
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_user_changed, sender=get_user_model(), dispatch_uid=f"signed-in.user-{name}")
        signal.connect(_customer_changed, sender=Customer, dispatch_uid=f"signed-in.customer-{name}")
        signal.connect(_company_changed, sender=CustomerCompany, dispatch_uid=f"signed-in.company-{name}")


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` with ``request.user`` from ``signed_in_user``."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)

        def user() -> Any:
            if not hasattr(request, "_cached_user"):
                request._cached_user = signed_in_user(request)  # type: ignore[attr-defined]
            return request._cached_user  # type: ignore[attr-defined]

        request.user = SimpleLazyObject(user)  # type: ignore[assignment]
