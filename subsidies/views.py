import copy
import hashlib
import hmac
import json
import math
import os
import re

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import once, versioned
from core.exports import XLSX_TYPE, requested_format, table_response
from core.history import history_rows
from core.tables import paginate
from core.thaidate import fiscal_year_of
from indicators.period import opening_year, requested_year
from subsidies import permissions, services
from subsidies import report as usage
from subsidies.filters import ApplicationFilter
from subsidies.forms import (
    ApplicationCreateForm,
    ApplicationEditForm,
    LookupForm,
    MoveForm,
    RatingForm,
    StepCorrectionForm,
    StepUndoForm,
)
from subsidies.models import Application, Channel, Rating, StatusCheck, Step, StepEntry
from subsidies.tables import ApplicationTable

RATING_SALT = "subsidies.rating"
RATING_MAX_AGE = 3600


# --- staff pages ------------------------------------------------------------------------------


@permissions.can_read.required
def application_list(request):
    base = Application.objects.visible_to(request.user)
    filterset = ApplicationFilter(request.GET or None, queryset=base.select_related("province"))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    counts = qs.aggregate(
        total=Count("id"),
        **{f"s{s.value}": Count("id", filter=Q(step=s.value)) for s in Step},
        not_approved=Count("id", filter=Q(step=Step.DECIDED, decision="not_approved")),
    )
    table = ApplicationTable(qs, show_full_id=permissions.can_see_national_id(request.user))
    fmt = requested_format(request)
    if fmt:
        paginate(request, table, None)
        return table_response(table, "applications", fmt)
    paginate(request, table, 50)
    step_counts = [
        {"step": s.value, "label": s.label, "count": counts[f"s{s.value}"]} for s in Step
    ]
    return render(
        request,
        "subsidies/application_list.html",
        {
            "filter": filterset,
            "table": table,
            "total": counts["total"],
            "step_counts": step_counts,
            "not_approved": counts["not_approved"],
            "can_change": permissions.can_write(request.user),
        },
    )


def _application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.visible_to(request.user).select_related("province", "created_by"),
        pk=pk,
    )


@permissions.can_read.required
def application_detail(request, pk):
    application = _application(request, pk)
    return _render_detail(request, application, MoveForm(application=application))


def _render_detail(request, application, move_form, status=200, move_error=""):
    entries = list(application.entries.select_related("officer").order_by("step"))
    full_id = permissions.can_see_national_id(request.user)
    return render(
        request,
        "subsidies/application_detail.html",
        {
            "application": application,
            "entries": entries,
            "timeline": services.timeline(application, entries),
            "next_text": services.next_text(application),
            "move_form": move_form,
            "move_error": move_error,
            "next_step_label": Step(application.next_step).label if application.next_step else "",
            "can_change": permissions.can_write(request.user),
            "show_full_id": full_id,
            "corrections": services.step_corrections(application),
            "history": history_rows(
                application, masked_fields=frozenset() if full_id else {"national_id"}
            ),
        },
        status=status,
    )


@permissions.can_write.required
@require_http_methods(["GET", "POST"])
def application_create(request):
    form = ApplicationCreateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                first = once.claim(form, request.user)
                if first:
                    application = services.create_application(
                        form.save(commit=False), request.user, submission=once.token_of(form)
                    )
            if not first:  # the same submission again: where the first one went
                messages.info(request, once.DUPLICATE_TEXT)
                earlier = (
                    Application.objects.visible_to(request.user)
                    .filter(submission_token=once.token_of(form))
                    .first()
                )
                return redirect(earlier or "subsidies:list")
            messages.success(
                request,
                _("บันทึกคำขอแล้ว เลขอ้างอิง %(formatted_reference)s")
                % {"formatted_reference": application.formatted_reference},
            )
            return redirect("subsidies:detail", pk=application.pk)
        return render(request, "subsidies/application_form.html", {"form": form}, status=400)
    form.initial.setdefault("received_on", timezone.localdate())
    return render(request, "subsidies/application_form.html", {"form": form})


