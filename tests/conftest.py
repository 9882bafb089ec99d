"""Users per role shared by every test (STYLE: the owner, a colleague, an outsider).

Domain apps add their scoped users (facility staff of facility X and Y, provincial officers of
province P and Q) in their own tests/<app>/conftest.py, built with ``make_user``.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.test.utils import override_settings

from core import roles
from core.models import Profile, Province
from indicators.models import Indicator, IndicatorSet


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Hash test passwords with MD5 (about half of the suite's time was PBKDF2).

    The production hashers stay in the list after it, so a hash made by a subprocess with the
    real settings (the serving test) still verifies; nothing outside the test run uses this.
    """
    from django.conf import settings

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def thai_first():
    """Every test starts in Thai, the default: a test that switches the language (English mode)
    must not leave it switched for the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(*role_names: str, username: str | None = None, province: Province | None = None):
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"user{counter['n']}",
            password="x-test-pass-9",
            first_name=f"ผู้ใช้{counter['n']}",
        )
        user.groups.set(Group.objects.filter(name__in=role_names))
        Profile.objects.create(user=user, province=province)
        return user

    return make


@pytest.fixture
def client_for():
    """A logged-in test client for a user (force_login: no password round-trip)."""

    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def kpi_admin(make_user):
    return make_user(roles.ADMIN, username="kpi-admin")


@pytest.fixture
def manager(make_user):
    return make_user(roles.MANAGER, username="manager")


@pytest.fixture
def approver(make_user):
    return make_user(roles.MANAGER, roles.APPROVER, username="approver")


@pytest.fixture
def fy2563(db) -> IndicatorSet:
    return IndicatorSet.objects.get(agency_code="พส.", fiscal_year=2563)


@pytest.fixture
def owner(make_user, fy2563):
    user = make_user(roles.INDICATOR_OWNER, username="owner")
    for indicator in Indicator.objects.filter(indicator_set=fy2563).exclude(kind="group"):
        indicator.owners.add(user)
    return user


@pytest.fixture
def other_owner(make_user):
    """An indicator owner who owns none of FY2563's indicators."""
    return make_user(roles.INDICATOR_OWNER, username="other-owner")


@pytest.fixture
def no_role_user(make_user):
    return make_user(username="no-role")


@pytest.fixture
def bangkok(db) -> Province:
    return Province.objects.get(code="10")


@pytest.fixture
def chiang_mai(db) -> Province:
    return Province.objects.get(code="50")


# The tests whose outcome depends on the database engine run in both passes (SQLite, the
# embedded default, and PostgreSQL, the production database): the indicator SQL (window
# functions, aggregates, collation), the import writer (COPY on PostgreSQL), the volunteers'
# summary counters, backups (pg_dump), locks and concurrency, the published figures, the
# production serving test. The rest (pages, forms, access, PDFs, the browser) exercise the ORM
# the same way on both and run once, in the SQLite pass. `scripts/test` selects these with
# `-m both_databases` for the PostgreSQL pass.
BOTH_DATABASES = (
    "tests/imports/",
    "tests/reports/",
    "tests/catalog/test_catalog.py",
    "tests/core/test_backup.py",
    "tests/core/test_collation",
    "tests/core/test_duplicates.py",
    "tests/core/test_history.py",
    "tests/core/test_once.py",
    "tests/core/test_operations.py",
    "tests/core/test_serving.py",
    "tests/indicators/test_dashboard.py",
    "tests/indicators/test_fy2563_set.py",
    "tests/indicators/test_kpi_command.py",
    "tests/indicators/test_targets.py",
    "tests/reporting/test_closing.py",
    "tests/reporting/test_corrections.py",
    "tests/reporting/test_report_json.py",
    "tests/shelters/test_id_search.py",
    "tests/shelters/test_kpi",
    "tests/shelters/test_latest_migrate.py",
    "tests/shelters/test_list_paging",
    "tests/shelters/test_queries.py",
    "tests/shelters/test_safe_edits.py",
    "tests/subsidies/test_kpi.py",
    "tests/subsidies/test_lookup_speed.py",
    "tests/subsidies/test_report.py",
    "tests/subsidies/test_steps.py",
    "tests/subsidies/test_throttle.py",
    "tests/volunteers/test_id_search.py",
    "tests/volunteers/test_plan.py",
    "tests/volunteers/test_safe_edits.py",
    "tests/volunteers/test_services.py",
    "tests/volunteers/test_summary.py",
    "tests/test_project.py",
)


def _runs_on_both(item) -> bool:
    if item.nodeid.startswith(BOTH_DATABASES) or "concurren" in item.nodeid.split("::")[0]:
        return True
    # tests.concurrency.on_postgresql: real concurrency, which only the PostgreSQL pass runs
    return any(
        "PostgreSQL pass" in str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif")
    )


def pytest_collection_modifyitems(items):
    """A transactional test must restore what the migrations loaded (provinces, roles, the
    FY2563 set): without serialized_rollback its flush leaves later tests an empty database
    and content types with new ids, which the next serialized test then cannot reload."""
    for item in items:
        if _runs_on_both(item):
            item.add_marker(pytest.mark.both_databases)
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
            )
