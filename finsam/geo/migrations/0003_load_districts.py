"""Load the city districts of Stockholm and Göteborg shipped in ``finsam/data/districts.csv``."""

from django.db import migrations


def load(apps, schema_editor):
    from finsam.geo import reference

    District = apps.get_model("geo", "District")
    for row in reference.districts():
        District.objects.update_or_create(
            code=row["district_code"],
            defaults={"name": row["district_name"], "municipality_id": row["municipality_code"]},
        )


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_load_reference")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
