"""Import kinds of the shelters app: facilities, residents, assessments, discharges (SPEC §7)."""

from collections import namedtuple

from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import cells
from core.models import Province
from imports.resources import (
    KpiResource,
    RowProblem,
    chunks,
    column,
    each_chunk,
    need,
    register,
    render_date,
)
from shelters.models import (
    ITEM_FIELDS,
    PERCENT_MAX,
    PERCENT_MIN,
    Assessment,
    DischargeReason,
    Facility,
    FacilityKind,
    Resident,
    Sex,
    TargetGroup,
    percent_of_items,
)

KIND = cells.Coded(dict(FacilityKind.choices))
SEX = cells.Coded(dict(Sex.choices))
TARGET_GROUP = cells.Coded(dict(TargetGroup.choices), {"ผู้ป่วยจิตเวช": "psychiatric"})
REASON = cells.Coded(
    dict(DischargeReason.choices),
    {"ทำงานในสถานประกอบการ": "employment", "อื่นๆ": "other", "ส่งต่อหน่วยงานอื่น": "transfer"},
)
FACILITY_HEADERS = {"facility_code": "รหัสหน่วยงาน", "case_number": "เลขทะเบียนผู้รับบริการ"}


def _facilities(rows) -> dict[str, Facility]:
    codes = {r.get("facility_code") for r in rows if r.get("facility_code")}
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
    for part in each_chunk(Resident.objects.all(), "facility_id", facility_ids):
        queryset = part.values_list(*ResidentRef._fields).iterator(5000)
        found |= {(r.facility_id, r.case_number): r for r in map(ResidentRef._make, queryset)}
    return found


def _resident_context(rows) -> dict:
    """What rows naming residents by (facility code, case number) need, in a few queries."""
    facilities = _facilities(rows)
    return {
        "facilities": facilities,
        "residents": _residents(rows, facilities),
        "today": timezone.localdate(),
    }


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
    province = column("province", cells.text, "province__name")
    thai_headers = {
        "code": "รหัสหน่วยงาน",
        "name": "ชื่อหน่วยงาน",
        "kind": "ประเภท",
        "province": "จังหวัด",
    }
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
        provinces = {}
        for p in Province.objects.all():
            provinces.update({p.name: p, p.code: p, p.name_en.lower(): p})
        return {"provinces": provinces}

    def resolve(self, row, ctx):
        code = need(row, "code", "ต้องระบุรหัสหน่วยงาน")
        name = need(row, "name", "ต้องระบุชื่อหน่วยงาน")
        kind = need(row, "kind", "ต้องระบุประเภท")
        label = need(row, "province", "ต้องระบุจังหวัด")
        province = ctx["provinces"].get(label) or ctx["provinces"].get(label.lower())
        if province is None:
            raise RowProblem("province", f"ไม่พบจังหวัด '{label}'")
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
    thai_headers = {
        **FACILITY_HEADERS,
        "full_name": "ชื่อ-นามสกุล",
        "sex": "เพศ",
        "birth_date": "วันเกิด",
        "national_id": "เลขประจำตัวประชาชน",
        "target_group": "กลุ่มเป้าหมาย",
        "admitted_on": "วันที่รับเข้า",
        "discharged_on": "วันที่จำหน่าย",
        "discharge_reason": "เหตุที่จำหน่าย",
    }
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
        for name in ("birth_date", "admitted_on", "discharged_on"):
            if values[name] and values[name] > today:
                raise RowProblem(name, "วันที่อยู่ในอนาคต")
        if values["discharged_on"] and values["discharged_on"] < values["admitted_on"]:
            raise RowProblem("discharged_on", "วันที่จำหน่ายต้องไม่ก่อนวันที่รับเข้า")
        if bool(values["discharged_on"]) != bool(values["discharge_reason"]):
            column_name = "discharge_reason" if values["discharged_on"] else "discharged_on"
            raise RowProblem(column_name, "วันที่จำหน่ายและเหตุที่จำหน่ายต้องกรอกคู่กัน")
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


