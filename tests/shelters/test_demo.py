import datetime as dt
import io

from core.roles import FACILITY_STAFF, has_role
from shelters import demo, kpi
from shelters.models import Facility, FacilityStaff, Resident


def test_the_demo_makes_14_marked_facilities_staff_and_fy2563_figures(db):
    logins = demo.build(io.StringIO())
    facilities = Facility.objects.all()
    assert facilities.count() == 14 and all(f.is_demo for f in facilities)
    assert facilities.filter(kind="life_skills").count() == 3
    assert {username for username, _ in logins} == {"staff-tyb", "staff-mtt"}
    staff = FacilityStaff.objects.select_related("user", "facility").get(user__username="staff-tyb")
    assert has_role(staff.user, FACILITY_STAFF) and staff.facility.code == "TYB-M"
    as_of = dt.date(2020, 9, 30)
    assert kpi.compute_improved(2563, as_of).denominator > 0
    assert kpi.compute_returned(2563, as_of).numerator > 0
    assert all("(ตัวอย่าง)" in r.full_name for r in Resident.objects.all()[:20])
    before = Resident.objects.count()
    demo.build(io.StringIO())  # safe to run again
    assert Resident.objects.count() == before
