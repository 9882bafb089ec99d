"""What happens to applications: the moves through the five steps, the public lookup and its
throttle. Views and the JSON web service call these; tests drive them directly too."""

import datetime as dt
import hmac
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.nationalid import normalize
from core.thaidate import fiscal_year_of
from subsidies.models import (
    Application,
    Channel,
    Decision,
    LookupThrottle,
    StatusCheck,
    Step,
    StepEntry,
    citizen_key,
    keyed_hash,
    normalize_reference,
)


class StepError(Exception):
    """A move that the rules of SPEC §5 do not allow; the message is Thai, for the officer."""


# --- the five steps ---------------------------------------------------------------------------


def create_application(application: Application, officer) -> Application:
    """Save a new application at step 1 with its first history entry (the day it was received)."""
    with transaction.atomic():
        application.step = Step.RECEIVED
        application.decision = ""
        application.step_on = application.received_on
        application.created_by = officer
        application.save()
        StepEntry.objects.create(
            application=application,
            step=Step.RECEIVED,
            acted_on=application.received_on,
            officer=officer,
            note="รับคำขอ",
        )
    return application


def check_move(application: Application, to_step: int, acted_on: dt.date, decision: str) -> None:
    if application.step == Step.DECIDED and application.decision == Decision.NOT_APPROVED:
        raise StepError("คำขอนี้ไม่ได้รับการอนุมัติ กระบวนการสิ้นสุดที่ขั้นตอนที่ 4 แล้ว")
    if application.step == Step.ASSISTED:
        raise StepError("คำขอนี้ดำเนินการครบทั้ง 5 ขั้นตอนแล้ว")
    expected = application.step + 1
    if to_step != expected:
        raise StepError(
            f"เปลี่ยนได้เฉพาะขั้นตอนถัดไปเท่านั้น (ขั้นตอนที่ {expected} "
            f"{Step(expected).label}) ข้อมูลอาจถูกแก้ไขโดยผู้อื่น โปรดเปิดหน้านี้ใหม่"
        )
    if to_step == Step.DECIDED and decision not in Decision.values:
        raise StepError("ขั้นตอนที่ 4 ต้องระบุผลการพิจารณา (อนุมัติ หรือ ไม่อนุมัติ)")
    if to_step != Step.DECIDED and decision:
        raise StepError("ผลการพิจารณาบันทึกได้เฉพาะขั้นตอนที่ 4")
    if acted_on is None:
        raise StepError("โปรดระบุวันที่")
    if application.step_on and acted_on < application.step_on:
        raise StepError("วันที่ต้องไม่ก่อนวันที่ของขั้นตอนก่อนหน้า")
    if acted_on > timezone.localdate():
        raise StepError("วันที่ต้องไม่เกินวันนี้")


def move(
    application: Application,
    *,
    to_step: int,
    acted_on: dt.date,
    officer,
    note: str = "",
    decision: str = "",
) -> StepEntry:
    """Move to the next step, and only to the next one. Locks the row so that two officers
    moving the same application at once cannot both succeed."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_move(locked, to_step, acted_on, decision)
        locked.step = to_step
        locked.step_on = acted_on
        if to_step == Step.DECIDED:
            locked.decision = decision
        locked.save(update_fields=["step", "step_on", "decision", "updated_at"])
        entry = StepEntry.objects.create(
            application=locked,
            step=to_step,
            decision=decision,
            acted_on=acted_on,
            officer=officer,
            note=note,
        )
    application.refresh_from_db()
    return entry


# --- what the citizen sees --------------------------------------------------------------------

NEXT_TEXT = {
    Step.RECEIVED: "เจ้าหน้าที่จะตรวจสอบข้อเท็จจริงของคำขอ (อาจมีการติดต่อหรือเยี่ยมบ้าน)",
    Step.FACT_CHECK: "เจ้าหน้าที่จะเตรียมเสนอคำขอต่อคณะกรรมการฯ (One Home)",
    Step.PREPARED: "คณะกรรมการฯ (One Home) จะพิจารณาคำขอ",
    Step.DECIDED: "หน่วยงานจะดำเนินการอนุมัติการช่วยเหลือและแจ้งการรับเงิน",
    Step.ASSISTED: "ดำเนินการครบทุกขั้นตอนแล้ว",
}
NOT_APPROVED_TEXT = "คำขอไม่ได้รับการอนุมัติ กระบวนการสิ้นสุดแล้ว หากมีข้อสงสัยโปรดติดต่อหน่วยงานที่ท่านยื่นคำขอ"


def next_text(application: Application) -> str:
    if application.step == Step.DECIDED and application.decision == Decision.NOT_APPROVED:
        return NOT_APPROVED_TEXT
    return NEXT_TEXT[Step(application.step)]


def timeline(application: Application, entries) -> list[dict]:
    """The five steps, each done (with its date), current, to come, or skipped (not approved)."""
    by_step = {e.step: e for e in entries}
    stopped = application.step == Step.DECIDED and application.decision == Decision.NOT_APPROVED
    rows = []
    for step in Step:
        entry = by_step.get(step.value)
        if step.value < application.step or (
            step.value == application.step and application.is_closed
        ):
            state = "done"
        elif step.value == application.step:
            state = "current"
        elif stopped:
            state = "skipped"
        else:
            state = "todo"
        decision = entry.decision if entry else ""
        rows.append(
            {
                "step": step.value,
                "label": step.label,
                "date": entry.acted_on if entry else None,
                "state": state,
                "decision": decision,
                "decision_label": Decision(decision).label if decision else "",
                "is_current": step.value == application.step,
            }
        )
    return rows


# --- the public lookup and its throttle -------------------------------------------------------

FREE_FAILURES = 3  # failures before any slowing down
WINDOW = dt.timedelta(minutes=15)  # failures older than this are forgotten
BLOCK_AFTER = 10  # failures in the window that block the address
BLOCK_FOR = dt.timedelta(minutes=30)
MAX_WAIT = 60  # seconds
# Compared with when the reference is unknown, so that a wrong pair does the same work.
_DUMMY_NATIONAL_ID = "0000000000000"


def client_key(request) -> str:
    """A keyed hash of the client address: the throttle keeps no address in clear."""
    return keyed_hash("client", request.META.get("REMOTE_ADDR", "") or "unknown")


def wait_after(failures: int) -> int:
    """Seconds a client must wait after its latest failure: 0, 0, 0, 2, 4, 8, … up to 60."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_WAIT)


