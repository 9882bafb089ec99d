"""Fixtures and helpers shared by the subsidies import tests (no tests here)."""

import datetime as dt
import itertools

import pytest

from core.nationalid import make_valid
from imports import engine
from subsidies import services
from subsidies.models import Application, SubsidyType

_ids = itertools.count(1)


def new_national_id() -> str:
    return make_valid(f"33{next(_ids):010d}")


def run(resource, data, name="f.csv", dry_run=False):
    return engine.run(resource, data, name, dry_run=dry_run)


def messages(report) -> list[str]:
    return [str(e) for e in report.errors]


def make_application(province, **fields) -> Application:
    values = {
        "first_name": "สมหญิง", "last_name": "ใจดี", "national_id": new_national_id(),
        "province": province, "subsidy_type": SubsidyType.LOW_INCOME, "amount_requested": 3000,
        "received_on": dt.date(2020, 1, 6),
    }  # fmt: skip
    values.update(fields)
    return services.create_application(Application(**values), None)


@pytest.fixture
def application(db, bangkok):
    return make_application(bangkok)


@pytest.fixture
def application2(db, bangkok):
    return make_application(bangkok)
