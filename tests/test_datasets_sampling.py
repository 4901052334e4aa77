"""make_dataset, the Dataset container and the named toy functions (Sections 3.1 and 4.1)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minikan.datasets import TOY_FUNCTIONS, Dataset, make_dataset, make_toy


def f_sum(X):
    return X.sum(axis=1)


def test_shapes_dtype_and_ranges_per_variable():
    ds = make_dataset(f_sum, 3, [(-1, 1), (0, 2), (5, 6)], n_train=200, n_test=50, seed=1)
    assert ds.train_input.shape == (200, 3) and ds.test_input.shape == (50, 3)
    assert ds.train_label.shape == (200, 1) and ds.test_label.shape == (50, 1)
    for a in ds.as_dict().values():
        assert a.dtype == np.float64
    lo, hi = np.array([-1, 0, 5]), np.array([1, 2, 6])
    assert np.all(ds.train_input >= lo) and np.all(ds.train_input < hi)
    np.testing.assert_allclose(ds.train_label[:, 0], ds.train_input.sum(axis=1), rtol=0, atol=0)
    assert ds["test_label"] is ds.test_label and ds.n_var == 3 and ds.n_out == 1


def test_same_seed_same_bits_and_train_independent_of_n_test():
    a = make_dataset(f_sum, 2, (-1, 1), 100, 10, seed=7)
    b = make_dataset(f_sum, 2, (-1, 1), 100, 999, seed=7)
    c = make_dataset(f_sum, 2, (-1, 1), 100, 10, seed=8)
    assert np.array_equal(a.train_input, b.train_input)
    assert not np.array_equal(a.train_input, c.train_input)


def test_documented_stream():
    """train = lo + (hi - lo) * rng.random((n_train, n_var)), then test from the same generator."""
    ds = make_dataset(f_sum, 2, [(0, 1), (2, 4)], 5, 3, seed=3)
    rng = np.random.default_rng(3)
    lo, hi = np.array([0.0, 2.0]), np.array([1.0, 4.0])
    np.testing.assert_array_equal(ds.train_input, lo + (hi - lo) * rng.random((5, 2)))
    np.testing.assert_array_equal(ds.test_input, lo + (hi - lo) * rng.random((3, 2)))


def test_no_global_random_state_touched():
    state = np.random.get_state()[1].copy()
    make_dataset(f_sum, 2, (-1, 1), 10, 10, seed=0)
    assert np.array_equal(np.random.get_state()[1], state)


def test_multi_output_kept():
    ds = make_dataset(lambda X: np.column_stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]]), 2,
                      n_train=20, n_test=20, seed=0)
    assert ds.train_label.shape == (20, 3)


@pytest.mark.parametrize("bad_f, err", [
    (lambda X: X.sum(), ValueError),                    # scalar
    (lambda X: X.sum(axis=1)[:-1], ValueError),         # wrong length
    (lambda X: X[:, :, None], ValueError),              # 3-D
    (lambda X: X.T, ValueError),                        # transposed (n_var, N)
    (lambda X: X[:, 0] + 1j, TypeError),                # complex
    (lambda X: np.full(X.shape[0], np.nan), ValueError),  # NaN labels
])
def test_bad_function_output_raises(bad_f, err):
    with pytest.raises(err):
        make_dataset(bad_f, 2, n_train=10, n_test=10, seed=0)


@pytest.mark.parametrize("kwargs, err, word", [
    (dict(n_var=0), ValueError, "n_var"),
    (dict(n_var=2.0), TypeError, "n_var"),
    (dict(ranges=[(0, 1)] * 3), ValueError, "(2, 2)"),
    (dict(ranges=[1, 0]), ValueError, "lo < hi"),
    (dict(ranges=[0, np.inf]), ValueError, "finite"),
    (dict(n_train=0), ValueError, "n_train"),
    (dict(seed=None), TypeError, "seed"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(f=3), TypeError, "callable"),
])
def test_bad_arguments_raise_with_message(kwargs, err, word):
    args = dict(f=f_sum, n_var=2, ranges=(-1, 1), n_train=10, n_test=10, seed=0)
    args.update(kwargs)
    with pytest.raises(err, match=None) as info:
        make_dataset(**args)
    assert word in str(info.value)


def test_generator_accepted_as_seed():
    a = make_dataset(f_sum, 2, seed=np.random.default_rng(5), n_train=4, n_test=4)
    b = make_dataset(f_sum, 2, seed=5, n_train=4, n_test=4)
    assert np.array_equal(a.train_input, b.train_input)


def test_dataset_rejects_inconsistent_arrays():
    z = np.zeros((3, 2))
    with pytest.raises(ValueError):
        Dataset(z, np.zeros((4, 1)), z, np.zeros((3, 1)))
    with pytest.raises(TypeError):
        Dataset(z.astype(np.float32), np.zeros((3, 1)), z, np.zeros((3, 1)))


@given(lo=st.floats(-10, 10), width=st.floats(1e-3, 10), n_var=st.integers(1, 5),
       seed=st.integers(0, 2 ** 32))
def test_samples_inside_box(lo, width, n_var, seed):
    ds = make_dataset(f_sum, n_var, (lo, lo + width), 16, 4, seed)
    assert np.all(ds.train_input >= lo) and np.all(ds.train_input <= lo + width)


# ---- named toy functions -------------------------------------------------------------------------

def test_toy_registry_finite_and_shaped():
    for name, t in TOY_FUNCTIONS.items():
        ds = make_toy(name, n_train=64, n_test=8, seed=0)
        assert ds.train_input.shape == (64, t.n_var), name
        assert np.all(np.isfinite(ds.train_label)), name
        assert len(t.ranges) == t.n_var and t.equation and t.source


def test_toy_values_at_known_points():
    T = TOY_FUNCTIONS
    assert T["j0_20x"].f(np.array([[0.0]]))[0, 0] == 1.0
    np.testing.assert_allclose(T["j0_20x"].f(np.array([[0.12024]])), 0.0, atol=1e-4)  # J0 root 2.4048/20
    np.testing.assert_allclose(T["exp_sin_pi_x_plus_y2"].f(np.array([[0.5, 1.0]])), np.exp(2.0))
    np.testing.assert_allclose(T["exp_mean_sin2_100d"].f(np.ones((1, 100))), np.e)
    np.testing.assert_allclose(T["exp_sin_sum_4d"].f(np.array([[0.5 ** 0.5, 0, 0, 0.5 ** 0.5]])),
                               np.e)
    np.testing.assert_allclose(T["tanh_quartic"].f(np.array([[1.0, 0, 0]])), 0.0)
    np.testing.assert_allclose(T["sqrt_distance"].f(np.array([[1.0, -2.0, 0, 4.0]])), 5.0)
    np.testing.assert_allclose(T["x_over_y"].f(np.array([[1.5, 0.5]])), 3.0)


def test_first_decimal_digit_one_hot():
    f = TOY_FUNCTIONS["first_decimal_digit"].f
    out = f(np.array([[0.0618], [0.314], [0.999], [0.5]]))
    assert out.shape == (4, 10)
    assert out.argmax(axis=1).tolist() == [0, 3, 9, 5]
    assert np.all(out.sum(axis=1) == 1)


def test_unknown_toy_name():
    with pytest.raises(ValueError, match="unknown toy"):
        make_toy("nope")
