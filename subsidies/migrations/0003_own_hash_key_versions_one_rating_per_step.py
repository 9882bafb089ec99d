"""The app's own hash key (independent of SECRET_KEY), edit versions, one rating per citizen and
application per step, one check per citizen, application, step and day.

The status checks recorded so far carry keys derived from SECRET_KEY. They are re-keyed here with
the new secret, from the national IDs of the applications (so this must run with the SECRET_KEY
they were made with); a check of a national ID no application holds any more keeps its old key.
"""

import hashlib
import hmac
import secrets

import django.db.models.deletion
from django.db import migrations, models


def _digest(secret: str, purpose: str, value: str) -> str:
    key = hashlib.sha256(f"kpitracker.subsidies.{purpose}:{secret}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def make_key_and_rekey(apps, schema_editor):
    from django.conf import settings
    from django.db.models import Case, CharField, Value, When

    HashKey = apps.get_model("subsidies", "HashKey")
    Application = apps.get_model("subsidies", "Application")
    StatusCheck = apps.get_model("subsidies", "StatusCheck")
    db = schema_editor.connection.alias
    key = HashKey.objects.using(db).filter(pk=1).first()
    if key is None:
        key = HashKey.objects.using(db).create(pk=1, secret=secrets.token_hex(32))
    if not StatusCheck.objects.using(db).exists():
        return
    old_new = {}
    for nid in Application.objects.using(db).values_list("national_id", flat=True).distinct():
        old_new[_digest(settings.SECRET_KEY, "citizen", nid)] = _digest(key.secret, "citizen", nid)
    keys = StatusCheck.objects.using(db).values_list("citizen_key", flat=True).distinct()
    present = [k for k in keys.iterator() if k in old_new]
    for start in range(0, len(present), 500):
        chunk = present[start : start + 500]
        StatusCheck.objects.using(db).filter(citizen_key__in=chunk).update(
            citizen_key=Case(
                *[When(citizen_key=old, then=Value(old_new[old])) for old in chunk],
                output_field=CharField(),
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0002_stepentry_ordering"),
    ]

    operations = [
        migrations.CreateModel(
            name="HashKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("secret", models.CharField(max_length=128)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "กุญแจแฮชของระบบตรวจสอบสถานะ",
                "verbose_name_plural": "กุญแจแฮชของระบบตรวจสอบสถานะ",
            },
        ),
        migrations.AddField(
            model_name="application",
            name="submission_token",
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="application",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="submission_token",
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="rating",
            name="application",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="subsidies.application",
            ),
        ),
        migrations.AddField(
            model_name="rating",
            name="citizen_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="rating",
            name="step",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (1, "รับคำขอ"),
                    (2, "การตรวจสอบข้อเท็จจริง"),
                    (3, "เตรียมเสนอคณะกรรมการฯ (One Home)"),
                    (4, "ผลการพิจารณาของคณะกรรมการฯ"),
                    (5, "อนุมัติการช่วยเหลือ"),
                ],
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="statuscheck",
            name="application",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="subsidies.application",
                verbose_name="คำขอ",
            ),
        ),
        migrations.AddField(
            model_name="statuscheck",
            name="step",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "รับคำขอ"),
                    (2, "การตรวจสอบข้อเท็จจริง"),
                    (3, "เตรียมเสนอคณะกรรมการฯ (One Home)"),
                    (4, "ผลการพิจารณาของคณะกรรมการฯ"),
                    (5, "อนุมัติการช่วยเหลือ"),
                ],
                null=True,
                verbose_name="ขั้นตอนขณะตรวจสอบ",
            ),
        ),
        migrations.AddConstraint(
            model_name="rating",
            constraint=models.UniqueConstraint(
                fields=("citizen_key", "application", "step"),
                name="subsidy_one_rating_per_citizen_and_step",
            ),
        ),
        migrations.AddConstraint(
            model_name="statuscheck",
            constraint=models.UniqueConstraint(
                fields=("citizen_key", "application", "step", "checked_on"),
                name="subsidy_one_check_per_day_and_step",
            ),
        ),
        migrations.RunPython(make_key_and_rekey, migrations.RunPython.noop),
    ]
