from django.db import migrations

SPECIALTIES = [
    ("children", "เด็กและเยาวชน"),
    ("elderly", "ผู้สูงอายุ"),
    ("disabled", "คนพิการ"),
    ("women_family", "สตรีและครอบครัว"),
    ("destitute", "คนไร้ที่พึ่ง/ผู้ทำการขอทาน"),
    ("other", "ด้านอื่น ๆ"),
]


def seed(apps, schema_editor):
    Specialty = apps.get_model("volunteers", "Specialty")
    for order, (code, name) in enumerate(SPECIALTIES, 1):
        Specialty.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
