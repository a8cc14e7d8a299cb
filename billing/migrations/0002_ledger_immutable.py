"""The ledger is append-only in the database too: UPDATE and DELETE on billing_ledgerentry fail."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION billing_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'billing ledger entries are immutable (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_ledger_immutable
    BEFORE UPDATE OR DELETE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION billing_ledger_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS billing_ledger_immutable ON billing_ledgerentry;
DROP FUNCTION IF EXISTS billing_ledger_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_accounts_plans_orders_ledger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
