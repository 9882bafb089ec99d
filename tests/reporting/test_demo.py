"""The demo: FY2563's 6-month round closed, with an assessment corrected after it (listed, with
its reason); the 12-month round open with narratives in draft. Safe to run again."""

import io

from django.core.management import call_command

from reporting import corrections
from reporting.demo import CORRECTION_REASON
from reporting.models import Narrative, NarrativeStatus, Round, Snapshot


def test_the_demo_closes_the_6_month_round_and_corrects_a_record_after_it(db):
    for _ in range(2):  # safe to run again
        call_command("demo", stdout=io.StringIO())
    six = Round.objects.get(name="รอบ 6 เดือน")
    twelve = Round.objects.get(name="รอบ 12 เดือน")
    assert six.is_closed and twelve.is_open
    snapshot = Snapshot.objects.get(round=six)
    assert snapshot.rows.count() == 7 and snapshot.closed_by.username == "admin"
    changes = corrections.since_closing("shelters.improved", 2563, six.as_of, snapshot.closed_at)
    assert [c.reason for c in changes.items] == [CORRECTION_REASON]
    assert changes.items[0].who.username == "staff-tyb"
    drafts = Narrative.objects.filter(round=twelve)
    assert drafts.count() == 3 and all(n.status == NarrativeStatus.DRAFT for n in drafts)
    assert Narrative.objects.filter(round=six, status=NarrativeStatus.SUBMITTED).count() == 5
