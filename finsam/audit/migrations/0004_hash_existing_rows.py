"""Hash the rows written before the chain existed, in the order they were written, start the
chain head, and put the append-only triggers back (now with TRUNCATE on PostgreSQL)."""

from django.db import migrations

from finsam.audit import chain, schema


def forwards(apps, schema_editor):
    AuditLog = apps.get_model("audit", "AuditLog")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    seq, prev = 0, chain.GENESIS
    for row in AuditLog.objects.using(db).order_by("id").iterator(chunk_size=2000):
        seq += 1
        values = {name: getattr(row, name) for name in chain.HASHED_FIELDS}
        values.update(seq=seq, prev_hash=prev)
        row_hash = chain.compute_hash(values)
        AuditLog.objects.using(db).filter(pk=row.pk).update(
            seq=seq, prev_hash=prev, row_hash=row_hash
        )
        prev = row_hash
    AuditChainHead.objects.using(db).update_or_create(
        pk=1, defaults={"seq": seq, "last_hash": prev}
    )
    schema.create_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    schema.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain_fields")]
    operations = [migrations.RunPython(forwards, backwards)]
