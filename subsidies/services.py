"""What happens to applications: the moves through the five steps, the public lookup and its
throttle. Views and the JSON web service call these; tests drive them directly too."""

import datetime as dt
import functools
import hmac
import ipaddress
import json
import math
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Aggregate, Exists, OuterRef, Q, Subquery, TextField
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.nationalid import normalize
from core.thaidate import fiscal_year_of, format_thai_date
from subsidies import rules
from subsidies.models import (
    Application,
    Channel,
    Decision,
    LookupThrottle,
    Rating,
    StatusCheck,
    Step,
    StepEntry,
    citizen_key,
    keyed_hash,
    normalize_reference,
)


class StepError(Exception):
    """A move that the rules of SPEC §5 do not allow; the message is Thai, for the officer;
    ``field`` the form field it belongs to (``rules.Problem.field``), ``None`` for the form."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# The fields an edit may change; the step fields change only through ``move``.
EDIT_FIELDS = (
    "first_name",
    "last_name",
    "national_id",
    "province",
    "subsidy_type",
    "amount_requested",
    "received_on",
)


# --- the five steps ---------------------------------------------------------------------------


def create_application(application: Application, officer, submission=None) -> Application:
    """Save a new application at step 1 with its first history entry (the day it was received)."""
    with transaction.atomic():
        application.step = Step.RECEIVED
        application.decision = ""
        application.step_on = application.received_on
        application.created_by = officer
        application.submission_token = submission
        application.save()
        StepEntry.objects.create(
            application=application,
            step=Step.RECEIVED,
            acted_on=application.received_on,
            officer=officer,
            note="รับคำขอ",
        )
    return application


def save_edit(form, locked: Application) -> Application:
    """Save an edit (``forms.ApplicationEditForm``, valid, not stale, bound to a copy of the
    ``locked`` row): only the edit's own fields and the next version (core.versioned), so a
    move made before the lock was taken is kept. A new date received takes the step-1 entry
    with it (``follow_received_date``)."""
    edited = form.instance
    extra = follow_received_date(edited) if edited.received_on != locked.received_on else []
    return form.save_versioned([*EDIT_FIELDS, *extra, "updated_at"])


def follow_received_date(application: Application) -> list[str]:
    """The date received of ``application`` has changed (an edit, an import): its step-1 entry
    takes the new date, and so does its step date while it is at step 1. Returns the
    application's fields this changed, for the caller's save."""
    StepEntry.objects.filter(application_id=application.pk, step=Step.RECEIVED).update(
        acted_on=application.received_on
    )
    if application.step == Step.RECEIVED and application.step_on != application.received_on:
        application.step_on = application.received_on
        return ["step_on"]
    return []


def first_later_step_on(application_id: int) -> dt.date | None:
    """The date of the application's first step after step 1 (None before it moved on): the
    date received may not pass it (``rules.received_on``)."""
    return (
        StepEntry.objects.filter(application_id=application_id, step__gt=Step.RECEIVED)
        .order_by("acted_on")
        .values_list("acted_on", flat=True)
        .first()
    )


def check_move(application, to_step: int, acted_on: dt.date, decision: str) -> None:
    """``rules.move`` for the page's moves and corrections: ``StepError`` with its message."""
    for problem in rules.move(application, to_step, acted_on, decision, today=timezone.localdate()):
        raise StepError(problem.message, problem.field)


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
        try:
            with transaction.atomic():
                entry = StepEntry.objects.create(
                    application=locked,
                    step=to_step,
                    decision=decision,
                    acted_on=acted_on,
                    officer=officer,
                    note=note,
                )
        except IntegrityError:  # an entry of that step exists: the row and its history disagree
            raise StepError(
                gettext("ขั้นตอนที่ %(to_step)s บันทึกไว้แล้ว ข้อมูลอาจถูกแก้ไขโดยผู้อื่น โปรดเปิดหน้านี้ใหม่")
                % {"to_step": to_step}
            ) from None
    application.refresh_from_db()
    return entry


