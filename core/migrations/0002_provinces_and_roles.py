from django.db import migrations

from core.provinces import PROVINCES
from core.roles import ROLE_LABELS


def load(apps, schema_editor):
    Province = apps.get_model("core", "Province")
    Group = apps.get_model("auth", "Group")
    for code, name, name_en in PROVINCES:
        Province.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    for role in ROLE_LABELS:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
