"""The Django admin keeps evidence put before the approvers, as the app does."""

import pytest
from django.urls import reverse

from indicators.models import Deliverable, Evidence, EvidenceStatus


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root-evidence", "r@example.com", "x")


@pytest.mark.parametrize(
    ("status", "deletable"),
    [
        (EvidenceStatus.DRAFT, True),
        (EvidenceStatus.SUBMITTED, False),
        (EvidenceStatus.APPROVED, False),
        (EvidenceStatus.RETURNED, False),
    ],
)
def test_only_a_draft_can_be_deleted_in_the_admin(client, superuser, fy2563, status, deletable):
    deliverable = Deliverable.objects.filter(indicator__indicator_set=fy2563).first()
    evidence = Evidence.objects.create(
        deliverable=deliverable, title="หลักฐาน", url="https://example.com/e", status=status,
        created_by=superuser,
    )  # fmt: skip
    client.force_login(superuser)
    url = reverse("admin:indicators_evidence_delete", args=[evidence.pk])
    assert client.get(url).status_code == (200 if deletable else 403)
    client.post(url, {"post": "yes"})
    assert Evidence.objects.filter(pk=evidence.pk).exists() is not deletable


def test_the_admin_list_has_no_bulk_delete(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:indicators_evidence_changelist"))
    assert response.status_code == 200
    assert b'value="delete_selected"' not in response.content
