"""The volunteers app's forms. What a record may hold is asked of ``volunteers.rules`` (as the
import resources ask it), so a form and a file refuse the same values with the same Thai: the
birth and service dates, the people served, a result's hours and score, a plan target's year,
measure, specialty, service type and figure. The pasted-table form cleans each cell with the
``services`` import's own columns (``volunteers.resources.ServiceResource``)."""

from django import forms
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.forms import inlineformset_factory, modelformset_factory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import duplicates
from core.forms import BootstrapMixin, NationalIdField, ThaiDateField
from core.models import Province, province_of
from core.nationalid import is_valid, normalize
from core.once import OnceMixin
from core.rules import add_problems
from core.versioned import VersionedForm
from volunteers import rules
from volunteers.models import (
    LESSON_CHOICES,
    Course,
    Enrolment,
    Path,
    Plan,
    PlanTarget,
    Service,
    Specialty,
    Status,
    Volunteer,
)
from volunteers.resources import ServiceResource
from volunteers.rules import ACTIVE_NEEDS_CERTIFICATION

__all__ = ["ACTIVE_NEEDS_CERTIFICATION"]  # and the forms below


def leave_range_to_rules(field: forms.Field) -> None:
    """The field's own range and decimal-places checks go: the rule that the import asks too
    says what is wrong, in its words (Django's would say it first, in others)."""
    ranges = (MinValueValidator, MaxValueValidator, DecimalValidator)
    field.validators = [v for v in field.validators if not isinstance(v, ranges)]


class CheckboxChoices(forms.CheckboxSelectMultiple):
    """Checkboxes side by side, each box with its label on one line (Bootstrap form-check):
    the default markup put Bootstrap's checkbox class on the wrapper, which squeezed every
    label to one word a line over the fields below."""

    template_name = "volunteers/widgets/checkbox_choices.html"


VERSION = "version"
NATIONAL_ID_RACE = _("เลขประจำตัวประชาชนนี้เพิ่งถูกบันทึกในทะเบียนระหว่างที่ท่านกรอก")


