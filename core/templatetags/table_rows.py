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

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.safestring import mark_safe
from django_tables2 import Table

register = template.Library()


def _fixed_cell_attrs(table, column) -> bool:
    """Whether ``column``'s cell attributes are the same for every record."""
    if type(table).get_column_class_names is not Table.get_column_class_names:
        return False
    sources = (table.attrs, column.column.attrs)
    return not any(
        callable(value)
        for attrs in sources
        for key in ("td", "cell")
        for value in (attrs.get(key) or {}).values()
    )


@register.simple_tag(takes_context=True)
def table_body_rows(context, table) -> str:
    """``<tr>…</tr>`` of the table's shown rows (``table.paginated_rows``), as
    ``django_tables2/bootstrap5.html``'s ``table.tbody.row`` block writes them, or its row of
    ``empty_text`` when there is none."""
    fixed: dict[str, str] = {}
    rows = []
    for row in table.paginated_rows:
        cells = []
        for column, cell in row.items():
            attrs = fixed.get(column.name)
            if attrs is None:
                attrs = column.attrs["td"].as_html()
                if _fixed_cell_attrs(table, column):
                    fixed[column.name] = attrs
            if column.localize is None:
                value = cell
            elif column.localize:
                value = localize(cell)
            else:
                value = unlocalize(cell)
            cells.append(f"<td {attrs}>{render_value_in_context(value, context)}</td>")
        rows.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
    if not rows and table.empty_text:
        empty = render_value_in_context(table.empty_text, context)
        rows.append(f'<tr><td colspan="{len(table.columns)}">{empty}</td></tr>')
    return mark_safe("\n".join(rows))
