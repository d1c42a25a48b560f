"""Load the shipped default parameter table(s) of ``finsam.domain.socioeconomics`` as version 1."""

from django.db import migrations


def load(apps, schema_editor):
    from finsam.domain.socioeconomics.parameters import (
        default_parameter_years,
        default_parameters,
    )

    ParameterSet = apps.get_model("socioeconomics", "ParameterSet")
    ParameterRow = apps.get_model("socioeconomics", "ParameterRow")
    for year in default_parameter_years():
        if ParameterSet.objects.filter(valid_year=year, is_default=True).exists():
            continue
        table = default_parameters(year)
        parameter_set = ParameterSet.objects.create(
            valid_year=year,
            version=1,
            is_default=True,
            source_notes=(
                "Standardtabell som levereras med Finsam. Alla belopp är avrundade "
                "storleksordningar och antaganden som ska granskas lokalt; källan anges per rad."
            ),
        )
        ParameterRow.objects.bulk_create(
            ParameterRow(
                parameter_set=parameter_set,
                position=position,
                item=row.item,
                actor=row.actor,
                monthly_sek=row.monthly_sek,
                source=row.source,
                year=row.year,
                assumption=row.assumption,
                note=row.note,
            )
            for position, row in enumerate(table.rows, start=1)
        )


def unload(apps, schema_editor):
    apps.get_model("socioeconomics", "ParameterSet").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("socioeconomics", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
