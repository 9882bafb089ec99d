"""The first admin of a new installation: ``manage.py createadmin --username somchai``.

Creates a user with the ``admin`` role (auth group) and a profile, audited as made by the system.
The password is asked for twice (checked by AUTH_PASSWORD_VALIDATORS), or, with ``--generate``
(or ``--noinput``), a one-time password is generated and printed once. An existing user is given
the admin role with ``--existing`` (nothing else about them changes). The user is not a Django
superuser: the app's /users/ pages are where roles are given; ``createsuperuser`` remains for the
Django admin at /admin/ (superusers also count as admins in the app).
"""

import getpass

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Action, AuditEntry
from accounts.passwords import generate_password, validate_password_thai
from core.models import Profile
from core.roles import ADMIN, ROLE_LABELS


class Command(BaseCommand):
    help = "สร้างผู้ดูแลระบบ (บทบาท admin) คนแรกของระบบ"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--generate",
            action="store_true",
            help="สร้างรหัสผ่านครั้งเดียวและพิมพ์ออกมา แทนการถามรหัสผ่าน",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_true", help="ไม่ถาม (เท่ากับ --generate)"
        )
        parser.add_argument("--existing", action="store_true", help="ให้บทบาทผู้ดูแลระบบแก่ผู้ใช้ที่มีอยู่แล้ว")

    def handle(self, *args, **options):
        username = options["username"].strip()
        if not username:
            raise CommandError("กรุณาระบุ --username")
        group = Group.objects.filter(name=ADMIN).first()
        if group is None:
            raise CommandError("ยังไม่มีบทบาท admin ในฐานข้อมูล: รัน manage.py migrate ก่อน")
        existing = User.objects.filter(username__iexact=username).first()
        if existing is not None:
            if not options["existing"]:
                raise CommandError(
                    f"มีผู้ใช้ {existing.username} อยู่แล้ว (ใช้ --existing เพื่อให้บทบาทผู้ดูแลระบบ)"
                )
            with transaction.atomic():
                user = User.objects.select_for_update().get(pk=existing.pk)
                if not user.groups.filter(pk=group.pk).exists():
                    user.groups.add(group)
                    AuditEntry.objects.create(
                        target=user, action=Action.ROLE_GIVEN, detail=ROLE_LABELS[ADMIN]
                    )
                Profile.objects.get_or_create(user=user)
            self.stdout.write(self.style.SUCCESS(f"{user.username} เป็นผู้ดูแลระบบแล้ว"))
            return

        candidate = User(
            username=username,
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
        )
        generated = options["generate"] or options["noinput"]
        password = generate_password() if generated else self._ask_password(candidate)
        with transaction.atomic():
            candidate.set_password(password)
            candidate.save()
            candidate.groups.add(group)
            Profile.objects.create(user=candidate)
            AuditEntry.objects.create(
                target=candidate, action=Action.CREATED, detail=f"{username} (คำสั่ง createadmin)"
            )
            AuditEntry.objects.create(
                target=candidate, action=Action.ROLE_GIVEN, detail=ROLE_LABELS[ADMIN]
            )
        self.stdout.write(self.style.SUCCESS(f"สร้างผู้ดูแลระบบ {username} แล้ว"))
        if generated:
            self.stdout.write(f"รหัสผ่านครั้งเดียว (แสดงครั้งเดียว): {password}")
        self.stdout.write("เข้าสู่ระบบแล้วจัดการผู้ใช้ได้ที่ /users/")

    def _ask_password(self, candidate: User) -> str:
        for _attempt in range(3):
            first = getpass.getpass("รหัสผ่าน: ")
            second = getpass.getpass("ยืนยันรหัสผ่าน: ")
            if first != second:
                self.stderr.write("รหัสผ่านทั้งสองครั้งไม่ตรงกัน")
                continue
            try:
                validate_password_thai(first, candidate)
            except ValidationError as exc:
                for message in exc.messages:
                    self.stderr.write(message)
                continue
            return first
        raise CommandError("ตั้งรหัสผ่านไม่สำเร็จ")
