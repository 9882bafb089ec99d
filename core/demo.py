"""Demo data: each app registers a builder; ``manage.py demo`` runs them in order.

Builders return the logins they created, as (username, role description), so the command can
print where to log in. Everything they make is marked as demo data.
"""

from collections.abc import Callable

DEMO_PASSWORD = "demo-2563"
_builders: list[tuple[int, str, Callable]] = []


def register(order: int, label: str) -> Callable:
    def decorator(func: Callable) -> Callable:
        if all(existing[1] != label for existing in _builders):
            _builders.append((order, label, func))
        return func

    return decorator


def builders() -> list[tuple[int, str, Callable]]:
    return sorted(_builders, key=lambda b: b[0])


def make_user(username: str, first_name: str, last_name: str, *roles: str, province=None):
    from django.contrib.auth.models import Group, User

    from core.models import Profile

    user, _ = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.set_password(DEMO_PASSWORD)
    # Nobody made here is Django staff: the demo admin administers users in the app (/users/),
    # and /admin/ is for superusers (manage.py createsuperuser), who count as admins too.
    user.is_staff = False
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    Profile.objects.update_or_create(user=user, defaults={"province": province})
    return user
