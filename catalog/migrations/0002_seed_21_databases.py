"""Load the 21 databases of the FY2563 document's table and the external agencies it names."""

from django.db import migrations


def seed(apps, schema_editor):
    from catalog.seed import DATASETS, EXTERNAL_AGENCIES

    Dataset = apps.get_model("catalog", "Dataset")
    ExternalAgency = apps.get_model("catalog", "ExternalAgency")
    for name, abbreviation in EXTERNAL_AGENCIES:
        ExternalAgency.objects.get_or_create(name=name, defaults={"abbreviation": abbreviation})
    for number, title, owner in DATASETS:
        Dataset.objects.get_or_create(number=number, defaults={"title": title, "owner": owner})


def unseed(apps, schema_editor):
    from catalog.seed import DATASETS

    apps.get_model("catalog", "Dataset").objects.filter(
        number__in=[n for n, _, _ in DATASETS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