# --- corrections of the latest step ----------------------------------------------------------

NOTHING_CHANGED_TEXT = _("ไม่มีข้อมูลที่เปลี่ยนแปลง โปรดแก้ไขวันที่ ผลการพิจารณา หรือหมายเหตุ ก่อนบันทึก")
FIRST_STEP_UNDO_TEXT = _("ขั้นตอนที่ 1 รับคำขอ ย้อนกลับไม่ได้ หากวันที่รับคำขอผิด โปรดแก้ไขวันที่แทน")


def lock_latest(pk: int) -> tuple[Application, StepEntry | None]:
    """The application's row and its latest step entry, both locked (``select_for_update``):
    moves, corrections and undos of one application wait for each other."""
    locked = Application.objects.select_for_update().get(pk=pk)
    return locked, latest_entry(locked, lock=True)


def latest_entry(application: Application, *, lock: bool = False) -> StepEntry | None:
    entries = StepEntry.objects.filter(
        application_id=application.pk, step=application.step
    ).select_related("officer")
    if lock:  # the entry's row only (the officer is an outer join)
        entries = entries.select_for_update(of=("self",))
    return entries.first()


def state_before(application: Application, entry: StepEntry) -> Application:
    """The application as it was just before ``entry``'s step was recorded (step 0 before the
    first): what ``check_move`` judges a corrected step against, and what an undo goes back to."""
    previous = (
        StepEntry.objects.filter(application_id=application.pk, step__lt=entry.step)
        .order_by("-step")
        .first()
    )
    if previous is None:
        return Application(pk=application.pk, step=0, step_on=None, decision="")
    decision = previous.decision if previous.step == Step.DECIDED else ""
    return Application(
        pk=application.pk, step=previous.step, step_on=previous.acted_on, decision=decision
    )


def check_correction(
    application: Application, entry: StepEntry, acted_on: dt.date, decision: str
) -> Application:
    """A correction of the latest step follows the rules of the move that recorded it (SPEC §5:
    the date not before the previous step's nor after today, a decision at step 4 and only
    there): the move is judged again, from the state before it. Returns that state."""
    before = state_before(application, entry)
    check_move(before, entry.step, acted_on, decision)
    return before


def correct_step(
    locked: Application,
    entry: StepEntry,
    *,
    acted_on: dt.date,
    decision: str,
    note: str,
    reason: str,
) -> StepEntry:
    """Correct the latest step's date, decision (step 4) or note, with ``reason`` kept in the
    history of the entry and of the application. The caller holds the locks (``lock_latest``)
    and has checked the version; the application follows (its step date, decision, and date
    received for step 1). ``StepError`` when the rules refuse it or nothing changed."""
    if entry.step != Step.DECIDED:
        decision = entry.decision
    check_correction(locked, entry, acted_on, decision)
    if (acted_on, decision, note) == (entry.acted_on, entry.decision, entry.note):
        raise StepError(str(NOTHING_CHANGED_TEXT))
    entry.acted_on, entry.decision, entry.note = acted_on, decision, note
    entry.version += 1
    entry._change_reason = reason
    entry.save(update_fields=["acted_on", "decision", "note", "version"])
    changed = []
    if locked.step_on != acted_on:
        locked.step_on = acted_on
        changed.append("step_on")
    if entry.step == Step.DECIDED and locked.decision != decision:
        locked.decision = decision
        changed.append("decision")
    if entry.step == Step.RECEIVED and locked.received_on != acted_on:
        locked.received_on = acted_on
        locked.version += 1  # an edit form opened before must not put the old date back
        changed += ["received_on", "version"]
    if changed:
        locked._change_reason = reason
        locked.save(update_fields=[*changed, "updated_at"])
    return entry


