"""PUBLIC SCHEMA — providers (tenants), their domains, provisioning and tenant resolution.

Everything that crosses schemas (``schema_context``, loops over tenants) lives in
``tenants/services.py`` and the provisioning/migration commands, nowhere else.
"""
