"""The convergence rule that figure baselines are trained to (paper_figures._common.Converged)."""
import numpy as np
import pytest

from minikan import MLP, fit
from paper_figures._common import Converged


def _feed(rule, losses):
    """Hand the rule one loss per step as fit would; the step at which it asked to stop, or None."""
    for s, value in enumerate(losses, start=1):
        if rule({"step": s, "steps": len(losses), "metrics": {"train_loss": value}, "candidate": None}):
            return s
    return None


def test_stops_at_the_first_step_where_the_last_tenth_changed_less_than_one_percent():
    # L(s) = 1/s: over the last 10 % of s steps it falls by about 10 %, never < 1 %: never stops
    assert _feed(Converged(min_steps=10), [1.0 / s for s in range(1, 3001)]) is None
    # exponential decay to a floor: the first step where the rule's inequality holds, by brute force
    losses = [1.0 + np.exp(-s / 50.0) for s in range(1, 3001)]
    rule = Converged(min_steps=10)
    stop = _feed(rule, losses)
    expected = next(s for s in range(10, 3001)
                    if abs(losses[s - 1 - int(np.ceil(0.1 * s))] - losses[s - 1])
                    < 0.01 * losses[s - 1 - int(np.ceil(0.1 * s))])
    assert stop == expected and rule.converged and rule.steps == stop
    assert rule.record()["converged"] is True


def test_min_steps_is_respected_and_trials_are_ignored():
    rule = Converged(min_steps=50)
    assert _feed(rule, [1.0] * 49) is None and not rule.converged
    assert rule({"step": 1, "metrics": {"train_loss": 5.0}, "candidate": 0}) is None
    assert rule.steps == 49
    assert rule({"step": 50, "metrics": {"train_loss": 1.0}, "candidate": None}) is True


@pytest.mark.parametrize("kwargs", [{"rel": 0}, {"rel": 1.5}, {"fraction": 0}, {"min_steps": 0},
                                    {"min_steps": 2.5}])
def test_bad_settings_raise(kwargs):
    with pytest.raises(ValueError):
        Converged(**kwargs)


def test_a_small_mlp_trained_with_the_rule_stops_converged_before_the_cap():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = (np.sin(np.pi * X[:, :1]) + X[:, 1:] ** 2)
    rule = Converged(min_steps=50)
    history = fit(MLP([2, 8, 1], activation="tanh", seed=0), X, y, steps=5000, tol=0, callback=rule)
    assert rule.converged and rule.steps < 5000
    assert history["message"] == f"stopped by callback at step {rule.steps}"
    L = history["train_loss"]
    back = int(np.ceil(0.1 * rule.steps))
    assert abs(L[-1 - back] - L[-1]) < 0.01 * L[-1 - back]
