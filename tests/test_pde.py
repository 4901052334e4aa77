"""The Poisson problem of Section 3.4: problem data, collocation points, the objective's gradient,
and the quick KAN-vs-MLP check of Figure 3.3."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from minikan import KAN, MLP

from minikan import gradcheck
from minikan.applications.pde import (PoissonObjective, boundary_points, errors, exact_solution, interior_points,
                         solve_poisson, source)
from minikan.core.train import optimize


def test_source_is_the_laplacian_of_the_exact_solution():
    X = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    u, grad = exact_solution(X)
    h = 1e-4
    lap = sum(exact_solution(X + e)[0] - 2 * u + exact_solution(X - e)[0] for e in np.eye(2) * h) / h ** 2
    np.testing.assert_allclose(lap, source(X), atol=1e-5 * np.abs(source(X)).max())
    fd = np.stack([(exact_solution(X + e)[0] - exact_solution(X - e)[0]) / (2 * h) for e in np.eye(2) * h], axis=-1)
    np.testing.assert_allclose(grad, fd, atol=1e-6)
    edge = boundary_points(40)
    np.testing.assert_allclose(exact_solution(edge)[0], 0.0, atol=1e-15)


def test_collocation_points():
    X = interior_points(2500)
    assert X.shape == (2500, 2) and np.all(np.abs(X) < 1)
    assert np.unique(X[:, 0]).size == 50
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-15)  # mesh cell centres, symmetric
    with pytest.raises(ValueError, match="perfect square"):
        interior_points(2000)
    np.testing.assert_array_equal(interior_points(30, "random", 1), interior_points(30, "random", 1))

    B = boundary_points(800)
    assert B.shape == (800, 2)
    assert np.all(np.isclose(np.abs(B).max(axis=1), 1.0))
    assert np.unique(B, axis=0).shape[0] == 800  # every corner once
    for side in ([0, -1], [1, 1], [0, 1], [1, -1]):  # (coordinate, value): 200 points per side
        assert np.sum(np.isclose(B[:, side[0]], side[1])) >= 200
    with pytest.raises(ValueError, match="multiple of 4"):
        boundary_points(10)
    Br = boundary_points(40, "random", 3)
    assert np.all(np.isclose(np.abs(Br).max(axis=1), 1.0))


def _objective(model, n_i=16, n_b=8):
    return PoissonObjective(model, interior_points(n_i), boundary_points(n_b), alpha=0.3,
                            X_eval=interior_points(9, "random", 5))


@pytest.mark.parametrize("model", [KAN([2, 3, 1], grid=4, seed=0, bias=True),
                                   KAN([2, 2, 2, 1], grid=3, k=4, seed=1),
                                   MLP([2, 6, 5, 1], activation="tanh", seed=0),
                                   MLP([2, 7, 1], activation="silu", seed=0)],
                         ids=["KAN[2,3,1]", "KAN[2,2,2,1]-k4", "MLP-tanh", "MLP-silu"])
def test_objective_gradient_matches_finite_differences(model):
    rng = np.random.default_rng(0)
    theta = model.get_flat() + 0.3 * rng.normal(size=model.n_params()["total"])
    obj = _objective(model)
    total, grad, metrics = obj(theta)
    assert total == pytest.approx(obj.alpha * metrics["loss_i"] + metrics["loss_b"])
    idx = rng.choice(theta.size, size=min(40, theta.size), replace=False)
    assert gradcheck(lambda t: obj(t)[0], grad, theta.copy(), indices=idx) < 1e-7
    # a minibatch of interior rows is the same loss on those rows
    rows = np.array([0, 3, 5, 9])
    part = PoissonObjective(model, obj.X_i[rows], obj.X_b, alpha=obj.alpha)(theta)
    np.testing.assert_allclose(obj(theta, rows)[0], part[0], rtol=1e-14)


def test_objective_interface():
    model = KAN([2, 3, 1], grid=4, seed=0)
    obj = _objective(model)
    assert obj.n_samples == 16
    assert set(obj.history_keys()) >= {"train_loss", "test_l2sq", "test_h1sq"}
    l2, h1 = errors(model, obj.X_eval)
    assert obj.test_metrics() == {"test_l2sq": l2, "test_h1sq": h1}
    assert np.isnan(PoissonObjective(model, obj.X_i, obj.X_b).test_metrics()["test_l2sq"])
    assert obj.failed_samples() == []
    history = optimize(model, obj, steps=3, opt="adam", lr=1e-2, batch_size=5, update_grid=False)
    assert history["test_l2sq"].shape == (3,) and np.all(np.isfinite(history["test_h1sq"]))
    with pytest.raises(ValueError, match="2 inputs and 1 output"):
        PoissonObjective(KAN([2, 2], grid=3), obj.X_i, obj.X_b)


def test_errors_against_the_exact_solution():
    model = MLP([2, 5, 1], activation="tanh", seed=0)
    X = interior_points(20, "random", 0)
    u, grad = exact_solution(X)
    h = 1e-5
    du = np.stack([(model.predict(X + e) - model.predict(X - e)) / (2 * h) for e in np.eye(2) * h], axis=-1)
    l2, h1 = errors(model, X)
    assert l2 == pytest.approx(np.mean((model.predict(X) - u) ** 2), rel=1e-12)
    assert h1 == pytest.approx(l2 + np.mean(np.sum((du - grad) ** 2, axis=-1)), rel=1e-7)


def test_solve_poisson_stages_and_grid_extension():
    model, histories = solve_poisson(KAN([2, 2, 1], grid=3, seed=0), steps=2, grids=(3, 6), n_i=25,
                                     n_b=8, n_eval=10)
    assert [h["grid"] for h in histories] == [3, 6] and model.G == 6
    assert [len(h["step"]) for h in histories] == [2, 2]
    mlp, histories = solve_poisson(MLP([2, 4, 1], seed=0), steps=2, grids=(3, 6), n_i=25, n_b=8, n_eval=10)
    assert [h["grid"] for h in histories] == [None] and len(histories[0]["step"]) == 4


# ------------------------------------------------------------- Figure 3.3, quick variant
QUICK = dict(n_i=2500, n_b=200, n_eval=500, sampling="mesh", seed=0)  # a 50 x 50 mesh
QUICK_STEPS = 200  # L-BFGS iterations in total for each model


@pytest.fixture(scope="module")
def quick_kan():
    grids = (5, 10)
    return solve_poisson(KAN([2, 5, 1], grid=5, seed=0), steps=QUICK_STEPS // len(grids), grids=grids, **QUICK)


@pytest.mark.slow
def test_quick_kan_solves_the_poisson_problem(quick_kan):
    _, histories = quick_kan
    l2 = histories[-1]["test_l2sq"]
    assert l2[-1] < 1e-4
    assert histories[-1]["test_h1sq"][-1] < 1e-2
    assert histories[0]["test_l2sq"][0] > 10 * l2[-1]  # it did learn


@pytest.mark.slow
def test_quick_kan_beats_the_mlp(quick_kan):
    # same grids argument, so the MLP gets the KAN's total number of iterations in one stage
    _, mlp_histories = solve_poisson(MLP([2, 20, 20, 1], activation="tanh", seed=0),
                                     steps=QUICK_STEPS // 2, grids=(5, 10), **QUICK)
    assert len(mlp_histories[0]["step"]) == QUICK_STEPS
    assert quick_kan[1][-1]["test_l2sq"][-1] < mlp_histories[0]["test_l2sq"][-1]


def test_benchmark_script_runs(capsys, tmp_path):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "pde_kan_vs_mlp.py"
    spec = importlib.util.spec_from_file_location("pde_kan_vs_mlp", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "result.json"
    results = bench.main(["--n-i", "16", "--n-b", "8", "--n-eval", "10", "--steps", "1", "--grids", "3,4",
                          "--mlp-width", "2,4,1", "--out", str(out)])
    assert results["kan"]["steps"] == 2 and results["mlp"]["steps"] == 2
    assert results["mlp_over_kan_l2sq"] > 0 and out.exists()
    assert "MLP L2^2 / KAN L2^2" in capsys.readouterr().out
