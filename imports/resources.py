"""The base of every import resource (django-import-export), and the registry of import kinds.

A resource declares its columns as import-export ``Field``s whose widget wraps one of the shared
cell parsers in ``core.cells``; ``thai_headers`` gives each column's Thai header, so a file may use
either. The engine (``imports.engine``) reads the file, cleans each cell through the widgets, then
asks the resource to resolve rows against the database in bulk (``context``/``resolve``/
``existing``) and writes new and changed rows with bulk operations in one transaction.
"""

import datetime as dt
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.utils.functional import Promise
from import_export import fields, resources, widgets

from core import cells


class CellWidget(widgets.Widget):
    """Cleans a cell with a ``core.cells`` parser; renders values back for exports/templates."""

    def __init__(self, parser: Callable[[Any], Any], render: Callable[[Any], Any] | None = None):
        super().__init__()
        self.parser = parser
        self._render = render

    def clean(self, value, row=None, **kwargs):
        return self.parser(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return cells.neutralise_formula(self._render(value) if self._render else value)


def column(name: str, parser: Callable, attribute: str | None = None, render=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name, widget=CellWidget(parser, render))


def render_date(value):
    """Dates go out (templates, exports) as ISO text, which every parser reads back."""
    return value.isoformat() if isinstance(value, dt.date) else value


CHUNK = 5000
# Room for the other parameters of a query that also filters by a chunk.
_SPARE_VARIABLES = 100


def chunk_size(size: int = CHUNK) -> int:
    """At most ``size``, and within the database's limit on a statement's variables: SQLite's
    is a build setting (999 before 3.32, 32,766 since, 250,000 on Debian), read from the open
    connection; PostgreSQL's (65,535 parameters a statement) is well above 5,000."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return max(1, min(size, limit - _SPARE_VARIABLES))
    return size


def chunks(items, size: int = CHUNK):
    """Slices of ``items`` for IN (…) queries of a bounded size (see ``chunk_size``)."""
    items = list(items)
    size = chunk_size(size)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def each_chunk(queryset, field: str, values):
    """``queryset`` filtered by ``field__in`` one bounded chunk of ``values`` at a time: a file
    can name any number of keys, a statement can carry only so many variables."""
    for chunk in chunks(sorted(set(values), key=str)):
        yield queryset.filter(**{f"{field}__in": chunk})


def need(row: dict, name: str, message: str):
    """The row's value for a required column, or a RowProblem with the Thai ``message``."""
    if row.get(name) in (None, ""):
        raise RowProblem(name, message)
    return row[name]


class RowProblem(Exception):
    """A row that cannot be applied: which column, and why (Thai)."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class KpiResource(resources.Resource):
    model: Any = None  # the Django model the rows become
    kind: str = ""
    label: "str | Promise" = ""  # a gettext_lazy string
    order: int = 100
    thai_headers: dict[str, str] = {}
    required: tuple[str, ...] = ()
    # At least one of these groups must be present in the header row.
    one_of: tuple[tuple[str, ...], ...] = ()
    example: dict[str, Any] = {}
    # The model fields that an update compares and writes.
    update_fields: tuple[str, ...] = ()
    # Model fields (beyond update_fields) that ``records()`` fetches to build the natural key.
    key_fields: tuple[str, ...] = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.by_column = {f.column_name: f for f in self.fields.values()}

    # -- declared columns -------------------------------------------------------------------
    def column_names(self) -> list[str]:
        return [f.column_name for f in self.fields.values()]

    def header_for(self, column_name: str, thai: bool) -> str:
        return self.thai_headers.get(column_name, column_name) if thai else column_name

    def clean_cell(self, column_name: str, value):
        return self.by_column[column_name].widget.clean(value)

    def cleaner(self, column_name: str) -> Callable[[Any], Any]:
        """The column's cell parser itself (the widget's), for the engine's hot loop."""
        widget = self.by_column[column_name].widget
        return getattr(widget, "parser", widget.clean)

    # -- bulk resolution, overridden per kind ------------------------------------------------
    def context(self, rows: list[dict]) -> Any:
        """Everything the rows refer to, fetched in a fixed number of queries."""
        return None

    def resolve(self, row: dict, ctx) -> tuple[Any, dict]:
        """The row's natural key and the model field values; raise RowProblem if it can't be."""
        raise NotImplementedError

    def existing(self, keys: Iterable, ctx) -> dict:
        """Existing rows by natural key, as records with ``pk`` and the ``update_fields``
        (model instances or lighter ``records()``), in a fixed number of queries."""
        raise NotImplementedError

    def records(self, queryset, key: Callable) -> dict:
        """Light records (named tuples with ``pk`` and the update fields) by natural key."""
        names = ["pk", *self.update_fields, *self.key_fields]
        record = namedtuple("Record", names, rename=False)  # type: ignore[misc]  # noqa: PYI024
        columns = ["pk", *self.update_fields, *self.key_fields]
        return {key(r): r for r in map(record._make, queryset.values_list(*columns).iterator(5000))}

    def records_in(self, queryset, field: str, values, key: Callable) -> dict:
        """``records`` of ``queryset`` filtered by ``field__in`` ``values``, in chunks."""
        found: dict = {}
        for part in each_chunk(queryset, field, values):
            found |= self.records(part, key)
        return found

    def after_apply(self, created: list, updated: list, ctx) -> None:
        """Follow-up writes (e.g. a resident's discharge from a discharges file)."""


