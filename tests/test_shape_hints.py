"""The reshape a 1-D input error suggests is one that then passes (minikan._checks.as_matrix)."""
import re

import numpy as np
import pytest

from minikan import KAN
from minikan._checks import as_matrix


def _suggested_reshape(err):
    """The ``.reshape(a, b)`` arguments in an error message, as a tuple of ints."""
    found = re.findall(r"\.reshape\((-?\d+), (-?\d+)\)", str(err))
    return [tuple(int(n) for n in args) for args in found]


def test_one_sample_of_a_two_input_model_suggests_a_row():
    """``predict(X[0])`` on a [2, ...] model: the hint is ``reshape(1, -1)`` (one sample of two
    inputs), and following it gives the same prediction as the first row of ``predict(X)``."""
    model = KAN([2, 3, 1], grid=3, k=3, seed=0)
    X = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    with pytest.raises(ValueError, match=r"got shape \(2,\); for one sample use X\.reshape\(1, -1\)") as info:
        model.predict(X[0])
    assert _suggested_reshape(info.value) == [(1, -1)]
    fixed = model.predict(X[0].reshape(*_suggested_reshape(info.value)[0]))
    assert fixed.shape == (1, 1)
    np.testing.assert_array_equal(fixed[0], model.predict(X)[0])


def test_samples_of_a_one_input_model_suggest_a_column():
    model = KAN([1, 2, 1], grid=3, k=3, seed=0)
    x = np.linspace(-1, 1, 7)
    hint = r"got shape \(7,\); for 7 samples of one value use X\.reshape\(-1, 1\)"
    with pytest.raises(ValueError, match=hint) as info:
        model.predict(x)
    assert _suggested_reshape(info.value) == [(-1, 1)]
    assert model.predict(x.reshape(-1, 1)).shape == (7, 1)


def test_a_length_that_fits_neither_gets_no_reshape():
    """Five values for a three-input model: neither reshape would pass, so none is suggested."""
    with pytest.raises(ValueError, match=r"one sample has 3 values, this array has 5") as info:
        as_matrix(np.zeros(5), "X", 3)
    assert _suggested_reshape(info.value) == []


def test_without_a_fixed_width_both_readings_are_offered():
    with pytest.raises(ValueError) as info:
        as_matrix(np.zeros(4), "X")
    assert _suggested_reshape(info.value) == [(1, -1), (-1, 1)]
    for shape in _suggested_reshape(info.value):  # each passes
        assert as_matrix(np.zeros(4).reshape(shape), "X").ndim == 2
