"""Import kinds of the shelters app: facilities, residents, assessments, discharges (SPEC §7)."""

import datetime as dt
import functools
from collections import namedtuple
from operator import itemgetter

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import cells
from imports.resources import (
    KpiResource,
    Provinces,
    RowProblem,
    chunks,
    column,
    each_chunk,
    first_problem,
    need,
    register,
    render_date,
)
from shelters import rules
from shelters.models import (
    ITEM_FIELDS,
    Assessment,
    DischargeReason,
    Facility,
    FacilityKind,
    Resident,
    Sex,
    TargetGroup,
)

KIND = cells.Coded(dict(FacilityKind.choices))
SEX = cells.Coded(dict(Sex.choices))
TARGET_GROUP = cells.Coded(dict(TargetGroup.choices), {"ผู้ป่วยจิตเวช": "psychiatric"})
REASON = cells.Coded(
    dict(DischargeReason.choices),
    {"ทำงานในสถานประกอบการ": "employment", "อื่นๆ": "other", "ส่งต่อหน่วยงานอื่น": "transfer"},
)
# A percent read exactly (up to float noise): the range is checked on the value as given, then
# it is kept rounded half up (shelters.rules.score).
EXACT = 10


# cells.decimal(value, EXACT), without a Python call of its own (it runs for every cell).
exact_decimal = functools.partial(cells.decimal, places=EXACT)


def _facilities(rows) -> dict[str, Facility]:
    try:  # every cleaned row has every column of the file (one C loop)
        codes = set(map(itemgetter("facility_code"), rows))
    except KeyError:
        codes = {r.get("facility_code") for r in rows}
    codes.discard(None)
    codes.discard("")
    return {f.code: f for part in each_chunk(Facility.objects.all(), "code", codes) for f in part}


ResidentRef = namedtuple(
    "ResidentRef", "pk facility_id case_number admitted_on discharged_on discharge_reason"
)


def _residents(rows, facilities) -> dict[tuple[int, str], ResidentRef]:
    """Residents of the facilities the file names, by (facility id, case number): one query,
    light records rather than model instances."""
    facility_ids = {
        facilities[r["facility_code"]].pk for r in rows if r.get("facility_code") in facilities
    }
    found = {}
    # no ORDER BY: the residents are keyed, not listed (Meta.ordering would sort them all)
    for part in each_chunk(Resident.objects.order_by(), "facility_id", facility_ids):
        queryset = part.values_list(*ResidentRef._fields).iterator(5000)
        found |= {(r.facility_id, r.case_number): r for r in map(ResidentRef._make, queryset)}
    return found


# A resident of the assessments kind: (id, admitted on, discharged on, the last day an assessment
# may fall on: the discharge, or today if sooner or not discharged).
Case = tuple[int, dt.date, dt.date | None, dt.date]


def _cases(facilities: dict[str, Facility], today: dt.date) -> dict[str, dict[str, Case]]:
    """The residents of the facilities the file names, by facility code then case number: one
    query (a chunk of facilities), plain tuples, each resident's span worked out once. An
    assessment on ``day`` meets ``rules.assessment_date`` exactly when admitted on ≤ day ≤ the
    span's last day."""
    by_id: dict[int, dict[str, Case]] = {f.pk: {} for f in facilities.values()}
    fields = ("facility_id", "case_number", "pk", "admitted_on", "discharged_on")
    # no ORDER BY: the residents are keyed, not listed (Meta.ordering would sort them all)
    for part in each_chunk(Resident.objects.order_by(), "facility_id", by_id):
        sql, params = part.values_list(*fields).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for fid, number, pk, admitted, discharged in cursor.fetchall():
                last = discharged if discharged is not None and discharged < today else today
                by_id[fid][number] = (pk, admitted, discharged, last)
    return {code: by_id[f.pk] for code, f in facilities.items()}


def _assessed(facility_ids) -> dict[tuple[int, str], tuple[dt.date, dt.date]]:
    """The first and latest assessment dates of the facilities' assessed residents, by (facility
    id, case number): one grouped query a chunk. An admission may not move past the first, a
    discharge not before the latest (``shelters.rules``)."""
    found = {}
    for part in each_chunk(Resident.objects.all(), "facility_id", facility_ids):
        spans = (
            part.values("facility_id", "case_number")
            .annotate(first=Min("assessments__assessed_on"), last=Max("assessments__assessed_on"))
            .filter(first__isnull=False)
        )
        for fid, number, first, last in spans.values_list(
            "facility_id", "case_number", "first", "last"
        ):
            found[(fid, number)] = (first, last)
    return found


