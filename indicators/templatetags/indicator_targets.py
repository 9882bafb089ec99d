"""``{% load indicator_targets %}{% indicator_targets indicator current as_of %}``: the indicator
page's criteria card (each level's target as the document set it and, when revised, the one in
force at the page's date) and its target revisions (reason, approver, date, the letter), with
the admins' link to record one. One query (the indicator's revisions)."""

from django import template

from indicators.models import LEVEL_NAMES, TARGET_LABELS, TargetRevision
from indicators.targets import apply, revision_rows

register = template.Library()


@register.inclusion_tag("indicators/_targets.html", takes_context=True)
def indicator_targets(context, indicator, current=None, as_of=None):
    from indicators.views_targets import can_revise

    user = context.get("user")
    revisions = list(
        TargetRevision.objects.filter(indicator=indicator).select_related(
            "indicator", "deliverable", "approved_by", "recorded_by", "withdrawn_by"
        )
    )
    deliverables = [status.deliverable for status in getattr(current, "deliverables", [])]
    if as_of is None:
        as_of = getattr(current, "as_of", None)
    force = apply(indicator, as_of, deliverables, revisions) if as_of else None
    own_notes = (indicator.target_min_note, indicator.target_std_note, indicator.target_max_note)
    thresholds = {}
    for status in getattr(current, "deliverables", []):
        d = status.deliverable
        if d.threshold is not None:
            used = force.thresholds.get(d.pk) if force else d.threshold
            thresholds.setdefault(d.level, []).append((d, used))
    levels = []
    for i, (label, points) in enumerate(
        zip(TARGET_LABELS, indicator.indicator_set.points, strict=True)
    ):
        target = indicator.targets[i]
        used = force.targets[i] if force else target
        note = force.notes[i] if force else own_notes[i]
        levels.append(
            {
                "label": label,
                "points": points,
                "original": target,
                "used": used,
                "figure_revised": used != target,
                "note": note,
                "original_note": own_notes[i],
                "note_revised": note != own_notes[i],
                "thresholds": [
                    {
                        "deliverable": d,
                        "original": d.threshold,
                        "used": figure,
                        "revised": figure != d.threshold,
                    }
                    for d, figure in thresholds.get(i + 1, [])
                ],  # fmt: skip
            }
        )
    return {
        "indicator": indicator,
        "as_of": as_of,
        "levels": levels,
        "revised": bool(force and force.revisions),
        "rows": revision_rows(revisions, as_of) if as_of else [],
        "can_revise": can_revise(user) and indicator.kind != "group",
        "user": user,
    }


@register.filter
def thai_month(value) -> str:
    """สิงหาคม 2563 (the month and BE year of a date); English mode: Aug 2563 BE."""
    from core.thaidate import MONTHS_EN, MONTHS_LONG, be_year, current_lang

    if not value:
        return ""
    if current_lang() == "en":
        return f"{MONTHS_EN[value.month - 1]} {be_year(value.year)} BE"
    return f"{MONTHS_LONG[value.month - 1]} {be_year(value.year)}"


@register.filter
def level_name(level) -> str:
    """The short name of a level reached (``indicators.models.LEVEL_NAMES``)."""
    return str(LEVEL_NAMES.get(level, ""))
