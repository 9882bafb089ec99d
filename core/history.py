"""The audit trail of a record (django-simple-history), as rows a page can show: when, who,
what kind of change, and which fields changed from what to what. Read-only by construction:
pages only display it, and no view or admin edits historical records.

Values read as the rest of the Thai UI: dates in BE (times in Asia/Bangkok), coded fields by
their label, booleans as ใช่/ไม่ใช่, a foreign key by the name of what it points to (fetched in
one query per related model, whatever the number of records), the kind of change in the page's language."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.nationalid import mask

HIDDEN = {
    "id",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}

# the kind of change as a noun ("Changed"), not the button's verb ("Edit"): a context of its own
CHANGE_KINDS = {
    "+": pgettext_lazy("change", "เพิ่ม"),
    "~": pgettext_lazy("change", "แก้ไข"),
    "-": pgettext_lazy("change", "ลบ"),
}


def history_rows(instance, limit: int = 30, masked_fields=frozenset()) -> list[dict]:
    """Newest first. ``masked_fields`` (e.g. {"national_id"}) are shown masked.

    Each row: ``when`` (aware datetime), ``who`` (user or None), ``type`` (เพิ่ม/แก้ไข/ลบ),
    ``reason`` and ``changes`` ([{"field", "old", "new"}], values as display text or None)."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = type(instance)
    rows, raw_changes = [], []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            delta = record.diff_against(older)
            for change in delta.changes:
                if change.field in HIDDEN:
                    continue
                changes.append([change.field, change.old, change.new])
        raw_changes.append(changes)
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "type": str(CHANGE_KINDS.get(record.history_type, record.history_type)),
                "reason": record.history_change_reason or "",
                "changes": [],
            }
        )
    related = _related_names(model, raw_changes)
    for row, changes in zip(rows, raw_changes, strict=True):
        for name, old, new in changes:
            field = _field(model, name)
            if name in masked_fields:
                old, new = mask(str(old or "")) or None, mask(str(new or "")) or None
            else:
                old, new = _shown(field, old, related), _shown(field, new, related)
            label = str(field.verbose_name) if field is not None else name
            row["changes"].append({"field": label, "old": old, "new": new})
    return rows


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _related_names(model, raw_changes) -> dict:
    """{(related model, pk): display text} for every foreign key value in the changes: one
    query per related model."""
    wanted: defaultdict[Any, set] = defaultdict(set)
    for changes in raw_changes:
        for name, old, new in changes:
            field = _field(model, name)
            if isinstance(field, models.ForeignKey):
                key = (field.related_model, field.target_field.attname)
                wanted[key].update(v for v in (old, new) if v is not None)
    names = {}
    user_model = get_user_model()
    for (related_model, target), values in wanted.items():
        for obj in related_model._base_manager.filter(**{f"{target}__in": values}):
            if related_model is user_model:
                text = obj.get_full_name() or obj.get_username()
            else:
                text = str(obj)
            names[(related_model, getattr(obj, target))] = text
    return names


def _shown(field, value, related: dict):
    """A value as the Thai UI shows it; None (or an empty text) for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return _many(value)
    if field is None:
        return str(value)
    if isinstance(field, models.ForeignKey):
        gone = _("รายการ #%(pk)s (ลบแล้ว)") % {"pk": value}
        return related.get((field.related_model, value), gone)
    if field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return _("ใช่") if value else _("ไม่ใช่")
    from core.templatetags.thai import thaidate, thaidatetime

    if isinstance(value, dt.datetime):
        return thaidatetime(value)
    if isinstance(value, dt.date):
        return thaidate(value)
    return str(value)


def _many(value: list):
    """Many-to-many changes arrive as lists of through-rows: show the people or items named."""
    user_ids = [row.get("user") for row in value if isinstance(row, dict) and "user" in row]
    if user_ids and len(user_ids) == len(value):
        names = get_user_model().objects.filter(pk__in=user_ids)
        return ", ".join(sorted(u.get_full_name() or u.username for u in names)) or None
    if not value:
        return None
    return _("%(count)s รายการ") % {"count": len(value)}
