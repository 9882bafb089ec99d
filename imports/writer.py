"""Writing new rows fast, with their audit history.

On PostgreSQL: ids are taken from the table's sequence in one query, then the rows are streamed
with COPY (issue 6 measured COPY at 0.6 s for 100,000 rows against 36 s for django-import-export's
bulk mode) and their historical records copied from them inside the database. A column that no
row sets, whose value would be NULL and the table's own default is NULL, is left to the table
(fewer columns to send). Elsewhere (SQLite): ``bulk_create_with_history``.
"""

from collections.abc import Callable
from operator import itemgetter

from django.db import connection
from django.db.models import F, Value
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

SIMPLE_TYPES = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
    "DateTimeField", "DecimalField", "ForeignKey", "IntegerField", "OneToOneField",
    "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "SmallIntegerField", "TextField", "EmailField", "URLField", "SlugField",
}  # fmt: skip
REASON = "นำเข้าข้อมูล"


def _has_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def _converters(fields):
    """Per field: the raw attribute, or the field's own db preparation for richer types."""

    def make(field):
        if field.get_internal_type() in SIMPLE_TYPES:
            return lambda value: value
        return lambda value, f=field: f.get_db_prep_save(value, connection)

    return [make(f) for f in fields]


def _copy(table: str, columns: list[str], rows) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor behind Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _reserve_ids(model, count: int) -> list[int]:
    pk = model._meta.pk
    with connection.cursor() as cursor:
        # The sequence's name first: pg_get_serial_sequence() inside the series would be
        # evaluated once a row (it was four fifths of the time).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, count]
        )
        return cursor.fetchone()[0]


_null_default: dict[str, set[str]] = {}


def _columns_defaulting_to_null(table: str) -> set[str]:
    """The table's nullable columns without a default of their own (the catalog's word, once
    per process and table)."""
    if table not in _null_default:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = %s AND is_nullable = 'YES' "
                "AND column_default IS NULL AND is_identity = 'NO'",
                [table],
            )
            _null_default[table] = {name for (name,) in cursor.fetchall()}
    return _null_default[table]


def _db_default(field):
    default = getattr(field, "db_default", NOT_PROVIDED)
    if default is NOT_PROVIDED:
        return NOT_PROVIDED
    return default.value if isinstance(default, Value) else default


def _default(field):
    """What the ORM would have filled in: auto_now/auto_now_add timestamps, else the default."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = timezone.now()
        return now if field.get_internal_type() == "DateTimeField" else timezone.localdate(now)
    return field.get_default()


def _touch(model, objs: list, fields: list[str]) -> list[str]:
    """bulk_update skips auto_now fields: set them, and write them with the rest."""
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    for field in stamped:
        value = _default(field)
        for obj in objs:
            setattr(obj, field.attname, value)
    return fields + [f.name for f in stamped if f.name not in fields]


def _one(names: list[str]) -> Callable[[dict], tuple]:
    """``itemgetter`` for fewer than two names, giving a tuple as it does for more."""

    def get(values: dict) -> tuple:
        return tuple(values[name] for name in names)

    return get


def create(model, rows: list[dict], user=None) -> None:
    """Insert new rows given as field values (attnames); fields left out take their defaults."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(**values) for values in rows]
        if _has_history(model):
            from simple_history.utils import bulk_create_with_history

            bulk_create_with_history(
                objs, model, batch_size=2000, default_user=user, default_change_reason=REASON
            )
        else:
            model.objects.bulk_create(objs, batch_size=2000)
        return
    pk = model._meta.pk
    ids = _reserve_ids(model, len(rows))
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    defaults = {f.attname: _default(f) for f in fields}
    keys = rows[0].keys()
    # Whether every row sets the same fields (one C loop over the rows' key views).
    uniform = all(map(keys.__eq__, map(dict.keys, rows)))
    given = set(keys) if uniform else set().union(*rows)
    nulls = _columns_defaulting_to_null(model._meta.db_table)
    # Left to the table: columns no row sets whose value would be what the table gives anyway.
    sent = [
        f
        for f in fields
        if f.attname in given
        or not (
            (defaults[f.attname] is None and f.column in nulls)
            or (defaults[f.attname] is not None and _db_default(f) == defaults[f.attname])
        )
    ]
    present = [f for f in sent if f.attname in keys] if uniform else []
    if uniform and all(f.get_internal_type() in SIMPLE_TYPES for f in present):
        # Every row sets the same fields: one C call a row for those, the rest are constants.
        absent = [f for f in sent if f.attname not in keys]
        convert = _converters(absent)
        constants = tuple(c(defaults[f.attname]) for c, f in zip(convert, absent, strict=True))
        columns = [pk.column, *[f.column for f in present], *[f.column for f in absent]]
        names = [f.attname for f in present]
        get: Callable[[dict], tuple] = itemgetter(*names) if len(names) > 1 else _one(names)
        _copy(
            model._meta.db_table,
            columns,
            ((i, *get(v), *constants) for i, v in zip(ids, rows, strict=True)),
        )
    else:
        columns = [pk.column, *[f.column for f in sent]]
        names = [f.attname for f in sent]
        convert = _converters(sent)
        needs_prep = [i for i, f in enumerate(sent) if f.get_internal_type() not in SIMPLE_TYPES]
        full = [
            [new_id, *[values.get(name, defaults[name]) for name in names]]
            for new_id, values in zip(ids, rows, strict=True)
        ]
        for row in full:
            for i in needs_prep:
                row[i + 1] = convert[i](row[i + 1])
        _copy(model._meta.db_table, columns, full)
    if not _has_history(model):
        return
    history = _history_model(model)
    quote = connection.ops.quote_name
    own = {f.column for f in fields} | {pk.column}
    low, high = min(ids), max(ids)
    # Ids drawn in one run from the sequence are usually consecutive: then the range is exactly
    # the new rows (no one else is given a number in it).
    among, extra = (
        ("", []) if high - low + 1 == len(ids) else (f" AND {quote(pk.column)} = ANY(%s)", [ids])
    )
    tracked = [
        f.column
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.column in own
    ]
    listed = ", ".join(quote(c) for c in tracked)
    # The history rows are copied from the new rows inside the database, not sent again.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({listed}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {listed}, %s, %s, '+', %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(pk.column)} BETWEEN %s AND %s{among}",
            [timezone.now(), REASON, getattr(user, "pk", None), low, high, *extra],
        )


def update(model, objs: list, fields: list[str], user=None) -> None:
    if not objs:
        return
    fields = _touch(model, objs, list(fields))
    if _has_history(model):
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(
            objs, model, fields, batch_size=1000, default_user=user, default_change_reason=REASON
        )
    else:
        model.objects.bulk_update(objs, fields, batch_size=1000)
    _bump_versions(model, objs, fields)


def _bump_versions(model, objs: list, fields: list[str]) -> None:
    """Records whose edit forms carry a version (residents, applications): an import that changes
    them moves the version on, so a form opened before the import is refused as stale instead of
    writing its old values back. A queryset that moves it on by itself in ``update`` (volunteers:
    ``bumps_version``) is left to do so."""
    if "version" in fields or not any(f.name == "version" for f in model._meta.concrete_fields):
        return
    if getattr(model._default_manager.get_queryset(), "bumps_version", False):
        return
    from imports.resources import chunks

    for pks in chunks([obj.pk for obj in objs]):
        model._default_manager.filter(pk__in=pks).update(version=F("version") + 1)
