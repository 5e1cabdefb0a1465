"""Test-wide settings: deterministic property tests in CI, random ones on a developer machine."""

import os

from hypothesis import HealthCheck, settings

# CI must not turn red on a new random example it happened to draw today; developers'
# runs keep exploring. Timing-based health checks are off: the machines are shared.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")
