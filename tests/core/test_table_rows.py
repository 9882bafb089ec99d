"""core/templatetags/table_rows.py writes the rows django-tables2's Bootstrap 5 template writes.

Every list's table (templates/core/table.html) renders its body rows in Python instead of the
library's per-cell template. These tests render the same tables with the library's own template
and with ours and compare the ``<tbody>`` (whitespace between tags aside): static and per-record
cell attributes, ``cell`` attributes, localized and unlocalized numbers, missing values, render
methods, escaping, an empty table, and a table whose class names depend on the column.
"""

import datetime as dt
import re
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.templatetags import table_rows

LIBRARY = "django_tables2/bootstrap5.html"
OURS = "core/table.html"


def body(html: str) -> str:
    """The ``<tbody …>…</tbody>``, whitespace between tags aside."""
    tbody = re.search(r"<tbody[^>]*>.*?</tbody>", html, re.S).group(0)
    return re.sub(r">\s+<", "><", tbody).strip()


def both(table_class, data, *, page=1, **kwargs) -> tuple[str, str]:
    """The body as the library's template writes it and as ours does; ``data`` may be a
    function giving fresh rows for each (for a table whose methods change its records)."""
    request = RequestFactory().get("/list/", {"page": page})
    rendered = []
    for template in (LIBRARY, OURS):
        rows = data() if callable(data) else data
        table = table_class(rows, template_name=template, **kwargs)
        tables.RequestConfig(request, paginate={"per_page": 25}).configure(table)
        rendered.append(body(table.as_html(request)))
    return rendered[0], rendered[1]


class Everything(tables.Table):
    name = tables.Column("ชื่อ")
    amount = tables.Column("จำนวนเงิน", attrs={"td": {"class": "text-end"}})
    kind = tables.Column(
        "ประเภท", attrs={"td": {"class": lambda record: f"kind-{record['kind']}", "data-x": "1"}}
    )
    note = tables.Column("หมายเหตุ", attrs={"cell": {"class": "text-nowrap"}}, default="—")
    big = tables.Column("จำนวน", localize=True)
    raw = tables.Column("รหัส", localize=False)
    when = tables.DateColumn("วันที่")
    link = tables.Column("ลิงก์", empty_values=())

    def render_link(self, record, value):
        return format_html('<a href="/r/{}/">{}</a>', record["id"], record["name"])


ROWS = [
    {
        "id": n,
        "name": f"ผู้ใช้ <ทดสอบ> {n} & co",
        "amount": Decimal("1234.50") * n,
        "kind": "a" if n % 2 else "b",
        "note": None if n % 3 else "ไม่มี",
        "big": 1234567 * n,
        "raw": 9876543 + n,
        "when": dt.date(2020, 1, n % 28 + 1),
        "link": None,
    }
    for n in range(1, 31)
]


def test_rows_equal_the_librarys_template():
    library, ours = both(Everything, ROWS)
    assert library == ours
    # What the comparison covers is there: per-record classes, escaping, links, the 25 rows.
    assert ours.count("<tr ") == 25
    assert 'class="kind-a"' in ours and 'class="kind-b"' in ours
    assert "&lt;ทดสอบ&gt;" in ours and "<ทดสอบ>" not in ours
    assert '<a href="/r/1/">' in ours


