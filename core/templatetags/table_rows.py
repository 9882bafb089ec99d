"""The body rows of every list's table (templates/core/table.html), rendered in Python.

django-tables2's Bootstrap 5 template renders each cell through the template engine and asks
the bound column for its attributes once per cell (``column.attrs`` computes the header's, the
cell's and the footer's, with their classes, every time). For a page of 25 residents that was
most of the page's own cost (docs/shelters.md, "List pages at scale"). This tag writes the same
rows: the same cells from ``row.items()`` (the library's accessors and ``render_*`` methods), the
same attributes from ``column.attrs["td"]`` and ``row.attrs``, the same values as ``{{ cell }}``,
``|localize`` and ``|unlocalize`` give; a column's cell attributes are computed once per table
where nothing in them can depend on the record (no callable, the table's class names left to the
library), else for every cell as the library does. tests/core/test_table_rows.py compares it with
the library's own template.
"""

import inspect

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.safestring import mark_safe
from django_tables2 import Table
from django_tables2.columns.base import BoundColumn

register = template.Library()


def _has_callable(attrs) -> bool:
    """Whether an attrs dict holds a callable, at any depth (the library computes those in
    nested dicts too)."""
    return any(
        callable(value) or (isinstance(value, dict) and _has_callable(value))
        for value in attrs.values()
    )


def _fixed_cell_attrs(table, column) -> bool:
    """Whether ``column``'s cell attributes are the same for every record: a plain bound
    column with a plain dict of attributes, no callable among its or the table's cell
    attributes, and the table's class names left to the library (on its class and instance)."""
    chosen = getattr(table.get_column_class_names, "__func__", None)
    if chosen is not Table.get_column_class_names or type(column) is not BoundColumn:
        return False
    own = vars(column.column).get("attrs")
    if not isinstance(own, dict) or not isinstance(table.attrs, dict):
        return False
    return not any(
        _has_callable(attrs.get(key) or {})
        for attrs in (table.attrs, own)
        for key in ("td", "cell")
    )


def _attrs_html(context, attrs_of) -> str:
    """``{{ x.attrs.as_html }}`` as the template engine resolves it: an error it treats as a
    missing value (``silent_variable_failure``, e.g. ``ObjectDoesNotExist`` from a callable)
    gives its "invalid" string, and the rest of the table is still written."""
    try:
        return attrs_of().as_html()
    except Exception as exc:
        if getattr(exc, "silent_variable_failure", False):
            return context.template.engine.string_if_invalid
        raise


def _resolved(context, value):
    """A cell's value as ``{{ cell }}`` reads it: a callable is called (unless it asks not to
    be, or alters data), as the template engine does for a variable."""
    if not callable(value) or getattr(value, "do_not_call_in_templates", False):
        return value
    invalid = context.template.engine.string_if_invalid
    if getattr(value, "alters_data", False):
        return invalid
    try:
        return value()
    except TypeError:
        try:
            inspect.signature(value).bind()
        except TypeError:  # it needs arguments: the engine's "invalid"
            return invalid
        raise
    except Exception as exc:
        if getattr(exc, "silent_variable_failure", False):
            return invalid
        raise


@register.simple_tag(takes_context=True)
def table_body_rows(context, table) -> str:
    """``<tr>…</tr>`` of the table's shown rows (``table.paginated_rows``), as
    ``django_tables2/bootstrap5.html``'s ``table.tbody.row`` block writes them, or its row of
    ``empty_text`` when there is none."""
    fixed: dict[str, str] = {}  # a column's cell attributes, where they are the same for all
    per_record: set[str] = set()  # the columns whose cell attributes are not
    rows = []
    for row in table.paginated_rows:
        # The row's attributes first, as the template writes ``<tr …>`` before its cells.
        tr = f"<tr {_attrs_html(context, lambda row=row: row.attrs)}>"
        cells = []
        for column, cell in row.items():
            attrs = fixed.get(column.name)
            if attrs is None:
                attrs = _attrs_html(context, lambda column=column: column.attrs["td"])
                if column.name not in per_record:
                    if _fixed_cell_attrs(table, column):
                        fixed[column.name] = attrs
                    else:
                        per_record.add(column.name)
            value = _resolved(context, cell)
            if column.localize is not None:
                value = localize(value) if column.localize else unlocalize(value)
            cells.append(f"<td {attrs}>{render_value_in_context(value, context)}</td>")
        rows.append(f"{tr}{''.join(cells)}</tr>")
    if not rows and table.empty_text:
        empty = render_value_in_context(table.empty_text, context)
        rows.append(f'<tr><td colspan="{len(table.columns)}">{empty}</td></tr>')
    return mark_safe("\n".join(rows))
