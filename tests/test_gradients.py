"""Hand-derived gradients against float64 central differences, for every parameter group and the input."""
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minikan import KAN, numerical_gradient

from minikan import gradcheck
from minikan.core.layer import KANLayer

MAX_CHECKED = 25  # coordinates per group; sampled so that deep, wide models stay fast


@st.composite
def random_models(draw):
    depth = draw(st.integers(1, 4))
    width = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    G = draw(st.integers(1, 20))
    k = draw(st.integers(1, 5))
    N = draw(st.integers(1, 50))
    base = draw(st.sampled_from(["silu", "identity", "zero"]))
    basis = draw(st.sampled_from(["local", "dense"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return width, G, k, N, base, basis, seed


def _randomise(model, rng):
    """Random parameters (not the small initial ones) and a few removed edges."""
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape)
        layer.w_b[...] = rng.normal(size=layer.w_b.shape)
        layer.w_s[...] = rng.normal(size=layer.w_s.shape)
        layer.mask[...] = rng.uniform(size=layer.mask.shape) > 0.2
        if layer.bias is not None:
            layer.bias[...] = rng.normal(size=layer.bias.shape)
        # spread the grids so that inputs fall inside, outside and on the outer intervals
        layer.grid[...] = layer.grid * rng.uniform(0.5, 1.5)


def _away_from_knots(model, X, margin=1e-3):
    """Drop samples whose input to some layer lies within ``margin`` of one of that input's knots.

    A degree-k spline has a jump in its k-th derivative at each knot (a kink for k = 1), where a
    central difference straddling the knot measures an average slope, not the derivative; the
    hand-derived gradient is the one-sided derivative there. Away from the knots both must agree.
    """
    keep = np.ones(X.shape[0], dtype=bool)
    for layer, x in zip(model.layers, model.layer_inputs(X)):
        gap = np.abs(x[:, :, None] - layer.grid[None, :, :]).min(axis=(1, 2))  # (N,)
        keep &= gap > margin
    return X[keep]


def _knot_cells(model, theta, X):
    """For every layer input of every sample, the index of the knot interval it lies in."""
    model.set_flat(theta)
    cells = [np.stack([np.searchsorted(layer.grid[i], x[:, i]) for i in range(x.shape[1])])
             for layer, x in zip(model.layers, model.layer_inputs(X))]
    return np.concatenate([c.ravel() for c in cells])


def _stencil_stays_in_cells(model, theta, X, index, eps=1e-5):
    """True when the finite-difference stencil theta +- h, +- 2h along ``index`` moves no layer input
    across a knot. In a deep random model a step of 1e-5 in a first-layer weight can move a later
    layer's input by more than the 1e-3 margin of ``_away_from_knots``; a stencil that straddles a
    knot measures an average slope there, not the derivative (the check then fails by ~1e-5)."""
    here = _knot_cells(model, theta, X)
    for step in (-2 * eps, -eps, eps, 2 * eps):
        moved = theta.copy()
        moved[index] += step
        if not np.array_equal(_knot_cells(model, moved, X), here):
            return False
    return True


@settings(max_examples=40)
@given(random_models())
def test_parameter_and_input_gradients_match_finite_differences(case):
    width, G, k, N, base, basis, seed = case
    rng = np.random.default_rng(seed)
    model = KAN(width, grid=G, k=k, seed=seed, base=base, basis=basis, bias=True)
    _randomise(model, rng)
    X = _away_from_knots(model, rng.uniform(-2.0, 2.0, size=(N, width[0])))
    assume(X.shape[0] > 0)
    y = rng.normal(size=(X.shape[0], width[-1]))
    N = X.shape[0]
    theta = model.get_flat()
    _, grad = model.loss_and_grad(theta, X, y)

    def loss(t):
        return model.loss_and_grad(t, X, y)[0]

    offset = 0
    for l, name, arr in model.param_groups():
        group = slice(offset, offset + arr.size)
        idx = offset + rng.choice(arr.size, size=min(arr.size, MAX_CHECKED), replace=False)
        idx = np.array([i for i in idx if _stencil_stays_in_cells(model, theta, X, i)], dtype=int)
        model.set_flat(theta)
        if idx.size == 0:
            offset += arr.size
            continue
        num = numerical_gradient(loss, theta, indices=idx)
        # relative to the size of this group's whole gradient (the checked entries are a sample)
        scale = max(np.abs(grad[group]).max(), 1e-300)
        err = np.abs(num - grad[idx]).max() / scale
        assert err <= 1e-6, f"layer {l} {name}: relative error {err:.2e} (gradient scale {scale:.2e})"
        offset += arr.size
    model.set_flat(theta)

    # input gradient through a random linear functional of the outputs
    R = rng.normal(size=(N, width[-1]))
    out, caches = model.forward(X)
    dX, _ = model.backward(R, caches)
    # a small step: with random weights the hidden layers amplify input changes strongly, and a
    # larger step would carry hidden activations across knots
    err = gradcheck(lambda Z: float(np.sum(model.predict(Z) * R)), dX, X, eps=1e-6)
    assert err <= 1e-6, f"input gradient: relative error {err:.2e}"


def test_gradcheck_flags_a_wrong_gradient():
    x = np.array([0.3, -1.2])
    assert gradcheck(lambda v: float(np.sum(np.sin(v))), np.cos(x), x) < 1e-9
    assert gradcheck(lambda v: float(np.sum(np.sin(v))), 1.01 * np.cos(x), x) > 1e-3


def test_dense_and_local_layers_agree():
    rng = np.random.default_rng(3)
    local = KANLayer.create(3, 4, G=9, k=3, rng=rng, bias=True)
    local.coef[...] = rng.normal(size=local.coef.shape)
    dense = local.copy()
    dense.basis = "dense"
    x = rng.uniform(-2.5, 2.5, size=(30, 3))
    dy = rng.normal(size=(30, 4))
    y1, c1 = local.forward(x)
    y2, c2 = dense.forward(x)
    assert np.abs(y1 - y2).max() <= 1e-13
    dx1, g1 = local.backward(dy, c1)
    dx2, g2 = dense.backward(dy, c2)
    assert np.abs(dx1 - dx2).max() <= 1e-12
    for name in g1:
        assert np.abs(g1[name] - g2[name]).max() <= 1e-12, name


def test_masked_edges_have_no_effect_and_no_gradient():
    rng = np.random.default_rng(4)
    layer = KANLayer.create(2, 3, G=5, k=3, rng=rng)
    layer.mask[0, 1] = 0.0
    x = rng.uniform(-1, 1, size=(10, 2))
    phi = layer.edge_functions(x)
    assert np.all(phi[:, 0, 1] == 0.0)
    y, cache = layer.forward(x)
    assert np.allclose(y, phi.sum(axis=1), atol=1e-14)
    _, grads = layer.backward(rng.normal(size=(10, 3)), cache)
    for name in ("coef", "w_b", "w_s"):
        assert np.all(grads[name][0, 1] == 0.0), name