@permissions.can_write.required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    """Edit an application's own fields on the locked row, with a version check
    (core.versioned): a form opened before another edit is refused (409), keeping what was
    typed and showing what was saved meanwhile; a move made meanwhile stays."""
    application = _application(request, pk)
    if request.method == "GET":
        form = ApplicationEditForm(instance=application)
        return render(
            request,
            "subsidies/application_form.html",
            {"form": form, "application": application},
        )
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        form = ApplicationEditForm(request.POST, instance=copy.copy(locked))
        if form.is_valid() and form.is_stale:
            stale = versioned.rebind_to_current(
                ApplicationEditForm, Application, application.pk, request.POST
            )
            return _stale_edit(request, stale)
        if form.is_valid():
            services.save_edit(form, locked)
            messages.success(request, _("บันทึกการแก้ไขแล้ว"))
            return redirect("subsidies:detail", pk=application.pk)
    context = {"form": form, "application": application}
    return render(request, "subsidies/application_form.html", context, status=400)


def _stale_edit(request, form):
    """The typed form again (409, ``versioned.rebind_to_current``: now at the current version,
    with ``STALE_TEXT``) beside the values saved meanwhile: saving it again is a deliberate
    choice made after seeing them."""
    saved = ApplicationEditForm(instance=form.current)
    differences = [
        {
            "label": saved[name].label,
            "saved": _shown(saved, name),
            "typed": _shown(form, name),
        }
        for name in services.EDIT_FIELDS
        if _shown(saved, name) != _shown(form, name)
    ]
    return render(
        request,
        "subsidies/application_form.html",
        {"form": form, "application": form.current, "stale": True, "differences": differences},
        status=409,
    )


def _shown(form, name) -> str:
    """A field's value as the officer reads it (choice labels, BE dates)."""
    from core.thaidate import format_thai_date

    field = form.fields[name]
    value = form.cleaned_data.get(name) if form.is_bound else form.initial.get(name)
    if value in (None, ""):
        return ""
    if hasattr(value, "year") and hasattr(value, "day"):
        return format_thai_date(value, True)
    if hasattr(field, "queryset"):
        obj = value if hasattr(value, "pk") else field.queryset.filter(pk=value).first()
        return str(obj or "")
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


@permissions.can_write.required
@require_POST
def application_move(request, pk):
    application = _application(request, pk)
    form = MoveForm(request.POST, application=application)
    if form.is_valid():
        try:
            entry = services.move(
                application,
                to_step=form.cleaned_data["to_step"],
                acted_on=form.cleaned_data["acted_on"],
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                officer=request.user,
            )
        except services.StepError as exc:
            # Show the application as it is now (another officer may have moved it meanwhile),
            # keeping what was typed for its actual next step.
            application = _application(request, pk)
            if application.next_step is None:
                return _render_detail(
                    request, application, MoveForm(application=application), 400, str(exc)
                )
            if application.next_step != form.cleaned_data["to_step"]:
                data = request.POST.copy()
                data["to_step"] = str(application.next_step)
                form = MoveForm(data, application=application)
                form.is_valid()
            # Under the field it is about (the date, the decision), else above the form.
            shown = exc.field in form.fields and not form[exc.field].is_hidden
            form.add_error(exc.field if shown else None, str(exc))
        else:
            messages.success(
                request,
                _("บันทึกขั้นตอนที่ %(step)s %(get_step_display)s แล้ว")
                % {"step": entry.step, "get_step_display": entry.get_step_display()},
            )
            return redirect("subsidies:detail", pk=application.pk)
    return _render_detail(request, application, form, status=400)


UNDO = "undo"


