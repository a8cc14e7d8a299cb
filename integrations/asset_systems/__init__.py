"""TENANT SCHEMA — two-way sync with a provider's external asset system (绑定一葫芦系统).

A provider on a plan with the ``asset_sync`` entitlement binds one external system (Snipe-IT or any
REST system described by a field mapping). Then: serial lookups fall through to it
(``lookup.asset_lookup_anywhere``), new orders are pushed to it after commit, and status changes
there (webhook or periodic pull) become lifecycle transitions through ``repair_forms`` services,
so the reporter hears about them through the normal notification outbox.

What must stay true: an external failure never blocks or loses a customer's report; credentials
are stored only sealed (``integrations.crypto``) and never logged; every call is in the sync log.
"""
