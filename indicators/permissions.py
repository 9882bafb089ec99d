"""Who may do what with indicators (SPEC §6)."""

from core.roles import ADMIN, ALL_ROLES, APPROVER, has_role


def can_view(user) -> bool:
    """Every staff role reads the indicator pages; they hold aggregates, not personal data."""
    return has_role(user, *ALL_ROLES)


def can_edit_indicator(user, indicator) -> bool:
    """Owners of the indicator and admins attach evidence and enter results."""
    if has_role(user, ADMIN):
        return True
    return any(owner.pk == user.pk for owner in indicator.owners.all())


def can_review(user) -> bool:
    return has_role(user, ADMIN, APPROVER)


def can_manage_sets(user) -> bool:
    return has_role(user, ADMIN)


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
