"""Additive / multiplicative separability from the Hessian of f and of log|f|."""
import numpy as np
import pytest

from minikan.core.model import KAN
from minikan.interpret.separability import Separability, hessians, separability


@pytest.fixture
def X():
    return np.random.default_rng(0).uniform(-1, 1, size=(400, 3))


def col(v):
    return v[:, None]


def test_sum_with_a_product_inside(X):
    res = separability(lambda X: col(X[:, 0] + X[:, 1] * X[:, 2]), X)
    assert isinstance(res, Separability)
    assert res.additive_groups == [(0,), (1, 2)]
    assert res.separable([0], [1, 2]) and not res.separable([1], [2])
    assert res.additive[1, 2] > 0.3 and res.additive[0, 1] < 1e-8 and res.additive[0, 2] < 1e-8
    assert res.multiplicative_groups == [(0, 1, 2)]  # a sum is not a product
    assert not res.separable([0], [1, 2], kind="multiplicative")
    np.testing.assert_array_equal(res.additive, res.additive.T)


def test_product_with_an_exponential(X):
    res = separability(lambda X: col(X[:, 0] * np.exp(X[:, 1])), X)
    assert res.multiplicative_groups == [(0,), (1,), (2,)]
    assert res.multiplicative.max() < 1e-6  # measured ~1e-9
    assert res.additive_groups == [(0, 1), (2,)]  # x_3 is unused: separable from everything
    assert res.separable([0], [1], kind="multiplicative") and not res.separable([0], [1])


def test_four_inputs_two_blocks():
    X = np.random.default_rng(1).uniform(-1, 1, size=(300, 4))
    res = separability(lambda X: col(np.sin(X[:, 0]) * X[:, 1] + np.exp(X[:, 2] + X[:, 3])), X)
    assert res.additive_groups == [(0, 1), (2, 3)]
    res = separability(lambda X: col(np.exp(X[:, 0] + X[:, 1]) * (2 + np.cos(X[:, 2] * X[:, 3]))), X)
    assert res.multiplicative_groups == [(0,), (1,), (2, 3)]


def test_hessian_of_a_callable_matches_the_exact_one(X):
    def f(X):
        return col(np.sin(X[:, 0]) * X[:, 1] ** 2 + np.exp(X[:, 2] * X[:, 0]))

    value, grad, hess = hessians(f, X)
    x0, x1, x2 = X.T
    e = np.exp(x2 * x0)
    exact_grad = np.column_stack([np.cos(x0) * x1 ** 2 + x2 * e, 2 * np.sin(x0) * x1, x0 * e])
    exact = np.empty((len(X), 3, 3))
    exact[:, 0, 0] = -np.sin(x0) * x1 ** 2 + x2 ** 2 * e
    exact[:, 1, 1] = 2 * np.sin(x0)
    exact[:, 2, 2] = x0 ** 2 * e
    exact[:, 0, 1] = exact[:, 1, 0] = 2 * np.cos(x0) * x1
    exact[:, 0, 2] = exact[:, 2, 0] = e + x0 * x2 * e
    exact[:, 1, 2] = exact[:, 2, 1] = 0.0
    np.testing.assert_allclose(value, f(X)[:, 0], rtol=0, atol=0)
    np.testing.assert_allclose(grad, exact_grad, rtol=0, atol=1e-8)
    np.testing.assert_allclose(hess, exact, rtol=0, atol=1e-6)