def test_localized_and_unlocalized_numbers(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    library, ours = both(Everything, ROWS[:3])
    assert library == ours
    assert "1,234,567" in ours and "9876544" in ours


def test_an_empty_table_shows_its_empty_text():
    class Empty(Everything):
        class Meta:
            empty_text = "ไม่พบรายการ"

    library, ours = both(Empty, [])
    assert library == ours
    assert 'colspan="8"' in ours and "ไม่พบรายการ" in ours


def test_class_names_chosen_by_the_table_are_asked_for_every_cell():
    class Named(Everything):
        def get_column_class_names(self, classes_set, bound_column):
            record = getattr(bound_column, "current_record", None)
            if record is not None:
                classes_set = {*classes_set, f"row-{record['id']}"}
            return classes_set

    library, ours = both(Named, ROWS[:4])
    assert library == ours
    assert "row-4" in ours
    assert not table_rows._fixed_cell_attrs(Named(ROWS), Named(ROWS).columns["name"])
    assert table_rows._fixed_cell_attrs(Everything(ROWS), Everything(ROWS).columns["amount"])
    assert not table_rows._fixed_cell_attrs(Everything(ROWS), Everything(ROWS).columns["kind"])


DATA = [{"id": n, "name": f"n{n}", "v": n} for n in range(1, 5)]


def test_the_second_page_and_the_default_template_of_the_settings(settings):
    library, ours = both(Everything, ROWS, page=2)
    assert library == ours and ours.count("<tr ") == 5
    request = RequestFactory().get("/list/")
    assert settings.DJANGO_TABLES2_TEMPLATE == OURS
    table = Everything(ROWS)  # no template_name: every list page's case
    tables.RequestConfig(request, paginate={"per_page": 25}).configure(table)
    assert body(table.as_html(request)) == both(Everything, ROWS)[0]


def test_nested_callable_attributes_and_the_tables_own_cell_attributes():
    class Nested(tables.Table):
        name = tables.Column(attrs={"td": {"data": {"x": lambda record: record["id"]}}})
        v = tables.Column(footer="รวม", localize=True)

        class Meta:
            attrs = {"td": {"data-t": "1"}, "cell": {"class": "c"}}
            row_attrs = {"data-id": lambda record: record["id"], "class": "r"}
            order_by = "-v"

        def get_top_pinned_data(self):
            return [{"id": 0, "name": "pinned", "v": 99}]

    library, ours = both(Nested, DATA)
    assert library == ours
    assert 'data-id="4"' in ours and "pinned" in ours


def test_row_attributes_come_before_the_cells_change_the_record():
    class Seen(tables.Table):
        name = tables.Column()

        class Meta:
            row_attrs = {"data-seen": lambda record: record.get("seen")}

        def render_name(self, record, value):
            record["seen"] = value
            return value

    library, ours = both(Seen, lambda: [dict(d) for d in DATA])
    assert library == ours and "data-seen" not in ours


def test_a_callable_cell_is_called_as_the_template_engine_calls_it():
    from django.core.exceptions import ObjectDoesNotExist

    class Url:
        def __call__(self):
            return "/called/"

        def __str__(self):
            return "not-called"

    class Calls(tables.Table):
        name = tables.Column()
        other = tables.Column(accessor="name")

        def render_name(self, record):
            return Url()

        def render_other(self, record):
            return lambda needed: "never"

    class Missing(Calls):
        gone = tables.Column(accessor="name")

        def render_gone(self, record):
            def gone():
                raise ObjectDoesNotExist

            return gone

    library, ours = both(Calls, DATA)
    assert library == ours and "/called/" in ours
    library, ours = both(Missing, DATA)
    assert library == ours and ours.count("<td ></td>") == 2 * len(DATA)


def test_a_missing_value_in_an_attribute_leaves_that_attribute_out_not_the_table():
    from django.core.exceptions import ObjectDoesNotExist

    def missing(record):
        raise ObjectDoesNotExist

    class Missing(tables.Table):
        name = tables.Column(attrs={"td": {"title": missing}})

        class Meta:
            row_attrs = {"data-x": missing}

    library, ours = both(Missing, DATA)
    assert library == ours and ours.count("<td ") == 4


def test_class_names_set_on_the_table_instance_are_asked_for_every_cell():
    class Plain(tables.Table):
        name = tables.Column()

    request = RequestFactory().get("/list/")
    rendered = []
    for template in (LIBRARY, OURS):
        table = Plain(DATA, template_name=template)

        def names(classes, column):
            record = getattr(column, "current_record", None)
            return {*classes, f"r{record['id']}"} if record else classes

        table.get_column_class_names = names
        rendered.append(body(table.as_html(request)))
    assert rendered[0] == rendered[1] and 'class="r3"' in rendered[1]


@pytest.mark.parametrize(
    "empty", [None, "", _("ไม่พบ <x>"), format_html("<b>{}</b>", "x"), "<i>raw</i>"]
)
def test_every_kind_of_empty_text(empty):
    class Empty(tables.Table):
        name = tables.Column()

        class Meta:
            empty_text = empty

    library, ours = both(Empty, [])
    assert library == ours


def test_checkbox_template_and_boolean_columns():
    class Kinds(tables.Table):
        pick = tables.CheckBoxColumn(
            accessor="id", attrs={"td__input": {"data-r": lambda record: record["id"]}}
        )
        tpl = tables.TemplateColumn("{{ record.name }}|{{ value }}", accessor="name")
        b = tables.BooleanColumn(accessor="v")

    library, ours = both(Kinds, DATA)
    assert library == ours and 'data-r="2"' in ours


@pytest.mark.django_db
def test_every_list_table_of_the_app_renders_as_the_library_does(admin_user):
    """The app's own tables with their real columns, on the demo data."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.tables import UserTable
    from catalog.models import Dataset
    from catalog.tables import DatasetTable
    from shelters.models import Resident
    from shelters.tables import ResidentTable
    from subsidies.models import Application
    from subsidies.tables import ApplicationTable
    from volunteers.models import Course, Service, Volunteer
    from volunteers.tables import CourseTable, ServiceTable, VolunteerTable

    call_command("demo", verbosity=0)
    cases = [
        (ResidentTable, Resident.objects.select_related("facility").with_latest(), {"user": admin_user}),
        (ApplicationTable, Application.objects.all(), {}),
        (ApplicationTable, Application.objects.all(), {"show_full_id": True}),
        (VolunteerTable, Volunteer.objects.all(), {}),
        (CourseTable, Course.objects.select_related("province"), {}),
        (ServiceTable, Service.objects.select_related("volunteer", "province"), {}),
        (DatasetTable, Dataset.objects.all(), {}),
        (UserTable, get_user_model().objects.all(), {}),
    ]  # fmt: skip
    for table_class, queryset, kwargs in cases:
        library, ours = both(table_class, queryset.order_by("pk"), **kwargs)
        assert library == ours, table_class.__name__
        assert ours.count("<tr ") > 1, table_class.__name__
