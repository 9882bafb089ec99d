import datetime as dt
import json

import pytest
from django.urls import reverse

from catalog.kpi import completeness
from catalog.models import Agency, Dataset, ExternalAgency
from core import roles
from indicators import evaluation

LIST = reverse("catalog:list")
DCAT = reverse("catalog:dcat")


def fill(dataset: Dataset, **extra) -> Dataset:
    values = {
        "description": "ข้อมูลคนไร้ที่พึ่งในสถานคุ้มครอง",
        "fields": "เลขประจำตัวประชาชน\nชื่อ-สกุล",
        "update_frequency": "monthly",
        "data_format": "PostgreSQL",
        "access_level": "confidential",
        "contact": "กองยุทธศาสตร์และแผนงาน พส.",
    }
    values.update(extra)
    for k, v in values.items():
        setattr(dataset, k, v)
    dataset.save()
    return dataset


def test_the_21_databases_of_the_document_are_loaded_with_their_owners(db):
    assert Dataset.objects.count() == 21
    owners = dict(Dataset.objects.values_list("number", "owner"))
    assert [owners[n] for n in (1, 4, 5, 9, 11, 14, 18)] == [
        "ทุกส่วนราชการ", "สป.", "คย.", "สค.", "พส.", "พท.", "ผส.",
    ]  # fmt: skip
    assert Dataset.objects.filter(owner=Agency.DSDW).count() == 3
    assert Dataset.objects.get(number=12).title == "ฐานข้อมูลคนไร้ที่พึ่ง"
    assert ExternalAgency.objects.filter(abbreviation="สปสช.").exists()


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_staff_role_browses_the_catalog(make_user, client_for, role):
    c = client_for(make_user(role))
    response = c.get(LIST)
    assert response.status_code == 200
    assert "ฐานข้อมูลผู้ทำการขอทาน" in response.content.decode()
    assert (
        c.get(reverse("catalog:detail", args=[Dataset.objects.get(number=11).pk])).status_code
        == 200
    )


def test_anonymous_and_roleless_users_cannot_browse(client, client_for, no_role_user):
    assert client.get(LIST).status_code == 302
    assert client_for(no_role_user).get(LIST).status_code == 403


def test_only_admins_edit_and_the_change_is_audited(client_for, kpi_admin, manager):
    ds = Dataset.objects.get(number=12)
    url = reverse("catalog:edit", args=[ds.pk])
    assert client_for(manager).get(url).status_code == 403
    assert client_for(manager).post(url, {}).status_code == 403
    moi = ExternalAgency.objects.get(abbreviation="มท.")
    data = {
        "number": 12, "title": ds.title, "owner": "พส.", "description": "ผู้รับบริการ",
        "fields": "ชื่อ\nสกุล", "keywords": "คนไร้ที่พึ่ง, สถานคุ้มครอง", "update_frequency": "daily",
        "data_format": "API", "access_level": "confidential", "contact": "ศูนย์เทคโนโลยีสารสนเทศ",
        "linked_to_center": "on", "linked_since": "01/07/2563", "external_agencies": [moi.pk],
    }  # fmt: skip
    response = client_for(kpi_admin).post(url, data)
    assert response.status_code == 302
    ds.refresh_from_db()
    assert ds.linked_since == dt.date(2020, 7, 1) and list(ds.external_agencies.all()) == [moi]
    assert ds.missing == []
    assert ds.history.count() == 2  # loaded, then edited


def test_a_link_date_without_a_link_is_refused_in_thai(client_for, kpi_admin):
    ds = Dataset.objects.get(number=13)
    data = {"number": 13, "title": ds.title, "owner": "พส.", "linked_since": "01/07/2563"}
    response = client_for(kpi_admin).post(reverse("catalog:edit", args=[ds.pk]), data)
    assert response.status_code == 400
    assert "เชื่อมโยงกับศูนย์ข้อมูลกลางแล้วเท่านั้น" in response.content.decode()


def test_the_list_filters_by_owner_link_and_completeness(client_for, manager):
    fill(Dataset.objects.get(number=11), linked_to_center=True, linked_since=dt.date(2020, 1, 1))
    c = client_for(manager)

    def numbers(**params):
        return {r.record.number for r in c.get(LIST, params).context["table"].rows}

    assert numbers(owner="พส.") == {11, 12, 13}
    assert numbers(linked_to_center="true") == {11}
    assert numbers(complete="true") == {11}
    assert len(numbers(complete="false")) == 20


def test_kpi_3_1_shows_completeness_and_links_in_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        facts = completeness(2563, dt.date(2020, 9, 30)).facts
    assert facts["catalog_completeness"].figure == "ข้อมูลครบถ้วน 0 / 21 รายการ (ร้อยละ 0.00)"
    assert facts["catalog_completeness"].met is None and facts["catalog_linked"].met is None
    fill(Dataset.objects.get(number=11), linked_to_center=True, linked_since=dt.date(2020, 1, 1))
    fill(Dataset.objects.get(number=12), linked_to_center=True)  # linked, no date: incomplete
    fill(Dataset.objects.get(number=13))
    with django_assert_num_queries(1):
        facts = completeness(2563, dt.date(2020, 9, 30)).facts
    assert facts["catalog_completeness"].figure == "ข้อมูลครบถ้วน 2 / 21 รายการ (ร้อยละ 9.52)"
    assert facts["catalog_linked"].figure == "เชื่อมโยงศูนย์ข้อมูลกลางแล้ว 2 / 21 รายการ"


