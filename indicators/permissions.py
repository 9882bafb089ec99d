"""Who may do what with indicators (SPEC §6), as ``core.roles.Permission`` objects: each one is
the check (``can_review(user)``), the views' decorator (``@can_review.required``) and the menu's
roles (``nav.register(..., can_review)``). The rules that also need an object (this indicator,
this evidence) are the functions below, each starting from one of these."""

from core.roles import ADMIN, ALL_ROLES, APPROVER, Permission, has_role

# Every staff role reads the indicator pages; they hold aggregates, not personal data.
can_view = Permission(*ALL_ROLES)
# Approvers (and admins) decide on submitted evidence.
can_review = Permission(ADMIN, APPROVER)
# Admins copy a year's set and edit its weights, targets and texts.
can_manage_sets = Permission(ADMIN)


def can_edit_indicator(user, indicator) -> bool:
    """Owners of the indicator and admins attach evidence and enter results."""
    if has_role(user, ADMIN):
        return True
    return any(owner.pk == user.pk for owner in indicator.owners.all())


def is_own_evidence(user, evidence) -> bool:
    """Whoever attached or submitted a piece of evidence does not decide on it (four eyes), be
    they an approver or an admin."""
    return user.pk is not None and user.pk in (evidence.created_by_id, evidence.submitted_by_id)


def can_review_evidence(user, evidence) -> bool:
    return can_review(user) and not is_own_evidence(user, evidence)


def can_change_evidence(user, evidence) -> bool:
    """Who may replace or delete a piece of evidence while its owners still prepare it: whoever
    attached it, the indicator's owners and the admins (the evidence's state decides whether it
    may still change: ``Evidence.is_changeable`` / ``is_deletable``)."""
    if user.pk is not None and user.pk == evidence.created_by_id:
        return True
    return can_edit_indicator(user, evidence.deliverable.indicator)
