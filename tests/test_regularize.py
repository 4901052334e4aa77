"""Sparsity penalty (Eq. 2.17–2.20): values by hand, gradients by finite differences, effect in training."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minikan import KAN, numerical_gradient
from minikan.core.regularize import Sparsity, layer_penalty
from minikan.core.objective import loss_and_grad


def test_layer_penalty_matches_a_hand_computation():
    # two samples, 2 inputs x 1 output: |phi|_1 = mean |phi| per edge
    phi = np.array([[[1.0], [-3.0]], [[-1.0], [1.0]]])  # (N=2, n_in=2, n_out=1)
    A = np.array([1.0, 2.0])  # (|1| + |-1|) / 2, (|-3| + |1|) / 2
    p = A / 3.0
    entropy = -np.sum(p * np.log(p))  # natural log: 0.6365141682948128
    value, dphi = layer_penalty(phi, lamb_l1=0.5, lamb_entropy=2.0)
    assert abs(value - (0.5 * 3.0 + 2.0 * entropy)) <= 1e-15
    assert abs(entropy - 0.6365141682948128) <= 1e-15
    assert dphi.shape == phi.shape


def test_layer_penalty_gradient_and_zero_edges():
    rng = np.random.default_rng(0)
    phi = rng.normal(size=(7, 3, 2))
    phi[:, 1, 0] = 0.0  # a dead edge: p = 0 must not produce NaN
    value, dphi = layer_penalty(phi, 1.3, 0.7)
    assert np.all(np.isfinite(dphi)) and np.all(dphi[:, 1, 0] == 0.0)
    live = np.flatnonzero(phi.ravel() != 0)
    num = numerical_gradient(lambda z: layer_penalty(z, 1.3, 0.7)[0], phi, eps=1e-6, indices=live)
    assert np.abs(num - dphi.ravel()[live]).max() <= 1e-8 * np.abs(dphi).max()


@settings(max_examples=25)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(1, 10), st.integers(1, 3),
       st.floats(0.01, 1.0), st.integers(0, 2**32 - 1))
def test_regularised_objective_gradient_matches_finite_differences(width, G, k, lamb, seed):
    rng = np.random.default_rng(seed)
    model = KAN(width, grid=G, k=k, seed=seed, bias=True)
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape)
        layer.w_b[...] = rng.normal(size=layer.w_b.shape)
    X = rng.uniform(-1, 1, size=(12, width[0]))
    for layer, x in zip(model.layers, model.layer_inputs(X)):  # stay away from spline kinks
        assume(np.abs(x[:, :, None] - layer.grid[None]).min() > 1e-3)
    y = rng.normal(size=(12, width[-1]))
    sparsity = Sparsity(lamb, 1.0, 1.0)
    theta = model.get_flat()
    total, grad = loss_and_grad(model, theta, X, y, sparsity)
    assert total > loss_and_grad(model, theta, X, y)[0]  # the penalty is positive
    idx = rng.choice(theta.size, size=min(theta.size, 60), replace=False)
    num = numerical_gradient(lambda t: loss_and_grad(model, t, X, y, sparsity)[0], theta, eps=1e-6, indices=idx)
    err = np.abs(num - grad[idx]).max() / np.abs(grad).max()
    assert err <= 1e-6, f"relative error {err:.2e}"


def test_sparsity_switches_off_an_irrelevant_input():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(200, 2))
    y = np.sin(np.pi * X[:, :1])  # does not depend on x_2
    plain, sparse = KAN([2, 3, 1], grid=5, seed=0), KAN([2, 3, 1], grid=5, seed=0)
    plain.fit(X, y, steps=100)
    h = sparse.fit(X, y, steps=100, lamb=0.01)
    assert h["reg"][-1] > 0
    l1 = lambda m: np.mean(np.abs(m.layers[0].edge_functions(X)), axis=0)  # (n_in, n_out)
    # measured: the x_2 edges carry 0.37 of the first layer's |Phi|_1 without the penalty and
    # 0.021 with it (the penalised model still fits: train RMSE 0.017)
    share = lambda m: l1(m)[1].sum() / l1(m).sum()
    assert share(sparse) < 0.25 * share(plain), (share(sparse), share(plain))
    assert sparse.regularization(X) < plain.regularization(X)


def test_sparsity_arguments_are_checked():
    with pytest.raises(ValueError, match="lamb must be >= 0"):
        Sparsity(-1.0)


def _pykan_metric_by_hand(model, X, mu1, mu2):
    """pykan 0.2.8's reg (edge_forward_spline_n) written out with loops, for a cross-check."""
    total = 0.0
    x = X
    for layer in model.layers:
        phi = layer.edge_functions(x)  # (N, n_in, n_out)
        n_in, n_out = layer.n_in, layer.n_out
        v = np.zeros((n_out, n_in))  # pykan's [out, in] layout
        for i in range(n_in):
            for j in range(n_out):
                v[j, i] = np.std(phi[:, i, j], ddof=1) / (np.std(x[:, i], ddof=1) + 0.1)
        row_h = []
        for j in range(n_out):
            p = v[j] / (v[j].sum() + 1)
            row_h.append(-sum(pi * np.log2(pi + 1e-4) for pi in p))
        col_h = []
        for i in range(n_in):
            p = v[:, i] / (v[:, i].sum() + 1)
            col_h.append(-sum(pj * np.log2(pj + 1e-4) for pj in p))
        total += mu1 * v.sum() + mu2 * (np.mean(row_h) + np.mean(col_h))
        x = layer.forward(x)[0]
    return total


