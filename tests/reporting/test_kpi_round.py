"""``manage.py kpi --round``: a closed round prints its snapshot (the figures its report shows,
never recomputed), an open one today's figures as of its date and says so; by id or by name."""

import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from indicators import evaluation
from indicators.management.commands import kpi as kpi_command  # imported before any patch below
from reporting import report


def _run(*args) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def _line(out: str, code: str) -> list[str]:
    return next(line for line in out.splitlines() if line.split()[:1] == [code]).split()


def test_a_closed_round_prints_its_snapshot_without_recomputing(closed_six, kpi_admin):
    with (
        mock.patch.object(evaluation, "evaluate", side_effect=AssertionError("recomputed")),
        mock.patch.object(kpi_command, "evaluate", side_effect=AssertionError("recomputed")),
    ):
        out = _run("--round", "รอบ 6 เดือน")
    lines = out.splitlines()
    assert lines[0] == "กรมพัฒนาสังคมและสวัสดิการ ปีงบประมาณ 2563 รอบ 6 เดือน ณ 2020-03-31"
    assert lines[1].startswith(f"ผลที่รายงาน (บันทึกผลครั้งที่ 1) ปิดรอบโดย {kpi_admin.get_full_name()}")
    assert _line(out, "1.1")[:5] == ["1.1", "20", "75.00", "3", "100.00"]
    snapshot = closed_six.snapshots.get()
    assert _line(out, "total")[-1] == f"{snapshot.total:.2f}"
    assert "ยังไม่ได้รายงาน" not in out


def test_the_round_can_be_named_by_id_and_a_correction_after_closing_changes_nothing(
    closed_six,
):
    from shelters.models import Assessment

    before = _run("--round", str(closed_six.pk))
    latest = Assessment.objects.filter(percent=85).first()
    latest.percent = 40
    latest.save()
    assert _run("--round", str(closed_six.pk), "--year", "2563") == before


def test_an_open_round_prints_todays_figures_and_says_so(twelve, add_residents):
    add_residents(1, last=85)
    add_residents(3, last=30)
    out = _run("--round", "รอบ 12 เดือน", "--year", "2563")
    assert out.splitlines()[0].endswith("รอบ 12 เดือน ณ 2020-09-30")
    assert out.splitlines()[1].startswith("ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)")
    assert _line(out, "1.1")[2] == "25.00"


def test_json_is_the_rounds_dict(closed_six):
    data = json.loads(_run("--round", "รอบ 6 เดือน", "--json"))
    assert data == json.loads(json.dumps(report.round_as_dict(closed_six), ensure_ascii=False))
    assert data["round"]["reported"] is True and data["round"]["snapshot"] == 1


def test_it_refuses_an_unknown_round_a_date_and_a_missing_year(closed_six, kpi_admin):
    with pytest.raises(CommandError, match="no round 'รอบ 9 เดือน'"):
        _run("--round", "รอบ 9 เดือน")
    with pytest.raises(CommandError, match="no round"):
        _run("--round", "รอบ 6 เดือน", "--year", "2564")
    with pytest.raises(CommandError, match="--as-of cannot be used with --round"):
        _run("--round", "รอบ 6 เดือน", "--as-of", "2020-03-31")
    with pytest.raises(CommandError, match="give --year"):
        _run()


def test_two_years_with_a_round_of_the_same_name_need_the_year(closed_six, fy2563, kpi_admin):
    from indicators.services import copy_set
    from reporting.models import Round

    copy = copy_set(fy2563, 2564)
    Round.objects.create(
        indicator_set=copy, name="รอบ 6 เดือน", as_of=closed_six.as_of.replace(year=2021),
        due_on=closed_six.due_on.replace(year=2021),
    )  # fmt: skip
    with pytest.raises(CommandError, match="several rounds are named 'รอบ 6 เดือน'.*give --year"):
        _run("--round", "รอบ 6 เดือน")
    assert "ปีงบประมาณ 2564" in _run("--round", "รอบ 6 เดือน", "--year", "2564")
