"""Shared test configuration.

Hypothesis runs under a deterministic profile ("ci", the default) so that every run of the suite
checks the same examples; set ``HYPOTHESIS_PROFILE=dev`` for a randomised, longer local run.

``HYPOTHESIS_PROFILE=fuzz`` (or ``pytest --hypothesis-profile=fuzz``) is the long API fuzzing run of
tests/test_fuzz.py: randomised, 2000 examples per unit of each test's weight (over 10,000 cases
for the file, 10 to 30 minutes on two cores), e.g.

    HYPOTHESIS_PROFILE=fuzz nice python -m pytest tests/test_fuzz.py --hypothesis-show-statistics

A failure prints a ``@reproduce_failure`` blob that replays it.

Test tiers: ``python -m pytest`` deselects the tests marked ``slow`` (pyproject's ``addopts``);
``python -m pytest -m slow`` runs only those (each figure script's quick variant, every tutorial,
other end-to-end runs). The default tier keeps one smoke test per figure script, which runs the
script's ``main`` at tiny sizes through the ``shrink_jobs`` fixture below.
"""
import os
from datetime import timedelta

import pytest
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


@pytest.fixture
def shrink_jobs(monkeypatch):
    """Run a paper-figure script end to end at smoke-test sizes.

    ``shrink_jobs(module, **sizes)`` replaces ``module.job`` for the test by a wrapper that, in every
    job config holding one of the keys of ``sizes``, sets that key to the given value before calling
    the real job (keys a config lacks stay absent, so one call serves a script whose jobs differ).
    ``module.main`` still builds its own job list and goes through ``run_jobs``, the claims, the
    tables, the figures and every file it writes; only the sizes inside the jobs shrink. The jobs
    must run in this process (``--workers 1``, the scripts' default): a process pool would import
    the real ``job``.
    """
    unused = {}  # module name -> keys of ``sizes`` that no job config has held yet

    def install(module, **sizes):
        real_job = module.job
        unused[module.__name__] = set(sizes)

        def small_job(config):
            unused[module.__name__] -= set(config)
            return real_job({key: sizes.get(key, value) for key, value in config.items()})

        monkeypatch.setattr(module, "job", small_job)

    yield install
    # a misspelt key would otherwise leave a job at its full size without a word
    assert not any(unused.values()), f"sizes that no job config has: {unused}"