def retry_after(key: str, now: dt.datetime | None = None) -> int:
    """0 when the client may try now; otherwise the seconds it has to wait (slowed or blocked)."""
    now = now or timezone.now()
    throttle = LookupThrottle.objects.filter(key=key).order_by().first()
    if throttle is None:
        return 0
    if throttle.blocked_until and throttle.blocked_until > now:
        return math.ceil((throttle.blocked_until - now).total_seconds())
    if throttle.blocked_until is None and now - throttle.window_started_at > WINDOW:
        return 0
    if throttle.blocked_until is not None:
        return 0  # the block is over
    ready = throttle.last_failure_at + dt.timedelta(seconds=wait_after(throttle.failures))
    return max(0, math.ceil((ready - now).total_seconds()))


def record_failure(key: str, now: dt.datetime | None = None) -> LookupThrottle:
    now = now or timezone.now()
    with transaction.atomic():
        throttle = LookupThrottle.objects.select_for_update().filter(key=key).first()
        if throttle is None:
            try:
                with transaction.atomic():
                    throttle = LookupThrottle.objects.create(
                        key=key, window_started_at=now, last_failure_at=now
                    )
            except IntegrityError:  # another worker created it meanwhile
                throttle = LookupThrottle.objects.select_for_update().get(key=key)
        block_over = throttle.blocked_until is not None and throttle.blocked_until <= now
        if block_over or (
            throttle.blocked_until is None and now - throttle.window_started_at > WINDOW
        ):
            throttle.failures = 0
            throttle.window_started_at = now
            throttle.blocked_until = None
        throttle.failures += 1
        throttle.last_failure_at = now
        if throttle.failures >= BLOCK_AFTER:
            throttle.blocked_until = now + BLOCK_FOR
        throttle.save()
    return throttle


@dataclass
class Lookup:
    application: Application
    entries: list
    check: StatusCheck


def lookup(
    reference: str, national_id: str, *, channel: str = Channel.WEB, now=None
) -> Lookup | None:
    """The application whose reference and national ID both match, recording the check; else
    None. Whether the reference exists or not, the same work is done: one query by reference,
    a keyed hash and a constant-time comparison."""
    now = now or timezone.now()
    ref = normalize_reference(reference)
    nid = normalize(national_id)
    digest = citizen_key(nid)
    application = (
        Application.objects.only(
            "id",
            "reference",
            "national_id",
            "first_name",
            "subsidy_type",
            "received_on",
            "step",
            "decision",
            "step_on",
            "province_id",
        )  # fmt: skip
        .filter(reference=ref)
        .order_by()
        .first()
    )
    stored = application.national_id if application is not None else _DUMMY_NATIONAL_ID
    matches = hmac.compare_digest(stored.encode(), nid.encode())
    if application is None or not matches:
        return None
    today = timezone.localdate(now)
    check = StatusCheck.objects.create(
        citizen_key=digest,
        checked_at=now,
        checked_on=today,
        fiscal_year=fiscal_year_of(today),
        channel=channel,
    )
    entries = list(
        StepEntry.objects.filter(application_id=application.pk)
        .order_by("step")
        .only("step", "decision", "acted_on", "application_id")
    )
    return Lookup(application, entries, check)
