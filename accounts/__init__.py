"""TENANT SCHEMA — the provider's people: staff and their roles (admin, dispatcher, supervisor,
engineer); later customer companies, their managers and end customers.

Each tenant schema has its own ``auth_user`` table, so a login exists in one provider only. A
person's login name is their phone number.
"""
