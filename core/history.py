"""The audit trail of a record (django-simple-history), as rows a page can show: when, who,
what kind of change, and which fields changed from what to what. Read-only by construction:
pages only display it, and no view or admin edits historical records."""

from core.nationalid import mask

HIDDEN = {
    "id",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


def history_rows(instance, limit: int = 30, masked_fields=frozenset()) -> list[dict]:
    """Newest first. ``masked_fields`` (e.g. {"national_id"}) are shown masked."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = type(instance)
    rows = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            delta = record.diff_against(older)
            for change in delta.changes:
                if change.field in HIDDEN:
                    continue
                label = _label(model, change.field)
                old, new = _shown(change.old), _shown(change.new)
                if change.field in masked_fields:
                    old, new = mask(str(old or "")), mask(str(new or ""))
                changes.append({"field": label, "old": old, "new": new})
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "type": record.get_history_type_display(),
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed keeps its raw name
        return name


def _shown(value):
    """Many-to-many changes arrive as lists of through-rows: show the people or items named."""
    if isinstance(value, list):
        from django.contrib.auth import get_user_model

        user_ids = [row.get("user") for row in value if isinstance(row, dict) and "user" in row]
        if user_ids and len(user_ids) == len(value):
            names = get_user_model().objects.filter(pk__in=user_ids)
            return ", ".join(sorted(u.get_full_name() or u.username for u in names)) or "–"
        return f"{len(value)} รายการ"
    return value