@permissions.can_write.required
@require_http_methods(["GET", "POST"])
def step_correct(request, pk):
    """Correct the latest step (date, decision, note) or take it back, with a reason kept in the
    history. On the locked rows (services.lock_latest), with a version check: a form opened
    before another correction, undo or move is refused (409), keeping what was typed."""
    application = _application(request, pk)
    if request.method == "GET":
        latest = services.latest_entry(application)
        return _render_correction(
            request,
            application,
            latest,
            StepCorrectionForm(instance=latest),
            StepUndoForm(instance=latest, prefix=UNDO),
        )
    undo = request.POST.get("action") == UNDO
    form_class = StepUndoForm if undo else StepCorrectionForm
    prefix = UNDO if undo else None
    status = 400
    with transaction.atomic():
        locked, latest = services.lock_latest(application.pk)
        form = form_class(request.POST, instance=copy.copy(latest), prefix=prefix)
        if form.is_valid() and form.is_stale:
            status = 409
        elif form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if undo:
                    services.undo_step(locked, latest, reason=reason)
                else:
                    services.correct_step(
                        locked,
                        latest,
                        acted_on=form.cleaned_data["acted_on"],
                        decision=form.cleaned_data.get("decision", ""),
                        note=form.cleaned_data["note"],
                        reason=reason,
                    )
            except services.StepError as exc:
                form.add_error(None, str(exc))
            else:
                if undo:
                    text = _("ย้อนกลับเป็นขั้นตอนที่ %(step)s %(label)s แล้ว")
                    done = {"step": locked.step, "label": locked.get_step_display()}
                else:
                    text = _("แก้ไขขั้นตอนที่ %(step)s %(label)s แล้ว")
                    done = {"step": latest.step, "label": latest.get_step_display()}
                messages.success(request, text % done)
                return redirect("subsidies:detail", pk=application.pk)
    if status == 409:
        # What was typed, bound to the latest step as it is now (another officer's correction,
        # undo or move was saved meanwhile), at its current version and entry, with STALE_TEXT
        # (core.versioned): a second save is deliberate.
        application = _application(request, pk)
        latest = services.latest_entry(application)
        data = request.POST.copy()
        data[form.add_prefix("entry")] = str(latest.pk)
        # (rebind_to_current sets the unprefixed version; the undo form's is prefixed.)
        data[form.add_prefix(versioned.FIELD)] = str(latest.version)
        form = versioned.rebind_to_current(form_class, StepEntry, latest.pk, data, prefix=prefix)
    else:
        application.refresh_from_db()
    other = (
        StepCorrectionForm(instance=latest) if undo else StepUndoForm(instance=latest, prefix=UNDO)
    )
    forms_ = (other, form) if undo else (form, other)
    return _render_correction(
        request, application, latest, *forms_, status=status, stale=status == 409
    )


def _render_correction(request, application, latest, form, undo_form, status=200, stale=False):
    return render(
        request,
        "subsidies/step_correct.html",
        {
            "application": application,
            "latest": latest,
            "form": form,
            "undo_form": undo_form,
            "can_undo": latest.step > Step.RECEIVED,
            "stale": stale,
            "timeline": services.timeline(
                application,
                application.entries.order_by("step").only("step", "decision", "acted_on"),
            ),
        },
        status=status,
    )


def _slip_context(request, application) -> dict:
    return {
        "application": application,
        "status_url": request.build_absolute_uri(reverse("subsidies:status")),
    }


@permissions.can_read.required
def application_slip(request, pk):
    application = _application(request, pk)
    return render(request, "subsidies/slip.html", _slip_context(request, application))


@permissions.can_read.required
def application_slip_pdf(request, pk):
    """The same slip (subsidies/_slip.html) as an A5 PDF."""
    from core.pdf import render_pdf

    application = _application(request, pk)
    data = render_pdf("subsidies/pdf/slip.html", _slip_context(request, application))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slip-{application.pk}.pdf"'
    return response


