"""Thai dictionary order: the ICU collation "thai" on PostgreSQL (SQLite registers a collation of
the same name on each connection, core.collation), and provinces sorted by it."""

import django.db.models.functions.comparison
from django.db import migrations, models

from core.collation import create_postgresql_collation, drop_postgresql_collation


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_duplicate_report"),
    ]

    operations = [
        migrations.RunPython(
            create_postgresql_collation, drop_postgresql_collation, elidable=False
        ),
        migrations.AlterModelOptions(
            name="province",
            options={
                "ordering": [
                    models.OrderBy(django.db.models.functions.comparison.Collate("name", "thai"))
                ],
                "verbose_name": "จังหวัด",
                "verbose_name_plural": "จังหวัด",
            },
        ),
    ]
