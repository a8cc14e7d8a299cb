"""The console search at a million orders (``repair_forms.search``; figures in bench/README.md).

- ``order_search_grams`` replaces ``order_search_chars``: a GIN index over the document's characters
  *and character pairs*, so a 1- or 2-character word (蓝屏, 张) is one exact index lookup. The
  characters alone could not tell 打纸 (no order) from 打 and 纸 (each in a sixth of the orders),
  and PostgreSQL walked the whole list for it (4.6 s). Built-in immutable functions only (no
  function in the tenant schema for the schema cloner to refuse), so it exists on every server,
  the embedded one included. The expression is written here as it is in ``search.SEARCH_GRAMS_SQL``
  (``test_search`` checks they are equal).
"""

from django.db import migrations

SEARCH_DOCUMENT_SQL = (
    'UPPER("number" || \' \' || "contact_name" || \' \' || "contact_phone" || \' \' || "machine_no"'
    " || ' ' || \"serial\" || ' ' || \"fault_description\" || ' ' || \"notes\")"
)
PAIRS = "'(..)', '\\1' || chr(31), 'g'), chr(31))"
SEARCH_GRAMS_SQL = (
    f"(regexp_split_to_array({SEARCH_DOCUMENT_SQL}, '')"
    f" || regexp_split_to_array(regexp_replace({SEARCH_DOCUMENT_SQL}, {PAIRS}"
    f" || regexp_split_to_array(regexp_replace(substr({SEARCH_DOCUMENT_SQL}, 2), {PAIRS})"
)
TABLE = "repair_forms_repairorder"
CHARACTERS_SQL = f"regexp_split_to_array({SEARCH_DOCUMENT_SQL}, '')"


class Migration(migrations.Migration):
    dependencies = [
        ("repair_forms", "0006_job_sheet_charges_signature"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "DROP INDEX IF EXISTS order_search_chars",
                f"CREATE INDEX IF NOT EXISTS order_search_grams ON {TABLE} USING gin (({SEARCH_GRAMS_SQL}))",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS order_search_grams",
                f"CREATE INDEX IF NOT EXISTS order_search_chars ON {TABLE} USING gin (({CHARACTERS_SQL}))",
            ],
        ),
    ]
