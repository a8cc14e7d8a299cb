"""TENANT SCHEMA — visitor appointments (seed 003, 学校预约访客): invitation codes bound to a phone,
visit applications with encrypted ID numbers, the per-tenant approval chain (ordered steps with an
optional condition, e.g. the seed's branch by visitor type), passes (signed, time-boxed QR) and gate
checks. Every decision is an ``ApplicationEvent`` on one timeline, which ``integrations`` fans out
into notifications as it does for order events.

Screens and API live in ``portals``; this app knows nothing of WeChat, SMS or Celery.
"""