def _resident_context(rows, assessed: bool = False) -> dict:
    """What rows naming residents by (facility code, case number) need, in a few queries
    (``assessed``: their first and latest assessment dates too)."""
    facilities = _facilities(rows)
    ctx = {
        "facilities": facilities,
        "residents": _residents(rows, facilities),
        "today": timezone.localdate(),
    }
    if assessed:
        ctx["assessed"] = _assessed({f.pk for f in facilities.values()})
    return ctx


def _facility(row, ctx) -> Facility:
    code = need(row, "facility_code", "ต้องระบุรหัสหน่วยงาน")
    facility = ctx["facilities"].get(code)
    if facility is None:
        raise RowProblem("facility_code", f"ไม่พบรหัสหน่วยงาน '{code}'")
    return facility


def _resident(row, ctx) -> Resident:
    facility = _facility(row, ctx)
    number = need(row, "case_number", "ต้องระบุเลขทะเบียนผู้รับบริการ")
    resident = ctx["residents"].get((facility.pk, number))
    if resident is None:
        raise RowProblem("case_number", f"ไม่พบเลขทะเบียน '{number}' ใน {facility.code}")
    return resident


@register
class FacilityResource(KpiResource):
    kind = "facilities"
    label = gettext_lazy("หน่วยงาน (สถานคุ้มครอง/ศูนย์)")
    order = 10
    code = column("code", cells.code_text, "code")
    name = column("name", cells.text, "name")
    kind_ = column("kind", KIND, "kind")
    # The province by its Thai name, TIS 1099 code or English name (imports.resources.Provinces).
    province = column("province", cells.text, "province")
    required = ("code", "name", "kind", "province")
    example = {
        "code": "TYB-M",
        "name": "สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        "kind": "shelter",
        "province": "ปทุมธานี",
    }
    update_fields = ("name", "kind", "province_id")
    key_fields = ("code",)

    model = Facility

    def context(self, rows):
        return {"provinces": Provinces()}

    def resolve(self, row, ctx):
        code = need(row, "code", "ต้องระบุรหัสหน่วยงาน")
        name = need(row, "name", "ต้องระบุชื่อหน่วยงาน")
        kind = need(row, "kind", "ต้องระบุประเภท")
        province = ctx["provinces"].find(row, "province")
        return code, {"code": code, "name": name, "kind": kind, "province_id": province.pk}

    def existing(self, keys, ctx):
        return self.records_in(Facility.objects.all(), "code", keys, key=lambda r: r.code)


