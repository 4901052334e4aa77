"""Shared test configuration.

Hypothesis runs under a deterministic profile ("ci", the default) so that every run of the suite
checks the same examples; set ``HYPOTHESIS_PROFILE=dev`` for a randomised, longer local run.

``HYPOTHESIS_PROFILE=fuzz`` (or ``pytest --hypothesis-profile=fuzz``) is the long API fuzzing run of
tests/test_fuzz.py: randomised, 2000 examples per unit of each test's weight (over 10,000 cases
for the file, 10 to 30 minutes on two cores), e.g.

    HYPOTHESIS_PROFILE=fuzz nice python -m pytest tests/test_fuzz.py --hypothesis-show-statistics

A failure prints a ``@reproduce_failure`` blob that replays it.
"""
import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    derandomize=False,
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    deadline=timedelta(seconds=60),  # far above any example's cost: what exceeds it is a hang
    max_examples=2000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
