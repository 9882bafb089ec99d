"""Lists (django-tables2) take their sorting and page from the query string through one helper.

``paginate(request, table, per_page)``: ``?sort=`` as django-tables2 reads it (an unknown column is
ignored), ``?per_page=`` clamped to 1..MAX_PER_PAGE (anything that is not a whole number, or is
below 1, gives the list's default), ``?page=`` a whole number (anything else is page 1; past the
end, the last page). ``per_page=None`` configures the table unpaginated: an export of every row.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django_tables2 import RequestConfig

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


def paginate(request, table, per_page: int | None = DEFAULT_PER_PAGE):
    RequestConfig(request, paginate=False).configure(table)  # sorting only
    if per_page is None:
        return table
    size = per_page_of(request, table, min(per_page, MAX_PER_PAGE))
    page = _whole(request.GET.get(table.prefixed_page_field), 1)
    try:
        table.paginate(page=max(page, 1), per_page=size)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return table