class EditVersioned(VersionedForm):
    """core.versioned's check (a new plan or target row carries no version), and the values
    each existing row was opened with, so that only the rows an officer changed are saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            remember_opened_values(self)

    def has_changed(self) -> bool:
        return has_changed_data(self)


def has_changed_data(form) -> bool:
    """Changed by the user: the data fields, not the version the form carries."""
    return any(name != VERSION for name in form.changed_data)


def remember_opened_values(form) -> None:
    """Each data field also carries, hidden, the value the page was opened with, so that
    ``has_changed`` tells what this user changed from what someone else changed meanwhile."""
    for name, field in form.fields.items():
        if name not in (VERSION, "id", "DELETE"):
            field.show_hidden_initial = True


class VolunteerForm(OnceMixin, BootstrapMixin, forms.ModelForm):
    """The volunteer's own details. Training, certificate, registration and card fields are not
    here (they change through their own actions); the status ``ขึ้นทะเบียนแล้ว`` only through
    certification. An edit carries the record's ``version``: a stale one is refused."""

    national_id = NationalIdField(label=_("เลขประจำตัวประชาชน"))
    birth_date = ThaiDateField(label=_("วันเกิด"), required=False)
    specialties = forms.ModelMultipleChoiceField(
        Specialty.objects.all(),
        required=False,
        widget=CheckboxChoices,
        label=_("ความเชี่ยวชาญเฉพาะด้าน"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Volunteer
        fields = [
            "national_id",
            "title",
            "first_name",
            "last_name",
            "birth_date",
            "sex",
            "phone",
            "province",
            "district",
            "sub_district",
            "kind",
            "specialties",
            "status",
        ]

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        provinces = Province.objects.visible_to(user)
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first().pk
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        status = self.fields["status"]
        if not rules.may_be_active(
            registered=self.instance.is_certified, status=self.instance.status
        ):
            status.choices = [c for c in status.choices if c[0] != Status.ACTIVE]
            status.help_text = _("สถานะ “ขึ้นทะเบียนแล้ว” ระบบตั้งให้เมื่อผ่านการอบรม")
        status.error_messages["invalid_choice"] = ACTIVE_NEEDS_CERTIFICATION

    def duplicate_error(self, value) -> forms.ValidationError | None:
        """The refusal of a national ID another volunteer has: with a link within the user's
        scope; outside it, the neutral text (nothing of the other record) and a report to the
        admins (core.duplicates)."""
        existing = Volunteer.objects.filter(national_id=value).exclude(pk=self.instance.pk).first()
        if existing is None:
            return None
        if Volunteer.objects.visible_to(self.user).filter(pk=existing.pk).exists():
            return forms.ValidationError(
                format_html(
                    gettext('เลขประจำตัวประชาชนนี้มีในทะเบียนแล้ว: <a href="{}">{}</a>'),
                    reverse("volunteers:detail", args=[existing.pk]),
                    existing.full_name,
                ),
                code="duplicate",
            )
        province = province_of(self.user)
        duplicates.report("volunteer", value, self.user, where=province.name if province else "")
        return forms.ValidationError(duplicates.OUT_OF_SCOPE_TEXT, code="duplicate")

    def taken_error(self, value) -> forms.ValidationError:
        """The refusal when the unique index (or Django's unique check) says the national ID
        is taken: another officer saved it after ``clean_national_id`` looked. The same message
        as the check gives when the other record is found, else the race's own text."""
        return self.duplicate_error(value) or forms.ValidationError(
            NATIONAL_ID_RACE, code="duplicate"
        )

    def clean_national_id(self):
        value = self.cleaned_data["national_id"]
        error = self.duplicate_error(value)
        if error is not None:
            raise error
        return value

    def validate_unique(self):
        # Django's own check runs after clean_national_id and, when another officer's save
        # lands between the two, would say "อพม. และ เลขประจำตัวประชาชน มีอยู่แล้ว" (its generic
        # text, without the link or the out-of-scope rule). Give this form's message instead.
        super().validate_unique()
        if self.has_error("national_id", code="unique"):
            del self._errors["national_id"]
            self.add_error("national_id", self.taken_error(self.instance.national_id))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        add_problems(self, rules.volunteer(birth_date=data.get("birth_date"), today=today))
        return data

    def save_onto(self, locked: Volunteer) -> Volunteer:
        """Write this form's own fields (and nothing else) onto ``locked``, the row as it is
        now under select_for_update; the version moves on (Volunteer.save)."""
        names = [n for n in self.Meta.fields if n != "specialties"]
        for name in names:
            attname = Volunteer._meta.get_field(name).get_attname()  # type: ignore[union-attr]
            setattr(locked, attname, getattr(self.instance, attname))
        locked.save(update_fields=names)
        self.instance = locked
        self._save_m2m()  # type: ignore[attr-defined]  # Django's own, after the fields
        return locked


class CourseForm(OnceMixin, BootstrapMixin, forms.ModelForm):
    start_date = ThaiDateField(label=_("วันเริ่ม"))
    end_date = ThaiDateField(label=_("วันสิ้นสุด"))

    class Meta:
        model = Course
        fields = ["kind", "title", "province", "place", "start_date", "end_date", "hours"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", gettext("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม"))
        return data


class EnrolForm(OnceMixin, BootstrapMixin, forms.Form):
    """Participants for a course: found by a search (``q``, then ticked: ``volunteer``) and/or
    pasted national IDs; previewed (volunteers/enrolling.py), then enrolled all at once."""

    q = forms.CharField(
        label=_("ค้นหา อพม. (ชื่อ นามสกุล หรือเลขประจำตัวประชาชน 13 หลัก)"),
        required=False,
        max_length=100,
    )
    volunteer = forms.TypedMultipleChoiceField(
        label=_("อพม. ที่เลือกจากการค้นหา"), required=False, coerce=int, choices=()
    )
    national_ids = forms.CharField(
        label=_("หรือวางเลขประจำตัวประชาชนของ อพม. ที่เข้าอบรม"),
        required=False,
        max_length=60_000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace"}),
        help_text=_(
            "หนึ่งเลขต่อบรรทัด หรือคั่นด้วยเว้นวรรค/จุลภาค (เฉพาะ อพม. ในทะเบียนของท่าน) ใช้เลขไทยหรือมีขีดคั่นก็ได้"
        ),
    )

    def __init__(self, *args, user=None, course=None, **kwargs):
        self.user, self.course = user, course
        super().__init__(*args, **kwargs)
        # Any number may be sent; the preview decides which are in the officer's scope.
        self.fields["volunteer"].valid_value = lambda value: str(value).isdigit()

    previewed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_volunteer(self):
        return list(dict.fromkeys(self.cleaned_data.get("volunteer") or []))[:500]

    def fingerprint(self) -> str:
        """What a preview was made of: a confirm of other inputs is previewed again first."""
        import hashlib

        text = self.cleaned_data.get("national_ids") or ""
        picked = ",".join(str(p) for p in sorted(self.cleaned_data.get("volunteer") or []))
        return hashlib.sha256(f"{normalize(text)}|{picked}".encode()).hexdigest()


class ResultForm(VersionedForm, BootstrapMixin, forms.ModelForm):
    """One enrolment's results; carries the enrolment's ``version`` (core/versioned.py)."""

    TEST_CHOICES = [("", _("ยังไม่มีผล")), ("1", _("ผ่าน")), ("0", _("ไม่ผ่าน"))]
    test_passed = forms.TypedChoiceField(
        label=_("ผลแบบทดสอบความรู้"),
        choices=TEST_CHOICES,
        required=False,
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    lessons = forms.TypedMultipleChoiceField(
        label=_("บทเรียนออนไลน์ที่เรียนจบ"),
        choices=LESSON_CHOICES,
        coerce=int,
        required=False,
        widget=CheckboxChoices,
    )

    class Meta:
        model = Enrolment
        fields = ["hours_attended", "session_attended", "test_passed", "test_score"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["lessons"] = [lc.lesson for lc in self.instance.lessons.all()]
            self.initial["test_passed"] = {True: "1", False: "0"}.get(self.instance.test_passed, "")
        if self.instance.course.kind == Path.WORKSHOP:
            del self.fields["lessons"]
            del self.fields["session_attended"]
        else:
            self.fields["hours_attended"].help_text = gettext("ไม่บังคับสำหรับ E-Learning")
        for name in ("hours_attended", "test_score"):
            leave_range_to_rules(self.fields[name])

    def clean(self):
        data = super().clean()
        add_problems(
            self,
            rules.result(
                hours_attended=data.get("hours_attended"),
                test_score=data.get("test_score"),
                course_hours=self.instance.course.hours,
            ),
        )
        for name in ("hours_attended", "test_score"):
            if data.get(name) is not None:
                data[name] = rules.tenths(data[name])
        return data


class ResultRowForm(ResultForm):
    """A row of the course's results page: the same fields and checks as ResultForm; each field
    also carries, hidden, the value the page was opened with, so that ``has_changed`` tells the
    rows this officer changed from the rows someone else changed meanwhile."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.instance.volunteer.full_name if self.instance.volunteer_id else ""
        remember_opened_values(self)
        for field_name, field in self.fields.items():
            if field_name in (VERSION, "id"):
                continue
            field.help_text = ""
            field.widget.attrs["aria-label"] = f"{field.label}: {name}"
        if "lessons" in self.fields:
            self.fields["lessons"].choices = [(n, str(n)) for n, _label in LESSON_CHOICES]
            self.fields["lessons"].widget.attrs.pop("aria-label", None)
        for field_name in ("hours_attended", "test_score"):
            self.fields[field_name].widget.attrs.update(
                {"inputmode": "decimal", "style": "width: 5.5rem"}
            )

    def has_changed(self) -> bool:
        return has_changed_data(self)


ResultFormSet = modelformset_factory(
    Enrolment,
    form=ResultRowForm,
    fields=["hours_attended", "session_attended", "test_passed", "test_score"],
    extra=0,
    can_delete=False,
)


class ServiceForm(OnceMixin, BootstrapMixin, forms.ModelForm):
    volunteer_national_id = NationalIdField(label=_("เลขประจำตัวประชาชนของ อพม."))
    date = ThaiDateField(label=_("วันที่ให้บริการ"))

    class Meta:
        model = Service
        fields = [
            "volunteer_national_id",
            "date",
            "service_type",
            "target_group",
            "people_served",
            "person_name",
            "area",
            "note",
        ]

    def __init__(self, *args, user=None, volunteer=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if volunteer is not None:
            self.fields["volunteer_national_id"].initial = volunteer.national_id
        people = self.fields["people_served"]
        people.required = False  # empty: one person, as in a pasted table or a file
        leave_range_to_rules(people)

    def clean(self):
        data = super().clean()
        if data.get("people_served") is None and "people_served" not in self.errors:
            data["people_served"] = rules.PEOPLE_DEFAULT
        add_problems(
            self,
            rules.service(
                day=data.get("date"),
                people_served=data.get("people_served"),
                today=timezone.localdate(),
            ),
        )
        return data

    def clean_volunteer_national_id(self):
        value = self.cleaned_data["volunteer_national_id"]
        volunteer = Volunteer.objects.visible_to(self.user).filter(national_id=value).first()
        if volunteer is None:
            raise forms.ValidationError(gettext("ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน"))
        self.instance.volunteer = volunteer
        self.instance.province_id = volunteer.province_id
        return value


# The pasted table's columns, in order: the ``services`` import's columns of the same names clean
# each cell (so the same words, dates and numbers are accepted), under these headers.
BULK_FIELDS = ("national_id", "date", "service_type", "target_group", "people_served", "area")
BULK_HEADERS = {
    "national_id": _("เลขประจำตัวประชาชน อพม."),
    "date": _("วันที่"),
    "service_type": _("ประเภทบริการ"),
    "target_group": _("กลุ่มเป้าหมาย"),
    "people_served": _("จำนวนคน"),
    "area": _("พื้นที่"),
}
BULK_COLUMNS = format_lazy(" | ".join("{}" for _name in BULK_FIELDS), *BULK_HEADERS.values())
BULK_MAX_ROWS = 2000


def _cell_error(line: int, field: str, message) -> tuple[int, int, str]:
    """A pasted row's problem, worded as the import preview words a file's (with where it is,
    to list the problems row by row, column by column)."""
    text = gettext("แถว %(row)s, %(column)s: %(message)s") % {
        "row": line,
        "column": BULK_HEADERS[field],
        "message": message,
    }
    return line, BULK_FIELDS.index(field), text


class BulkServiceForm(OnceMixin, BootstrapMixin, forms.Form):
    """Services pasted from a spreadsheet: one a line, columns separated by tabs (or |). Each
    cell is cleaned as the ``services`` import cleans it, each row checked by the same
    ``rules.service``; every problem is named by row and column, and nothing is saved while
    any row has one."""

    rows = forms.CharField(
        label=_("ตารางบริการ (วางจากสเปรดชีต)"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "font-monospace"}),
        help_text=format_lazy(
            _("คอลัมน์: {columns} — คั่นด้วยแท็บหรือ | ; ประเภทบริการและกลุ่มเป้าหมาย ใช้คำภาษาไทยหรือรหัสก็ได้"),
            columns=BULK_COLUMNS,
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_rows(self):
        lines = [
            (n, line)
            for n, line in enumerate(self.cleaned_data["rows"].splitlines(), 1)
            if line.strip()
        ]
        if len(lines) > BULK_MAX_ROWS:
            raise forms.ValidationError(gettext("วางได้ไม่เกิน 2,000 แถวต่อครั้ง"))
        columns = ServiceResource()
        today = timezone.localdate()
        parsed, errors = [], []
        for n, line in lines:
            texts = [c.strip() for c in (line.split("\t") if "\t" in line else line.split("|"))]
            texts += [""] * (len(BULK_FIELDS) - len(texts))
            if n == lines[0][0] and not is_valid(normalize(texts[0])) and "ประชาชน" in line:
                continue  # a header row
            row, problems = {}, []
            for name, text in zip(BULK_FIELDS, texts, strict=False):
                try:
                    row[name] = columns.clean_cell(name, text)
                except ValueError as exc:
                    problems.append(_cell_error(n, name, exc))
                    continue
                if row[name] is None and name in rules.SERVICE_NEEDS:
                    problems.append(_cell_error(n, name, rules.SERVICE_NEEDS[name]))
            if row.get("people_served") is None:
                row["people_served"] = rules.PEOPLE_DEFAULT
            day, people = row.get("date"), row.get("people_served")
            for problem in rules.service(day=day, people_served=people, today=today):
                problems.append(_cell_error(n, problem.field, problem.message))
            if problems:
                errors += problems
                continue
            parsed.append({**row, "line": n, "area": row["area"] or ""})
        volunteers = {
            v.national_id: v
            for v in Volunteer.objects.visible_to(self.user).filter(
                national_id__in={r["national_id"] for r in parsed}
            )
        }
        for row in parsed:
            row["volunteer"] = volunteers.get(row["national_id"])
            if row["volunteer"] is None:
                message = gettext("ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน")
                errors.append(_cell_error(row["line"], "national_id", message))
        if errors:
            raise forms.ValidationError([text for *_where, text in sorted(errors)])
        if not parsed:
            raise forms.ValidationError(gettext("ไม่มีแถวข้อมูล"))
        return parsed


class PlanForm(EditVersioned, BootstrapMixin, forms.ModelForm):
    approved_on = ThaiDateField(label=_("วันที่หัวหน้าส่วนราชการเห็นชอบ"), required=False)

    class Meta:
        model = Plan
        fields = ["title", "first_year", "last_year", "approved_on", "approved_by", "note"]

    def clean(self):
        data = super().clean()
        if (
            data.get("first_year")
            and data.get("last_year")
            and data["last_year"] < data["first_year"]
        ):
            self.add_error("last_year", gettext("ปีสิ้นสุดต้องไม่ก่อนปีเริ่ม"))
        return data


class PlanTargetForm(EditVersioned, BootstrapMixin, forms.ModelForm):
    """A row of the plan's targets: ``rules.plan_target``, as the ``plan-targets`` import."""

    class Meta:
        model = PlanTarget
        fields = [
            "fiscal_year",
            "measure",
            "label",
            "province",
            "specialty",
            "service_type",
            "planned",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("fiscal_year", "planned"):
            leave_range_to_rules(self.fields[name])

    def clean(self):
        data = super().clean()
        add_problems(
            self,
            rules.plan_target(
                plan=self.instance.plan if self.instance.plan_id else None,
                fiscal_year=data.get("fiscal_year"),
                measure=data.get("measure"),
                specialty=data.get("specialty"),
                service_type=data.get("service_type"),
                planned=data.get("planned"),
            ),
        )
        return data


PlanTargetFormSet = inlineformset_factory(
    Plan, PlanTarget, form=PlanTargetForm, extra=3, can_delete=True
)
