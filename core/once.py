"""One submission makes one record, however many times it arrives.

A form that creates something carries a hidden, random ``submission`` token (``OnceMixin``),
made when the empty form is shown and kept when a rejected form is shown again. The view claims
the token inside the transaction that writes the record (``claim``): the first arrival inserts
it and goes on; any other arrival of the same token (a double click, the browser resending, two
tabs) waits for the first to commit on the unique index, then finds it taken and is told, in
Thai, that the record was already saved (``DUPLICATE_TEXT``), never a second record or a 500.

Usage::

    class ServiceForm(OnceMixin, forms.ModelForm): ...

    with transaction.atomic():
        if not once.claim(form, request.user):
            messages.info(request, once.DUPLICATE_TEXT)
            return redirect(...)            # where the first submission went
        form.save()
"""

import datetime as dt
import uuid

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone

DUPLICATE_TEXT = "รายการนี้บันทึกไว้แล้ว (ได้รับการส่งซ้ำ ระบบจึงไม่บันทึกซ้ำอีก)"
FIELD = "submission"
KEEP_DAYS = 30


class OnceMixin:
    """Adds the hidden ``submission`` token to a form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(
            widget=forms.HiddenInput, required=False, initial=uuid.uuid4
        )


def token_of(form) -> uuid.UUID | None:
    cleaned = getattr(form, "cleaned_data", None) or {}
    return cleaned.get(FIELD)


def claim(form_or_token, user=None) -> bool:
    """Claim a submission's token; False if it was claimed before (the record exists). Call it
    inside the transaction that writes the record, so that a failed write frees the token. A
    form without a token (an old page, a script) is not deduplicated and always proceeds."""
    from core.models import Submission

    token = form_or_token if isinstance(form_or_token, uuid.UUID) else token_of(form_or_token)
    if token is None:
        return True
    try:
        with transaction.atomic():
            Submission.objects.create(
                token=token, user=user if getattr(user, "is_authenticated", False) else None
            )
    except IntegrityError:
        return False
    return True


def prune(days: int = KEEP_DAYS) -> int:
    """Forget tokens older than ``days`` (a page kept open longer may then be sent again)."""
    from core.models import Submission

    cutoff = timezone.now() - dt.timedelta(days=days)
    return Submission.objects.filter(created_at__lt=cutoff).delete()[0]
