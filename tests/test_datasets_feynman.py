"""Table 3 Feynman equations: 27 of them, finite on their ranges, NumPy form == sympy form."""
import numpy as np
import pytest
import sympy

from minikan.datasets import FEYNMAN, feynman_equation, make_feynman


def test_twenty_seven_equations():
    assert len(FEYNMAN) == 27
    assert all(e.n_var >= 2 for e in FEYNMAN.values())  # the paper keeps only >= 2 variables
    assert feynman_equation("I.16.6").range_source == "paper"
    assert sum(e.range_source == "inferred" for e in FEYNMAN.values()) == 26


@pytest.mark.parametrize("name", list(FEYNMAN))
def test_finite_and_numpy_matches_sympy(name):
    e = FEYNMAN[name]
    ds = make_feynman(name, n_train=2000, n_test=10, seed=0)
    X, y = ds.train_input, ds.train_label
    assert y.shape == (2000, 1) and np.all(np.isfinite(y))
    assert y.std() > 1e-3
    expr = e.sympy_expr()
    assert {s.name for s in expr.free_symbols} == set(e.variables)
    g = sympy.lambdify(e.sympy_symbols(), expr, modules="numpy")
    z = np.asarray(g(*X.T), dtype=np.float64).reshape(-1)
    np.testing.assert_allclose(y[:, 0], z, rtol=1e-12, atol=1e-12 * np.abs(z).max())


def test_ranges_shape_and_order():
    for e in FEYNMAN.values():
        r = np.asarray(e.ranges)
        assert r.shape == (e.n_var, 2) and np.all(r[:, 0] < r[:, 1]), e.name
        assert e.human_shape[0] == e.n_var and e.human_shape[-1] == 1, e.name


def test_known_values():
    # rapidity trick (Section 3.3): (a + b)/(1 + ab) = tanh(artanh a + artanh b)
    X = np.array([[0.3, -0.6], [0.9, 0.5]])
    np.testing.assert_allclose(FEYNMAN["I.16.6"].f(X)[:, 0],
                               np.tanh(np.arctanh(X[:, 0]) + np.arctanh(X[:, 1])), rtol=1e-14)
    # III.9.52 is continuous across b = c where the quotient form is 0/0
    np.testing.assert_allclose(FEYNMAN["III.9.52"].f(np.array([[0.7, 1.0, 1.0]])), 0.7)
    # I.29.16 (law of cosines) at a = 1, equal angles is exactly 0, never NaN
    assert FEYNMAN["I.29.16"].f(np.array([[1.0, 2.0, 2.0]]))[0, 0] == 0.0


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown Feynman"):
        feynman_equation("I.1.1")
