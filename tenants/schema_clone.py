"""Copy a schema's DDL (and its few rows) into a new schema, in the caller's transaction.

Replaying ~60 migrations costs seconds per tenant; django-tenants' PL/pgSQL clone 1–4 s. Reading the
catalog once and issuing the DDL as one batch takes a fraction of a second. Names of indexes and
constraints are kept exactly (later migrations drop them by name), identity columns get their own
sequences, and foreign keys are added last. ``schema_signature`` lets tests prove a clone is
identical to its source.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.utils import CursorWrapper


def qn(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class UnsupportedSchemaObject(RuntimeError):
    """The template holds an object kind the cloner does not copy (view, function, sequence...)."""


def _tables(cursor: CursorWrapper, schema: str) -> list[str]:
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname
        """,
        [schema],
    )
    return [row[0] for row in cursor.fetchall()]


def _refuse_unsupported(cursor: CursorWrapper, schema: str) -> None:
    cursor.execute(
        """
        SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('v', 'm', 'f')
           OR (n.nspname = %s AND c.relkind = 'S' AND NOT EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = %s
        """,
        [schema, schema, schema],
    )
    extra = cursor.fetchall()
    if extra:
        raise UnsupportedSchemaObject(f"{schema} holds objects the cloner does not copy: {extra}")


def clone_schema(cursor: CursorWrapper, source: str, target: str) -> None:
    """Create ``target`` as a copy of ``source``: tables, data, indexes, constraints, sequences."""
    _refuse_unsupported(cursor, source)
    tables = _tables(cursor, source)
    # Read definitions with only the source on the search path so they come back unqualified and
    # resolve to the target when replayed there.
    cursor.execute(f"SET LOCAL search_path TO {qn(source)}")
    cursor.execute(
        """
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.contype
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'f', 'x')
        ORDER BY CASE con.contype WHEN 'f' THEN 1 ELSE 0 END, c.relname, con.conname
        """,
        [source],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                          AND con.contype IN ('p', 'u', 'x'))
        ORDER BY 1
        """,
        [source],
    )
    rows = cursor.fetchall()
    # pg_get_indexdef always qualifies the table ("ON source.table"); drop that qualifier.
    cursor.execute("SELECT quote_ident(%s)", [source])
    qualifier = f" ON {cursor.fetchone()[0]}."
    only_qualifier = f" ON ONLY {qualifier[4:]}"
    indexes = [row[0].replace(only_qualifier, " ON ONLY ", 1).replace(qualifier, " ON ", 1) for row in rows]
    cursor.execute(
        """
        SELECT c.relname, a.attname
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND a.attidentity IN ('a', 'd') AND c.relkind IN ('r', 'p')
        """,
        [source],
    )
    identities = cursor.fetchall()

    statements: list[str] = [f"CREATE SCHEMA {qn(target)}", f"SET LOCAL search_path TO {qn(target)}"]
    like = "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING CONSTRAINTS INCLUDING STORAGE"
    for table in tables:
        statements.append(f"CREATE TABLE {qn(table)} (LIKE {qn(source)}.{qn(table)} {like})")
    for table in tables:
        statements.append(f"INSERT INTO {qn(table)} SELECT * FROM {qn(source)}.{qn(table)}")
    for table, column in identities:
        statements.append(
            f"SELECT setval(pg_get_serial_sequence('{qn(target)}.{qn(table)}', '{column}'), "
            f"COALESCE((SELECT MAX({qn(column)}) FROM {qn(table)}), 0) + 1, false)"
        )
    for table, name, definition, _kind in constraints:
        statements.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
    statements.extend(indexes)
    cursor.execute(";\n".join(statements))
    cursor.execute("SET LOCAL search_path TO public")


def _canonical(definition: str) -> str:
    """PostgreSQL deparses a re-parsed predicate with casts placed differently
    (``ARRAY['a'::varchar]::text[]`` vs ``ARRAY[('a'::varchar)::text]``); compare without them."""
    without_casts = re.sub(r"::[a-z_ ]+(\[\])?", "", definition)
    return re.sub(r"[()\s]", "", without_casts)


def schema_signature(cursor: CursorWrapper, schema: str) -> dict[str, Any]:
    """Everything that must match between a template and its clone, schema-name free."""
    cursor.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY 1, 2
        """,
        [schema],
    )
    columns = cursor.fetchall()
    cursor.execute(
        """
        SELECT c.relname, con.conname, con.contype,
               replace(pg_get_constraintdef(con.oid), %s, '')
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1, 2
        """,
        [schema + ".", schema],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT ic.relname, replace(pg_get_indexdef(i.indexrelid), %s, '')
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE n.nspname = %s ORDER BY 1
        """,
        [qn(schema) + ".", schema],
    )
    indexes = [(name, _canonical(d.replace(f"{schema}.", ""))) for name, d in cursor.fetchall()]
    return {"columns": columns, "constraints": constraints, "indexes": indexes}
