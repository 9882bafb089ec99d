"""Import kinds of the subsidies app (SPEC §5, §7): applications and step updates.

Natural keys:

- ``applications``: the application reference (``AB3CD-7EFGH`` or ``AB3CD7EFGH``). A reference that
  is not in the system is refused (references are drawn by the system so that they cannot be
  guessed; the public status page relies on that). A row without a reference is a new
  application and gets a reference drawn the same way the app draws it
  (``subsidies.models.new_reference``), unless an application with the same national ID,
  subsidy type and received date already exists: then the row is that application, so that
  uploading the same file twice changes nothing. New applications start at step 1 with their
  first history entry, as ``services.create_application`` does.
- ``application-steps``: reference + step (one history entry per step, the app's own
  constraint). New steps must follow the app's order rule (``rules.move``: only the
  next step, a decision at step 4 only, dates not going back, nothing after "not approved");
  several steps of one application may come in one file, in any row order. An already recorded
  step may only have its note changed.

Every rule a form also applies is asked of ``subsidies.rules`` (amounts, dates, national IDs,
subsidy type spellings, notes, the step order), so a file and a form refuse the same things
with the same message. Thai headers are the models' verbose names (``headers_from_model``).
"""

from collections import defaultdict
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import cells, nationalid
from imports import writer
from imports.resources import (
    KpiResource,
    Provinces,
    RowProblem,
    chunks,
    column,
    first_problem,
    need,
    register,
    render_date,
)
from subsidies import rules, services
from subsidies.models import (
    Application,
    Decision,
    Step,
    StepEntry,
    format_reference,
    new_reference,
    normalize_reference,
)

_STEP = cells.Coded(
    {str(s.value): s.label for s in Step},
    {"เตรียมเสนอคณะกรรมการฯ": "3", "ผลการพิจารณา": "4", "อนุมัติ": "5"},
)


def step(value) -> str | None:
    """A step: its number (Thai digits too, "ขั้นตอนที่ 2") or its Thai label."""
    cleaned = cells.code_text(value, 200)
    if cleaned is None:
        return None
    return _STEP(cleaned.removeprefix("ขั้นตอนที่").strip())


DECISION = cells.Coded(dict(Decision.choices))
# Excel's own limit on a cell: longer notes are read whole, and refused by ``rules.note``.
CELL_MAX = 32_767
# An amount read to more places than it may have (float noise aside), for ``rules.amount``.
AMOUNT_READ_PLACES = 6


def _text(max_length: int):
    return lambda value: cells.text(value, max_length)


def amount(value):
    return cells.decimal(value, AMOUNT_READ_PLACES)


