"""English mode covers the pages: once a user picks English, the main pages carry no Thai letter
except data (what people typed and the seed rows: names, facility and province names, indicator
texts) and the language switcher's own "ไทย" (marked lang="th").

The pages render over the demo data (built once for the module, rolled back at the end). The
data is stripped first: every Thai value of every CharField/TextField of every row in the
database is taken out of the page text, longest first, then what Thai remains is reported with
its surroundings. Every page here must pass, and the language menu names each language in
itself."""

import html
import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse

THAI = re.compile(r"[\u0E00-\u0E7F]")
SKIP_CONTENT = {"script", "style", "template"}
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-confirm")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """The text a reader meets: text nodes and the attributes shown or read aloud, leaving out
    scripts and whatever sits in an element with lang="th"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    def _skipped(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in SKIP_CONTENT or (attrs.get("lang") or "").startswith("th")
        # The language menu names each language in itself (test_the_language_menu below).
        skipped = skipped or (tag == "select" and attrs.get("name") == "language")
        if not skipped and not self._skipped():
            self.chunks += [attrs[a] for a in SHOWN_ATTRIBUTES if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not self._skipped():
            self.chunks.append(data)


def shown_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return parser.chunks


def data_values() -> list[str]:
    """Every Thai text value stored in the database, longest first."""
    values: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        for field in fields:
            for value in model._base_manager.values_list(field, flat=True).distinct():
                if value and THAI.search(value):
                    values.add(value)
                    values.update(line.strip() for line in value.splitlines() if line.strip())
                    # pages show parts of a value too: "ร้อยละ 10.72 (ผลการดำเนินงานปี 62)"
                    values.update(p.strip() for p in re.findall(r"\(([^()]+)\)", value))
    return sorted(values, key=len, reverse=True)


def thai_left(page: str, data: list[str]) -> list[str]:
    left = []
    for chunk in shown_text(page):
        text = " ".join(html.unescape(chunk).split())
        if not THAI.search(text):
            continue
        if text.endswith("…") and any(v.startswith(text[:-1].strip()) for v in data):
            continue  # a value cut short (truncatechars)
        for value in data:
            if value in text:
                text = text.replace(value, " ")
                if not THAI.search(text):
                    break
        if THAI.search(text):
            left.append(text.strip())
    return left


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data, built once for the module inside a transaction rolled back at the end."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("demo", stdout=io.StringIO())
            yield data_values()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


def english(client: Client) -> Client:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _first(model_path: str, **filters):
    return apps.get_model(model_path).objects.filter(**filters).order_by("pk").first()


def _urls():
    """(id, url or callable giving it, who opens it, mine) for every page of the check."""
    resident = lambda: _first("shelters.Resident", discharged_on__isnull=True)  # noqa: E731
    discharged = lambda: _first("shelters.Resident", discharged_on__isnull=False)  # noqa: E731
    indicator = lambda: _first("indicators.Indicator", kind="ratio")  # noqa: E731
    milestone = lambda: _first("indicators.Indicator", kind="milestone")  # noqa: E731
    return [
        ("login", lambda: reverse("login"), None, True),
        ("executive-dashboard", lambda: reverse("reports:dashboard") + "?year=2563", "admin", True),
        ("kpi-report", lambda: reverse("reports:report") + "?year=2563", "admin", True),
        ("indicators", lambda: reverse("indicators:dashboard") + "?year=2563", "admin", True),
        (
            "indicator-ratio",
            lambda: reverse("indicators:indicator-detail", args=[indicator().pk]),
            "admin",
            True,
        ),  # noqa: E501
        (
            "indicator-milestone",
            lambda: reverse("indicators:indicator-detail", args=[milestone().pk]),
            "owner",
            True,
        ),  # noqa: E501
        ("review-queue", lambda: reverse("indicators:review-queue"), "approver", True),
        ("indicator-sets", lambda: reverse("indicators:set-list"), "admin", True),
        ("residents", lambda: reverse("shelters:resident-list"), "admin", True),
        (
            "resident",
            lambda: reverse("shelters:resident-detail", args=[resident().pk]),
            "admin",
            True,
        ),  # noqa: E501
        (
            "resident-discharged",
            lambda: reverse("shelters:resident-detail", args=[discharged().pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("resident-add", lambda: reverse("shelters:resident-add"), "staff-tyb", True),
        (
            "resident-edit",
            lambda: reverse("shelters:resident-edit", args=[resident().pk]),
            "admin",
            True,
        ),  # noqa: E501
        (
            "assessment-add",
            lambda: reverse("shelters:assessment-add", args=[resident().pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("facilities", lambda: reverse("shelters:facility-list"), "admin", True),
        ("shelters-kpi", lambda: reverse("shelters:kpi") + "?year=2563", "admin", True),
        ("irp-items", lambda: reverse("shelters:irp-item-list"), "admin", True),
        ("catalog", lambda: reverse("catalog:list"), "admin", True),
        (
            "catalog-detail",
            lambda: reverse("catalog:detail", args=[_first("catalog.Dataset").pk]),
            "admin",
            True,
        ),  # noqa: E501
        (
            "catalog-edit",
            lambda: reverse("catalog:edit", args=[_first("catalog.Dataset").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("users", lambda: reverse("accounts:list"), "admin", True),
        ("user", lambda: reverse("accounts:detail", args=["staff-tyb"]), "admin", True),
        ("user-edit", lambda: reverse("accounts:edit", args=["officer-cm"]), "admin", True),
        ("user-create", lambda: reverse("accounts:create"), "admin", True),
        ("volunteers", lambda: reverse("volunteers:home"), "admin", True),
        ("volunteer-list", lambda: reverse("volunteers:list"), "admin", True),
        (
            "volunteer",
            lambda: reverse("volunteers:detail", args=[_first("volunteers.Volunteer").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("volunteer-add", lambda: reverse("volunteers:create"), "officer-cm", True),
        (
            "volunteer-edit",
            lambda: reverse("volunteers:edit", args=[_first("volunteers.Volunteer").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("courses", lambda: reverse("volunteers:course-list"), "admin", True),
        (
            "course",
            lambda: reverse("volunteers:course-detail", args=[_first("volunteers.Course").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("services", lambda: reverse("volunteers:service-list"), "admin", True),
        ("service-add", lambda: reverse("volunteers:service-create"), "officer-cm", True),
        ("service-bulk", lambda: reverse("volunteers:service-bulk"), "officer-cm", True),
        ("plans", lambda: reverse("volunteers:plan-list"), "admin", True),
        (
            "plan",
            lambda: reverse("volunteers:plan-detail", args=[_first("volunteers.Plan").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("field-report", lambda: reverse("volunteers:report") + "?year=2563", "admin", True),
        ("subsidies", lambda: reverse("subsidies:list"), "admin", True),
        (
            "subsidy",
            lambda: reverse("subsidies:detail", args=[_first("subsidies.Application").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("subsidy-add", lambda: reverse("subsidies:create"), "subsidy", True),
        (
            "subsidy-slip",
            lambda: reverse("subsidies:slip", args=[_first("subsidies.Application").pk]),
            "admin",
            True,
        ),  # noqa: E501
        ("usage-report", lambda: reverse("subsidies:report") + "?year=2563", "admin", True),
        ("public-status", lambda: reverse("subsidies:status"), None, True),
        ("imports", lambda: reverse("imports:upload"), "admin", True),
        ("duplicates", lambda: reverse("duplicates"), "admin", True),
    ]


PAGES = [pytest.param(url, who, id=name) for name, url, who, _mine in _urls()]


@pytest.mark.parametrize(("url", "who"), PAGES)
def test_the_page_in_english_has_no_thai_but_data(demo_data, db, url, who):
    client = Client()
    if who:
        client.force_login(User.objects.get(username=who))
    english(client)
    response = client.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="en"' in page
    left = thai_left(page, demo_data)
    assert not left, "Thai left in English mode:\n" + "\n".join(f"  {t[:160]!r}" for t in left)


@pytest.mark.parametrize("who", [None, "admin"])
def test_the_language_menu_names_each_language_in_itself(client, make_user, who):
    if who:
        client.force_login(make_user("admin"))
    page = english(client).get(reverse("login") if not who else reverse("accounts:list"))
    html_ = page.content.decode()
    assert re.search(r'<option value="en"[^>]*lang="en"[^>]*>English</option>', html_)
    assert re.search(r'<option value="th"[^>]*lang="th"[^>]*>ไทย</option>', html_)


def test_the_check_finds_thai_outside_data_and_ignores_data_and_lang_th():
    data = ["สมชาย ใจดี"]
    page = (
        '<p>Name: สมชาย ใจดี</p><option lang="th">ไทย</option>'
        '<input placeholder="วว/ดด/ปปปป"><script>var x = "ไทย";</script><td>12 มี.ค. 2563</td>'
    )
    assert thai_left(page, data) == ["วว/ดด/ปปปป", "12 มี.ค. 2563"]


def test_a_province_is_named_in_the_language_of_the_page(db):
    from django.utils import translation

    from core.models import Province

    chiang_mai = Province.objects.get(code="50")
    with translation.override("th"):
        assert str(chiang_mai) == "เชียงใหม่"
    with translation.override("en"):
        assert str(chiang_mai) == "Chiang Mai"


def test_a_change_kind_reads_as_a_noun_and_the_button_as_a_verb():
    from django.utils import translation
    from django.utils.translation import gettext

    from core.history import CHANGE_KINDS

    with translation.override("en"):
        assert str(CHANGE_KINDS["~"]) == "Changed"
        assert gettext("แก้ไข") == "Edit"
    with translation.override("th"):
        assert str(CHANGE_KINDS["~"]) == "แก้ไข"


def test_the_dashboard_chart_legend_comes_translated(client, make_user, fy2563):
    client.force_login(make_user("admin"))
    page = english(client).get(reverse("reports:dashboard") + "?year=2563").content.decode()
    assert 'data-below="Below minimum"' in page and 'data-result="Result"' in page


def test_the_field_report_spreadsheet_stays_thai_in_english_mode(client, make_user):
    import openpyxl

    client.force_login(make_user("admin"))
    response = english(client).get(reverse("volunteers:report") + "?year=2563&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "ทั้งประเทศ" in text and "ตามประเภทบริการ" in text
    assert "Whole country" not in text
