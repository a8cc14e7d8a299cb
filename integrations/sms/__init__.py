"""SMS: a gateway with swappable backends (``dev`` records and prints, ``tencent`` talks to Tencent
Cloud SMS) and one-time verification codes kept in the cache.

Pure code, no models: ``integrations`` is a tenant app, but SMS is also used on the public site, so
the message log lives in the public schema (``saas_platform.models.SmsMessage``) and is reached
through ``settings.SMS_LOG_SINK`` (a dotted path), never imported from here.
"""
