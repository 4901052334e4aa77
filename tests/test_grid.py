"""Grid update and grid extension (Section 2.4, Eq. 2.16): property tests."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minikan import KAN
from minikan.core.grid_update import grid_from_samples


def _dense_points(layer, n_points=400):
    """(n_points, n_in) points spread over each input's base interval [t_k, t_{G+k}]."""
    k = layer.k
    a, b = layer.grid[:, k], layer.grid[:, layer.grid.shape[1] - 1 - k]
    return a + (b - a) * np.linspace(0.0, 1.0, n_points)[:, None]


def _edge_max_diff(old, new, xs=None):
    """Max |phi_old - phi_new| over every edge, at the given per-layer inputs or on dense points."""
    worst = 0.0
    for l, (lo, ln) in enumerate(zip(old.layers, new.layers)):
        x = _dense_points(lo) if xs is None else xs[l]
        worst = max(worst, np.abs(lo.edge_functions(x) - ln.edge_functions(x)).max())
    return worst


@settings(max_examples=30)
@given(st.integers(1, 10), st.integers(2, 5), st.integers(1, 4),
       st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 2**32 - 1))
def test_refine_to_a_multiple_reproduces_every_edge_function(G, factor, k, width, seed):
    """When the fine knots contain the coarse ones the coarse spline is in the fine space.

    The least-squares fit then reproduces it exactly wherever the samples determine the fit: at
    every sample (even when some fine interval has no samples and the system is rank-deficient),
    and everywhere on the base interval of a layer whose inputs cover it (the first layer here,
    fed uniform inputs; hidden layers see whatever distribution the coarse model produces).
    """
    rng = np.random.default_rng(seed)
    model = KAN(width, grid=G, k=k, seed=seed)
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape)
    X = rng.uniform(-1, 1, size=(40 * (G * factor + k), width[0]))
    model.update_grid(X)  # every layer's grid now spans its inputs (plus a margin)
    fine = model.refine(G * factor, X)
    assert fine.G == G * factor and model.G == G
    err_samples = _edge_max_diff(model, fine, model.layer_inputs(X))
    assert err_samples <= 1e-10, f"G {G} -> {G * factor}, k={k}: at the samples {err_samples:.2e}"
    first_old, first_new = model.layers[0], fine.layers[0]
    x = _dense_points(first_old)
    err_dense = np.abs(first_old.edge_functions(x) - first_new.edge_functions(x)).max()
    assert err_dense <= 1e-10, f"G {G} -> {G * factor}, k={k}: on dense points {err_dense:.2e}"


@settings(max_examples=20)
@given(st.integers(2, 8), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_refine_error_shrinks_as_the_grid_grows(G, k, seed):
    rng = np.random.default_rng(seed)
    model = KAN([1, 1], grid=G, k=k, seed=seed)
    model.layers[0].coef[...] = rng.normal(size=model.layers[0].coef.shape)
    X = rng.uniform(-1, 1, size=(4000, 1))
    errors = [_edge_max_diff(model, model.refine(G_new, X)) for G_new in (G + 1, 4 * G + 1, 16 * G + 1)]
    assert errors[1] < 0.5 * errors[0] and errors[2] < 0.5 * errors[1], errors


def test_refine_does_not_touch_the_original_and_keeps_predictions():
    rng = np.random.default_rng(0)
    model = KAN([2, 3, 1], grid=5, seed=1)
    X = rng.uniform(-1, 1, size=(500, 2))
    model.update_grid(X)
    before = [layer.coef.copy() for layer in model.layers]
    fine = model.refine(10, X)
    assert all(np.array_equal(a, layer.coef) for a, layer in zip(before, model.layers))
    assert np.abs(fine.predict(X) - model.predict(X)).max() <= 1e-10


def test_grid_from_samples_quantile_and_uniform_ends():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1000, 2))
    G, k = 4, 3
    uniform = grid_from_samples(x, G, k, grid_eps=1.0)
    quantile = grid_from_samples(x, G, k, grid_eps=0.0)
    base_u, base_q = uniform[:, k:-k], quantile[:, k:-k]
    assert np.allclose(base_u[:, 0], x.min(0)) and np.allclose(base_u[:, -1], x.max(0))
    assert np.allclose(np.diff(base_u, axis=1), (x.max(0) - x.min(0))[:, None] / G)
    xs = np.sort(x, axis=0)
    assert np.array_equal(base_q[:, 1:-1], xs[[250, 500, 750]].T)  # ranks floor(i N / G)
    assert np.allclose(np.diff(uniform, axis=1)[:, :k], np.diff(base_u, axis=1)[:, :1])


def test_update_grid_preserves_edge_functions_on_samples():
    rng = np.random.default_rng(3)
    model = KAN([2, 2, 1], grid=10, seed=0)
    X = rng.uniform(-0.6, 0.8, size=(2000, 2))
    old = model.copy()
    model.update_grid(X)
    for layer, x in zip(model.layers, model.layer_inputs(X)):
        assert np.allclose(layer.grid[:, 3], x.min(0) - 0.01)  # base interval follows the inputs
        assert np.allclose(layer.grid[:, -4], x.max(0) + 0.01)
    # the initial splines are random noise on the old knots, so the least-squares refit on the
    # new knots is close but not exact (measured: 2e-3 against edge values of size 0.2)
    phi_old, phi_new = old.layers[0].edge_functions(X), model.layers[0].edge_functions(X)
    assert np.abs(phi_new - phi_old).max() < 0.02 * np.abs(phi_old).max()
    pred_old, pred_new = old.predict(X), model.predict(X)
    assert np.sqrt(np.mean((pred_new - pred_old) ** 2)) < 0.02 * np.sqrt(np.mean(pred_old ** 2))


def test_degenerate_samples_keep_the_model_finite():
    model = KAN([2, 3, 1], grid=5, seed=0)
    grids = [layer.grid.copy() for layer in model.layers]
    X = np.full((7, 2), 0.25)  # all samples equal
    model.update_grid(X)
    assert np.array_equal(model.layers[0].grid, grids[0])  # nothing to adapt to
    one = KAN([2, 3, 1], grid=20, seed=0).update_grid(np.array([[0.1, -0.3]]))
    for m in (model, one):
        assert np.all(np.isfinite(m.predict(np.linspace(-1, 1, 9).reshape(-1, 1).repeat(2, 1))))
        assert all(np.all(np.isfinite(layer.coef)) for layer in m.layers)
