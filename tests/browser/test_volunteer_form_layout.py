"""The new-volunteer form's specialty checkboxes (issue 13): each box with its label on one
line, wrapping between choices, above the status field and the Save button, never over them;
clicking "ผู้สูงอายุ" ticks that box and does not open the status select."""

import pytest

from core import roles
from volunteers.models import Specialty

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _check_layout(page, live_server):
    page.goto(f"{live_server.url}/volunteers/new/")
    specialties = page.locator("#id_specialties")
    boxes = specialties.locator(".form-check").all()
    assert len(boxes) == Specialty.objects.count() >= 6
    area = specialties.bounding_box()
    status_label = page.locator("label[for=id_status]").bounding_box()
    status = page.locator("#id_status").bounding_box()
    save = page.locator("form.volunteer-form button.btn-primary").bounding_box()
    # the checkboxes end above the status field and the Save button, within the form
    assert area["y"] + area["height"] <= status_label["y"], (area, status_label)
    assert status["y"] + status["height"] <= save["y"]
    form = page.locator("form.volunteer-form").bounding_box()
    for box in boxes:
        b = box.bounding_box()
        label = box.locator("label").bounding_box()
        assert label["height"] < 40, box.inner_text()  # one line: never a word a line
        assert form["x"] <= b["x"] and b["x"] + b["width"] <= form["x"] + form["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # a click on the label ticks its box and leaves the status select alone
    before = page.locator("#id_status").input_value()
    elderly = page.get_by_label("ผู้สูงอายุ", exact=True)
    assert not elderly.is_checked()
    page.get_by_text("ผู้สูงอายุ", exact=True).click()
    assert elderly.is_checked()
    assert page.evaluate("document.activeElement.id") != "id_status"
    assert page.locator("#id_status").input_value() == before
    page.get_by_text("ผู้สูงอายุ", exact=True).click()
    assert not elderly.is_checked()


def test_specialty_checkboxes_sit_above_the_status_on_a_laptop(
    browser, live_server, login, make_user, bangkok
):
    officer = make_user(roles.PROVINCIAL_OFFICER, username="layout-officer", province=bangkok)
    context = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        login(page, officer)
        _check_layout(page, live_server)
    finally:
        context.close()


def test_specialty_checkboxes_wrap_cleanly_on_a_phone(
    phone, live_server, login, make_user, bangkok
):
    officer = make_user(roles.PROVINCIAL_OFFICER, username="layout-phone", province=bangkok)
    login(phone, officer)
    _check_layout(phone, live_server)
