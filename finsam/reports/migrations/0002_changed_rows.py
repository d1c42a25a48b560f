"""The change log names the changed rows (episode or participant ids), so the report extract is
patched with just those episodes instead of rebuilt; the extract's generation is kept in
:class:`~finsam.reports.models.ExtractState` (see ``finsam.reports.models``)."""

import importlib

from django.db import migrations, models

LOG = "reports_registrychange"
EPISODES, PARTICIPANTS = "registry_episode", "registry_participant"
COMPACT_ABOVE = 50_000
"""PostgreSQL: a statement that writes more rows than this logs one "everything" row instead."""


def _drop_old(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in (EPISODES, PARTICIPANTS):
        if vendor == "sqlite":
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_changed_{op};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS finsam_registry_changed();")


def _drop_new(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in (EPISODES, PARTICIPANTS):
        for op in ("insert", "update", "delete", "truncate", "idchange"):
            if vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_rows_{op};")
            elif vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_rows_{op} ON {table};")
    if vendor == "postgresql":
        for column in ("episode_id", "participant_id"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS finsam_rows_changed_{column}();")
        schema_editor.execute("DROP FUNCTION IF EXISTS finsam_registry_truncated();")


def forwards(apps, schema_editor):
    _drop_old(schema_editor)
    vendor = schema_editor.connection.vendor
    columns = {EPISODES: "episode_id", PARTICIPANTS: "participant_id"}
    if vendor == "sqlite":
        for table, column in columns.items():
            for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_rows_{op.lower()} AFTER {op} ON {table} "
                    f"BEGIN INSERT INTO {LOG} ({column}, token) VALUES ({row}.id, random() % 2147483647); "
                    "END;"
                )
            # an id changed by hand: the old one too
            schema_editor.execute(
                f"CREATE TRIGGER {table}_rows_idchange AFTER UPDATE OF id ON {table} "
                f"WHEN OLD.id <> NEW.id BEGIN INSERT INTO {LOG} ({column}, token) "
                "VALUES (OLD.id, random() % 2147483647); END;"
            )
    elif vendor == "postgresql":
        token = "(random() * 2147483647)::bigint"
        for column in columns.values():
            # statement level with transition tables: one set-based insert per statement
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION finsam_rows_changed_{column}() RETURNS trigger AS $$ "
                "DECLARE k bigint; BEGIN "
                "IF TG_OP = 'DELETE' THEN "
                "  SELECT count(*) INTO k FROM old_rows; "
                f"  IF k > {COMPACT_ABOVE} THEN INSERT INTO {LOG} (token) VALUES ({token}); "
                f"  ELSE INSERT INTO {LOG} ({column}, token) SELECT id, {token} FROM old_rows; "
                "  END IF; "
                "ELSE "
                "  SELECT count(*) INTO k FROM new_rows; "
                f"  IF k > {COMPACT_ABOVE} THEN INSERT INTO {LOG} (token) VALUES ({token}); "
                f"  ELSE INSERT INTO {LOG} ({column}, token) SELECT id, {token} FROM new_rows; "
                "  END IF; "
                "  IF TG_OP = 'UPDATE' THEN "
                f"    INSERT INTO {LOG} ({column}, token) SELECT o.id, {token} FROM old_rows o "
                "    WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id); "
                "  END IF; "
                "END IF; RETURN NULL; END; $$ LANGUAGE plpgsql;"
            )
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION finsam_registry_truncated() RETURNS trigger AS $$ "
            f"BEGIN INSERT INTO {LOG} (token) VALUES ({token}); RETURN NULL; END; "
            "$$ LANGUAGE plpgsql;"
        )
        for table, column in columns.items():
            for op, ref in (
                ("INSERT", "NEW TABLE AS new_rows"),
                ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                ("DELETE", "OLD TABLE AS old_rows"),
            ):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_rows_{op.lower()} AFTER {op} ON {table} "
                    f"REFERENCING {ref} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION finsam_rows_changed_{column}();"
                )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_rows_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION finsam_registry_truncated();"
            )
    # whatever the old log said: start with "everything changed"
    schema_editor.execute(f"DELETE FROM {LOG};")
    schema_editor.execute(f"INSERT INTO {LOG} (token) VALUES (1);")


def _old_triggers(apps, schema_editor):
    importlib.import_module("finsam.reports.migrations.0001_initial").forwards(apps, schema_editor)


def backwards(apps, schema_editor):
    _drop_new(schema_editor)
    schema_editor.execute(f"DELETE FROM {LOG};")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [
        migrations.RunPython(lambda apps, se: _drop_old(se), _old_triggers),
        migrations.RemoveField(model_name="registrychange", name="xact"),
        migrations.RemoveField(model_name="registrychange", name="n"),
        migrations.AddField(
            model_name="registrychange",
            name="episode_id",
            field=models.IntegerField(null=True),
        ),
        migrations.AddField(
            model_name="registrychange",
            name="participant_id",
            field=models.IntegerField(null=True),
        ),
        migrations.CreateModel(
            name="ExtractState",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "kolumnkopians läge",
                "verbose_name_plural": "kolumnkopians lägen",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
