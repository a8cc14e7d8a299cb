"""The console search's trigram index (``repair_forms.search``).

pg_trgm is created once, in the public schema: django-tenants runs this migration in every tenant
schema with ``search_path = <tenant>, public``, and a plain ``CREATE EXTENSION`` (what
``TrigramExtension`` issues) would install it into the first tenant's schema, out of every other
tenant's reach. Tenant schemas find ``gin_trgm_ops`` through their search path; the template-schema
clone (``tenants/schema_clone.py``) copies the index like any other (its definition is read with the
opclass qualified as ``public.gin_trgm_ops``).

A second GIN index holds the document's characters, for words too short to have a trigram (蓝屏).
The indexes are raw SQL so their expression is exactly ``repair_forms.search.SEARCH_DOCUMENT_SQL`` (the
model state does not track expression indexes created here; ``test_search`` checks the planner uses
it). Creating the extension needs a role allowed to (the database owner on PostgreSQL 13+, since
pg_trgm is a trusted extension).
"""

from django.db import migrations

SEARCH_DOCUMENT_SQL = (
    'UPPER("number" || \' \' || "contact_name" || \' \' || "contact_phone" || \' \' || "machine_no"'
    " || ' ' || \"serial\" || ' ' || \"fault_description\" || ' ' || \"notes\")"
)


class Migration(migrations.Migration):
    dependencies = [
        ("repair_forms", "0004_staff_notes_internal"),
    ]

    operations = [
        # pg_trgm ships with PostgreSQL's contrib, which the embedded server (pgserver, `make run`
        # without DATABASE_URL) does not include: there the search answers the same LIKE filter
        # without the trigram index (fine at a laptop's size); every real server gets the index.
        migrations.RunSQL(
            "DO $migration$ BEGIN "
            "IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN "
            "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public; "
            "EXECUTE $index$CREATE INDEX IF NOT EXISTS order_search_trgm ON repair_forms_repairorder "
            f"USING gin (({SEARCH_DOCUMENT_SQL}) gin_trgm_ops)$index$; "
            "END IF; END $migration$",
            reverse_sql="DROP INDEX IF EXISTS order_search_trgm",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS order_search_chars ON repair_forms_repairorder "
            f"USING gin ((regexp_split_to_array({SEARCH_DOCUMENT_SQL}, '')))",
            reverse_sql="DROP INDEX IF EXISTS order_search_chars",
        ),
    ]
