"""Credentials are sealed at rest and never written to the sync log or the application log."""

from __future__ import annotations

import logging

from django.db import connection

from integrations.asset_systems import services
from integrations.asset_systems.lookup import asset_lookup_anywhere
from integrations.asset_systems.models import AssetSystemBinding, SyncLogEntry
from integrations.asset_systems.tests.helpers import bind_generic, bind_snipeit


def raw_binding_columns() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_sealed, session_token_sealed, webhook_secret_sealed, secret_hint "
            "FROM asset_systems_assetsystembinding"
        )
        return [str(value) for row in cursor.fetchall() for value in row]


def test_the_database_holds_only_ciphertext(premium, cast, generic):
    generic.assets.append({"id": "A1", "asset_no": "M-1", "serial": "S-1"})
    binding = bind_generic(cast.admin, generic)
    assert asset_lookup_anywhere("S-1") is not None  # signed in: a session token is stored too
    session_token = next(iter(generic.tokens))

    columns = raw_binding_columns()

    stored = " ".join(columns)
    assert generic.password not in stored
    assert session_token not in stored
    assert binding.webhook_secret not in stored
    assert columns[0].startswith("gAAAAA")  # a Fernet token
    assert AssetSystemBinding.objects.get().secret == generic.password  # and it still decrypts


def test_no_secret_reaches_the_sync_log_or_the_application_log(premium, cast, generic, snipeit, caplog):
    caplog.set_level(logging.DEBUG)
    generic.assets.append({"id": "A1", "asset_no": "M-1", "serial": "S-1"})
    bind_generic(cast.admin, generic)
    asset_lookup_anywhere("S-1")
    session_token = next(iter(generic.tokens))
    generic.misbehave["/api/ping"] = "500"
    services.binding_test(actor=cast.admin, binding=AssetSystemBinding.objects.get())
    generic.misbehave["/api/login"] = "unauthorized"
    generic.tokens.clear()
    asset_lookup_anywhere("S-2")
    secrets = [generic.password, session_token]

    logged = " ".join(f"{e.request_summary} {e.error}" for e in SyncLogEntry.objects.all()) + " ".join(
        r.getMessage() for r in caplog.records
    )

    assert SyncLogEntry.objects.count() >= 4
    for secret in secrets:
        assert secret not in logged


def test_a_bearer_token_is_never_logged_either(premium, cast, snipeit, caplog):
    caplog.set_level(logging.DEBUG)
    bind_snipeit(cast.admin, snipeit, token="tok-" + "s3cr3t" * 6)
    asset_lookup_anywhere("NOT-THERE")
    logged = " ".join(f"{e.request_summary} {e.error}" for e in SyncLogEntry.objects.all()) + " ".join(
        r.getMessage() for r in caplog.records
    )
    assert "s3cr3t" not in logged


def test_secret_looking_query_parameters_are_redacted_in_the_log():
    from integrations.asset_systems.client import redact_path

    assert redact_path("/api/assets?serial=S-1&access_token=abc&sign=xyz") == (
        "/api/assets?serial=S-1&access_token=***&sign=***"
    )