def test_pykan_metric_matches_a_hand_computation():
    rng = np.random.default_rng(5)
    model = KAN([2, 3, 2], grid=4, seed=1)
    X = rng.uniform(-1, 1, size=(9, 2))
    ours = model.regularization(X, lamb_l1=1.0, lamb_entropy=2.0, metric="pykan")
    hand = _pykan_metric_by_hand(model, X, 1.0, 2.0)
    assert abs(ours - hand) <= 1e-12 * max(1.0, abs(hand)), (ours, hand)


def _pykan00_metric_by_hand(model, X, mu1, mu2):
    """The paper-era code's penalty written out with loops over edges."""
    total, x = 0.0, X
    for layer in model.layers:
        phi = layer.edge_functions(x)
        k = layer.k
        v = np.zeros(phi.shape[1:])
        for i in range(phi.shape[1]):
            width = layer.grid[i, -k - 1] - layer.grid[i, k]
            for j in range(phi.shape[2]):
                v[i, j] = np.mean(np.abs(phi[:, i, j])) / (width + 1e-4)
        p = v / v.sum()
        total += mu1 * v.sum() - mu2 * sum(pij * np.log2(pij + 1e-4) for pij in p.ravel())
        x = layer.forward(x)[0]
    return total


def test_pykan00_metric_matches_a_hand_computation():
    rng = np.random.default_rng(7)
    model = KAN([2, 3, 2], grid=4, seed=3, grid_range=(-2.0, 1.0))
    X = rng.uniform(-2, 1, size=(11, 2))
    ours = model.regularization(X, lamb_l1=0.7, lamb_entropy=10.0, metric="pykan-0.0")
    hand = _pykan00_metric_by_hand(model, X, 0.7, 10.0)
    assert abs(ours - hand) <= 1e-12 * max(1.0, abs(hand)), (ours, hand)


@pytest.mark.parametrize("metric, lamb_coef, lamb_coefdiff", [("pykan", 0.0, 0.0), ("pykan", 0.3, 0.2),
                                                              ("paper", 0.5, 0.0), ("pykan-0.0", 0.0, 0.1)])
def test_pykan_metric_and_coefficient_penalty_gradients(metric, lamb_coef, lamb_coefdiff):
    rng = np.random.default_rng(6)
    model = KAN([2, 3, 2], grid=5, k=3, seed=2, bias=True)
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape)
    X = rng.uniform(-1, 1, size=(15, 2))
    y = rng.normal(size=(15, 2))
    sparsity = Sparsity(0.3, 1.0, 2.0, metric, lamb_coef, lamb_coefdiff)
    theta = model.get_flat()
    _, grad = loss_and_grad(model, theta, X, y, sparsity)
    num = numerical_gradient(lambda t: loss_and_grad(model, t, X, y, sparsity)[0], theta, eps=1e-6)
    err = np.abs(num - grad).max() / np.abs(grad).max()
    assert err <= 1e-6, f"relative error {err:.2e}"


@pytest.mark.parametrize("metric", ["paper", "pykan", "pykan-0.0"])
def test_penalty_gradient_on_edges_that_are_both_spline_and_symbolic(metric):
    """An edge may carry its spline and a symbolic function at once (pykan's "sn" mode, which
    ``from_pykan`` imports). The penalty reads the spline branch only, so its gradient must reach
    the spline parameters and the layer input through that branch alone, not the affine
    parameters of the symbolic one."""
    rng = np.random.default_rng(3)
    model = KAN([2, 3, 2], grid=4, seed=3, bias=True)
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape)
        layer.w_b[...] = rng.normal(size=layer.w_b.shape)
    mixed = [(0, 0, 1, "sin"), (0, 1, 2, "x^2"), (1, 2, 0, "tanh"), (1, 0, 1, "exp")]
    for l, i, j, fun in mixed:
        model.fix_symbolic(l, i, j, fun)
        model.layers[l].mask[i, j] = 1.0  # keep the spline too
        model.symbolic[l].affine[i, j] = rng.uniform(0.5, 1.5, size=4)
    X = rng.uniform(-1, 1, size=(15, 2))
    y = rng.normal(size=(15, 2))
    sparsity = Sparsity(0.3, 1.0, 1.0, metric, 0.1, 0.1)
    theta = model.get_flat()
    _, grad = loss_and_grad(model, theta, X, y, sparsity)
    num = numerical_gradient(lambda t: loss_and_grad(model, t, X, y, sparsity)[0], theta, eps=1e-6)
    names = model.flat_group_names()
    for group in sorted(set(names)):
        part = names == group
        err = np.abs(num[part] - grad[part]).max() / np.abs(grad).max()
        assert err <= 1e-6, f"{group}: relative error {err:.2e}"
