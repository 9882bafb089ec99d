"""What an HTML assertion cannot see: the admin's menu bar (the longest: every entry) fits one
row at 1366 px, the logout button's text on one line; on a phone the menu folds away."""

import pytest

from core import roles

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_the_admins_menu_bar_fits_one_row_on_a_laptop(page, login, live_server, make_user):
    admin = make_user(roles.ADMIN, username="bar-admin")
    admin.first_name, admin.last_name = "ผู้ดูแล", "ระบบทดสอบ"
    admin.save()
    login(page, admin)
    page.goto(f"{live_server.url}/users/")
    nav = _box(page, "nav.navbar")
    logout = _box(page, "nav form[action$='/logout/'] button")
    brand = _box(page, "nav .navbar-brand")
    assert nav["height"] < 70, nav
    # One line of text: the button is no taller than the brand's line.
    assert logout["height"] < brand["height"] + 4, (logout, brand)
    # Every menu entry sits on the bar's one row.
    tops = {
        round(b["y"]) for b in (el.bounding_box() for el in page.locator("nav .nav-link").all())
    }
    assert len(tops) == 1, tops


def test_on_a_phone_the_menu_folds_behind_its_button(phone, login, live_server, make_user):
    admin = make_user(roles.ADMIN, username="phone-admin")
    login(phone, admin)
    phone.goto(f"{live_server.url}/users/")
    assert phone.locator("nav .navbar-toggler").is_visible()
    assert not phone.locator("nav .nav-link").first.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_chart_page_is_no_wider_than_a_phone(phone, login, live_server, make_user, bangkok):
    """The volunteers dashboard's charts each get a hidden table of their figures
    (static/js/site.js); hidden, it must not widen the page (a table ignores width: 1px)."""
    import datetime as dt

    from volunteers.models import Kind, Measure, Plan, PlanTarget, Service, Volunteer

    officer = make_user(roles.PROVINCIAL_OFFICER, username="chart-officer", province=bangkok)
    volunteer = Volunteer.objects.create(
        national_id="1101700203451", first_name="ทดสอบ", last_name="แผนภูมิ", sex="F",
        kind=Kind.BANGKOK, province=bangkok, district="บางรัก",
    )  # fmt: skip
    for day in (1, 2, 3):
        Service.objects.create(
            volunteer=volunteer, province=bangkok, date=dt.date(2020, 3, day),
            service_type="survey", target_group="elderly", people_served=2,
        )  # fmt: skip
    plan = Plan.objects.create(title="แผนทดสอบ")
    PlanTarget.objects.create(
        plan=plan, fiscal_year=2563, measure=Measure.SERVICES, province=bangkok, planned=250,
        label="การให้บริการของ อพม. กรุงเทพมหานคร",
    )  # fmt: skip
    login(phone, officer)
    phone.goto(f"{live_server.url}/volunteers/?year=2563")
    phone.wait_for_load_state("load")
    assert phone.locator("[data-chart-data] table").count() >= 1  # the hidden figures are there
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The plan's table fits its card: its last column (ร้อยละ) was cut off at 390 px, the area
    # column now folds under the target.
    plan_table = phone.locator("table:has(th:text('ร้อยละ'))")
    assert plan_table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), (
        plan_table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    )
    assert phone.locator("th:text('ร้อยละ')").bounding_box()["x"] + 10 < 390
    # The monthly chart keeps a readable height (it was a 25 px strip at the canvas's ratio).
    assert phone.locator("#monthChart").bounding_box()["height"] >= 200
