"""Numerical to categorical (Figure 4.1(c)): the data, and a [1, 10] KAN classifying it."""
import numpy as np
import pytest

from minikan import KAN, fit
from minikan.datasets import TOY_FUNCTIONS, first_digit, make_first_digit, one_hot
from minikan.core.losses import accuracy


def test_first_digit_examples_from_the_paper():
    X = np.array([[0.0618], [0.314], [0.0], [0.999], [1.0]])
    assert first_digit(X).tolist() == [0, 3, 0, 9, 9]
    assert first_digit(X).dtype == np.int64


def test_first_digit_agrees_with_the_one_hot_toy_function():
    X = np.linspace(0.0, 1.0, 10001)[:, None]
    onehot = TOY_FUNCTIONS["first_decimal_digit"].f(X)
    assert np.array_equal(one_hot(first_digit(X)), onehot)


def test_make_first_digit_shapes_labels_and_seed():
    ds = make_first_digit(n_train=300, n_test=200, seed=3)
    assert ds.train_input.shape == (300, 1) and ds.train_label.shape == (300, 10)
    assert ds.test_input.shape == (200, 1) and ds.test_label.shape == (200, 10)
    assert ds.train_input.min() >= 0.0 and ds.train_input.max() < 1.0
    assert np.array_equal(ds.train_label.sum(axis=1), np.ones(300))
    assert np.array_equal(ds.train_label.argmax(axis=1), first_digit(ds.train_input))
    again = make_first_digit(n_train=300, n_test=200, seed=3)
    assert np.array_equal(ds.train_input, again.train_input)
    assert not np.array_equal(ds.train_input, make_first_digit(300, 200, seed=4).train_input)


@pytest.mark.parametrize("bad, error", [
    (np.array([0.1, 0.2]), ValueError),              # 1-D
    (np.zeros((3, 2)), ValueError),                  # two columns
    (np.array([[np.nan]]), ValueError),
    (np.array([["0.3"]]), TypeError),
])
def test_first_digit_rejects_bad_input(bad, error):
    with pytest.raises(error, match="X"):
        first_digit(bad)


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError, match="0..9"):
        one_hot(np.array([0, 10]))
    with pytest.raises(ValueError, match="1-D integer"):
        one_hot(np.array([[1, 2]]))
    with pytest.raises(ValueError, match="1-D integer"):
        one_hot(np.array([0.0, 1.0]))


def test_cross_entropy_kan_reaches_99_percent():
    # integer classes and softmax cross-entropy: only where adjacent logits cross matters, so a
    # coarse grid (G = 10, knots on the digit boundaries) suffices
    ds = make_first_digit(n_train=1000, n_test=1000, seed=0)
    model = KAN([1, 10], grid=10, k=3, seed=0, grid_range=(0.0, 1.0))
    h = fit(model, ds.train_input, first_digit(ds.train_input), ds.test_input,
            first_digit(ds.test_input), loss="cross_entropy", steps=200, update_grid=False)
    assert h["train_acc"][-1] == 1.0
    assert accuracy(model.predict(ds.test_input), first_digit(ds.test_input)) >= 0.99


def test_mse_to_one_hot_learns_one_spike_per_digit():
    # the paper's setup (MSE to one-hot rows): each output peaks on its own digit's interval
    ds = make_first_digit(n_train=1000, n_test=1000, seed=0)
    model = KAN([1, 10], grid=20, k=3, seed=0, grid_range=(0.0, 1.0))
    fit(model, ds.train_input, ds.train_label, steps=150, update_grid=False)
    assert np.mean(model.predict(ds.test_input).argmax(1) == first_digit(ds.test_input)) > 0.95
    centres = (np.arange(10) + 0.5)[:, None] / 10
    out = model.predict(centres)  # row d: all outputs at the centre of digit d
    assert np.array_equal(out.argmax(axis=1), np.arange(10))
    assert np.all(np.abs(np.diag(out) - 1.0) < 0.3)  # a cubic fit of a step overshoots a little
    assert np.all(np.abs(out - np.diag(np.diag(out))) < 0.3)
