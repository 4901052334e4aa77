"""Scalar arguments: huge ints and non-finite values give ValueError naming the argument, never
OverflowError, and options are checked whether or not the chosen optimizer uses them."""
import numpy as np
import pytest

from minikan import KAN
from minikan.datasets import make_toy


@pytest.fixture(scope="module")
def data():
    d = make_toy("exp_sin_pi_x_plus_y2", n_train=30, n_test=10, seed=0)
    return d.train_input, d.train_label


HUGE = 10 ** 400


@pytest.mark.parametrize("option", ["lamb", "lamb_l1", "lamb_entropy", "lr", "tol", "min_grid_shift"])
def test_huge_int_floats_are_a_value_error(data, option):
    X, y = data
    with pytest.raises(ValueError, match=option):
        KAN([2, 1], grid=3, seed=0).fit(X, y, steps=1, **{option: HUGE})


@pytest.mark.parametrize("option", ["steps", "history_size", "restarts", "restart_steps", "drift_updates",
                                    "grid_update_num", "stop_grid_update_step", "batch_size"])
def test_huge_ints_are_a_value_error(data, option):
    X, y = data
    options = dict({"steps": 1}, **{option: 2 ** 70})
    with pytest.raises(ValueError, match=option):
        KAN([2, 1], grid=3, seed=0).fit(X, y, **options)


def test_huge_sizes_in_constructors():
    with pytest.raises(ValueError, match="G"):
        KAN([2, 1], grid=2 ** 70)
    with pytest.raises(ValueError, match="k"):
        KAN([2, 1], grid=3, k=10 ** 40)
    with pytest.raises(ValueError, match="width"):
        KAN([2, 2 ** 70, 1], grid=3)
    with pytest.raises(ValueError, match="grid_range"):
        KAN([2, 1], grid=3, grid_range=(-HUGE, 1))


@pytest.mark.parametrize("value", [np.nan, np.inf, -1.0, 0.0])
def test_adam_options_are_checked_with_lbfgs_too(data, value):
    X, y = data
    with pytest.raises(ValueError, match="lr"):
        KAN([2, 1], grid=3, seed=0).fit(X, y, steps=1, opt="lbfgs", lr=value)
    with pytest.raises(ValueError, match="batch_size"):
        KAN([2, 1], grid=3, seed=0).fit(X, y, steps=1, opt="lbfgs", batch_size=0)


def test_lbfgs_options_are_checked_with_adam_too(data):
    X, y = data
    for value in (None, 0, 2.5):
        with pytest.raises((ValueError, TypeError), match="history_size"):
            KAN([2, 1], grid=3, seed=0).fit(X, y, steps=1, opt="adam", history_size=value)
