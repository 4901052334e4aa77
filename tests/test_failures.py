"""Failure handling: NaN/inf during training, samples outside the grids, degenerate grid updates."""
import warnings

import numpy as np
import pytest

from minikan import KAN, LAN, MLP
from minikan.core.grid_update import NonFiniteSamples, OutOfGridWarning, outside_grid


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    return X, np.sin(X[:, :1]) + X[:, 1:]


def fit_stopped(model, *args, **options):
    """``model.fit`` that must stop on a non-finite value: returns the history and its report."""
    with pytest.warns(RuntimeWarning, match="training stopped at step") as record:
        history = model.fit(*args, **options)
    assert sum("training stopped" in str(w.message) for w in record) == 1  # one warning per run
    report = history["stopped"]
    assert report is not None and history["message"] == report["reason"]
    assert report["step"] == len(history["step"])  # steps completed before the failure
    assert np.all(np.isfinite(model.get_flat()))
    assert all(isinstance(g, str) for g in report["groups"])
    assert all(isinstance(n, int) for n in report["samples"])
    return history, report


# ---------------------------------------------------------------------------------- NaN / inf
def test_huge_adam_learning_rate_restores_the_last_finite_iterate(data):
    X, y = data
    model = KAN([2, 2, 1], grid=3, seed=0)
    twin = model.copy()
    history, report = fit_stopped(model, X, y, opt="adam", lr=1e300, steps=50, update_grid=False, seed=1)
    assert report["step"] == 1 and len(history["step"]) == 1
    assert report["groups"] and set(report["groups"]) <= {f"layer {l}: {g}" for l in (0, 1)
                                                           for g in ("coef", "w_b", "w_s")}
    assert report["samples"] == list(range(20))  # all overflow; the report lists the first 20
    assert report["edges"] and all(e[0] == 0 for e in report["edges"])
    # the restored parameters are exactly those after the completed step
    twin.fit(X, y, opt="adam", lr=1e300, steps=report["step"], update_grid=False, seed=1)
    assert np.array_equal(model.get_flat(), twin.get_flat())


def test_lbfgs_failure_keeps_the_last_accepted_iterate(data):
    X, y = data
    calls = {"n": 0}

    def flaky_mse(pred, target):
        """The MSE for the first 12 evaluations, then inf (a loss that blows up mid-run)."""
        calls["n"] += 1
        r = pred - target
        value = np.mean(r ** 2) if calls["n"] <= 12 else np.inf
        return value, 2.0 * r / r.size

    model = KAN([2, 2, 1], grid=3, seed=0)
    twin = model.copy()
    history, report = fit_stopped(model, X, y, loss=flaky_mse, steps=50, update_grid=False)
    assert 0 < report["step"] < 12
    assert report["samples"] == list(range(20))  # the loss is inf on every sample (first 20 listed)
    # the restored parameters are the last accepted iterate: a run stopped there lands on them
    twin.fit(X, y, steps=report["step"], update_grid=False)
    assert np.array_equal(model.get_flat(), twin.get_flat())
    assert len(history["train_loss"]) == report["step"]


@pytest.mark.parametrize("fun, hit", [("1/x", 0.0), ("1/x^2", 0.0), ("log", 0.0), ("log", -0.5),
                                      ("sqrt", -0.25), ("1/sqrt(x)", 0.0)])
