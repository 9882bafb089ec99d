"""Target revisions (issue 15): the targets in force at a date, the scores that use them, KPI
3.2's threshold from the set (and its revision), and the calculator of the revised figure."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators import evaluation
from indicators.models import Deliverable, Indicator, RevisionReason, TargetRevision
from indicators.services import copy_set, threshold_for
from indicators.targets import in_force, months_open, opening_threshold
from subsidies.models import StatusCheck

MARCH_31, APRIL_1, SEPT_30 = dt.date(2020, 3, 31), dt.date(2020, 4, 1), dt.date(2020, 9, 30)
KEY = "status_checks"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def revise(media, kpi_admin, approver):
    def make(indicator, effective_from, **values) -> TargetRevision:
        revision = TargetRevision(
            indicator=indicator,
            effective_from=effective_from,
            reason=values.pop("reason", RevisionReason.BUDGET),
            reason_text="ได้รับงบประมาณน้อยกว่าแผน",
            approved_by=approver,
            approved_on=effective_from,
            recorded_by=kpi_admin,
            **values,
        )
        revision.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=False)
        revision.save()
        return revision

    return make


def indicator(fy2563, code) -> Indicator:
    return Indicator.objects.get(indicator_set=fy2563, code=code)


def status_deliverable(indicator_set) -> Deliverable:
    return Deliverable.objects.get(indicator__indicator_set=indicator_set, computed_key=KEY)


def citizens_checked(n: int, day=dt.date(2020, 8, 15), fiscal_year=2563) -> None:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    StatusCheck.objects.bulk_create(
        StatusCheck(citizen_key=f"{i:064d}", checked_at=at, checked_on=day, fiscal_year=fiscal_year)
        for i in range(n)
    )


# --- the targets in force -----------------------------------------------------------------------


def test_a_revision_is_in_force_from_its_date_on(fy2563, revise):
    kpi = indicator(fy2563, "1.1")
    revise(kpi, APRIL_1, target_min=Decimal("11.00"), target_max=Decimal("14.00"))
    before = in_force(fy2563, MARCH_31)[kpi.pk]
    after = in_force(fy2563, APRIL_1)[kpi.pk]
    assert before.targets == (Decimal("10.72"), Decimal("12.05"), Decimal("13.38"))
    assert not before.is_revised
    # A blank figure keeps the one in force before.
    assert after.targets == (Decimal("11.00"), Decimal("12.05"), Decimal("14.00"))
    assert after.original_targets == before.targets
    assert after.revised_levels() == (True, False, True)


def test_later_revisions_apply_over_earlier_ones_and_withdrawn_ones_do_not(fy2563, revise):
    kpi = indicator(fy2563, "1.1")
    revise(kpi, dt.date(2020, 1, 1), target_std=Decimal("12.50"))
    revise(kpi, dt.date(2020, 6, 1), target_std=Decimal("12.90"), target_max=Decimal("13.50"))
    mistaken = revise(kpi, dt.date(2020, 7, 1), target_std=Decimal("13.40"))
    mistaken.withdrawn_at = timezone.now()
    mistaken.save()
    assert in_force([kpi], dt.date(2020, 3, 1))[kpi.pk].targets[1:] == (
        Decimal("12.50"),
        Decimal("13.38"),
    )
    now = in_force([kpi], SEPT_30)[kpi.pk]
    assert now.targets[1:] == (Decimal("12.90"), Decimal("13.50"))
    assert len(now.revisions) == 2


def test_a_revised_target_text_is_in_force_for_a_milestone(fy2563, revise):
    kpi = indicator(fy2563, "2")
    revise(kpi, APRIL_1, target_std_note="ตามเป้าหมายที่ปรับตามงบประมาณ ร้อยละ 100")
    assert in_force(fy2563, MARCH_31)[kpi.pk].notes[1] == kpi.target_std_note
    assert in_force(fy2563, APRIL_1)[kpi.pk].notes[1] == "ตามเป้าหมายที่ปรับตามงบประมาณ ร้อยละ 100"


# --- scores use the targets in force at the evaluation's date -----------------------------------


def test_a_revision_rescores_only_the_dates_it_covers(fy2563, revise, plug_ratio):
    plug_ratio(1271, 10000)  # 12.71 %
    kpi = indicator(fy2563, "1.1")
    revise(
        kpi, APRIL_1,
        target_min=Decimal("12.00"), target_std=Decimal("12.50"), target_max=Decimal("12.70"),
    )  # fmt: skip
    six_months = evaluation.evaluate(fy2563, MARCH_31).by_code("1.1")
    twelve_months = evaluation.evaluate(fy2563, SEPT_30).by_code("1.1")
    # The 6-month round's date is before the revision: the document's targets, 87.41 points.
    assert six_months.targets == kpi.targets and six_months.revisions == ()
    assert (six_months.level, round(six_months.score, 2)) == (2, Decimal("87.41"))
    # From 1 Apr the revised targets: 12.71 is above the revised maximum.
    assert twelve_months.targets == (Decimal("12.00"), Decimal("12.50"), Decimal("12.70"))
    assert twelve_months.original_targets == kpi.targets
    assert (twelve_months.level, twelve_months.score) == (3, Decimal(100))
    assert [r.effective_from for r in twelve_months.revisions] == [APRIL_1]


def test_the_evaluation_reads_the_revisions_in_one_query_whatever_their_number(
    fy2563, revise, plug_ratio
):
    plug_ratio(1271, 10000)
    evaluation.evaluate(fy2563, SEPT_30)  # warm-up (content types)
    with CaptureQueriesContext(connection) as without:
        evaluation.evaluate(fy2563, SEPT_30)
    for code in ("1.1", "1.2", "2", "3.1"):
        revise(indicator(fy2563, code), APRIL_1, target_max_note="ปรับ")
    revise(
        indicator(fy2563, "3.2"), APRIL_1, deliverable=status_deliverable(fy2563), threshold=2302
    )
    with CaptureQueriesContext(connection) as with_five:
        evaluation.evaluate(fy2563, SEPT_30)
    assert len(with_five) == len(without)


# --- KPI 3.2's threshold comes from the set, and its revision -----------------------------------


def test_kpi_3_2_is_met_at_the_threshold_in_force_at_the_date(fy2563, revise):
    citizens_checked(2400, day=dt.date(2020, 7, 15))
    revise(
        indicator(fy2563, "3.2"), dt.date(2020, 8, 1), reason=RevisionReason.OPENING,
        deliverable=status_deliverable(fy2563), threshold=2302, opened_on=dt.date(2020, 8, 1),
    )  # fmt: skip
    assert threshold_for(KEY, 2563, dt.date(2020, 7, 31)) == 3500
    assert threshold_for(KEY, 2563, dt.date(2020, 8, 1)) == 2302
    assert threshold_for(KEY, 2563) == 2302  # no date: today, after the revision

    def status_at(day):
        result = evaluation.evaluate(fy2563, day).by_code("3.2")
        return next(s for s in result.deliverables if s.deliverable.computed_key == KEY)

    # A round dated before the revision is not rescored: 2,400 is short of the document's 3,500.
    july = status_at(dt.date(2020, 7, 31))
    assert (july.threshold, july.met, july.fact.figure) == (3500, False, "2,400 / 3,500 ราย")
    august = status_at(dt.date(2020, 8, 31))
    assert (august.threshold, august.met, august.fact.figure) == (2302, True, "2,400 / 2,302 ราย")


def test_threshold_for_is_one_query_and_none_inside_the_evaluation(
    fy2563, revise, django_assert_num_queries
):
    revise(
        indicator(fy2563, "3.2"), dt.date(2020, 8, 1),
        deliverable=status_deliverable(fy2563), threshold=2302,
    )  # fmt: skip
    with django_assert_num_queries(1):
        assert threshold_for(KEY, 2563, SEPT_30) == 2302
    from indicators import registry
    from indicators.targets import share_thresholds

    with registry.shared_results():
        share_thresholds(2563, SEPT_30, {KEY: 2302})
        with django_assert_num_queries(0):
            assert threshold_for(KEY, 2563) == 2302
            assert threshold_for(KEY, 2563, SEPT_30) == 2302
        with django_assert_num_queries(1):  # another date: asked of the database
            assert threshold_for(KEY, 2563, dt.date(2020, 7, 1)) == 3500


def test_a_copied_year_uses_its_own_threshold_and_not_the_earlier_years_revision(fy2563, revise):
    revise(
        indicator(fy2563, "3.2"), dt.date(2020, 8, 1),
        deliverable=status_deliverable(fy2563), threshold=2302,
    )  # fmt: skip
    fy2564 = copy_set(fy2563, 2564)
    copied = status_deliverable(fy2564)
    assert copied.threshold == 3500  # the document's figure, not the revised one
    assert not TargetRevision.objects.filter(indicator__indicator_set=fy2564).exists()
    Deliverable.objects.filter(pk=copied.pk).update(threshold=5000)
    citizens_checked(4000, day=dt.date(2021, 1, 10), fiscal_year=2564)
    assert threshold_for(KEY, 2564, dt.date(2021, 9, 30)) == 5000
    assert threshold_for(KEY, 2563, SEPT_30) == 2302
    result = evaluation.evaluate(fy2564, dt.date(2021, 9, 30)).by_code("3.2")
    status = next(s for s in result.deliverables if s.deliverable.computed_key == KEY)
    assert (status.threshold, status.met, status.fact.figure) == (5000, False, "4,000 / 5,000 ราย")


def test_a_year_without_its_own_set_takes_the_earlier_sets_figure_without_its_revision(
    fy2563, revise
):
    revise(
        indicator(fy2563, "3.2"), dt.date(2020, 8, 1),
        deliverable=status_deliverable(fy2563), threshold=2302,
    )  # fmt: skip
    assert threshold_for(KEY, 2564, dt.date(2021, 3, 1)) == 3500


# --- the calculator ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "months"),
    [
        ((2019, 10), 12), ((2019, 11), 11), ((2019, 12), 10), ((2020, 1), 9), ((2020, 2), 8),
        ((2020, 3), 7), ((2020, 4), 6), ((2020, 5), 5), ((2020, 6), 4), ((2020, 7), 3),
        ((2020, 8), 2), ((2020, 9), 1),
    ],
)  # fmt: skip
def test_the_months_open_count_the_opening_month_to_september(month, months):
    assert months_open(dt.date(*month, 1), 2563) == months
    assert months_open(dt.date(*month, 28), 2563) == months  # any day of the month


def test_opening_in_august_2563_revises_3500_to_2302():
    proposal = opening_threshold(dt.date(2020, 8, 10), 2563)
    assert proposal.months == 2
    assert proposal.exact == Decimal("2302.4")
    assert proposal.figure == 2302
    assert proposal.opened_on == dt.date(2020, 8, 1)


def test_three_months_is_about_the_documents_3500():
    assert opening_threshold(dt.date(2020, 7, 1), 2563).figure == 3454  # 3,453.6


def test_the_figure_is_rounded_half_up_to_a_whole_person():
    # 10 % of 5 for one month is 0.5 people: half-up gives 1 (half-to-even would give 0).
    assert opening_threshold(dt.date(2020, 9, 1), 2563, monthly_average=5).figure == 1
    assert opening_threshold(dt.date(2020, 9, 1), 2563, monthly_average=25).figure == 3  # 2.5


@pytest.mark.parametrize("day", [dt.date(2019, 9, 30), dt.date(2020, 10, 1)])
def test_an_opening_outside_the_fiscal_year_is_refused(day):
    with pytest.raises(ValueError):
        months_open(day, 2563)
