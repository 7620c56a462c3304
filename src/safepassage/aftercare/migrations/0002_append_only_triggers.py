"""Database triggers that refuse UPDATE and DELETE on the payment ledger and claim approvals,
so that not even raw SQL through the application's connection rewrites who was paid."""

from django.db import migrations

TABLES = ("aftercare_ledgerentry", "aftercare_claimapproval")

SQLITE = """
CREATE TRIGGER {table}_no_{op} BEFORE {OP} ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
"""
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION safepassage_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END;
$$ LANGUAGE plpgsql;
"""
POSTGRES = """
CREATE TRIGGER {table}_no_{op} BEFORE {OP} ON {table}
FOR EACH ROW EXECUTE FUNCTION safepassage_append_only();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)  # its % is plpgsql, not a parameter
    template = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor)
    if template is None:
        raise RuntimeError(f"no append-only triggers for {vendor}")
    for table in TABLES:
        for op in ("update", "delete"):
            schema_editor.execute(template.format(table=table, op=op, OP=op.upper()))


def backwards(apps, schema_editor):
    for table in TABLES:
        for op in ("update", "delete"):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op} ON {table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
