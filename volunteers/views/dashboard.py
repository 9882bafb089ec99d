"""The volunteers dashboard (ภาพรวม อพม.): the figures of a fiscal year in the user's scope,
each from a named query (volunteers/queries.py)."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.thaidate import default_as_of, fiscal_year_bounds
from volunteers import permissions, queries
from volunteers import plan as plan_mod
from volunteers.views._common import ctx, requested_year


@permissions.can_view.required
def dashboard(request):
    year = requested_year(request)
    start, end = fiscal_year_bounds(year)
    scope = queries.scope_of(request.user, request.GET.get("province", ""))
    volunteers = queries.volunteers_in(request.user, scope)
    # Specialties of active volunteers in the scope: one grouped query, shared with the plan's
    # specialists measure below (the same as-of date and province).
    as_of = default_as_of(year)
    links = None if scope.nothing else plan_mod.specialty_links(as_of, scope.province)
    by_status = queries.volunteers_by_status(volunteers)
    by_specialty = queries.volunteers_by_specialty(links or {})
    services = queries.services_by_month(start, end, scope)
    by_type = services.by_type()
    chart = {
        "months": services.month_labels(),
        "types": services.series(),
        "status": {"labels": [s for s, _n in by_status], "data": [n for _s, n in by_status]},
        "specialty": {
            "labels": [s for s, _n in by_specialty],
            "data": [n for _s, n in by_specialty],
            "unit": _("คน"),
        },
    }
    plan_result = plan_mod.compute(plan_mod.plan_for_year(year), year, as_of, scope.province, links)
    return render(
        request,
        "volunteers/dashboard.html",
        ctx(
            request,
            year=year,
            province=scope.province,
            provinces=scope.choices,
            by_status=by_status,
            total_volunteers=sum(n for _s, n in by_status),
            by_specialty=by_specialty,
            trained=queries.trained_between(volunteers, start, end),
            by_type=by_type,
            services_total=sum(n for _s, n in by_type),
            chart_json=chart,
            plan_result=plan_result,
            plan_groups=plan_result.by_province(),
        ),
    )
