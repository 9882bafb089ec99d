"""The scored set as plain data: the ``kpi --json`` output and the dashboard's JSON."""

from decimal import Decimal

from core.numbers import json_number as _num
from core.numbers import json_two as _two
from indicators.evaluation import IndicatorResult, SetResult

TWO = Decimal("0.01")


def indicator_as_dict(res: IndicatorResult) -> dict:
    ind = res.indicator
    data = {
        "code": ind.code,
        "name": ind.name,
        "weight": _num(ind.weight),
        "kind": ind.kind,
        "result": None,
        "level": res.level,
        "score": _two(res.score),
        "weighted_score": _two(res.weighted_score),
        "source": res.source,
        "children": [indicator_as_dict(child) for child in res.children],
    }
    if ind.kind == "ratio":
        data["targets"] = [_num(t) for t in res.targets]  # in force at the as-of date
        if res.source:
            data["result"] = {
                "numerator": _num(res.numerator),
                "denominator": _num(res.denominator),
                "value": _two(res.value),
                "breakdown": {str(item.label): item.count for item in res.breakdown},
            }
    elif ind.kind == "milestone":
        data["result"] = {
            "levels_met": res.levels_met,
            "deliverables": [
                {
                    "level": s.deliverable.level,
                    "title": s.deliverable.title,
                    "met": s.met,
                    "approved_evidence": s.approved_evidence,
                    "figure": s.fact.figure if s.fact else None,
                }
                for s in res.deliverables
            ],
        }
    return data


def set_result_as_dict(result: SetResult) -> dict:
    s = result.indicator_set
    return {
        "agency": s.agency_name,
        "fiscal_year": s.fiscal_year,
        "as_of": result.as_of.isoformat(),
        "scoring_rule": s.scoring_rule,
        "points": [_num(p) for p in s.points],
        "indicators": [indicator_as_dict(root) for root in result.roots],
        "total": _two(result.total),
        "total_level": result.total_level,
    }