@register
class ResidentResource(KpiResource):
    kind = "residents"
    label = gettext_lazy("ผู้รับบริการ")
    order = 20
    facility_code = column("facility_code", cells.code_text, "facility__code")
    case_number = column("case_number", cells.code_text, "case_number")
    full_name = column("full_name", lambda v: cells.text(v, 200), "full_name")
    sex = column("sex", SEX, "sex")
    birth_date = column("birth_date", cells.date, "birth_date", render_date)
    national_id = column("national_id", cells.national_id, "national_id")
    target_group = column("target_group", TARGET_GROUP, "target_group")
    admitted_on = column("admitted_on", cells.date, "admitted_on", render_date)
    discharged_on = column("discharged_on", cells.date, "discharged_on", render_date)
    discharge_reason = column("discharge_reason", REASON, "discharge_reason")
    required = ("facility_code", "case_number", "full_name", "target_group", "admitted_on")
    example = {
        "facility_code": "TYB-M", "case_number": "63-0001", "full_name": "นายสมชาย ใจดี",
        "sex": "ชาย", "birth_date": "01/01/2500", "national_id": "", "target_group": "คนไร้ที่พึ่ง",
        "admitted_on": "15/10/2562", "discharged_on": "", "discharge_reason": "",
    }  # fmt: skip
    update_fields = (
        "full_name", "sex", "birth_date", "national_id", "target_group", "admitted_on",
        "discharged_on", "discharge_reason",
    )  # fmt: skip
    key_fields = ("facility_id", "case_number")

    model = Resident

    def context(self, rows):
        facilities = _facilities(rows)
        ids = sorted({r["national_id"] for r in rows if r.get("national_id")})
        owners = {}
        for chunk in chunks(ids):
            rows_ = Resident.objects.filter(national_id__in=chunk)
            for nid, fid, num in rows_.values_list("national_id", "facility_id", "case_number"):
                owners[nid] = (fid, num)
        return {
            "facilities": facilities,
            "assessed": _assessed({f.pk for f in facilities.values()}),
            "id_owners": owners,
            "ids_in_file": {},
            "today": timezone.localdate(),
        }

    def resolve(self, row, ctx):
        facility = _facility(row, ctx)
        number = need(row, "case_number", "ต้องระบุเลขทะเบียนผู้รับบริการ")
        key = (facility.pk, number)
        values = {
            "facility_id": facility.pk,
            "case_number": number,
            "full_name": need(row, "full_name", "ต้องระบุชื่อ-นามสกุล"),
            "sex": row.get("sex") or "",
            "birth_date": row.get("birth_date"),
            "national_id": row.get("national_id") or "",
            "target_group": need(row, "target_group", "ต้องระบุกลุ่มเป้าหมาย"),
            "admitted_on": need(row, "admitted_on", "ต้องระบุวันที่รับเข้า"),
            "discharged_on": row.get("discharged_on"),
            "discharge_reason": row.get("discharge_reason") or "",
        }
        today = ctx["today"]
        first, last = ctx["assessed"].get(key, (None, None))
        first_problem(
            rules.resident(
                birth_date=values["birth_date"],
                admitted_on=values["admitted_on"],
                today=today,
                first_assessed_on=first,
            )
        )
        if values["discharged_on"]:
            first_problem(
                rules.discharge(
                    discharged_on=values["discharged_on"],
                    admitted_on=values["admitted_on"],
                    today=today,
                    last_assessed_on=last,
                )
            )
        first_problem(rules.discharge_pair(values["discharged_on"], values["discharge_reason"]))
        nid = values["national_id"]
        if nid:
            owner = ctx["id_owners"].get(nid)
            if owner and owner != key:
                raise RowProblem("national_id", "เลขประจำตัวประชาชนนี้มีผู้รับบริการอื่นใช้อยู่แล้ว")
            if ctx["ids_in_file"].setdefault(nid, key) != key:
                raise RowProblem("national_id", "เลขประจำตัวประชาชนซ้ำกับแถวอื่นในไฟล์")
        return key, values

    def existing(self, keys, ctx):
        facility_ids = {facility_id for facility_id, _ in keys}
        return self.records_in(
            Resident.objects.all(),
            "facility_id",
            facility_ids,
            key=lambda r: (r.facility_id, r.case_number),
        )


def _item(n: int):
    return column(f"item_{n}", cells.integer, f"item_{n}")


