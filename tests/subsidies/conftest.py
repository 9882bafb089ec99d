import datetime as dt
import itertools

import pytest

from core import roles
from core.nationalid import make_valid
from subsidies import services
from subsidies.models import Application, SubsidyType

_ids = itertools.count(1)


def new_national_id() -> str:
    return make_valid(f"1{next(_ids):011d}")


@pytest.fixture
def officer(make_user):
    return make_user(roles.SUBSIDY_OFFICER, username="subsidy-officer")


@pytest.fixture
def facility_staff(make_user):
    return make_user(roles.FACILITY_STAFF, username="facility-staff")


@pytest.fixture
def make_application(db, officer, bangkok):
    def make(**fields) -> Application:
        values = {
            "first_name": "สมหญิง",
            "last_name": "ใจดี",
            "national_id": new_national_id(),
            "province": bangkok,
            "subsidy_type": SubsidyType.LOW_INCOME,
            "amount_requested": 3000,
            "received_on": dt.date(2020, 1, 6),
        }
        values.update(fields)
        return services.create_application(Application(**values), officer)

    return make


@pytest.fixture
def application(make_application):
    return make_application()


def advance(application, officer, to_step, decision="", day=None):
    """Move an application step by step up to ``to_step`` (test helper)."""
    day = day or application.received_on
    for step in range(application.step + 1, to_step + 1):
        services.move(
            application,
            to_step=step,
            acted_on=day + dt.timedelta(days=step),
            officer=officer,
            decision=decision if step == 4 else "",
            note=f"ขั้นที่ {step}",
        )
    return application