@permissions.can_read_report.required
def usage_report(request):
    year = _report_year(request)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        # the report is a Thai document, whatever the language of the pages
        with translation.override(settings.LANGUAGE_CODE):
            data = usage.build(year)
    else:
        data = usage.build(year)
    if fmt == "xlsx":
        response = HttpResponse(
            usage.as_xlsx(data),
            content_type=XLSX_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="subsidy-status-usage-{year}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(usage.as_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="subsidy-status-usage-{year}.pdf"'
        return response
    return render(
        request,
        "subsidies/report.html",
        {"report": data, "years": range(2563, fiscal_year_of(timezone.localdate()) + 2)},
    )


def _report_year(request) -> int:
    """?year= (Thai digits too; a year that cannot be is a 404), else the latest fiscal year
    with counted status checks (indicators.period)."""

    def latest_with_checks() -> int:
        checks = StatusCheck.objects.counted().filter(checked_on__lte=timezone.localdate())
        return opening_year(checks.aggregate(d=Max("checked_on"))["d"])

    return requested_year(request, latest_with_checks)


# --- the public status service ----------------------------------------------------------------

THROTTLED_TEXT = gettext_lazy("มีการตรวจสอบที่ไม่ถูกต้องหลายครั้งจากเครื่องของท่าน โปรดลองใหม่อีกครั้งภายหลัง")
NOT_FOUND_TEXT = gettext_lazy(
    "ไม่พบคำขอที่ตรงกับเลขอ้างอิงและเลขประจำตัวประชาชนนี้ "
    "โปรดตรวจสอบเลขอ้างอิงจากใบรับคำขอและเลขประจำตัวประชาชนอีกครั้ง"
)


RATED_TEXT = gettext_lazy("ท่านได้ประเมินความพึงพอใจสำหรับขั้นตอนนี้ของคำขอแล้ว ขอบคุณสำหรับความเห็นของท่าน")

# Post/redirect/get: a successful lookup (and a rating) answers with a redirect to the page,
# which shows the result kept for it: Back and reload never ask to send the form again. What is
# kept is the check's id, a tag of it keyed by the check's citizen key and the time (never the
# national ID), in a signed cookie of the page's own path (HttpOnly, SameSite=Lax, no Max-Age:
# it ends with the browser, as the session's cookie does), honoured for RESULT_MAX_AGE. The
# tag needs the citizen key, which only the database holds: the SECRET_KEY alone cannot make a
# cookie for another citizen's check. Not in the database session: a citizen's lookup writes
# no session row (issue 16: the session's SELECT and its saving transaction cost a lookup more
# than its own query and check). Unlike a session, a copy of the cookie taken before the
# browser dropped it stays good until it is too old: its holder had that browser in hand.
RESULT_COOKIE = "kpi_status_result"
RATED_COOKIE = "kpi_status_rated"  # the page thanks once after a rating
KEPT_SALT = "subsidies.status"  # Django signs a cookie with its name + this salt
CLOCK_SKEW = 60  # seconds: a cookie made by a server whose clock is ahead is still taken
RESULT_MAX_AGE = 600  # seconds: a shared computer (a service counter) forgets it soon


def throttled_text(retry_after: int) -> str:
    """How long to wait, in whole minutes (at least one), in Thai."""
    minutes = max(1, math.ceil(retry_after / 60))
    return _(
        "มีการตรวจสอบที่ไม่ถูกต้องหลายครั้งจากเครื่องของท่าน โปรดลองใหม่อีกครั้งในอีกประมาณ %(minutes)s นาที"
    ) % {"minutes": minutes}


PHONE = re.compile(r"\+?\d[\d -]{1,14}\d")


def helpline() -> dict | None:
    """The department's contact line for citizens: ``SUBSIDY_HELPLINE`` (a setting, else the
    environment variable), e.g. "ศูนย์ช่วยเหลือสังคม สายด่วน 1300". Its first phone number is
    a tap-to-call link. None when unset: the page then points to the office of the application."""
    value = getattr(settings, "SUBSIDY_HELPLINE", None)
    if value is None:
        value = os.getenv("SUBSIDY_HELPLINE", "")
    text = " ".join(str(value).split())
    if not text:
        return None
    match = PHONE.search(text)
    if match is None:
        return {"before": text, "phone": "", "dial": "", "after": ""}
    return {
        "before": text[: match.start()],
        "phone": match.group(),
        "dial": re.sub(r"[^\d+]", "", match.group()),
        "after": text[match.end() :],
    }


# The empty lookup form's fields, and the rating form's fields and button, are the same markup
# on every page that shows them (per language): rendered once per process by their templates,
# then reused (the page is byte-identical).
_MARKUP: dict[tuple[str, str | None], str] = {}


def _markup(template: str, name: str, form_class) -> str:
    """``template`` rendered with an empty ``form_class()`` as ``name``, once per language."""
    key = (template, translation.get_language())
    if key not in _MARKUP:
        _MARKUP[key] = render_to_string(template, {name: form_class()})
    return _MARKUP[key]


def _lookup_fields() -> str:
    return _markup("includes/form_fields.html", "form", LookupForm)


def _rating_fields() -> str:
    return _markup("subsidies/public/_rating_fields.html", "fields_form", RatingForm)


# The page's own script (status.js) sends the lookup form itself, with this header: the answer
# is then the page's body alone (subsidies/public/_status_body.html, the template the whole
# page includes), which the script puts in place of the body shown. One request, one render of
# the body, where a browser without the script makes two (post/redirect/get) and renders the
# whole page. What is recorded, kept for the page and refused is the same either way.
BODY_HEADER = "X-Status-Body"


def _wants_body(request) -> bool:
    return request.method == "POST" and request.headers.get(BODY_HEADER) == "1"


def _public_page(request, context=None, status=200, reference=""):
    body = _wants_body(request)
    context = {"helpline": helpline(), **(context or {})} if not body else dict(context or {})
    if "form" not in context:
        context["form"] = LookupForm(initial={"reference": reference})
        if reference:  # the ID is what is left to type again
            context["form"].fields["national_id"].widget.attrs["autofocus"] = True
        else:
            context["lookup_fields"] = _lookup_fields()
    if body:
        response = render(request, "subsidies/public/_status_body.html", context, status=status)
        response[BODY_HEADER] = "1"
    else:
        response = render(request, "subsidies/public/status.html", context, status=status)
    patch_vary_headers(response, (BODY_HEADER,))
    return response


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _throttled(request, retry_after: int, *, api: bool, reference: str = ""):
    if api:
        response = JsonResponse({"found": False, "error": THROTTLED_TEXT}, status=429)
    else:
        response = _public_page(
            request,
            {"error": throttled_text(retry_after), "throttled": True},
            status=429,
            reference=reference,
        )
    response["Retry-After"] = str(retry_after)
    return response


def _look_up(request, keys, form, channel: str, *, entries: bool = True):
    """The throttled lookup shared by the page and the web service (``form`` a valid
    ``LookupForm``, ``keys`` its ``services.throttle_keys``): the throttle is read in the
    lookup's own query (a right pair records nothing there); a wrong pair is checked against it
    again and counted in one step. Returns (found, seconds to wait)."""
    own = services.throttle_keys(request, form.cleaned_data["reference"])
    if own != keys:  # the request's reference was no text (JSON): its keys are read first
        wait = services.retry_after(keys)
        if wait:
            return None, wait
    return services.throttled_lookup(
        own,
        form.cleaned_data["reference"],
        form.cleaned_data["national_id"],
        channel=channel,
        entries=entries,
    )


def _keep(response, name: str, value: str) -> None:
    """Keep ``value`` (and now) for the page's next GETs, signed, until the browser closes
    (``_kept`` honours it ``RESULT_MAX_AGE``)."""
    response.set_signed_cookie(
        name,
        f"{value}:{timezone.now().timestamp():.3f}",
        salt=KEPT_SALT,
        path=reverse("subsidies:status"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _kept(request, name: str) -> str | None:
    """The value kept in the cookie ``name`` if it is signed by us and recent, else None."""
    value = request.get_signed_cookie(name, default=None, salt=KEPT_SALT)
    try:
        kept, at = value.rsplit(":", 1)
        age = timezone.now().timestamp() - float(at)
    except (AttributeError, ValueError):
        return None
    return kept if -CLOCK_SKEW <= age <= RESULT_MAX_AGE else None


def _forget(request, response, *names: str):
    """The cookies ``names`` the request sent are dropped by ``response``."""
    for name in names:
        if name in request.COOKIES:
            response.delete_cookie(name, path=reverse("subsidies:status"), samesite="Lax")
    return response


def _result_tag(check_id: int, citizen_key: str) -> str:
    """The kept result's tag: the check's id keyed by its citizen key (a keyed hash of the
    national ID whose key only the database holds)."""
    message = f"subsidies.kept-result:{check_id}".encode()
    return hmac.new(citizen_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def _keep_result(response, check) -> None:
    _keep(response, RESULT_COOKIE, f"{check.pk}:{_result_tag(check.pk, check.citizen_key)}")


def _stored_result(request) -> dict | None:
    """The result of this browser's latest successful lookup, if it is recent: the application
    as it is now (a correction or a move made since shows), and whether the check is rated."""
    kept = _kept(request, RESULT_COOKIE)
    try:
        kept_id, tag = (kept or "").split(":")
        check_id = int(kept_id)
    except ValueError:
        return None
    # One query: the check, its application as it is now, its steps, whether it is rated.
    found = services.checked_result(check_id)
    if found is None:
        return None
    check, application, entries, rated = found
    if not hmac.compare_digest(tag, _result_tag(check_id, check.citizen_key)):
        return None
    return {"application": application, "entries": entries, "check": check, "rated": rated}


@never_cache
@require_http_methods(["GET", "POST"])
def public_status(request):
    """The citizen's page: no login; reference + national ID → the five steps."""
    if request.method == "GET":
        return _public_result(request)
    response, check = _public_lookup(request)
    # A new lookup forgets the previous one's result, whatever its outcome.
    _forget(request, response, RESULT_COOKIE, RATED_COOKIE)
    if check is not None:
        _keep_result(response, check)
    return response


def _public_lookup(request):
    """The page's POST: (the answer, the check to keep when the pair was found)."""
    typed_reference = request.POST.get("reference", "")[:32]
    keys = services.throttle_keys(request, request.POST.get("reference", ""))
    form = LookupForm(request.POST)
    if not form.is_valid():  # a client that must wait hears that first
        wait = services.retry_after(keys)
        if wait:
            return _throttled(request, wait, api=False, reference=typed_reference), None
        return _public_page(request, {"form": form}, status=400), None
    # The page redirects (its GET reads the steps); its script's request gets the result.
    body = _wants_body(request)
    found, wait = _look_up(request, keys, form, Channel.WEB, entries=body)
    if wait:
        return _throttled(request, wait, api=False, reference=typed_reference), None
    if found is None:
        # The reference stays as typed (a typo in the ID is the usual mistake); the ID does not.
        page = _public_page(
            request, {"error": NOT_FOUND_TEXT}, status=404, reference=typed_reference
        )
        return page, None
    if body:
        context = _result_context(found.application, found.entries, found.check, found.rated)
        return _public_page(request, context), found.check
    return _see_other(reverse("subsidies:status")), found.check


def _result_context(application, entries, check, rated: bool, thanks: bool = False) -> dict:
    """The page's context for a found application: its steps, what happens next, and the
    rating form (a token bound to ``check``) or, once rated, that it was rated."""
    context = {
        "found": application,
        "timeline": services.timeline(application, entries),
        "next_text": services.next_text(application),
        "thanks": thanks,
    }
    if rated and not thanks:
        context["rated_text"] = RATED_TEXT
    elif not rated:
        token = signing.dumps(check.pk, salt=RATING_SALT)
        context["rating_form"] = RatingForm(initial={"token": token})
        context["rating_fields"] = _rating_fields()
    return context


def _public_result(request):
    """GET: the empty form, or the stored result (after the redirect, on Back, on reload)."""
    thanks = _kept(request, RATED_COOKIE) is not None
    result = _stored_result(request)
    if result is None:
        return _forget(
            request, _public_page(request, {"thanks": thanks}), RESULT_COOKIE, RATED_COOKIE
        )
    context = _result_context(
        result["application"], result["entries"], result["check"], result["rated"], thanks
    )
    return _forget(request, _public_page(request, context), RATED_COOKIE)


@never_cache
@require_POST
def public_rate(request):
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _rated_page(request, _("โปรดเลือกคะแนน 1–5"), 400)
    try:
        check_id = signing.loads(
            form.cleaned_data["token"], salt=RATING_SALT, max_age=RATING_MAX_AGE
        )
        check = StatusCheck.objects.get(pk=check_id)
    except (signing.BadSignature, StatusCheck.DoesNotExist):
        return _rated_page(request, _("แบบประเมินหมดอายุแล้ว โปรดตรวจสอบสถานะอีกครั้งเพื่อประเมิน"), 400)
    try:
        with transaction.atomic():
            Rating.objects.create(
                check_record=check,
                citizen_key=check.citizen_key,
                application_id=check.application_id,
                step=check.step,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"].strip(),
            )
    except IntegrityError:  # this check, or this citizen at this step, rated already
        return _rated_page(request, RATED_TEXT, 409)
    # Post/redirect/get: the thanks (and the status, while it is kept) on the page itself.
    response = _see_other(reverse("subsidies:status"))
    _keep(response, RATED_COOKIE, str(check.pk))
    return response


def _rated_page(request, error: str, status: int):
    return render(
        request,
        "subsidies/public/rated.html",
        {"error": error, "helpline": helpline()},
        status=status,
    )


def _as_json(application, entries) -> dict:
    return {
        "found": True,
        "reference": application.formatted_reference,
        "first_name": application.first_name,
        "subsidy_type": application.subsidy_type,
        "subsidy_type_label": application.get_subsidy_type_display(),
        "received_on": application.received_on.isoformat(),
        "current_step": application.step,
        "current_step_label": application.get_step_display(),
        "decision": application.decision or None,
        "closed": application.is_closed,
        "next": services.next_text(application),
        "steps": [
            {
                "step": row["step"],
                "label": row["label"],
                "state": row["state"],
                "date": row["date"].isoformat() if row["date"] else None,
                "decision": row["decision"] or None,
            }
            for row in services.timeline(application, entries)
        ],
    }


JSON_ONLY_TEXT = gettext_lazy("เว็บเซอร์วิสนี้รับเฉพาะข้อมูล JSON (Content-Type: application/json)")
CROSS_SITE_TEXT = gettext_lazy("เว็บเซอร์วิสนี้ไม่รับคำขอจากหน้าเว็บของเว็บไซต์อื่น")


def _same_origin(request) -> bool:
    """No browser-sent sign of another site: a non-browser client sends neither header; a
    browser sends Sec-Fetch-Site and, for a POST, Origin."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])


# A web service for other systems: no session, no cookie, so no CSRF token. A hostile page could
# still make a visitor's browser POST to it (and spend the visitor's throttle): only JSON is
# taken (a cross-site page cannot send application/json without a CORS preflight, which is not
# answered) and a request another site's page sent is refused before anything is counted.
@csrf_exempt
@never_cache
@require_POST
def api_status(request):
    """POST {"reference": "...", "national_id": "..."} → the status as JSON."""
    if request.content_type != "application/json":
        return JsonResponse({"found": False, "error": JSON_ONLY_TEXT}, status=415)
    if not _same_origin(request):
        return JsonResponse({"found": False, "error": CROSS_SITE_TEXT}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        payload = None
    reference = payload.get("reference", "") if payload is not None else ""
    keys = services.throttle_keys(request, reference if isinstance(reference, str) else "")
    form = None
    if payload is not None:
        form = LookupForm(
            {
                "reference": payload.get("reference", ""),
                "national_id": payload.get("national_id", ""),
            }
        )
    if form is None or not form.is_valid():  # a client that must wait hears that first
        wait = services.retry_after(keys)
        if wait:
            return _throttled(request, wait, api=True)
    if form is None:
        return JsonResponse({"found": False, "error": _("ข้อมูลต้องเป็น JSON")}, status=400)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse(
            {"found": False, "error": _("ข้อมูลไม่ครบหรือไม่ถูกต้อง"), "fields": errors}, status=400
        )
    found, wait = _look_up(request, keys, form, Channel.API)
    if wait:
        return _throttled(request, wait, api=True)
    if found is None:
        return JsonResponse({"found": False, "error": NOT_FOUND_TEXT}, status=404)
    return JsonResponse(
        _as_json(found.application, found.entries), json_dumps_params={"ensure_ascii": False}
    )
