"""The registry change log and the triggers that fill it (see ``finsam.reports.models``)."""

from django.db import migrations, models

LOG = "reports_registrychange"
TABLES = ("registry_episode", "registry_participant")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in TABLES:
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_changed_{op.lower()} AFTER {op} ON {table} "
                    f"BEGIN INSERT INTO {LOG} (id, xact, n, token) VALUES (1, NULL, 1, random()) "
                    "ON CONFLICT (id) DO UPDATE SET n = n + 1, token = random(); END;"
                )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION finsam_registry_changed() RETURNS trigger AS $$ "
            f"BEGIN INSERT INTO {LOG} (xact, n, token) "
            "VALUES (pg_current_xact_id()::text::bigint, 1, "
            "(random() * 2147483647)::bigint) ON CONFLICT (xact) DO UPDATE "
            f"SET n = {LOG}.n + 1, token = EXCLUDED.token; "
            "RETURN NULL; END; $$ LANGUAGE plpgsql;"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION finsam_registry_changed();"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_changed_{op};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table};")


class Migration(migrations.Migration):
    initial = True
    dependencies = [("registry", "0002_load_code_lists")]
    operations = [
        migrations.CreateModel(
            name="RegistryChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("xact", models.BigIntegerField(null=True, unique=True)),
                ("n", models.BigIntegerField(default=1)),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "registerändring",
                "verbose_name_plural": "registerändringar",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
