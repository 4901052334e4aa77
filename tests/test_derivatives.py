"""Input derivatives (forward mode) and their parameter gradients against float64 finite differences."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minikan import KAN, MLP

from minikan import gradcheck
from minikan.applications.derivatives import base_derivatives, input_jet, jet_backward, jet_forward, laplacian
from minikan.interpret.symbolic import SymbolicFunction

KAN_CASES = [  # width, G, k, base, bias
    ([2, 3, 1], 5, 3, "silu", False),
    ([2, 4, 2], 3, 3, "identity", True),
    ([3, 2, 3, 1], 7, 4, "silu", True),
    ([1, 3, 1], 9, 5, "silu", False),
]
MLP_CASES = [([2, 6, 5, 1], "silu"), ([3, 5, 2], "tanh"), ([2, 8, 1], "sin")]


def _random_kan(width, G, k, base="silu", bias=False, seed=0, **kwargs):
    """A KAN with random O(1) parameters (not the small initial ones) and one removed edge."""
    rng = np.random.default_rng(seed)
    model = KAN(width, grid=G, k=k, seed=seed, base=base, bias=bias, **kwargs)
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape)
        layer.w_b[...] = rng.normal(size=layer.w_b.shape)
        layer.w_s[...] = rng.normal(size=layer.w_s.shape)
        if layer.bias is not None:
            layer.bias[...] = rng.normal(size=layer.bias.shape)
    if model.layers[0].n_in * model.layers[0].n_out > 1:
        model.layers[0].mask[0, 0] = 0.0
    return model


def _models():
    for width, G, k, base, bias in KAN_CASES:
        yield _random_kan(width, G, k, base, bias)
    for width, activation in MLP_CASES:
        yield MLP(width, activation=activation, seed=1)


def _ids():
    return [f"KAN{w}-G{G}-k{k}-{b}" for w, G, k, b, _ in KAN_CASES] + [f"MLP{w}-{a}" for w, a in MLP_CASES]


def _away_from_knots(model, X, margin=2e-3):
    """Keep the samples whose input to every KAN layer is at least ``margin`` from its knots:
    there the spline is a polynomial in a whole neighbourhood and central differences apply."""
    if not isinstance(model, KAN):
        return X
    keep = np.ones(X.shape[0], dtype=bool)
    for layer, x in zip(model.layers, model.layer_inputs(X)):
        keep &= np.abs(x[:, :, None] - layer.grid[None]).min(axis=(1, 2)) > margin
    return X[keep]


def _points(model, n=40, seed=0):
    """Random points, plus points 3e-3 from first-layer knots (next to a knot, yet FD-safe)."""
    rng = np.random.default_rng(seed)
    D = model.width[0]
    X = rng.uniform(-1.0, 1.0, size=(n, D))
    if isinstance(model, KAN):
        knots = model.layers[0].grid[0, 2:-2]
        near = rng.choice(knots, size=(n // 2, D)) + rng.choice([-3e-3, 3e-3], size=(n // 2, D))
        X = np.concatenate([X, near])
    X = _away_from_knots(model, X)
    assert X.shape[0] >= 5
    return X


def _central(fun, X, h):
    """Central differences of ``fun(X) -> (N, ...)`` along every input: (N, ..., D)."""
    steps = np.eye(X.shape[1]) * h
    return np.stack([(fun(X + e) - fun(X - e)) / (2 * h) for e in steps], axis=-1)


@pytest.mark.parametrize("model", list(_models()), ids=_ids())
def test_jet_matches_finite_differences(model):
    X = _points(model)
    u, du, d2u = input_jet(model, X)
    np.testing.assert_allclose(u, model.predict(X), rtol=1e-13, atol=1e-13)
    # du against central differences of the output, d2u against those of du; the deep random
    # KANs have large higher derivatives, so the second-order truncation needs a small step
    fd_du = _central(model.predict, X, 1e-6)
    fd_d2u = np.diagonal(_central(lambda Z: input_jet(model, Z)[1], X, 1e-6), axis1=2, axis2=3)
    np.testing.assert_allclose(du, fd_du, atol=1e-6 * max(1.0, np.abs(du).max()))
    np.testing.assert_allclose(d2u, fd_d2u, atol=1e-6 * max(1.0, np.abs(d2u).max()))
    # pure second derivatives also against the three-point second difference of the output
    h = 1e-5
    fd2 = np.stack([(model.predict(X + e) - 2 * u + model.predict(X - e)) / h ** 2
                    for e in np.eye(X.shape[1]) * h], axis=-1)
    np.testing.assert_allclose(d2u, fd2, atol=1e-4 * max(1.0, np.abs(d2u).max()))


@pytest.mark.parametrize("model", list(_models()), ids=_ids())
def test_full_hessian_is_symmetric_and_matches_finite_differences(model):
    X = _points(model, n=20)
    _, du, H = input_jet(model, X, hessian=True)
    D = X.shape[1]
    assert H.shape == du.shape + (D,)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))
    np.testing.assert_allclose(np.diagonal(H, axis1=2, axis2=3), input_jet(model, X)[2], rtol=1e-12, atol=1e-12)
    fd = _central(lambda Z: input_jet(model, Z)[1], X, 1e-6)  # fd[n, j, d, e] = d(du_d)/dX_e
    np.testing.assert_allclose(H, fd, atol=1e-6 * max(1.0, np.abs(H).max()))


def _loss_and_partials(u, du, d2u, w):
    """L = mean(d2u^2) + mean(du * w) + mean(u^2) and its partial derivatives."""
    value = np.mean(d2u ** 2) + np.mean(du * w) + np.mean(u ** 2)
    return value, (2 * u / u.size, w / du.size, 2 * d2u / d2u.size)


def _check_parameter_gradient(model, X, hessian=False, max_checked=40, tol=1e-7):
    rng = np.random.default_rng(3)
    theta = model.get_flat()
    w = rng.normal(size=(X.shape[0], model.width[-1], X.shape[1]))

    def loss(t):
        model.set_flat(t)
        jet = input_jet(model, X, hessian=hessian)
        return _loss_and_partials(*jet, w)[0]

    model.set_flat(theta)
    jet, tape = jet_forward(model, X, hessian=hessian)
    grad = jet_backward(model, tape, *_loss_and_partials(*jet, w)[1])
    assert grad.shape == theta.shape
    idx = rng.choice(theta.size, size=min(max_checked, theta.size), replace=False)
    err = gradcheck(loss, grad, theta.copy(), eps=1e-5, indices=idx)
    model.set_flat(theta)
    assert err < tol, err


@pytest.mark.parametrize("hessian", [False, True])
@pytest.mark.parametrize("model", list(_models()), ids=_ids())
def test_parameter_gradient_matches_finite_differences(model, hessian):
    _check_parameter_gradient(model, _points(model, n=30), hessian)


def test_parameter_gradient_respects_trainability():
    model = _random_kan([2, 3, 1], 5, 3, bias=True, trainable={"w_s": False, "bias": False})
    assert model.n_params()["w_s"] == 0
    _check_parameter_gradient(model, _points(model))
    mlp = MLP([2, 5, 1], activation="tanh", seed=2, trainable={"b": False})
    _check_parameter_gradient(mlp, _points(mlp))


def test_dense_basis_gives_the_same_jet():
    local = _random_kan([2, 3, 1], 6, 3)
    dense = local.copy()
    for layer in dense.layers:
        layer.basis = "dense"
    X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
    for a, b in zip(input_jet(local, X), input_jet(dense, X)):
        np.testing.assert_array_equal(a, b)


def test_cubic_second_derivative_is_continuous_at_knots():
    """k = 3: phi'' is continuous, so d2u at a knot equals its limits from both sides."""
    model = _random_kan([2, 2], 6, 3)
    knots = model.layers[0].grid[0]  # the same knots on both inputs
    X = np.repeat(knots[:, None], 2, axis=1)  # every knot, the outermost included
    d2u = input_jet(model, X)[2]
    for side in (-1e-9, 1e-9):
        np.testing.assert_allclose(input_jet(model, X + side)[2], d2u, atol=1e-6 * np.abs(d2u).max())


def test_lower_degrees():
    """k = 2: the second derivative jumps at interior knots; k = 1: the spline adds nothing to it."""
    quad = _random_kan([1, 1], 4, 2, base="zero")
    t = quad.layers[0].grid[0, 3]  # an interior knot
    left, right = (input_jet(quad, np.array([[t + s]]))[2] for s in (-1e-9, 1e-9))
    assert abs(left - right).max() > 1e-3
    linear = _random_kan([1, 2], 4, 1, base="zero")
    X = np.random.default_rng(0).uniform(-1, 1, size=(20, 1))
    assert np.all(input_jet(linear, X)[2] == 0.0)


def test_outside_the_grid_only_the_base_branch_remains():
    model = _random_kan([1, 1], 5, 3)
    layer = model.layers[0]
    X = np.array([[3.0], [-4.0]])  # beyond the extended knots
    _, du, d2u = input_jet(model, X)
    b = base_derivatives("silu", X)
    np.testing.assert_allclose(du[:, 0, 0], layer.w_b[0, 0] * b[1][:, 0], rtol=1e-14)
    np.testing.assert_allclose(d2u[:, 0, 0], layer.w_b[0, 0] * b[2][:, 0], rtol=1e-14)


def test_relu_mlp_has_zero_second_derivatives():
    mlp = MLP([2, 6, 1], activation="relu", seed=0)
    X = np.random.default_rng(0).uniform(-1, 1, size=(10, 2))
    assert np.all(input_jet(mlp, X)[2] == 0.0)


def test_laplacian_and_order_one():
    model = _random_kan([2, 3, 1], 5, 3)
    X = np.random.default_rng(1).uniform(-1, 1, size=(12, 2))
    u, du, d2u = input_jet(model, X)
    np.testing.assert_array_equal(laplacian(model, X), d2u.sum(axis=-1))
    u1, du1, none = input_jet(model, X, order=1)
    assert none is None
    np.testing.assert_array_equal(u1, u)
    np.testing.assert_allclose(du1, du, rtol=1e-15, atol=0)


def test_errors_name_what_was_expected():
    model = _random_kan([2, 3, 1], 5, 3)
    X = np.zeros((4, 2))
    with pytest.raises(TypeError, match="KAN or MLP"):
        input_jet("not a model", X)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        input_jet(model, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="order"):
        input_jet(model, X, order=3)
    (u, du, d2u), tape = jet_forward(model, X)
    with pytest.raises(ValueError, match=r"g_du must have shape \(4, 1, 2\)"):
        jet_backward(model, tape, u, du[..., 0], d2u)
    _, tape1 = jet_forward(model, X, order=1)
    with pytest.raises(ValueError, match="order=1"):
        jet_backward(model, tape1, u, du, d2u)
    snapped = model.copy()
    snapped.layers[1].sym_mask[0, 0] = 1.0
    snapped.layers[1].sym_funs[0, 0] = SymbolicFunction("opaque", np.sin, np.cos, lambda z: object(), 2)
    with pytest.raises(NotImplementedError, match="opaque"):
        input_jet(snapped, X)


def _snapped_kan():
    """A KAN with symbolic edges next to spline edges (one edge both, one symbolic only)."""
    rng = np.random.default_rng(4)
    model = _random_kan([2, 3, 1], 5, 3, bias=True, seed=4)
    funs = {(0, 0, 1): "sin", (0, 1, 2): "x^2", (0, 1, 0): "tanh", (1, 0, 0): "exp", (1, 2, 0): "abs",
            (1, 1, 0): "gaussian"}
    for (l, i, j), name in funs.items():
        layer = model.layers[l]
        layer.sym_mask[i, j], layer.sym_funs[i, j] = 1.0, name
        layer.affine[i, j] = rng.normal(size=4) * [1.0, 0.3, 1.0, 1.0]
    model.layers[0].mask[0, 1] = 0.0  # edge (0, 0, 1) is purely symbolic
    return model


@pytest.mark.parametrize("hessian", [False, True])
def test_symbolic_edges(hessian):
    model = _snapped_kan()
    assert model.n_params()["affine"] == 2 * 3 * 4 + 3 * 4
    X = np.random.default_rng(0).uniform(-0.9, 0.9, size=(25, 2))
    u, du, d2u = input_jet(model, X, hessian=hessian)
    np.testing.assert_allclose(u, model.predict(X), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(du, _central(model.predict, X, 1e-6), atol=1e-6 * np.abs(du).max())
    fd = _central(lambda Z: input_jet(model, Z)[1], X, 1e-6)
    np.testing.assert_allclose(d2u, fd if hessian else np.diagonal(fd, axis1=2, axis2=3),
                               atol=1e-6 * np.abs(d2u).max())
    _check_parameter_gradient(model, X, hessian, max_checked=60)


@st.composite
def kan_cases(draw):
    depth = draw(st.integers(1, 3))
    width = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    return width, draw(st.integers(1, 8)), draw(st.integers(3, 5)), draw(st.sampled_from(["silu", "identity"])), \
        draw(st.booleans()), draw(st.integers(0, 2**16))


@settings(max_examples=15)
@given(kan_cases())
def test_random_kans_derivatives_and_gradients(case):
    width, G, k, base, bias, seed = case
    model = _random_kan(width, G, k, base, bias, seed=seed)
    X = _away_from_knots(model, np.random.default_rng(seed).uniform(-1.2, 1.2, size=(8, width[0])))
    assume(X.shape[0] > 0)
    _, du, d2u = input_jet(model, X)
    np.testing.assert_allclose(du, _central(model.predict, X, 1e-6), atol=1e-6 * max(1.0, np.abs(du).max()))
    fd = np.diagonal(_central(lambda Z: input_jet(model, Z)[1], X, 1e-6), axis1=2, axis2=3)
    np.testing.assert_allclose(d2u, fd, atol=1e-6 * max(1.0, np.abs(d2u).max()))
    _check_parameter_gradient(model, X, max_checked=12, tol=1e-6)