def test_kpi_3_1_facts_show_on_the_dashboard(fy2563):
    result = evaluation.evaluate(fy2563, dt.date(2020, 9, 30)).by_code("3.1")
    keys = {s.deliverable.computed_key: s.fact for s in result.deliverables if s.fact}
    assert set(keys) == {"catalog_completeness", "catalog_linked"}


# --- DCAT -------------------------------------------------------------------------------------

DCAT_IRI = "http://www.w3.org/ns/dcat#"
DCT_IRI = "http://purl.org/dc/terms/"
FOAF_IRI = "http://xmlns.com/foaf/0.1/"


def compact_terms(node, found=None):
    """Every key and @type value used in a JSON-LD document."""
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                found.add(key)
                if key == "@type":
                    found.add(value)
                compact_terms(value, found)
    elif isinstance(node, list):
        for item in node:
            compact_terms(item, found)
    return found


def test_the_catalog_is_dcat_json_ld(client_for, manager):
    fill(Dataset.objects.get(number=11), linked_to_center=True, linked_since=dt.date(2020, 1, 1))
    Dataset.objects.get(number=11).external_agencies.add(
        ExternalAgency.objects.get(abbreviation="มท.")
    )
    response = client_for(manager).get(DCAT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = json.loads(response.content)
    context = doc["@context"]
    assert (context["dcat"], context["dct"], context["foaf"]) == (DCAT_IRI, DCT_IRI, FOAF_IRI)
    assert doc["@type"] == "dcat:Catalog" and doc["@id"].endswith(DCAT)
    datasets = doc["dcat:dataset"]
    assert len(datasets) == 21
    ids = set()
    for ds in datasets:
        assert ds["@type"] == "dcat:Dataset"
        assert ds["dct:title"]["@value"] and ds["dct:title"]["@language"] == "th"
        assert ds["dct:identifier"].startswith("mso-db-")
        assert ds["dct:publisher"]["@type"] == "foaf:Organization"
        ids.add(ds["@id"])
    assert len(ids) == 21
    begging = next(d for d in datasets if d["dct:identifier"] == "mso-db-11")
    assert begging["dct:accrualPeriodicity"] == "http://purl.org/cld/freq/monthly"
    assert begging["kpit:linkedToCentralDataCentre"] is True
    assert begging["kpit:linkedSince"] == "2020-01-01"
    assert begging["kpit:linkedExternalAgency"][0]["foaf:name"]["@value"] == "กระทรวงมหาดไทย"
    # Every compact IRI resolves through the context: the document expands without loss.
    for term in compact_terms(doc):
        if term.startswith("@"):
            continue
        prefix = term.split(":", 1)[0]
        assert prefix in context, term
    for prefix, iri in context.items():
        if ":" not in prefix and isinstance(iri, str):
            assert iri.startswith(("http://", "https://", "urn:")), prefix


def test_the_dcat_document_holds_no_records(client_for, manager):
    doc = client_for(manager).get(DCAT).content.decode()
    assert "national_id" not in doc and "เลขประจำตัวประชาชน" not in doc


def test_the_harvester_reads_it_with_its_token_and_nobody_without(client, settings, db):
    settings.CATALOG_HARVEST_TOKEN = "harvest-secret-token"
    response = client.get(DCAT)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(DCAT, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    ok = client.get(DCAT, HTTP_AUTHORIZATION="Bearer harvest-secret-token")
    assert ok.status_code == 200 and len(ok.json()["dcat:dataset"]) == 21
    settings.CATALOG_HARVEST_TOKEN = ""
    assert client.get(DCAT, HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_a_user_without_a_role_is_refused_the_dcat(client_for, no_role_user):
    assert client_for(no_role_user).get(DCAT).status_code == 403


def test_the_dcat_document_pins_its_queries(client, settings, db, django_assert_max_num_queries):
    settings.CATALOG_HARVEST_TOKEN = "t0ken"
    with django_assert_max_num_queries(2):
        client.get(DCAT, HTTP_AUTHORIZATION="Bearer t0ken")


def test_the_catalog_pages_and_menu_take_the_apps_permissions(no_role_user, manager, kpi_admin):
    """catalog.permissions: can_view for the list and the dataset pages (and the menu entry),
    can_edit for the create and edit pages (and the list's "add" button)."""
    from catalog import permissions, views
    from core import access, nav

    assert views.dataset_list.allowed_roles == permissions.can_view.roles
    assert views.dataset_detail.allowed_roles == permissions.can_view.roles
    assert views.dataset_edit.allowed_roles == permissions.can_edit.roles
    assert "catalog:list" in [i["name"] for i in nav.items_for(manager)]
    assert "catalog:list" not in [i["name"] for i in nav.items_for(no_role_user)]
    assert not access.can_open_name(manager, "catalog:create")
    assert access.can_open_name(kpi_admin, "catalog:create")
