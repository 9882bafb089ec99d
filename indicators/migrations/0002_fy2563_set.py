from django.db import migrations

from indicators import fy2563


def load(apps, schema_editor):
    fy2563.load(
        apps.get_model("indicators", "IndicatorSet"),
        apps.get_model("indicators", "Indicator"),
        apps.get_model("indicators", "Baseline"),
        apps.get_model("indicators", "Deliverable"),
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
