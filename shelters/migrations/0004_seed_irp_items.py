"""The IRP form's 14 items, seeded with this project's placeholder texts: the department's
document names only the four domains and the count of items (SPEC §3). Admins replace the texts
with the form's own wording at /shelters/irp-items/. The texts are copied here (not imported from
the models) so that the migration stays as it was written."""

from django.db import migrations

ITEMS = [
    (1, "ด้านร่างกาย", "สุขภาพร่างกายโดยทั่วไปและการดูแลเมื่อเจ็บป่วย"),
    (2, "ด้านร่างกาย", "การดูแลสุขอนามัยและความสะอาดของตนเอง"),
    (3, "ด้านร่างกาย", "การกิน การนอน และการพักผ่อน"),
    (4, "ด้านร่างกาย", "การเคลื่อนไหวและการทำกิจวัตรประจำวันด้วยตนเอง"),
    (5, "ด้านจิตใจ/อารมณ์", "การควบคุมอารมณ์และการแสดงออกอย่างเหมาะสม"),
    (6, "ด้านจิตใจ/อารมณ์", "การเห็นคุณค่าและความภาคภูมิใจในตนเอง"),
    (7, "ด้านจิตใจ/อารมณ์", "สัมพันธภาพและการอยู่ร่วมกับผู้อื่น"),
    (8, "ด้านสติปัญญา", "การรับรู้วัน เวลา สถานที่ และบุคคล"),
    (9, "ด้านสติปัญญา", "การสื่อสาร การอ่าน และการเขียน"),
    (10, "ด้านสติปัญญา", "การคิด การตัดสินใจ และการแก้ปัญหา"),
    (11, "ด้านศักยภาพในการดำรงชีพ", "ทักษะอาชีพและการทำงาน"),
    (12, "ด้านศักยภาพในการดำรงชีพ", "การจัดการเงินและทรัพย์สินของตนเอง"),
    (13, "ด้านศักยภาพในการดำรงชีพ", "ความรับผิดชอบและการปฏิบัติตามกฎระเบียบ"),
    (14, "ด้านศักยภาพในการดำรงชีพ", "ความพร้อมในการกลับสู่ครอบครัวและชุมชน"),
]


def seed(apps, schema_editor):
    IrpItem = apps.get_model("shelters", "IrpItem")
    for number, domain, text in ITEMS:
        IrpItem.objects.get_or_create(number=number, defaults={"domain": domain, "text": text})


def unseed(apps, schema_editor):
    apps.get_model("shelters", "IrpItem").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("shelters", "0003_assessment_version_irpitem")]

    operations = [migrations.RunPython(seed, unseed)]
