"""Load the 21 counties and 290 municipalities shipped in ``finsam/data``."""

from django.db import migrations


def load(apps, schema_editor):
    from finsam.geo import reference

    County = apps.get_model("geo", "County")
    Municipality = apps.get_model("geo", "Municipality")
    for row in reference.counties():
        County.objects.update_or_create(code=row["county_code"],
                                        defaults={"name": row["county_name"]})
    for row in reference.municipalities():
        Municipality.objects.update_or_create(
            code=row["municipality_code"],
            defaults={"name": row["municipality_name"], "county_id": row["county_code"]})


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
