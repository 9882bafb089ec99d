"""Give the FY2563 set, loaded by 0002, its first audit records, so the first edit shows a diff."""

from django.db import migrations
from django.utils import timezone

MODELS = ["IndicatorSet", "Indicator", "Baseline", "Deliverable"]


def create(apps, schema_editor):
    now = timezone.now()
    for name in MODELS:
        model = apps.get_model("indicators", name)
        history = apps.get_model("indicators", f"Historical{name}")
        fields = [f.attname for f in model._meta.concrete_fields]
        existing = set(history.objects.values_list("id", flat=True).distinct())
        history.objects.bulk_create(
            history(
                **{f: getattr(obj, f) for f in fields},
                history_date=now,
                history_type="+",
                history_change_reason="ชุดตัวชี้วัดตามเอกสาร สำนักงาน ก.พ.ร.",
            )
            for obj in model.objects.exclude(id__in=existing)
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_fy2563_set")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