def undo_step(locked: Application, entry: StepEntry, *, reason: str) -> Application:
    """Take back the latest step: its entry is deleted (kept in the history with ``reason``) and
    the application is back at the previous step, with that step's date and decision. The
    caller holds the locks (``lock_latest``) and has checked the version."""
    if entry.step == Step.RECEIVED:
        raise StepError(str(FIRST_STEP_UNDO_TEXT))
    before = state_before(locked, entry)
    entry._change_reason = reason
    entry.delete()
    locked.step, locked.step_on, locked.decision = before.step, before.step_on, before.decision
    locked._change_reason = reason
    locked.save(update_fields=["step", "step_on", "decision", "updated_at"])
    return locked


def step_corrections(application: Application) -> list[dict]:
    """The corrections and undos of the application's steps, newest first, each with who,
    when, the reason and what changed (from the entries' history, deleted entries included):
    one query whatever the number of entries."""
    records = list(
        StepEntry.history.filter(application_id=application.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    rows, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "+" or before is None:
            continue
        changes = []
        if record.history_type == "~":
            for name in ("acted_on", "decision", "note"):
                old, new = getattr(before, name), getattr(record, name)
                if old != new:
                    changes.append(
                        {
                            "field": StepEntry._meta.get_field(name).verbose_name,
                            "old": _shown_value(name, old),
                            "new": _shown_value(name, new),
                        }
                    )
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "step": record.step,
                "step_label": Step(record.step).label,
                "undone": record.history_type == "-",
                "acted_on": record.acted_on,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    rows.sort(key=lambda row: row["when"], reverse=True)
    return rows


def _shown_value(name: str, value) -> str:
    if name == "acted_on":
        return format_thai_date(value, True)
    if name == "decision":
        return Decision(value).label if value else ""
    return value


# --- what the citizen sees --------------------------------------------------------------------

NEXT_TEXT = {
    Step.RECEIVED: _("เจ้าหน้าที่จะตรวจสอบข้อเท็จจริงของคำขอ (อาจมีการติดต่อหรือเยี่ยมบ้าน)"),
    Step.FACT_CHECK: _("เจ้าหน้าที่จะเตรียมเสนอคำขอต่อคณะกรรมการฯ (One Home)"),
    Step.PREPARED: _("คณะกรรมการฯ (One Home) จะพิจารณาคำขอ"),
    Step.DECIDED: _("หน่วยงานจะดำเนินการอนุมัติการช่วยเหลือและแจ้งการรับเงิน"),
    Step.ASSISTED: _("ดำเนินการครบทุกขั้นตอนแล้ว"),
}
NOT_APPROVED_TEXT = _("คำขอไม่ได้รับการอนุมัติ กระบวนการสิ้นสุดแล้ว หากมีข้อสงสัยโปรดติดต่อหน่วยงานที่ท่านยื่นคำขอ")


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


@dataclass(frozen=True)
class Policy:
    """How many failures a throttle key gets: ``free`` at once, then a wait of 2, 4, 8, … up to
    ``max_wait`` seconds after the latest one; ``block_after`` failures within ``window`` block
    the key for ``block_for``. Failures older than the window are forgotten."""

    name: str
    free: int
    block_after: int
    window: dt.timedelta = dt.timedelta(minutes=15)
    block_for: dt.timedelta = dt.timedelta(minutes=30)
    max_wait: int = 60

    def wait_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(2 ** (failures - self.free + 1), self.max_wait)


# One address and one reference: a citizen's own typos slow only their own lookups.
PAIR = Policy("pair", free=3, block_after=10)
# One address, whatever the reference: the ceiling of guessing from one address (a service
# counter or a NAT shares it, so it is much higher).
ADDRESS = Policy("address", free=30, block_after=40)
FREE_FAILURES, BLOCK_AFTER, WINDOW, BLOCK_FOR, MAX_WAIT = (
    PAIR.free, PAIR.block_after, PAIR.window, PAIR.block_for, PAIR.max_wait,
)  # fmt: skip
# Compared with when the reference is unknown, so that a wrong pair does the same work.
_DUMMY_NATIONAL_ID = "0000000000000"


def client_address(request) -> str:
    """The client's address as the throttle sees it: an IPv6 address by its /64 (one
    subscriber's network), an IPv4-mapped IPv6 address as the IPv4 one."""
    raw = (request.META.get("REMOTE_ADDR", "") or "").strip()
    try:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        return raw or "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_key(request) -> str:
    """A keyed hash of the client address: the throttle keeps no address in clear."""
    return keyed_hash("client", client_address(request))


def throttle_keys(request, reference: str) -> list[tuple[str, Policy]]:
    """The address's key and the address-and-reference key of a lookup."""
    address = client_address(request)
    return [
        (keyed_hash("client", address), ADDRESS),
        (keyed_hash("client-reference", f"{address}|{normalize_reference(reference)}"), PAIR),
    ]


def wait_after(failures: int) -> int:
    """Seconds a client must wait after its latest failure on one reference: 0, 0, 0, 2, 4, …"""
    return PAIR.wait_after(failures)


def _as_keys(keys, policy: Policy) -> list[tuple[str, Policy]]:
    return [(keys, policy)] if isinstance(keys, str) else list(keys)


def _wait(throttle: LookupThrottle | None, policy: Policy, now: dt.datetime) -> int:
    if throttle is None:
        return 0
    if throttle.blocked_until is not None:
        if throttle.blocked_until > now:
            return math.ceil((throttle.blocked_until - now).total_seconds())
        return 0  # the block is over
    wait = policy.wait_after(throttle.failures)
    if not wait or now - throttle.window_started_at > policy.window:
        return 0
    ready = throttle.last_failure_at + dt.timedelta(seconds=wait)
    return max(0, math.ceil((ready - now).total_seconds()))


def retry_after(keys, now: dt.datetime | None = None, policy: Policy = PAIR) -> int:
    """0 when the client may try now; otherwise the seconds it has to wait (slowed or blocked).
    Only reads: a lookup that turns out right records nothing in the throttle."""
    now = now or timezone.now()
    keys = _as_keys(keys, policy)
    rows = {t.key: t for t in LookupThrottle.objects.filter(key__in=[k for k, _ in keys])}
    return max(_wait(rows.get(key), p, now) for key, p in keys)


def _count(throttle: LookupThrottle, policy: Policy, now: dt.datetime) -> None:
    block_over = throttle.blocked_until is not None and throttle.blocked_until <= now
    if block_over or (
        throttle.blocked_until is None and now - throttle.window_started_at > policy.window
    ):
        throttle.failures = 0
        throttle.window_started_at = now
        throttle.blocked_until = None
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= policy.block_after:
        throttle.blocked_until = now + policy.block_for


def prune_throttle(now: dt.datetime | None = None) -> int:
    """Delete the throttle rows that no longer hold anything back: no block in force and the
    window of their failures over (``_wait`` gives 0 for them and ``_count`` would start them
    afresh), so deleting one changes no answer. A row a failing lookup has locked: the DELETE
    waits, sees the row's new window and leaves it; a row deleted before that lookup locks it
    is inserted again by ``record_failure``. A day's margin covers the workers' clocks."""
    now = now or timezone.now()
    window = max(ADDRESS.window, PAIR.window) + dt.timedelta(days=1)
    return (
        LookupThrottle.objects.filter(window_started_at__lt=now - window)
        .filter(Q(blocked_until__isnull=True) | Q(blocked_until__lte=now))
        .delete()[0]
    )


def record_failure(keys, now: dt.datetime | None = None, policy: Policy = PAIR) -> int:
    """Check and record a failed lookup in one step: on the locked rows of its keys, 0 and the
    failure counted if the client may fail now, else the seconds to wait (nothing counted). So
    of many wrong lookups at once exactly as many pass as the throttle allows."""
    now = now or timezone.now()
    keys = sorted(_as_keys(keys, policy), key=lambda kp: kp[0])  # one lock order for all
    names = [key for key, _ in keys]
    with transaction.atomic():
        rows: dict[str, LookupThrottle] = {}
        # The INSERT … ON CONFLICT DO NOTHING does not lock a row that exists; `prune` may
        # delete a spent one before the locking read. Its key is then inserted afresh (what
        # no row answers) and read again.
        while len(rows) < len(names):
            LookupThrottle.objects.bulk_create(
                [
                    LookupThrottle(key=k, window_started_at=now, last_failure_at=now)
                    for k in names
                    if k not in rows
                ],
                ignore_conflicts=True,
            )
            rows = {
                t.key: t
                for t in LookupThrottle.objects.select_for_update()
                .filter(key__in=names)
                .order_by("key")
            }
        wait = max(_wait(rows[key], p, now) for key, p in keys)
        if wait:
            return wait
        for key, p in keys:
            _count(rows[key], p, now)
        LookupThrottle.objects.bulk_update(
            [rows[k] for k in names],
            ["failures", "window_started_at", "last_failure_at", "blocked_until"],
        )
    return 0


@dataclass
class Lookup:
    application: Application
    entries: list
    check: StatusCheck
    rated: bool = False  # this citizen rated this application at this step already


class _JSONRows(Aggregate):
    """The grouped rows' ``expressions`` as a JSON array of arrays, as text (PostgreSQL's
    ``json_agg``, SQLite's ``json_group_array``): a row's step entries inside its own query.
    JSON writes a date as ISO 8601 whatever the server's DateStyle."""

    function = "JSON_AGG"
    template = "%(function)s(JSON_BUILD_ARRAY(%(expressions)s))::text"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            function="JSON_GROUP_ARRAY",
            template="%(function)s(JSON_ARRAY(%(expressions)s))",
            **extra,
        )


def entries_of(application) -> Subquery:
    """The step entries (step, decision, date) of the application ``application`` refers to
    (an ``OuterRef``), as one text column: read them with ``read_entries``."""
    return Subquery(
        StepEntry.objects.filter(application_id=application)
        .order_by()
        .values("application_id")
        .annotate(rows=_JSONRows("step", "decision", "acted_on"))
        .values("rows"),
        output_field=TextField(),
    )


def read_entries(application_id: int, text: str | None) -> list[StepEntry]:
    """``entries_of``'s column as the entries (unsaved instances: step, decision, acted_on),
    by step, as ``StepEntry.objects.filter(application_id=…).order_by("step")`` gives them."""
    rows = sorted(json.loads(text)) if text else []
    return [
        StepEntry(
            application_id=application_id,
            step=step,
            decision=decision or "",
            acted_on=dt.date.fromisoformat(acted_on),
        )
        for step, decision, acted_on in rows
    ]


_CHECK_ID = -7_654_321  # a stand-in: no check has a negative id


@functools.cache
def _compiled_result(vendor: str) -> tuple[str, tuple]:
    checks = StatusCheck.objects.filter(pk=_CHECK_ID, application__isnull=False).order_by()
    query = (
        Application.objects.filter(pk=Subquery(checks.values("application_id")[:1]))
        .annotate(
            check_citizen_key=Subquery(checks.values("citizen_key")[:1]),
            check_step=Subquery(checks.values("step")[:1]),
        )
        .annotate(
            rated=Exists(
                Rating.objects.filter(
                    citizen_key=OuterRef("check_citizen_key"),
                    application_id=OuterRef("pk"),
                    step=OuterRef("check_step"),
                )
            ),
            entry_rows=entries_of(OuterRef("pk")),
        )
        .order_by()[:1]
    ).query
    return query.sql_with_params()


def checked_result(check_id: int) -> tuple[StatusCheck, Application, list, bool] | None:
    """What the page shows after a lookup (the check ``check_id`` kept for the page): the
    check (pk, citizen key, application, step), its application as it is now, its steps
    (``read_entries``) and whether this citizen rated it at that step; None if the check is
    gone or its application deleted. One query (compiled once per process, like the lookup)."""
    sql, stand_ins = _compiled_result(connection.vendor)
    params = [check_id if p == _CHECK_ID else p for p in stand_ins]
    application = next(iter(Application.objects.raw(sql, params)), None)
    if application is None:
        return None
    check = StatusCheck(
        pk=check_id,
        citizen_key=application.check_citizen_key,
        application_id=application.pk,
        step=application.check_step,
    )
    entries = read_entries(application.pk, application.entry_rows)
    return check, application, entries, bool(application.rated)


LOOKUP_FIELDS = (
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
    "is_demo",
)


def lookup(
    reference: str, national_id: str, *, channel: str = Channel.WEB, now=None
) -> Lookup | None:
    """The application whose reference and national ID both match, recording the check; else
    None. Whether the reference exists or not, the same work is done: one query by reference,
    a keyed hash and a constant-time comparison. The same citizen, application, step and day
    make one check (a repeated lookup records nothing new). Not throttled: the pages and the
    web service call ``throttled_lookup``."""
    found, _wait = _lookup(reference, national_id, channel=channel, now=now)
    return found


def throttled_lookup(
    keys, reference: str, national_id: str, *, channel: str, now=None, entries: bool = True
) -> tuple[Lookup | None, int]:
    """``lookup`` behind the throttle of failed lookups (``keys``: ``throttle_keys``): (the
    lookup, 0), or (None, seconds to wait). A client that must wait gets the wait, right pair
    or not, and records nothing; a wrong pair is checked against the throttle and counted in
    one step (``record_failure``). The throttle is read in the lookup's own query (whether
    the keys have rows at all): a right pair reads it again only when they have.
    ``entries=False`` leaves the step entries out (the page redirects; its GET reads them)."""
    return _lookup(reference, national_id, channel=channel, now=now, keys=keys, entries=entries)


# The lookup's query is the same for every lookup but its values: the ORM builds and compiles it
# once per process (for each number of throttle keys, with or without the entries), with
# stand-ins for the values, which each lookup swaps for its own (``_lookup_query``).
_REF, _DIGEST, _DAY = "\x00reference", "\x00citizen", dt.date(1, 1, 1)


def _stand_in_key(i: int) -> str:
    return f"\x00key{i}"


@functools.cache
def _compiled_lookup(vendor: str, n_keys: int | None, entries: bool) -> tuple[str, tuple]:
    mine = {"application_id": OuterRef("pk"), "citizen_key": _DIGEST, "step": OuterRef("step")}
    extra = {}
    if n_keys is not None:
        stand_ins = [_stand_in_key(i) for i in range(n_keys)]
        extra["throttled"] = Exists(LookupThrottle.objects.filter(key__in=stand_ins))
    if entries:
        extra["entry_rows"] = entries_of(OuterRef("pk"))
    query = (
        Application.objects.only(*LOOKUP_FIELDS)
        .filter(reference=_REF)
        .annotate(
            today_check=Subquery(
                StatusCheck.objects.filter(checked_on=_DAY, **mine).order_by().values("pk")[:1]
            ),
            rated=Exists(Rating.objects.filter(**mine)),
            **extra,
        )
        .order_by()[:1]
    ).query
    return query.sql_with_params()


def _lookup_query(ref: str, digest: str, today: dt.date, keys, entries: bool):
    """The application of ``ref`` (only ``LOOKUP_FIELDS``) with: ``today_check``, the id of
    this citizen's check of it at its step today, if any; ``rated``, whether this citizen rated
    it at its step; ``throttled`` (``keys`` given), whether the throttle has rows for them;
    ``entry_rows`` (``entries``), its steps (``entries_of``). A RawQuerySet of one row at most.

    The national ID typed is never a value of this statement (nor of any other): only its keyed
    hash is. Sent to the database, a typed ID, right or wrong, would be readable in
    ``pg_stat_activity`` and in every server log line that prints the statement. So the ID is
    compared in Python (constant time) and the check recorded by its own INSERT."""
    sql, stand_ins = _compiled_lookup(
        connection.vendor, None if keys is None else len(keys), entries
    )
    values = {
        _REF: ref,
        _DIGEST: digest,
        connection.ops.adapt_datefield_value(_DAY): connection.ops.adapt_datefield_value(today),
    }
    for i, (key, _policy) in enumerate(keys or ()):
        values[_stand_in_key(i)] = key
    params = [values.get(p, p) if isinstance(p, str | dt.date) else p for p in stand_ins]
    return Application.objects.raw(sql, params)


def _lookup(
    reference: str, national_id: str, *, channel: str, now=None, keys=None, entries: bool = True
) -> tuple[Lookup | None, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    ref = normalize_reference(reference)
    nid = normalize(national_id)
    digest = citizen_key(nid)
    if keys is not None:
        keys = _as_keys(keys, PAIR)
    application = next(iter(_lookup_query(ref, digest, today, keys, entries)), None)
    stored = application.national_id if application is not None else _DUMMY_NATIONAL_ID
    matches = hmac.compare_digest(stored.encode(), nid.encode())
    if application is None or not matches:
        if keys is None:
            return None, 0
        # As before any failure: a client that must wait gets the wait, and nothing is counted.
        wait = retry_after(keys, now)
        return None, wait or record_failure(keys, now)
    if keys is not None and application.throttled:
        wait = retry_after(keys, now)
        if wait:
            return None, wait
    check_id = application.today_check
    if check_id is None:
        check_id = _record_check(application, digest, today, now, channel)
    check = StatusCheck(pk=check_id, citizen_key=digest, checked_on=today, channel=channel)
    found = read_entries(application.pk, application.entry_rows) if entries else []
    return Lookup(application, found, check, rated=bool(application.rated)), 0


# The fields the check's INSERT writes (its id comes back from the database).
_CHECK_FIELDS = (
    "citizen_key",
    "application",
    "step",
    "checked_at",
    "checked_on",
    "fiscal_year",
    "channel",
    "is_demo",
)


@functools.cache
def _compiled_check_insert(vendor: str) -> tuple[str, tuple]:
    """The check's INSERT, compiled by the ORM once per process (``vendor``: one per database
    engine), with ``RETURNING`` its id where the database has it; each lookup passes its own
    values through the fields' ``get_db_prep_save``, as ``save()`` does. ``save()`` compiled it
    again for every check: 0.67 against 0.5 ms a check in one process (issue 16)."""
    from django.db.models.sql import InsertQuery

    fields = tuple(StatusCheck._meta.get_field(name) for name in _CHECK_FIELDS)
    query = InsertQuery(StatusCheck)
    query.insert_values(fields, [StatusCheck(checked_at=timezone.now())], raw=False)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [StatusCheck._meta.pk]
    ((sql, _params),) = compiler.as_sql()
    return sql, fields


def _insert_check(check: StatusCheck) -> int:
    """One INSERT of ``check``, the id it got."""
    sql, fields = _compiled_check_insert(connection.vendor)
    params = [field.get_db_prep_save(getattr(check, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.features.can_return_columns_from_insert:
            return cursor.fetchone()[0]
        return connection.ops.last_insert_id(cursor, StatusCheck._meta.db_table, "id")


def _record_check(application: Application, digest: str, today, now, channel: str) -> int:
    """One INSERT (no transaction of its own: outside one it commits by itself). The same
    lookup at the same moment from another tab made it already: that one's id."""
    values = {
        "citizen_key": digest,
        "application_id": application.pk,
        "step": application.step,
        "checked_on": today,
    }
    check = StatusCheck(
        **values,
        checked_at=now,
        fiscal_year=fiscal_year_of(today),
        channel=channel,
        is_demo=application.is_demo,
    )
    try:
        if connection.in_atomic_block:  # a savepoint keeps the caller's transaction usable
            with transaction.atomic():
                return _insert_check(check)
        return _insert_check(check)
    except IntegrityError:
        return StatusCheck.objects.filter(**values).values_list("pk", flat=True).get()
