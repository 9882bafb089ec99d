"""A volunteer's national ID finds them only for the roles that see IDs in full."""

from django.urls import reverse


def _found(client, query) -> bool:
    body = client.get(reverse("volunteers:list"), {"q": query}).content.decode()
    return "ผู้ถูกค้นหา" in body


def test_only_id_seeing_roles_search_by_id(
    client_for, manager, officer_bkk, bangkok, make_volunteer
):
    v = make_volunteer(bangkok, first_name="ผู้ถูกค้นหา")
    assert _found(client_for(officer_bkk), v.national_id)
    assert _found(client_for(officer_bkk), "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in v.national_id))
    c = client_for(manager)
    assert _found(c, "ผู้ถูกค้นหา")
    assert not _found(c, v.national_id)
