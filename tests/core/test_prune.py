"""manage.py prune: what is kept only for a while goes, and no answer changes."""

import datetime as dt
import itertools
import threading
import uuid

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connections, transaction
from django.db.models.query import QuerySet
from django.utils import timezone

from core import once
from core.models import Submission
from subsidies import services
from subsidies.models import LookupThrottle
from tests.concurrency import on_postgresql

NOW = timezone.now()
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def throttle(key, started, blocked=None, failures=5):
    return LookupThrottle.objects.create(
        key=key, failures=failures, window_started_at=NOW - started,
        last_failure_at=NOW - started, blocked_until=None if blocked is None else NOW + blocked,
    )  # fmt: skip


def test_prune_forgets_old_tokens_spent_throttle_rows_and_expired_sessions(db, capsys):
    old = Submission.objects.create(token=uuid.uuid4())
    Submission.objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(days=31))
    fresh = Submission.objects.create(token=uuid.uuid4())
    throttle("spent", DAY + 20 * MIN)  # window over (and the day's margin), never blocked
    throttle("block-over", 2 * DAY, blocked=-MIN)
    throttle("in-window", 5 * MIN)
    throttle("in-margin", 20 * MIN)  # window over, but within the day kept for clock skew
    throttle("blocked", 2 * DAY, blocked=10 * MIN)  # old window, block still in force
    gone = SessionStore()
    gone["x"] = 1
    gone.set_expiry(-60)
    gone.save()
    kept = SessionStore()
    kept["x"] = 1
    kept.save()

    call_command("prune")

    assert list(Submission.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert set(LookupThrottle.objects.values_list("key", flat=True)) == {
        "in-window",
        "in-margin",
        "blocked",
    }
    assert list(Session.objects.values_list("session_key", flat=True)) == [kept.session_key]
    assert "pruned 1 submission tokens, 2 throttle rows" in capsys.readouterr().out


def test_a_pruned_throttle_row_answered_what_no_row_answers(db):
    """Every row prune_throttle deletes gave the same wait, and the same next failure, as no row
    at all: over windows, blocks and failure counts around the policies' edges."""
    policy = services.PAIR
    starts = [0 * MIN, 14 * MIN, policy.window + MIN, DAY + policy.window + MIN, 3 * DAY]
    blocks = [None, -5 * MIN, 5 * MIN]
    pruned = 0
    for n, (start, block, failures) in enumerate(itertools.product(starts, blocks, [1, 3, 10])):
        key = f"k{n}"
        row = throttle(key, start, blocked=block, failures=failures)
        with transaction.atomic():
            before = (services.retry_after(key, NOW), services.record_failure(key, NOW))
            after_row = LookupThrottle.objects.get(key=key)
            transaction.set_rollback(True)
        deleted = services.prune_throttle(NOW)
        pruned += deleted
        if deleted:
            assert not LookupThrottle.objects.filter(key=key).exists()
            assert before == (services.retry_after(key, NOW), services.record_failure(key, NOW))
            fresh = LookupThrottle.objects.get(key=key)
            assert (fresh.failures, fresh.blocked_until) == (
                after_row.failures,
                after_row.blocked_until,
            )
        else:
            assert LookupThrottle.objects.filter(key=key).exists(), row
        LookupThrottle.objects.all().delete()
    assert pruned == 12  # 2 starts past window and margin × (no block, block over) × 3 counts


def test_prune_keeps_tokens_for_the_days_asked(db):
    token = Submission.objects.create(token=uuid.uuid4())
    Submission.objects.filter(pk=token.pk).update(created_at=NOW - dt.timedelta(days=5))
    call_command("prune", "--days", "10")
    assert Submission.objects.count() == 1
    call_command("prune", "--days", "3")
    assert Submission.objects.count() == 0 and once.KEEP_DAYS == 30


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_prune_between_a_failures_insert_and_its_lock_is_no_500(monkeypatch):
    """record_failure's INSERT … ON CONFLICT DO NOTHING does not lock an existing row; a prune
    committing before the locking read deleted it (a review's probe: KeyError, a 500 on the
    public page, the failure not counted). The key is inserted afresh and counted."""
    LookupThrottle.objects.create(
        key="k", failures=5, window_started_at=NOW - 2 * DAY, last_failure_at=NOW - 2 * DAY
    )
    original = QuerySet.select_for_update
    pruned = []

    def prune_first(self, *args, **kwargs):
        if not pruned:

            def other_connection():
                try:
                    pruned.append(services.prune_throttle(NOW))
                finally:
                    connections.close_all()

            thread = threading.Thread(target=other_connection)
            thread.start()
            thread.join(20)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", prune_first)
    assert services.record_failure("k", NOW) == 0
    assert pruned == [1]
    row = LookupThrottle.objects.get(key="k")
    assert (row.failures, row.window_started_at) == (1, NOW)  # what no row would have given