def test_log_hessian_chain_rule_against_differences_of_log_f():
    """The multiplicative test's d2 log|f| = H / f - g g^T / f^2 (derived by hand) against central
    differences of log|f| itself, on samples away from f's zeros."""
    X = np.random.default_rng(2).uniform(0.2, 1.5, size=(200, 3))

    def f(X):
        return col(X[:, 0] * np.exp(X[:, 1] * X[:, 2]) + X[:, 1] ** 2)

    value, grad, hess = hessians(f, X)
    chain = hess / value[:, None, None] - grad[:, :, None] * grad[:, None, :] / value[:, None, None] ** 2
    direct = hessians(lambda X: np.log(np.abs(f(X))), X)[2]
    np.testing.assert_allclose(chain, direct, rtol=0, atol=1e-6)
    res = separability(f, X)
    R = np.median(np.abs(direct), axis=0) * np.outer(X.std(axis=0), X.std(axis=0)) / np.log(value).std()
    np.fill_diagonal(R, 0.0)
    np.testing.assert_allclose(res.multiplicative, R, rtol=1e-5)


def test_a_kan_uses_its_backpropagated_gradient(X):
    model = KAN([3, 4, 2], grid=5, seed=0)
    value, grad, hess = hessians(model, X, output=1)
    np.testing.assert_array_equal(value, model.predict(X)[:, 1])
    # the same quantities from differences of predict alone (steps h ~ 6e-5: their truncation
    # error h^2 f^(3) / 6 reaches ~2e-8 where a cubic spline's third derivative, ~1e2 for G = 5, jumps)
    ref_value, ref_grad, ref_hess = hessians(model.predict, X, output=1)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=1e-7)
    np.testing.assert_allclose(hess, ref_hess, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(hess, hess.transpose(0, 2, 1))
    # and a central difference of the output checks the exact gradient
    h = 1e-6
    for j in range(3):
        step = np.zeros(3)
        step[j] = h
        fd = (model.predict(X + step)[:, 1] - model.predict(X - step)[:, 1]) / (2 * h)
        np.testing.assert_allclose(grad[:, j], fd, rtol=0, atol=1e-8)


def test_trained_kan_separates_x1_from_x2_x3(X):
    """A KAN fitted to x1 + x2 x3 (seed 0, MSE ~5e-6): its Hessian shows the same structure."""
    y = X[:, :1] + X[:, 1:2] * X[:, 2:3]
    model = KAN([3, 5, 1], grid=5, seed=0)
    model.fit(X, y, steps=200, update_grid=True)
    assert model.loss(X, y) < 1e-4
    res = model.separability(X)
    assert res.additive_groups == [(0,), (1, 2)]
    assert res.additive[1, 2] > 0.3 and max(res.additive[0, 1], res.additive[0, 2]) < 0.05
    assert res.multiplicative_groups == [(0, 1, 2)]


@pytest.mark.parametrize("call, error", [
    (lambda X: separability("f", X), TypeError),
    (lambda X: separability(lambda X: X[:, :1], X[:1]), ValueError),  # no spread from one sample
    (lambda X: separability(lambda X: X[:, 0], X), ValueError),  # (N,) instead of (N, 1)
    (lambda X: separability(lambda X: X[:, :1], X, output=1), ValueError),
    (lambda X: separability(lambda X: X[:, :1], X, threshold=-1.0), ValueError),
    (lambda X: separability(lambda X: X[:, :1], X, step=0.0), ValueError),
    (lambda X: separability(lambda X: X[:, :1], X, step="1e-4"), TypeError),
    (lambda X: separability(lambda X: np.maximum(X[:, :1], 0.0), X), ValueError),  # f == 0: log|f| undefined
    (lambda X: separability(lambda X: np.where(X[:, :1] > 0, 1.0, np.nan), X), ValueError),
    (lambda X: separability(KAN([2, 1], seed=0), X), ValueError),  # 3 columns for 2 inputs
    (lambda X: separability(KAN([3, 1], seed=0), X, output=1), ValueError),
    (lambda X: separability(lambda X: X[:, :1] + 1, X).separable([0], [0]), ValueError),
    (lambda X: separability(lambda X: X[:, :1] + 1, X).separable([0], [3]), ValueError),
    (lambda X: separability(lambda X: X[:, :1] + 1, X).separable([0], [1], kind="sum"), ValueError),
])
def test_bad_arguments_raise(call, error, X):
    with pytest.raises(error):
        call(X)