@register
class AssessmentResource(KpiResource):
    kind = "assessments"
    label = gettext_lazy("ผลการประเมิน IRP")
    order = 30
    facility_code = column("facility_code", cells.code_text, "resident__facility__code")
    case_number = column("case_number", cells.code_text, "resident__case_number")
    assessed_on = column("assessed_on", cells.date, "assessed_on", render_date)
    percent = column("percent", cells.decimal, "percent")
    thai_headers = {
        **FACILITY_HEADERS,
        "assessed_on": "วันที่ประเมิน",
        "percent": "ร้อยละคะแนน",
        **{f"item_{n}": f"ข้อ {n}" for n in range(1, 15)},
    }
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
        return {
            **_resident_context(rows),
            "has_items": any(f in row for row in rows[:1] for f in ITEM_FIELDS),
        }

    def resolve(self, row, ctx):
        resident = _resident(row, ctx)
        day = need(row, "assessed_on", "ต้องระบุวันที่ประเมิน")
        if day > ctx["today"]:
            raise RowProblem("assessed_on", "วันที่ประเมินอยู่ในอนาคต")
        if day < resident.admitted_on:
            raise RowProblem("assessed_on", "วันที่ประเมินอยู่ก่อนวันที่รับเข้า")
        if resident.discharged_on and day > resident.discharged_on:
            raise RowProblem("assessed_on", "วันที่ประเมินอยู่หลังวันที่จำหน่าย")
        values = {"resident_id": resident.pk, "assessed_on": day}
        items = [row.get(f) for f in ITEM_FIELDS] if ctx["has_items"] else None
        if items and any(v is not None for v in items):
            for name, value in zip(ITEM_FIELDS, items, strict=True):
                if value is None:
                    raise RowProblem(name, "ต้องกรอกคะแนนครบทั้ง 14 ข้อ หรือกรอกร้อยละคะแนนอย่างเดียว")
                if not 1 <= value <= 10:
                    raise RowProblem(name, f"คะแนน {value} ต้องอยู่ระหว่าง 1 ถึง 10")
            values.update(zip(ITEM_FIELDS, items, strict=True))
            values["percent"] = percent_of_items(items)
        else:
            percent = need(row, "percent", "ต้องระบุร้อยละคะแนน")
            if not PERCENT_MIN <= percent <= PERCENT_MAX:
                raise RowProblem("percent", f"ร้อยละคะแนน {percent} ต้องอยู่ระหว่าง 10 ถึง 100")
            values["percent"] = percent
            if items is not None:  # item columns present but empty: the percent alone stands
                values.update(dict.fromkeys(ITEM_FIELDS))
        return (resident.pk, day), values

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


for _n in range(1, 15):
    AssessmentResource.fields[f"item_{_n}"] = column(f"item_{_n}", cells.integer, f"item_{_n}")


@register
class DischargeResource(KpiResource):
    kind = "discharges"
    label = gettext_lazy("การจำหน่ายผู้รับบริการ")
    order = 40
    facility_code = column("facility_code", cells.code_text, "facility__code")
    case_number = column("case_number", cells.code_text, "case_number")
    discharged_on = column("discharged_on", cells.date, "discharged_on", render_date)
    discharge_reason = column("discharge_reason", REASON, "discharge_reason")
    thai_headers = {
        **FACILITY_HEADERS,
        "discharged_on": "วันที่จำหน่าย",
        "discharge_reason": "เหตุที่จำหน่าย",
    }
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
        return _resident_context(rows)

    def resolve(self, row, ctx):
        resident = _resident(row, ctx)
        day = need(row, "discharged_on", "ต้องระบุวันที่จำหน่าย")
        reason = need(row, "discharge_reason", "ต้องระบุเหตุที่จำหน่าย")
        if day > ctx["today"]:
            raise RowProblem("discharged_on", "วันที่จำหน่ายอยู่ในอนาคต")
        if day < resident.admitted_on:
            raise RowProblem("discharged_on", "วันที่จำหน่ายต้องไม่ก่อนวันที่รับเข้า")
        return resident.pk, {"discharged_on": day, "discharge_reason": reason}

    def existing(self, keys, ctx):
        wanted = set(keys)
        return {r.pk: r for r in ctx["residents"].values() if r.pk in wanted}
