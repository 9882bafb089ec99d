"""Service records, one by one and pasted in bulk (all or nothing)."""

from html import unescape

from django.urls import reverse

from volunteers.models import Service


def test_an_officer_logs_a_service(client_for, officer_bkk, bkk_volunteer):
    response = client_for(officer_bkk).post(
        reverse("volunteers:service-create"),
        {
            "volunteer_national_id": bkk_volunteer.national_id,
            "date": "01/03/2563",
            "service_type": "referral",
            "target_group": "elderly",
            "people_served": 3,
            "area": "สีลม",
        },
    )
    assert response.status_code == 302
    s = Service.objects.get()
    assert s.volunteer == bkk_volunteer
    assert s.province_id == bkk_volunteer.province_id
    assert s.date.isoformat() == "2020-03-01"
    assert s.created_by == officer_bkk


def test_a_pasted_table_is_saved_all_at_once(
    client_for, officer_bkk, bkk_volunteer, make_volunteer, bangkok
):
    other = make_volunteer(bangkok)
    rows = "\n".join(
        [
            "เลขประจำตัวประชาชน\tวันที่\tประเภทบริการ\tกลุ่มเป้าหมาย\tจำนวนคน\tพื้นที่",
            f"{bkk_volunteer.national_id}\t01/03/2563\tคัดกรอง\tผู้สูงอายุ\t2\tสีลม",
            f"{other.national_id}\t2020-03-02\treferral\tdisabled\t1\tบางรัก",
            f"{other.national_id}\t๐๓/๐๓/๒๕๖๓\tติดตามประเมิน\tคนพิการ\t\t",
        ]
    )
    response = client_for(officer_bkk).post(reverse("volunteers:service-bulk"), {"rows": rows})
    assert response.status_code == 302
    assert Service.objects.count() == 3
    assert sum(Service.objects.values_list("people_served", flat=True)) == 4


def test_a_pasted_table_with_an_error_saves_nothing_and_names_the_row(
    client_for, officer_bkk, bkk_volunteer, cm_volunteer
):
    rows = "\n".join(
        [
            f"{bkk_volunteer.national_id}\t01/03/2563\tคัดกรอง\tผู้สูงอายุ\t2\tสีลม",
            f"{bkk_volunteer.national_id}\t31/02/2563\tคัดกรอง\tผู้สูงอายุ\t2\tสีลม",
            f"{bkk_volunteer.national_id}\t01/03/2563\tเยี่ยมบ้าน\tผู้สูงอายุ\t2\tสีลม",
            f"{cm_volunteer.national_id}\t01/03/2563\tคัดกรอง\tผู้สูงอายุ\t2\t",
        ]
    )
    response = client_for(officer_bkk).post(reverse("volunteers:service-bulk"), {"rows": rows})
    assert response.status_code == 400
    # Worded as the services import words a file's problems (volunteers.rules, issue 14).
    body = unescape(response.content.decode())
    assert "แถว 2, วันที่: '31/02/2563' ไม่ใช่วันที่ที่มีอยู่จริง" in body
    assert "แถว 3, ประเภทบริการ: 'เยี่ยมบ้าน' ไม่ใช่ค่าที่รับได้" in body
    assert "แถว 4, เลขประจำตัวประชาชน อพม.: ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน" in body
    assert not Service.objects.exists()
