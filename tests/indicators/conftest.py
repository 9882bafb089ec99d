import pytest

from indicators import registry
from indicators.models import Indicator


@pytest.fixture
def plug_ratio(fy2563):
    """Plug a computation for 1.1 into the registry for one test, then remove it."""
    plugged = []

    def plug(numerator: int, denominator: int, code: str = "1.1", key: str = "test.ratio"):
        Indicator.objects.filter(indicator_set=fy2563, code=code).update(computation=key)
        registry.register(key, "การคำนวณทดสอบ")(
            lambda year, as_of: registry.RatioResult(
                numerator,
                denominator,
                (registry.BreakdownItem("A→A", numerator, "/somewhere/"),),
            )
        )
        plugged.append(key)

    yield plug
    for key in plugged:
        registry.unregister(key)
