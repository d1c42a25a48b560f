"""Load the starter deviation categories (ours, ``spec/indicators.md`` §2) into the versioned
code lists, where the administrator edits them (list ``deviation_category``)."""

from django.db import migrations


def load(apps, schema_editor):
    from finsam.domain.codelists import LAW_START
    from finsam.domain.deviations import CATEGORIES

    Entry = apps.get_model("registry", "CodeListEntry")
    for order, code in enumerate(CATEGORIES.codes):
        Entry.objects.get_or_create(
            list_name=CATEGORIES.name, code=code.code, valid_from=LAW_START,
            defaults={"label": code.label, "label_en": code.label_en, "sort_order": order,
                      "note": "Startlista (Finsam) – redigerbar."})


def unload(apps, schema_editor):
    from finsam.domain.deviations import CATEGORIES

    apps.get_model("registry", "CodeListEntry").objects.filter(list_name=CATEGORIES.name).delete()


class Migration(migrations.Migration):
    dependencies = [("deviations", "0001_initial"), ("registry", "0002_load_code_lists")]
    operations = [migrations.RunPython(load, unload)]
