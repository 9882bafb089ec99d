"""The 3-year development plan (แผนพัฒนาศักยภาพ อพม.): the plans, one plan's achievement in a
year, and the form of a plan with its yearly targets (refused, part by part, when stale)."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import requested_format, rows_response
from indicators import period
from volunteers import permissions
from volunteers import plan as plan_mod
from volunteers.forms import PlanForm, PlanTargetFormSet
from volunteers.models import Plan, PlanTarget
from volunteers.views._common import ctx, requested_year


@permissions.can_view_plan.required
def plan_list(request):
    plans = Plan.objects.annotate(n_targets=Count("targets"))
    fmt = requested_format(request)
    if fmt:
        header = ["เลขที่", "แผน", "ปีเริ่ม", "ปีสิ้นสุด", "เห็นชอบเมื่อ", "ผู้ให้ความเห็นชอบ", "จำนวนเป้าหมาย"]
        rows = (
            [
                p.pk, p.title, p.first_year, p.last_year, p.approved_on,
                p.approved_by, p.n_targets,
            ]
            for p in plans
        )  # fmt: skip
        return rows_response(header, rows, "plans", fmt)
    return render(
        request,
        "volunteers/plan_list.html",
        ctx(
            request,
            plans=plans,
            can_edit_plan=permissions.can_edit_plan(request.user),
        ),
    )


@permissions.can_view_plan.required
def plan_detail(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    years = list(range(plan.first_year, plan.last_year + 1))
    year = requested_year(request)
    if year not in years:
        year = years[0]
    as_of = period.requested_as_of(request, year)
    result = plan_mod.compute(plan, year, as_of)
    return render(
        request,
        "volunteers/plan_detail.html",
        ctx(
            request,
            plan=plan,
            years=years,
            year=year,
            as_of=as_of,
            result=result,
            groups=result.by_province(),
            can_edit_plan=permissions.can_edit_plan(request.user),
        ),
    )


PLAN_CHANGED = gettext_lazy(
    "มีผู้แก้ไขแผนนี้ระหว่างที่ท่านกรอก จึงยังไม่ได้บันทึก: %(what)s — ข้อมูลที่ท่านกรอกยังอยู่ในแบบฟอร์ม"
    " โปรดเทียบกับข้อมูลล่าสุดที่แสดงไว้ แก้ไขให้ถูกต้อง แล้วกดบันทึกอีกครั้ง"
)


@permissions.can_edit_plan.required
def plan_form(request, pk=None):
    """The plan and its yearly targets, saved together on the locked plan. The plan and each
    target row carry their version: a part this user changed that someone else saved meanwhile
    refuses the whole save (409, what was typed kept, the parts named with their current
    values); the parts this user did not change are not written."""
    plan = get_object_or_404(Plan, pk=pk) if pk else None
    form = PlanForm(instance=plan)
    formset = PlanTargetFormSet(instance=plan or Plan(), prefix="t")
    status, changed_now, stale, locked = 200, {}, [], None
    if request.method == "POST":
        status = 400
        with transaction.atomic():
            locked = Plan.objects.select_for_update().get(pk=plan.pk) if plan else None
            form = PlanForm(request.POST, instance=locked)
            formset = PlanTargetFormSet(request.POST, instance=locked or Plan(), prefix="t")
            if form.is_valid() and formset.is_valid():
                stale = []
                if locked is not None and form.has_changed() and form.is_stale:
                    stale.append(form)
                stale += [
                    f for f in formset.forms if f.instance.pk and f.has_changed() and f.is_stale
                ]
                if not stale:
                    saved = form.save() if locked is None or form.has_changed() else locked
                    formset.instance = saved
                    formset.save()
                    messages.success(request, _("บันทึกแผนแล้ว"))
                    return redirect(saved)
        if locked is not None and stale:
            form, formset, changed_now = _plan_again(request, locked.pk, stale)
            status = 409
    return render(
        request,
        "volunteers/plan_form.html",
        ctx(request, form=form, formset=formset, plan=plan, changed_now=changed_now),
        status=status,
    )


def _plan_again(request, pk, stale):
    """The typed plan form again, now carrying the current versions of the parts that changed
    (so saving again is a deliberate choice), with what those parts are now."""
    data = request.POST.copy()
    current = Plan.objects.get(pk=pk)
    targets = PlanTarget.objects.in_bulk(
        [f.instance.pk for f in stale if not isinstance(f, PlanForm)]
    )
    what, changed_now = [], {}
    for f in stale:
        if isinstance(f, PlanForm):
            data["version"] = str(current.version)
            what.append(_("ข้อมูลของแผน"))
        else:
            now = targets.get(f.instance.pk)
            if now is None:
                continue
            data[f.add_prefix("version")] = str(now.version)
            changed_now[f.instance.pk] = now
            what.append(_("เป้าหมาย “%(t)s” ปี %(y)s") % {"t": now, "y": now.fiscal_year})
    form = PlanForm(data, instance=current)
    formset = PlanTargetFormSet(data, instance=current, prefix="t")
    form.is_valid()
    formset.is_valid()
    for row in formset.forms:
        row.current = changed_now.get(row.instance.pk)
    form.add_error(None, PLAN_CHANGED % {"what": ", ".join(what)})
    if any(isinstance(f, PlanForm) for f in stale):
        form.current = current
    return form, formset, changed_now
