"""National IDs are searchable only by the roles that see them in full, and only whole: a
manager (who sees IDs masked) cannot recover an ID digit by digit through the list search."""

from django.urls import reverse

from core.nationalid import make_valid

NID = make_valid("110170020345")


def _found(client, query) -> bool:
    body = client.get(reverse("shelters:resident-list"), {"q": query}).content.decode()
    return "ผู้ถูกค้นหา" in body


def test_a_manager_cannot_probe_national_ids(client_for, manager, make_resident):
    make_resident(full_name="ผู้ถูกค้นหา หนึ่ง", national_id=NID)
    c = client_for(manager)
    assert _found(c, "ผู้ถูกค้นหา")  # managers do read the list
    for prefix in (NID[:4], NID[:6], NID[:12]):
        assert not _found(c, prefix), prefix
    assert not _found(c, NID)


def test_the_facility_finds_its_resident_by_the_whole_id_only(client_for, staff, make_resident):
    make_resident(full_name="ผู้ถูกค้นหา หนึ่ง", national_id=NID)
    c = client_for(staff)
    assert _found(c, NID)
    assert _found(c, f"{NID[0]}-{NID[1:5]}-{NID[5:10]}-{NID[10:12]}-{NID[12]}")
    assert _found(c, "".join("๐๑๒๓๔๕๖๗๘๙"[int(d)] for d in NID))  # typed in Thai digits
    assert not _found(c, NID[:6])


def test_an_admin_finds_by_id(client_for, kpi_admin, make_resident):
    make_resident(full_name="ผู้ถูกค้นหา หนึ่ง", national_id=NID)
    assert _found(client_for(kpi_admin), NID)