@register
class AssessmentResource(KpiResource):
    kind = "assessments"
    label = gettext_lazy("ผลการประเมิน IRP")
    order = 30
    facility_code = column("facility_code", cells.code_text, "resident__facility__code")
    case_number = column("case_number", cells.code_text, "resident__case_number")
    assessed_on = column("assessed_on", cells.date, "assessed_on", render_date)
    percent = column("percent", exact_decimal, "percent")
    item_1, item_2, item_3, item_4, item_5, item_6, item_7 = map(_item, range(1, 8))
    item_8, item_9, item_10, item_11, item_12, item_13, item_14 = map(_item, range(8, 15))
    required = ("facility_code", "case_number", "assessed_on")
    one_of = (("percent", "item_1"),)
    example = {
        "facility_code": "TYB-M",
        "case_number": "63-0001",
        "assessed_on": "15/03/2563",
        "percent": "72.50",
    }
    update_fields = ("percent", *ITEM_FIELDS)
    key_fields = ("resident_id", "assessed_on")

    model = Assessment

    def context(self, rows):
        """The facilities the file names and their residents (one query each, light tuples:
        ``_cases``), today, whether the file has item columns, and the percents already
        checked (``rules.score``'s result for a percent alone, filled as rows are resolved)."""
        facilities = _facilities(rows)
        today = timezone.localdate()
        return {
            "facilities": facilities,
            "cases": _cases(facilities, today),
            "today": today,
            "has_items": any(f in row for row in rows[:1] for f in ITEM_FIELDS),
            "percents": {},
        }

    def resolve(self, row, ctx):
        """The same rules as the assessment form (``shelters.rules``): the 14 items give the
        percent and a percent beside them must agree; a percent alone is 10–100 as given.

        Quick for the usual row, a percent alone: a known resident (``_cases``), a day within
        the resident's stay (the span ``rules.assessment_date`` allows, worked out once a
        resident) and a percent ``rules.score`` has already kept as it is. Any other row (a
        problem to name, items, a percent not seen yet) takes ``_resolve_checked``, which asks
        the rules themselves."""
        try:
            case = ctx["cases"][row["facility_code"]][row["case_number"]]
            day = row["assessed_on"]
            percent = ctx["percents"][row["percent"]]
            if case[1] <= day <= case[3] and not ctx["has_items"]:
                pk = case[0]
                return (pk, day), {"resident_id": pk, "assessed_on": day, "percent": percent}
        except (KeyError, TypeError):  # not known, not seen yet, or missing: the rules say why
            pass
        return self._resolve_checked(row, ctx)

    def _resolve_checked(self, row, ctx):
        facility = _facility(row, ctx)
        number = need(row, "case_number", "ต้องระบุเลขทะเบียนผู้รับบริการ")
        case = ctx["cases"][facility.code].get(number)
        if case is None:
            raise RowProblem("case_number", f"ไม่พบเลขทะเบียน '{number}' ใน {facility.code}")
        pk, admitted_on, discharged_on, _latest = case
        day = need(row, "assessed_on", "ต้องระบุวันที่ประเมิน")
        first_problem(
            rules.assessment_date(
                assessed_on=day,
                admitted_on=admitted_on,
                discharged_on=discharged_on,
                today=ctx["today"],
            )
        )
        items = [row.get(f) for f in ITEM_FIELDS] if ctx["has_items"] else None
        given = row.get("percent")
        percent, problems = rules.score(items, given)
        first_problem(problems)
        if items is None:
            ctx["percents"][given] = percent  # a percent alone: kept as it was, next time too
        values = {"resident_id": pk, "assessed_on": day, "percent": percent}
        if items is not None:  # item columns present but empty: the percent alone stands
            values.update(zip(ITEM_FIELDS, items, strict=True))
        return (pk, day), values

    def existing(self, keys, ctx):
        if not keys:
            return {}
        days = [day for _, day in keys]
        facility_ids = {f.pk for f in ctx["facilities"].values()}
        queryset = Assessment.objects.filter(assessed_on__range=(min(days), max(days)))
        return self.records_in(
            queryset,
            "resident__facility_id",
            facility_ids,
            key=lambda r: (r.resident_id, r.assessed_on),
        )


@register
class DischargeResource(KpiResource):
    kind = "discharges"
    label = gettext_lazy("การจำหน่ายผู้รับบริการ")
    order = 40
    facility_code = column("facility_code", cells.code_text, "facility__code")
    case_number = column("case_number", cells.code_text, "case_number")
    discharged_on = column("discharged_on", cells.date, "discharged_on", render_date)
    discharge_reason = column("discharge_reason", REASON, "discharge_reason")
    required = ("facility_code", "case_number", "discharged_on", "discharge_reason")
    example = {
        "facility_code": "TYB-M",
        "case_number": "63-0001",
        "discharged_on": "30/09/2563",
        "discharge_reason": "กลับสู่ครอบครัว",
    }
    update_fields = ("discharged_on", "discharge_reason")

    model = Resident

    def context(self, rows):
        return _resident_context(rows, assessed=True)

    def resolve(self, row, ctx):
        """The discharge form's rules (``shelters.rules.discharge``)."""
        resident = _resident(row, ctx)
        day = need(row, "discharged_on", "ต้องระบุวันที่จำหน่าย")
        reason = need(row, "discharge_reason", "ต้องระบุเหตุที่จำหน่าย")
        first_problem(
            rules.discharge(
                discharged_on=day,
                admitted_on=resident.admitted_on,
                today=ctx["today"],
                last_assessed_on=ctx["assessed"].get(
                    (resident.facility_id, resident.case_number), (None, None)
                )[1],
            )
        )
        return resident.pk, {"discharged_on": day, "discharge_reason": reason}

    def existing(self, keys, ctx):
        wanted = set(keys)
        return {r.pk: r for r in ctx["residents"].values() if r.pk in wanted}
