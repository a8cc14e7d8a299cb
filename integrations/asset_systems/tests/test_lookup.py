"""``asset_lookup_anywhere``: local first, the external system only when bound and entitled, and
never an exception for the customer."""

from __future__ import annotations

import pytest

from integrations.asset_systems.adapters.snipeit import SnipeItAdapter
from integrations.asset_systems.lookup import asset_lookup_anywhere
from integrations.asset_systems.models import SyncLogEntry, SyncResult
from integrations.asset_systems.tests.helpers import bind_snipeit, set_plan
from repair_forms.asset_services import asset_deactivate
from repair_forms.lifecycle import Actor
from repair_forms.models import AssetSource


def test_a_local_machine_is_found_without_asking_the_external_system(premium, cast, snipeit):
    bind_snipeit(cast.admin, snipeit)

    assert asset_lookup_anywhere("sn-00000168") == cast.asset
    assert not snipeit.requests


def test_without_a_binding_nothing_external_is_asked(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-1", serial="ONLY-THERE")

    assert asset_lookup_anywhere("ONLY-THERE") is None
    assert not snipeit.requests


def test_a_plan_without_asset_sync_does_not_reach_the_external_system(actors, premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-1", serial="ONLY-THERE")
    bind_snipeit(cast.admin, snipeit)
    set_plan(actors.tenant_a, "basic")

    assert asset_lookup_anywhere("ONLY-THERE") is None
    assert not snipeit.requests


def test_a_disabled_binding_is_not_asked(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-1", serial="ONLY-THERE")
    bind_snipeit(cast.admin, snipeit, enabled=False)

    assert asset_lookup_anywhere("ONLY-THERE") is None
    assert not snipeit.requests


def test_a_private_address_is_refused_unless_the_platform_allows_it(premium, cast, snipeit, settings):
    snipeit.add_asset(asset_tag="ZC-1", serial="ONLY-THERE")
    bind_snipeit(cast.admin, snipeit)
    settings.ASSET_SYNC_ALLOW_PRIVATE_NETWORKS = False

    assert asset_lookup_anywhere("ONLY-THERE") is None
    assert not snipeit.requests
    entry = SyncLogEntry.objects.get()
    assert entry.result == SyncResult.FAILED and "127.0.0.1" in entry.error


def test_a_bug_in_an_adapter_never_reaches_the_customer(premium, cast, snipeit, monkeypatch):
    bind_snipeit(cast.admin, snipeit)

    def broken(self, query):
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(SnipeItAdapter, "lookup_asset", broken)

    assert asset_lookup_anywhere("ANYTHING") is None


def test_a_machine_switched_off_here_is_not_brought_back_by_the_external_system(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-2", serial="RETIRED-1")
    bind_snipeit(cast.admin, snipeit)
    asset = asset_lookup_anywhere("RETIRED-1")
    assert asset is not None and asset.source == AssetSource.EXTERNAL
    asset_deactivate(actor=Actor.for_staff(cast.admin), asset=asset)

    assert asset_lookup_anywhere("RETIRED-1") is None


@pytest.mark.parametrize("query", ["", "   ", "x" * 81])
def test_empty_or_overlong_queries_are_not_sent(premium, cast, snipeit, query):
    bind_snipeit(cast.admin, snipeit)

    assert asset_lookup_anywhere(query) is None
    assert not snipeit.requests
