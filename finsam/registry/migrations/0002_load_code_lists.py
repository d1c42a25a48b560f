"""Load the code lists of ``finsam.domain.codelists`` as versioned reference data."""

from django.db import migrations


def load(apps, schema_editor):
    from finsam.domain.codelists import ALL_CODE_LISTS, LAW_START

    Entry = apps.get_model("registry", "CodeListEntry")
    for code_list in ALL_CODE_LISTS:
        for order, code in enumerate(code_list.codes):
            Entry.objects.update_or_create(
                list_name=code_list.name, code=code.code, valid_from=LAW_START,
                defaults={"label": code.label, "label_en": code.label_en, "bit": code.bit,
                          "sort_order": order, "note": code.note})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
