"""FY2563's two reporting rounds: 6 months (to 31 Mar 2563) and 12 months (to 30 Sep 2563).
Admins add the 3- and 9-month rounds, and change the due dates, in the browser."""

import datetime as dt

from django.db import migrations

ROUNDS = [
    ("รอบ 6 เดือน", dt.date(2020, 3, 31), dt.date(2020, 4, 30)),
    ("รอบ 12 เดือน", dt.date(2020, 9, 30), dt.date(2020, 10, 31)),
]


def create(apps, schema_editor):
    IndicatorSet = apps.get_model("indicators", "IndicatorSet")
    Round = apps.get_model("reporting", "Round")
    HistoricalRound = apps.get_model("reporting", "HistoricalRound")
    indicator_set = IndicatorSet.objects.filter(agency_code="พส.", fiscal_year=2563).first()
    if indicator_set is None:
        return
    for name, as_of, due_on in ROUNDS:
        round_, created = Round.objects.get_or_create(
            indicator_set=indicator_set, as_of=as_of, defaults={"name": name, "due_on": due_on}
        )
        if created:
            fields = {f.attname: getattr(round_, f.attname) for f in Round._meta.concrete_fields}
            fields.pop("version", None)
            HistoricalRound.objects.create(
                **fields,
                history_date=round_.created_at,
                history_type="+",
                history_change_reason="กำหนดรอบของปีงบประมาณ 2563",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("indicators", "0002_fy2563_set"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
