"""What the volunteers pages share: their context, the scoped look-ups of one record, the
period of a page, a PDF response and the "submission already made its record" check."""

import datetime as dt
import uuid

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from core import once
from core.models import province_of
from indicators import period
from volunteers import permissions, queries
from volunteers.models import Course, Volunteer


def ctx(request, **extra) -> dict:
    return {
        "can_edit": permissions.can_edit(request.user),
        "show_ids": permissions.can_see_national_id(request.user),
        "my_province": province_of(request.user),
        **extra,
    }


def requested_year(request) -> int:
    """?year=2563 (a year that is not a BE fiscal year is a 404), else the year the pages open
    on (``queries.default_year``)."""
    return period.requested_year(request, lambda: queries.default_year(request.user))


def year_and_as_of(request) -> tuple[int, dt.date]:
    """The year (as :func:`requested_year`) and ?as_of= within it; a date not understood is
    shown instead of being replaced silently (``request.as_of_problem``, _as_of_problem.html)."""
    return period.year_and_as_of(request, lambda: queries.default_year(request.user))


def visible_volunteer(request, pk) -> Volunteer:
    return get_object_or_404(
        Volunteer.objects.visible_to(request.user).select_related("province"), pk=pk
    )


def visible_course(request, pk) -> Course:
    return get_object_or_404(
        Course.objects.visible_to(request.user).select_related("province"), pk=pk
    )


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def claimed_before(request) -> bool:
    """The POST's submission token was claimed by a committed write (core.once): a copy of a
    submission that already made its record, seen by a form that no longer validates because
    of that record (its national ID is now taken)."""
    from core.models import Submission

    try:
        token = uuid.UUID(request.POST.get(once.FIELD, ""))
    except ValueError:
        return False
    return Submission.objects.filter(token=token).exists()
