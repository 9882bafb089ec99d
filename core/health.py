"""The load balancer's health check: ``GET /healthz/`` answers 200 "ok" when the database
answers and every migration this code knows is applied, else 503 "unavailable".

No login, no session, no detail: the body is one word either way (what failed goes to the log,
never to the caller). The migration check loads the migration graph, so its success is kept for
the life of the process (new code with new migrations means a new process).
"""

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)
_migrated = False


def _migrations_applied(connection) -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def check() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _migrations_applied(connection):
            log.error("health check: unapplied migrations")
            return False
    except Exception:
        log.exception("health check: database unavailable")
        return False
    return True


@never_cache
@require_safe
def healthz(request):
    ok = check()
    response = HttpResponse(
        "ok" if ok else "unavailable",
        status=200 if ok else 503,
        content_type="text/plain; charset=utf-8",
    )
    # check() logged the cause; Django would log each failed probe again as a server error and
    # mail the admins every few seconds while the database is down.
    response._has_been_logged = True
    return response
