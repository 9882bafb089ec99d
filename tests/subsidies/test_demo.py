import io

from django.urls import reverse

from core import nav, roles
from subsidies import demo
from subsidies.models import Application, Rating, StatusCheck


def test_the_demo_builds_marked_applications_in_every_step_and_can_run_again(db):
    out = io.StringIO()
    logins = demo.build(out)
    assert logins[0][0] == "subsidy"
    demo.build(out)
    apps = Application.objects.all()
    assert apps.count() == 36 and not apps.filter(is_demo=False).exists()
    assert set(apps.values_list("step", flat=True)) == {1, 2, 3, 4, 5}
    assert apps.filter(decision="not_approved").exists()
    assert all(a.last_name.endswith("(DEMO)") for a in apps)
    assert StatusCheck.objects.filter(is_demo=True).exists() and Rating.objects.exists()
    assert "ตัวอย่าง" in out.getvalue()
    from django.contrib.auth.models import User

    assert roles.has_role(User.objects.get(username="subsidy"), roles.SUBSIDY_OFFICER)


def test_the_menu_shows_subsidies_to_officers_and_the_catalog_to_all_staff(make_user):
    officer = make_user(roles.SUBSIDY_OFFICER)
    staff = make_user(roles.FACILITY_STAFF)
    officer_urls = {i["url"] for i in nav.items_for(officer)}
    staff_urls = {i["url"] for i in nav.items_for(staff)}
    assert reverse("subsidies:list") in officer_urls and reverse("catalog:list") in officer_urls
    assert reverse("subsidies:list") not in staff_urls and reverse("catalog:list") in staff_urls
