"""System check: every indicator's computation and every deliverable's computed key is answered
by a registered computation (indicators/registry.py), of the indicator's kind. A copied year, an admin's edit or an
import that names a key nobody registered would otherwise show an empty result silently.

It reads the database, so it runs where Django passes ``databases`` (``manage.py check
--database default``, ``migrate``) and in the test suite."""

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def computations_are_registered(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from indicators import registry
    from indicators.models import Deliverable, Indicator

    known = registry.registered()
    problems = []
    try:
        indicators = list(
            Indicator.objects.exclude(computation="").values_list(
                "pk", "indicator_set__fiscal_year", "code", "computation", "kind"
            )
        )
        deliverables = list(
            Deliverable.objects.exclude(computed_key="").values_list(
                "pk", "indicator__computation", "indicator__code", "computed_key"
            )
        )
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    for pk, year, code, key, kind in indicators:
        if key not in known:
            problems.append(
                checks.Error(
                    f"Indicator {code} (FY{year}, id {pk}) names computation {key!r}, which no app"
                    " registers.",
                    hint="Register it with indicators.registry.register in the app's kpi.py.",
                    id="indicators.E001",
                )
            )
        elif kind != known[key].kind:
            problems.append(
                checks.Error(
                    f"Indicator {code} (FY{year}, id {pk}) is a {kind} indicator but names the"
                    f" {known[key].kind} computation {key!r}.",
                    hint="A milestone computation answers deliverable keys (decides=/shows=);"
                    " a ratio computation answers none.",
                    id="indicators.E003",
                )
            )
    for pk, computation, code, key in deliverables:
        answers = known[computation].deliverable_keys if computation in known else frozenset()
        if key not in answers:
            problems.append(
                checks.Error(
                    f"Deliverable {pk} of indicator {code} names computed key {key!r}, which its"
                    f" computation {computation or '(none)'!r} does not answer.",
                    hint="List it in decides= or shows= of the computation's registration.",
                    id="indicators.E002",
                )
            )
    return problems
