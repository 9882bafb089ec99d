"""Lists (django-tables2) take their sorting and page from the query string through one helper.

``paginate(request, table, per_page)``: ``?sort=`` as django-tables2 reads it (an unknown column is
ignored), ``?per_page=`` clamped to 1..MAX_PER_PAGE (anything that is not a whole number, or is
below 1, gives the list's default), ``?page=`` a whole number (anything else is page 1; past the
end, the last page). ``per_page=None`` configures the table unpaginated: an export of every row.
Further keywords go to ``table.paginate``: ``paginator_class=KeysFirstPaginator`` (below) for a
large list whose rows are costly to compute.
"""

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count, Q, Subquery, Value, Window
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRows

from core.collation import thai_order

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def thai_ordering(*fields: str):
    """A table's ``order_<column>`` method sorting by ``fields`` in Thai dictionary order (names,
    provinces), the same on SQLite and PostgreSQL::

        order_name = thai_ordering("first_name", "last_name")
    """

    def order(self, queryset, is_descending):
        sign = "-" if is_descending else ""
        return queryset.order_by(*(thai_order(sign + f) for f in fields), "pk"), True

    return order


def _whole(text: str | None, default: int) -> int:
    if text is None or not text.strip().isdigit() or len(text.strip()) > 9:
        return default
    return int(text.strip())


def per_page_of(request, table, default: int = DEFAULT_PER_PAGE) -> int:
    asked = _whole(request.GET.get(table.prefixed_per_page_field), 0)
    if asked < 1:
        return default
    return min(asked, MAX_PER_PAGE)


def paginate(request, table, per_page: int | None = DEFAULT_PER_PAGE, **options):
    RequestConfig(request, paginate=False).configure(table)  # sorting only
    if per_page is None:
        return table
    size = per_page_of(request, table, min(per_page, MAX_PER_PAGE))
    page = _whole(request.GET.get(table.prefixed_page_field), 1)
    try:
        table.paginate(page=max(page, 1), per_page=size, **options)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return table


def _total_key(model, ordering) -> list[str] | None:
    """The fields of ``ordering`` that identify a row (the primary key, a unique field, or the
    fields of an unconditional unique constraint, none of them nullable), or None when rows may
    tie (then the page's order is not fixed). Only plain local field names are understood."""
    fields = {}
    for item in ordering:
        if not isinstance(item, str) or "__" in item or item.lstrip("-") in ("?", ""):
            return None
        name = item.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:  # an annotation
            return None
        if not getattr(field, "concrete", False) or field.is_relation and name != field.attname:
            return None  # a relation's name orders by the related model's ordering
        fields[field.name] = name
    candidates = [[model._meta.pk.name]]
    candidates += [[f.name] for f in model._meta.local_fields if f.unique and not f.primary_key]
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
            and not constraint.expressions
        ):
            candidates.append(list(constraint.fields))
    candidates += [list(names) for names in model._meta.unique_together]
    for names in candidates:
        if all(n in fields and not model._meta.get_field(n).null for n in names):
            return [fields[n] for n in names]
    return None


class KeysFirstPaginator(Paginator):
    """A paginator for a django-tables2 table over a queryset whose rows are costly (subqueries
    in their columns): one query finds the page's keys and the count, a second reads only the
    page's rows, with every column (``rows``: the queryset to read them from, by default the
    table's own; the conditions that chose the keys need not be evaluated again).

    A plain ``OFFSET`` makes the database compute every column of every skipped row (page 2,000
    of the resident list computed 50,000 rows' subqueries for 25). The keys are the ordering's
    own fields when they identify a row (then an index on them answers without reading the
    table), else the primary key, added to the ordering as the last tie-breaker so that the
    pages split the list the same way every time.

    The count rides along with the keys, as a scalar subquery (evaluated once; the keys stop at
    the page), or with ``one_pass=True`` as ``COUNT(*) OVER ()``: for a list whose condition
    costs a full evaluation whatever the page (a KPI drill-down's window, a text search), which
    is then evaluated once per request instead of twice. A page past the end has no row to
    carry the count: it costs a count more, and the caller asks for the last page
    (``core.tables.paginate`` does).

    ``paginate(request, table, per_page, paginator_class=KeysFirstPaginator, rows=…,
    one_pass=…)``; the table's data must be a queryset.
    """

    def __init__(self, object_list, per_page, *args, rows=None, one_pass=False, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.table = object_list.table
        self.queryset = object_list.data.data
        self.rows = rows
        self.one_pass = one_pass
        model = self.queryset.model
        query = self.queryset.query
        if query.order_by:
            ordering = list(query.order_by)
        elif query.default_ordering:
            ordering = list(model._meta.ordering)
        else:
            ordering = []
        key = _total_key(model, ordering)
        if key is None:
            key = ["pk"]
            pk = model._meta.pk.attname
            if not {"pk", "-pk", pk, f"-{pk}"} & {o for o in ordering if isinstance(o, str)}:
                ordering.append("pk")
        self.key = key  # names for values_list() and filter()
        self.attnames = [
            model._meta.pk.attname if k == "pk" else model._meta.get_field(k).attname for k in key
        ]
        self.ordering = ordering

    def _count_expression(self):
        if self.one_pass:
            return Window(Count("pk"))
        counted = self.queryset.order_by().annotate(_one=Value(1)).values("_one")
        return Subquery(counted.annotate(n=Count("pk")).values("n"))

    def _keys(self, bottom: int, size: int) -> tuple[list[tuple], int | None]:
        """The keys of ``size`` rows from ``bottom`` on, and the count: None when no row is
        there (a page past the end, or nothing at all), then the count is not known."""
        keys = self.queryset.order_by(*self.ordering).annotate(_total=self._count_expression())
        found = list(keys.values_list(*self.key, "_total")[bottom : bottom + size])
        total = found[0][-1] if found else None
        return [row[:-1] for row in found], total

    def _records(self, keys: list[tuple]) -> list:
        """The records of ``keys``, in their order (a record gone meanwhile is left out)."""
        if not keys:
            return []
        source = self.queryset if self.rows is None else self.rows
        if len(self.key) == 1:
            condition = Q(**{f"{self.key[0]}__in": [k[0] for k in keys]})
        else:
            condition = Q()
            for key in keys:
                condition |= Q(**dict(zip(self.key, key, strict=True)))
        by_key = {
            tuple(getattr(record, name) for name in self.attnames): record
            for record in source.filter(condition).order_by()
        }
        return [by_key[key] for key in keys if key in by_key]

    def page(self, number):
        if isinstance(number, float) and not number.is_integer():
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        keys, total = self._keys(bottom, self.per_page + self.orphans)
        if total is None and number > 1:
            # Past the end: count them (raises EmptyPage), unless rows came meanwhile.
            for name in ("count", "num_pages"):
                self.__dict__.pop(name, None)
            self.validate_number(number)
            keys, total = self._keys(bottom, self.per_page + self.orphans)
        self.__dict__["count"] = total or 0
        self.__dict__.pop("num_pages", None)
        if bottom + len(keys) < self.count and len(keys) > self.per_page:
            keys = keys[: self.per_page]  # orphans: only the last page takes them
        records = self._records(keys)
        rows = BoundRows(data=records, table=self.table, pinned_data=self.object_list.pinned_data)
        return self._get_page(rows, number, self)
