"""core.once: a submission's token is claimed once, also when copies arrive at the same time."""

import threading
import uuid

import pytest
from django import forms
from django.db import connection, connections

from core import once
from core.models import Submission
from tests.concurrency import on_postgresql


class Form(once.OnceMixin, forms.Form):
    name = forms.CharField()


def test_a_token_is_claimed_once(db):
    token = uuid.uuid4()
    assert once.claim(token) is True
    assert once.claim(token) is False
    assert Submission.objects.count() == 1


def test_the_form_carries_its_token_through_a_rejection(db):
    empty = Form()
    token = empty.fields["submission"].initial()
    rejected = Form({"submission": str(token)})  # name missing
    assert not rejected.is_valid()
    assert f'value="{token}"' in str(rejected["submission"])
    ok = Form({"submission": str(token), "name": "x"})
    assert ok.is_valid() and once.claim(ok) and not once.claim(ok)
    # A form without a token (a script, an old page) is not deduplicated.
    legacy = Form({"name": "x"})
    assert legacy.is_valid() and once.claim(legacy) and once.claim(legacy)


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_copies_arriving_at_once_claim_it_once():
    token, results = uuid.uuid4(), []
    barrier = threading.Barrier(6)

    def one():
        try:
            barrier.wait(10)
            results.append(once.claim(token))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False] * 5 + [True], (connection.vendor, results)
    assert Submission.objects.filter(token=token).count() == 1
