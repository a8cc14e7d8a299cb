"""Run inside the fault stack's environment (``python -m tests.faults.seed``): a signed-in customer of
tenant A (a session row, as a browser would hold), a catalog path, the SMS template ids, and JSON
on stdout for the test to use."""

from __future__ import annotations

import json

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import schema_context

    from accounts.services import customer_get_or_create
    from repair_forms.asset_services import catalog_path_get_or_create
    from tenants.models import Domain

    domain = Domain.objects.select_related("tenant").get(domain__startswith="tenant-a.")
    with schema_context(domain.tenant.schema_name):
        customer = customer_get_or_create(phone="13700009001", name="故障演练")
        user = get_user_model().objects.get(pk=customer.user_id)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        brand, category, model = catalog_path_get_or_create(brand="惠普", category="打印机", model="M1005")
    print(
        json.dumps(
            {
                "host": domain.domain,
                "schema": domain.tenant.schema_name,
                "session": session.session_key,
                "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
            }
        )
    )


if __name__ == "__main__":
    main()
