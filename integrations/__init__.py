"""TENANT SCHEMA — WeChat (account binding, callback, menu, template messages, OAuth, JS-SDK),
notification delivery (outbox and channels), external asset systems, SMS gateways, map links."""