def national_id(value) -> str | None:
    """A national ID cell (an integer cell too), judged by ``rules.national_id``: the form's
    rule and message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    typed = cells.text(value, rules.NATIONAL_ID_TYPED_MAX)
    if typed is None:
        return None
    for problem in rules.national_id(typed):
        raise ValueError(problem.message)
    return nationalid.normalize(typed)


def reference(value) -> str | None:
    cleaned = cells.text(value, 40)
    if cleaned is None:
        return None
    ref = normalize_reference(cells.code_text(cleaned, 40))
    if not ref:
        raise ValueError(f"'{cleaned}' ไม่ใช่เลขอ้างอิง")
    return ref


def _by_reference(refs, *fields) -> dict:
    found = {}
    for chunk in chunks(sorted(set(refs))):
        queryset = Application.objects.filter(reference__in=chunk).order_by()
        for values in queryset.values("pk", "reference", *fields):
            found[values["reference"]] = values
    return found


def _unknown_reference(ref: str) -> RowProblem:
    return RowProblem("reference", f"ไม่พบคำขอเลขอ้างอิง {format_reference(ref)}")


# -- applications -----------------------------------------------------------------------------
@register
class ApplicationResource(KpiResource):
    kind = "applications"
    label = gettext_lazy("คำขอรับเงินอุดหนุน")
    order = 70
    reference_ = column("reference", reference, "reference", format_reference)
    first_name = column("first_name", _text(100), "first_name")
    last_name = column("last_name", _text(100), "last_name")
    national_id_ = column("national_id", national_id, "national_id")
    # The province by its Thai name, TIS 1099 code or English name (imports.resources.Provinces).
    province = column("province", cells.text, "province")
    subsidy_type = column("subsidy_type", rules.subsidy_type, "subsidy_type")
    amount_requested = column("amount_requested", amount, "amount_requested")
    received_on = column("received_on", cells.date, "received_on", render_date)
    required = (
        "first_name", "last_name", "national_id", "province", "subsidy_type", "amount_requested",
        "received_on",
    )  # fmt: skip
    example = {
        "reference": "", "first_name": "สมหญิง", "last_name": "ใจดี",
        "national_id": "1-1017-00230-70-8", "province": "กรุงเทพมหานคร",
        "subsidy_type": "เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อยและผู้ไร้ที่พึ่ง",
        "amount_requested": "3000", "received_on": "06/01/2563",
    }  # fmt: skip
    update_fields = (
        "first_name", "last_name", "national_id", "province_id", "subsidy_type",
        "amount_requested", "received_on",
    )  # fmt: skip
    key_fields = ("reference",)

    model = Application

    def context(self, rows):
        given = {r["reference"] for r in rows if r.get("reference")}
        known = _by_reference(given, "step", "received_on")
        # Rows without a reference: an application with the same national ID, type and received
        # date is that row's application (so that a file uploaded twice changes nothing).
        nids = {r["national_id"] for r in rows if not r.get("reference") and r.get("national_id")}
        same = defaultdict(list)
        for chunk in chunks(sorted(nids)):
            queryset = Application.objects.filter(national_id__in=chunk).order_by()
            for ref, nid, kind, day in queryset.values_list(
                "reference", "national_id", "subsidy_type", "received_on"
            ):
                same[(nid, kind, day)].append(ref)
        # References for the new rows, drawn as the app draws them, none already in use.
        wanted = sum(1 for r in rows if not r.get("reference"))
        fresh: set[str] = set()
        while len(fresh) < wanted:
            draw = {new_reference() for _ in range(wanted - len(fresh))} - fresh
            taken = set(
                Application.objects.filter(reference__in=draw).values_list("reference", flat=True)
            )
            fresh |= draw - taken
        # The date of the first step after "received", per application (the edit form's rule).
        later = {}
        ids = [a["pk"] for a in known.values()]
        for chunk in chunks(ids):
            queryset = StepEntry.objects.filter(application_id__in=chunk, step__gt=Step.RECEIVED)
            for app_id, day in queryset.values_list("application_id", "acted_on").order_by():
                later[app_id] = min(day, later.get(app_id, day))
        return {
            "provinces": Provinces(),
            "known": known,
            "same": same,
            "fresh": sorted(fresh),
            "new_in_file": {},  # (nid, type, date) → the reference drawn for it
            "later": later,
            "today": timezone.localdate(),
            "now": timezone.now(),
        }

    def resolve(self, row, ctx):
        nid = need(row, "national_id", "ต้องระบุเลขประจำตัวประชาชน")
        kind = need(row, "subsidy_type", "ต้องระบุประเภทเงินอุดหนุน")
        day = need(row, "received_on", "ต้องระบุวันที่รับคำขอ")
        province = ctx["provinces"].find(row, "province")
        amount = need(row, "amount_requested", "ต้องระบุจำนวนเงินที่ขอ")
        first_problem(rules.amount(amount))
        amount = round(amount, rules.AMOUNT_PLACES)
        ref = row.get("reference")
        current = ctx["known"].get(ref) if ref else None
        if ref and current is None:
            raise _unknown_reference(ref)
        # The first step after step 1 of the application the row names (the edit form's rule).
        first_later = ctx["later"].get(current["pk"]) if current else None
        first_problem(rules.received_on(day, today=ctx["today"], first_later=first_later))
        values = {
            "first_name": need(row, "first_name", "ต้องระบุชื่อผู้ยื่นคำขอ"),
            "last_name": need(row, "last_name", "ต้องระบุนามสกุล"),
            "national_id": nid,
            "province_id": province.pk,
            "subsidy_type": kind,
            "amount_requested": amount,
            "received_on": day,
        }
        if ref:
            return ref, values
        matches = ctx["same"].get((nid, kind, day), [])
        if len(matches) > 1:
            refs = ", ".join(format_reference(r) for r in sorted(matches))
            raise RowProblem(
                "reference", f"มีคำขอของผู้ยื่นรายนี้ในวันเดียวกันหลายรายการ ({refs}) โปรดระบุเลขอ้างอิง"
            )
        if matches:
            return matches[0], values
        # A new application: a drawn reference; the same person, type and date twice in the
        # file get the same one, so the engine reports the second as a repeat.
        ref = ctx["new_in_file"].get((nid, kind, day))
        if ref is None:
            ref = ctx["fresh"].pop()
            ctx["new_in_file"][(nid, kind, day)] = ref
        user_id = getattr(self.user, "pk", None)
        values.update(
            reference=ref, step=Step.RECEIVED, decision="", step_on=day, created_by_id=user_id,
            created_at=ctx["now"], updated_at=ctx["now"],
        )  # fmt: skip
        return ref, values

    def existing(self, keys, ctx):
        found = {}
        for chunk in chunks(keys):
            queryset = Application.objects.filter(reference__in=chunk)
            found.update(self.records(queryset, key=lambda r: r.reference))
        return found

    def after_apply(self, created, updated, ctx):
        """New applications get their step-1 history entry (as services.create_application);
        a changed received date moves the step-1 entry with it (as the edit page does)."""
        if created:
            ids = _by_reference((v["reference"] for v in created), "received_on")
            writer.create(
                StepEntry,
                [
                    {
                        "application_id": ids[v["reference"]]["pk"],
                        "step": Step.RECEIVED,
                        "decision": "",
                        "acted_on": v["received_on"],
                        "note": "รับคำขอ",
                        "officer_id": getattr(self.user, "pk", None),
                        "recorded_at": ctx["now"],
                    }  # fmt: skip
                    for v in created
                ],
                self.user,
            )
        # A changed date received takes the step-1 entry (and the step date at step 1) with it,
        # as an edit does (services.follow_received_date): one query finds which changed.
        received = {a.pk: a for a in updated}
        first_entries = {}
        for chunk in chunks(received):
            queryset = StepEntry.objects.filter(application_id__in=chunk, step=Step.RECEIVED)
            first_entries.update(queryset.values_list("application_id", "acted_on").order_by())
        for pk, application in received.items():
            if first_entries.get(pk, application.received_on) != application.received_on:
                changed = services.follow_received_date(application)
                if changed:
                    application.save(update_fields=[*changed, "updated_at"])


# -- step updates ------------------------------------------------------------------------------
@register
class ApplicationStepResource(KpiResource):
    kind = "application-steps"
    label = gettext_lazy("ความคืบหน้าขั้นตอนคำขอรับเงินอุดหนุน")
    order = 75
    reference_ = column("reference", reference, "application__reference", format_reference)
    step = column("step", step, "step")
    acted_on = column("acted_on", cells.date, "acted_on", render_date)
    decision = column("decision", DECISION, "decision")
    note = column("note", _text(CELL_MAX), "note")
    required = ("reference", "step", "acted_on")
    example = {
        "reference": "AB3CD-7EFGH", "step": "2", "acted_on": "20/01/2563", "decision": "",
        "note": "เยี่ยมบ้านแล้ว",
    }  # fmt: skip
    update_fields = ("note",)
    key_fields = ("application_id", "step")

    model = StepEntry

    def context(self, rows):
        refs = {r["reference"] for r in rows if r.get("reference")}
        applications = _by_reference(refs, "step", "decision", "step_on")
        entries = {}
        ids = [a["pk"] for a in applications.values()]
        for chunk in chunks(ids):
            queryset = StepEntry.objects.filter(application_id__in=chunk).order_by()
            for pk, app_id, step, day, decision, note in queryset.values_list(
                "pk", "application_id", "step", "acted_on", "decision", "note"
            ):
                entries[(app_id, step)] = SimpleNamespace(
                    pk=pk, acted_on=day, decision=decision, note=note
                )
        # The app's order rule (rules.move), played in step order per application (rows may
        # come in any order): each new step is checked against the state the earlier ones leave.
        today = timezone.localdate()
        problems = {}
        by_application = defaultdict(list)
        for row in rows:
            app = applications.get(row.get("reference"))
            if app and row.get("step") and row.get("acted_on"):
                by_application[app["pk"]].append(row)
        for app in applications.values():
            state = SimpleNamespace(
                step=app["step"], decision=app["decision"], step_on=app["step_on"]
            )
            for row in sorted(by_application[app["pk"]], key=lambda r: int(r["step"])):
                step = int(row["step"])
                decision = row.get("decision") or ""
                if (app["pk"], step) in entries:
                    continue  # already recorded: checked in resolve
                found = rules.move(state, step, row["acted_on"], decision, today=today)
                if found:
                    problems[id(row)] = RowProblem(found[0].where, found[0].message)
                    continue
                state = SimpleNamespace(
                    step=step, decision=decision if step == Step.DECIDED else state.decision,
                    step_on=row["acted_on"],
                )  # fmt: skip
        return {
            "applications": applications,
            "entries": entries,
            "problems": problems,
            "now": timezone.now(),
        }

    def resolve(self, row, ctx):
        ref = need(row, "reference", "ต้องระบุเลขอ้างอิง")
        app = ctx["applications"].get(ref)
        if app is None:
            raise _unknown_reference(ref)
        step = int(need(row, "step", "ต้องระบุขั้นตอน"))
        day = need(row, "acted_on", "ต้องระบุวันที่")
        decision = row.get("decision") or ""
        first_problem(rules.note(row.get("note")))
        key = (app["pk"], step)
        recorded = ctx["entries"].get(key)
        if recorded is not None:
            if recorded.acted_on != day:
                raise RowProblem(
                    "acted_on",
                    f"ขั้นตอนที่ {step} บันทึกไว้แล้วเมื่อ {recorded.acted_on:%d/%m/}"
                    f"{recorded.acted_on.year + 543} แก้ไขวันที่ด้วยการนำเข้าไม่ได้",
                )
            if recorded.decision != decision:
                raise RowProblem("decision", f"ขั้นตอนที่ {step} บันทึกผลการพิจารณาไว้แล้ว แก้ไขไม่ได้")
        elif id(row) in ctx["problems"]:
            raise ctx["problems"][id(row)]
        values = {
            "application_id": app["pk"], "step": step, "decision": decision, "acted_on": day,
            "officer_id": getattr(self.user, "pk", None), "recorded_at": ctx["now"],
        }  # fmt: skip
        if "note" in row or recorded is None:
            values["note"] = row.get("note") or ""
        return key, values

    def existing(self, keys, ctx):
        return {k: ctx["entries"][k] for k in keys if k in ctx["entries"]}

    def after_apply(self, created, updated, ctx):
        """Each application moves through its new steps in order, checked once more against
        the app's rule on the locked row (services.check_move) and saved as services.move
        saves it, one step at a time (each move in the application's history)."""
        steps = defaultdict(list)
        for values in created:
            steps[values["application_id"]].append(values)
        for app_id in sorted(steps):
            application = Application.objects.select_for_update().get(pk=app_id)
            for values in sorted(steps[app_id], key=lambda v: v["step"]):
                try:
                    services.check_move(
                        application, values["step"], values["acted_on"], values["decision"]
                    )
                except services.StepError as error:  # changed since the preview: undo all
                    raise RowProblem(
                        "step", f"{application.formatted_reference}: {error}"
                    ) from None
                application.step = values["step"]
                application.step_on = values["acted_on"]
                if values["step"] == Step.DECIDED:
                    application.decision = values["decision"]
                application.save(update_fields=["step", "step_on", "decision", "updated_at"])
