from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from accounts.passwords import generate_password, validate_password_thai
from core.forms import BootstrapMixin
from core.models import Province
from core.once import OnceMixin
from core.roles import ADMIN, FACILITY_STAFF, PROVINCIAL_OFFICER, ROLE_LABELS
from core.versioned import VersionedForm

# /users/new/ is the create page, so no user may be called "new".
RESERVED_USERNAMES = {"new"}
GENERATE, TYPED = "generate", "typed"
PASSWORD_MODES = [
    (GENERATE, _("สร้างรหัสผ่านครั้งเดียวให้ (แสดงครั้งเดียวหลังบันทึก)")),
    (TYPED, _("กำหนดรหัสผ่านเอง")),
]


def _facilities():
    from shelters.models import Facility

    return Facility.objects.select_related("province").order_by("code")


class FacilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj}"


class AccountFieldsMixin(forms.Form):
    """Details, roles and scope: shared by the create and edit forms."""

    first_name = forms.CharField(label=_("ชื่อ"), max_length=150)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("อีเมล"),
        required=False,
        error_messages={"invalid": _("รูปแบบอีเมลไม่ถูกต้อง")},
    )
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=128, required=False)
    roles = forms.MultipleChoiceField(
        label=_("บทบาท"),
        choices=[(r, _(label)) for r, label in ROLE_LABELS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("เลือกได้หลายบทบาท ผู้ที่ไม่มีบทบาทเข้าสู่ระบบได้แต่ไม่เห็นข้อมูลใด"),
    )
    province = forms.ModelChoiceField(
        label=_("จังหวัด (สำหรับเจ้าหน้าที่ พมจ.)"),
        queryset=Province.objects.all(),  # Thai dictionary order (Meta)
        required=False,
        empty_label=_("— ไม่กำหนด —"),
    )
    facility = FacilityChoiceField(
        label=_("หน่วยงาน (สำหรับเจ้าหน้าที่สถานคุ้มครองฯ)"),
        queryset=None,
        required=False,
        empty_label=_("— ไม่กำหนด —"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = _facilities()
        for name in ("first_name", "last_name", "email", "position"):
            self.fields[name].error_messages.setdefault("required", _("กรุณากรอกข้อมูลนี้"))
        self.fields["first_name"].error_messages["required"] = _("กรุณากรอกชื่อ")
        self.fields["roles"].error_messages["invalid_choice"] = _("ไม่มีบทบาทนี้")
        self.fields["province"].error_messages["invalid_choice"] = _("ไม่พบจังหวัดนี้")
        self.fields["facility"].error_messages["invalid_choice"] = _("ไม่พบหน่วยงานนี้")

    def clean(self):
        data = super().clean()
        roles = data.get("roles") or []
        province, facility = data.get("province"), data.get("facility")
        if PROVINCIAL_OFFICER in roles and not province:
            self.add_error("province", _("เจ้าหน้าที่ พมจ. ต้องกำหนดจังหวัดที่รับผิดชอบ"))
        if province and PROVINCIAL_OFFICER not in roles:
            self.add_error(
                "province",
                _("กำหนดจังหวัดได้เฉพาะผู้ที่มีบทบาทเจ้าหน้าที่ พมจ. (เลือกบทบาทหรือเลือก “ไม่กำหนด”)"),
            )
        if FACILITY_STAFF in roles and not facility:
            self.add_error("facility", _("เจ้าหน้าที่สถานคุ้มครองฯ ต้องกำหนดหน่วยงานที่สังกัด"))
        if facility and FACILITY_STAFF not in roles:
            self.add_error(
                "facility",
                _("กำหนดหน่วยงานได้เฉพาะผู้ที่มีบทบาทเจ้าหน้าที่สถานคุ้มครองฯ (เลือกบทบาทหรือเลือก “ไม่กำหนด”)"),
            )
        return data


class PasswordFieldsMixin(forms.Form):
    password_mode = forms.ChoiceField(
        label=_("รหัสผ่าน"), choices=PASSWORD_MODES, initial=GENERATE, widget=forms.RadioSelect
    )
    password1 = forms.CharField(
        label=_("รหัสผ่านใหม่"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("อย่างน้อย 8 ตัวอักษร ไม่ใช่ตัวเลขล้วน ไม่ซ้ำกับชื่อผู้ใช้ และไม่ใช่รหัสที่ใช้กันทั่วไป"),
    )
    password2 = forms.CharField(
        label=_("ยืนยันรหัสผ่านใหม่"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User:
        """The user the password is checked against (similarity to the username, names)."""
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        mode = data.get("password_mode")
        if mode == TYPED:
            p1, p2 = data.get("password1") or "", data.get("password2") or ""
            if not p1:
                self.add_error("password1", _("กรุณากรอกรหัสผ่าน"))
            elif p1 != p2:
                self.add_error("password2", _("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))
            else:
                try:
                    validate_password_thai(p1, self.password_user())
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    def new_password(self) -> tuple[str, bool]:
        """(password, generated)."""
        if self.cleaned_data["password_mode"] == GENERATE:
            return generate_password(), True
        return self.cleaned_data["password1"], False


TAKEN_TEXT = _("มีผู้ใช้ชื่อนี้แล้ว")


class UserCreateForm(OnceMixin, BootstrapMixin, PasswordFieldsMixin, AccountFieldsMixin):
    username = forms.CharField(
        label=_("ชื่อผู้ใช้ (สำหรับเข้าสู่ระบบ)"),
        max_length=150,
        help_text=_("ตัวอักษรภาษาอังกฤษ ตัวเลข และ . @ + - _ เท่านั้น"),
        error_messages={"required": _("กรุณากรอกชื่อผู้ใช้")},
    )
    field_order = ["username", "first_name", "last_name", "email", "position", "roles"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            UnicodeUsernameValidator()(username)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร ตัวเลข และ . @ + - _ (ไม่มีช่องว่าง)")
            ) from None
        if username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError(_("ชื่อนี้สงวนไว้สำหรับระบบ กรุณาใช้ชื่ออื่น"))
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(TAKEN_TEXT)
        return username

    def password_user(self) -> User:
        d = self.cleaned_data
        return User(
            username=d.get("username", ""),
            first_name=d.get("first_name", ""),
            last_name=d.get("last_name", ""),
            email=d.get("email", ""),
        )


def _initial(user: User) -> dict:
    """The edit form's values for ``user`` as they are."""
    profile = getattr(user, "profile", None)
    assignment = getattr(user, "shelter_assignment", None)
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "position": profile.position if profile else "",
        "roles": [g.name for g in user.groups.all() if g.name in ROLE_LABELS],
        "province": profile.province_id if profile else None,
        "facility": assignment.facility_id if assignment else None,
    }


class UserEditForm(VersionedForm, BootstrapMixin, AccountFieldsMixin):
    """Details, roles and scope of ``instance``: version-checked (``core.versioned``; the user's
    version is their audit stamp, ``accounts.services.with_version``)."""

    def __init__(self, data=None, *args, instance: User, actor: User, **kwargs):
        self.instance = self.target = instance
        self.actor = actor
        if data is None:
            kwargs.setdefault("initial", _initial(instance))
        super().__init__(data, *args, **kwargs)

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        if self.target.pk == self.actor.pk and ADMIN not in roles and not self.target.is_superuser:
            raise forms.ValidationError(
                _("ถอนบทบาทผู้ดูแลระบบของตนเองไม่ได้ ให้ผู้ดูแลระบบคนอื่นเป็นผู้ดำเนินการ")
            )
        return roles


class PasswordResetForm(VersionedForm, BootstrapMixin, PasswordFieldsMixin):
    """Version-checked as the edit form is: of two admins (or two clicks) setting a password at
    once, the second is refused rather than silently replacing the first one's password after it
    was shown."""

    def __init__(self, *args, instance: User, **kwargs):
        self.instance = self.target = instance
        super().__init__(*args, **kwargs)

    def password_user(self) -> User:
        return self.target


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", empty_value=None
    )
