import datetime as dt

from django.urls import reverse

from subsidies.models import Decision, SubsidyType
from tests.subsidies.conftest import advance

URL = reverse("subsidies:list")


def test_the_list_counts_per_step_and_filters(client_for, officer, make_application, chiang_mai):
    a = make_application()
    b = make_application(subsidy_type=SubsidyType.HIV, province=chiang_mai)
    c = make_application(received_on=dt.date(2020, 5, 1))
    advance(b, officer, 2)
    advance(c, officer, 4, decision=Decision.NOT_APPROVED)
    response = client_for(officer).get(URL)
    counts = {s["step"]: s["count"] for s in response.context["step_counts"]}
    assert counts == {1: 1, 2: 1, 3: 0, 4: 1, 5: 0}
    assert response.context["not_approved"] == 1

    def refs(**params):
        r = client_for(officer).get(URL, params)
        return {row.record.reference for row in r.context["table"].rows}

    assert refs(subsidy_type="hiv") == {b.reference}
    assert refs(step=4) == {c.reference}
    assert refs(province=chiang_mai.pk) == {b.reference}
    assert refs(received_from="01/04/2563") == {c.reference}
    assert refs(received_to="31/03/2563") == {a.reference, b.reference}
    assert refs(q=b.formatted_reference.lower()) == {b.reference}
    filtered = client_for(officer).get(URL, {"subsidy_type": "hiv"}).context
    assert filtered["total"] == 1


def test_the_list_does_not_grow_its_queries_with_data(
    client_for, officer, make_application, django_assert_max_num_queries
):
    c = client_for(officer)
    make_application()
    c.get(URL)
    with django_assert_max_num_queries(12):
        c.get(URL)
    for _ in range(20):
        make_application()
    with django_assert_max_num_queries(12):
        c.get(URL)