_kinds: dict[str, type[KpiResource]] = {}


def register(resource: type[KpiResource]) -> type[KpiResource]:
    """A class decorator: ``resource`` becomes an import kind, its Thai headers derived from its
    model's verbose names (``headers_from_model``)."""
    _kinds[resource.kind] = headers_from_model(resource)
    return resource


def kinds() -> dict[str, type[KpiResource]]:
    return dict(_kinds)


def get(kind: str) -> type[KpiResource] | None:
    return _kinds.get(kind)


class Provinces:
    """The one province lookup of every import kind: a file may name a province by its Thai name
    (with or without "จังหวัด"), its TIS 1099 code or its English name (any case). Loaded once per
    import (77 rows), in ``context``."""

    def __init__(self):
        from core.models import Province

        self._by_label: dict[str, Any] = {}
        for p in Province.objects.all():
            for label in (p.name, f"จังหวัด{p.name}", p.code, p.name_en.lower()):
                self._by_label[label] = p

    def find(self, row: dict, name: str = "province", required: bool = True):
        """The row's province in column ``name`` (None when empty and not ``required``);
        ``RowProblem`` naming the column when it is missing or not a province."""
        label = row.get(name)
        if not label:
            if required:
                raise RowProblem(name, "ต้องระบุจังหวัด")
            return None
        text = " ".join(str(label).split())
        province = self._by_label.get(text) or self._by_label.get(text.lower())
        if province is None:
            raise RowProblem(name, f"ไม่พบจังหวัด '{label}'")
        return province


def headers_from_model(resource: type[KpiResource]) -> type[KpiResource]:
    """A class decorator: each column's Thai header is the verbose name of the model field its
    ``attribute`` names (the last of a path: ``course__title`` → Course.title's
    "ชื่อหลักสูตร/รุ่น"), in Thai whatever the language. A column that is no model field, or whose
    files have always carried another header, has it written out in the resource's own
    ``thai_headers``."""
    from django.utils import translation

    headers = dict(resource.thai_headers)
    with translation.override("th"):
        for field in resource.fields.values():
            if field.column_name in headers:
                continue
            model: Any = resource.model
            *hops, last = field.attribute.split("__")
            for hop in hops:
                model = model._meta.get_field(hop).related_model
            headers[field.column_name] = str(model._meta.get_field(last).verbose_name)
    resource.thai_headers = headers
    return resource


def first_problem(problems: Iterable) -> None:
    """A rule's first problem (``core.rules.Problem``) as the row's problem, naming its column."""
    for problem in problems:
        raise RowProblem(problem.where, str(problem.message))