def test_symbolic_edges_at_a_singular_point_name_edge_and_samples(fun, hit, data):
    X, y = data
    X = X.copy()
    X[:, 0] = np.abs(X[:, 0]) + 0.1  # every sample on the function's domain ...
    X[[2, 17], 0] = hit  # ... but two
    model = KAN([2, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, fun)
    before = model.get_flat()
    # the exact functions (training uses capped, pole-free variants by default)
    _, report = fit_stopped(model, X, y, steps=5, update_grid=False, singularity_avoiding=False)
    assert report["step"] == 0 and report["samples"] == [2, 17]
    assert report["edges"] == [(0, 0, 0)]
    assert np.array_equal(model.get_flat(), before)


def test_exploding_inputs_are_reported_by_sample(data):
    X, y = data
    X = X.copy()
    X[5] = 1e200  # finite, but its squared residual overflows
    for update_grid in (False, True):
        model = KAN([2, 2, 1], grid=3, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutOfGridWarning)
            _, report = fit_stopped(model, X, y, steps=5, update_grid=update_grid)
        assert report["step"] == 0 and report["samples"] == [5]
        assert report["groups"]


def test_an_overflow_in_a_hidden_layer_stops_the_grid_update_and_keeps_the_model(data):
    X, y = data
    X = X.copy()
    X[[3, 8]] = 1.5e308
    model = KAN([2, 2, 1], grid=3, seed=0)
    model.layers[0].w_b[:] = 1.0  # 2 * silu(1.5e308) overflows to inf in layer 1's inputs
    before = model.copy()
    with pytest.warns(RuntimeWarning, match="grid update failed"):
        history = model.fit(X, y, steps=5)
    report = history["stopped"]
    assert report["reason"].startswith("grid update failed") and "[3, 8]" in report["reason"]
    assert report["samples"] == [3, 8] and len(history["step"]) == 0
    for a, b in zip(model.layers, before.layers):  # untouched: knots and coefficients as before
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.coef, b.coef)
    with pytest.raises(NonFiniteSamples, match="samples \\[3, 8\\]"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's own overflow notice
        model.update_grid(X)
    assert all(np.array_equal(a.grid, b.grid) for a, b in zip(model.layers, before.layers))


def test_mlp_and_lan_stop_the_same_way(data):
    X, y = data
    for model in (MLP([2, 4, 1], seed=0), LAN([2, 3, 1], grid=3, seed=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutOfGridWarning)  # the LAN's pre-activations leave [-1, 1]
            _, report = fit_stopped(model, X, y, opt="adam", lr=1e300, steps=20, update_grid=False)
        assert report["groups"] and report["edges"] == []


# ---------------------------------------------------------------------------------- outside the grid
def test_out_of_grid_counts_samples_per_layer():
    model = KAN([2, 2, 1], grid=3, seed=0)  # grids on [-1, 1]
    X = np.array([[0.0, 0.0], [1.0, -1.0], [1.5, 0.0], [0.0, -3.0], [2.0, 2.0]])
    counts = model.out_of_grid(X)
    assert counts.dtype == np.int64 and counts.shape == (2,)
    assert counts[0] == 3
    layer_in = model.layer_inputs(X)[1]
    assert counts[1] == outside_grid(layer_in, model.layers[1].grid, 3).any(axis=1).sum()
    # an input whose edges are all symbolic or masked has no spline to leave
    model.fix_symbolic(0, 0, 0, "x")
    model.fix_symbolic(0, 0, 1, "x")
    assert model.out_of_grid(X)[0] == 2  # [1.5, 0] no longer counts


def test_fit_warns_once_when_training_starts_outside_the_grid(data):
    X, y = data
    model = KAN([2, 2, 1], grid=3, seed=0)
    X_far = X * 3.0
    with pytest.warns(OutOfGridWarning, match=r"of 40; layer 0: (\d+)") as record:
        model.fit(X_far, y, steps=6, update_grid=False)
    assert len([w for w in record if w.category is OutOfGridWarning]) == 1
    n_outside = int((np.abs(X_far) > 1).any(axis=1).sum())
    assert f"layer 0: {n_outside}" in str(record[0].message)


def test_fit_warns_exactly_when_samples_end_outside_a_grid(data):
    X, y = data
    for options in ({}, {"grid_eps": 0.02, "grid_margin": 0.0}, {"grid_eps": 0.0, "grid_margin": 0.0}):
        model = KAN([2, 3, 1], grid=5, seed=0, **options)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OutOfGridWarning)
            model.fit(X * 5, y, steps=12, grid_update_num=4, stop_grid_update_step=12)
        # the last update is at step 9; what drifted off the grids in the last 3 steps is reported
        outside = model.out_of_grid(X * 5)
        assert len(caught) == int(outside.any()), (options, outside)
        model.update_grid(X * 5)
        assert not model.out_of_grid(X * 5).any()  # an update puts every sample on the grids
        with warnings.catch_warnings():
            warnings.simplefilter("error", OutOfGridWarning)
            model.fit(X * 5, y, steps=0)  # nothing trained, nothing to report


def test_a_constant_input_far_from_the_grid_warns_after_the_update(data):
    X, y = data
    X = X.copy()
    X[:, 1] = 5.0  # no grid can be placed on one point: the old knots stay, the samples miss them
    model = KAN([2, 1], grid=3, seed=0)
    with pytest.warns(OutOfGridWarning, match="layer 0: 40"):
        model.fit(X, y, steps=3)


def test_lan_counts_preactivations_outside_its_grids():
    lan = LAN([1, 2, 1], grid=3, seed=0)
    X = np.array([[0.0], [100.0]])
    z = lan.preactivations(X)[0]
    assert lan.out_of_grid(X).tolist() == [int((np.abs(z) > 1).any(axis=1).sum())]


# ---------------------------------------------------------------------------------- degenerate grids
DEGENERATE = {
    "all equal": np.full((10, 2), 0.3),
    "one sample": np.array([[0.2, -0.5]]),
    "fewer samples than coefficients": np.array([[0.1, 0.2], [0.5, -0.3], [0.5, 0.9]]),
    "two distinct values": np.array([[0.0, 1.0]] * 5 + [[1.0, 0.0]] * 5),
    "all equal, far outside": np.full((4, 2), 5.0),
}


@pytest.mark.parametrize("name", list(DEGENERATE))
@pytest.mark.parametrize("grid_eps", [0.0, 0.02, 1.0])
@pytest.mark.parametrize("k", [1, 3])
def test_degenerate_grid_updates_keep_edge_functions_finite(name, grid_eps, k):
    X = DEGENERATE[name]
    model = KAN([2, 2, 1], grid=7, k=k, seed=0, grid_eps=grid_eps, grid_margin=0.0)
    before = model.predict(X)
    model.update_grid(X)
    for layer in model.layers:
        assert np.all(np.isfinite(layer.grid)) and np.all(np.diff(layer.grid, axis=1) >= 0)
        assert np.all(np.isfinite(layer.coef))
    X_test = np.linspace(-3, 6, 50)[:, None].repeat(2, axis=1)
    for layer, x in zip(model.layers, model.layer_inputs(X_test)):
        assert np.all(np.isfinite(layer.edge_functions(x)))
    # on the samples themselves the network is kept (up to the least-squares residual)
    assert np.allclose(model.predict(X), before, atol=1e-8)


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_training_on_degenerate_data_stays_finite(name):
    X = DEGENERATE[name]
    y = X[:, :1] ** 2
    for model in (KAN([2, 2, 1], grid=5, seed=0, grid_eps=0.0), LAN([2, 3, 1], grid=5, seed=0, grid_eps=0.0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutOfGridWarning)
            h = model.fit(X, y, steps=6, grid_update_num=3, stop_grid_update_step=6)
        assert h["stopped"] is None and np.all(np.isfinite(h["train_loss"]))
        assert np.all(np.isfinite(model.predict(np.linspace(-2, 6, 20)[:, None].repeat(2, axis=1))))


def test_a_spread_overflowing_float64_keeps_the_old_knots():
    X = np.array([[-1.7e308], [1.7e308], [0.0]])
    model = KAN([1, 1], grid=3, seed=0)
    old = model.layers[0].grid.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        model.update_grid(X)
    assert np.array_equal(model.layers[0].grid, old)


# ---------------------------------------------------------------------------------- far from the grid
@pytest.mark.parametrize("basis", ["local", "dense"])
def test_far_outside_the_grid_an_edge_is_its_base_branch(basis):
    """Beyond the knots every basis function is 0 exactly, however large |x| is (no inf * 0)."""
    model = KAN([1, 1], grid=3, seed=0, basis=basis, base="identity")
    X = np.array([[1e10], [1e100], [1e300], [-1e300], [1.7e308]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model.predict(X)
    layer = model.layers[0]
    assert np.array_equal(out, layer.w_b[0, 0] * X)
    lan = LAN([1, 2, 1], grid=3, seed=0)
    assert np.all(np.isfinite(lan.predict(X[:3])))
