"""The one-call symbolic workflow (minikan.interpret.simplify), the simplest-fit rule and edge pruning."""
import warnings

import numpy as np
import pytest
import sympy

from minikan import KAN
from minikan.interpret.simplify import Simplified, simplify, snap
from minikan.interpret.symbolic import simplest, suggest


def _row(name, r2, complexity):
    return (name, np.zeros(4), r2, complexity, 0.0)


# ------------------------------------------------------------------ the rule
def test_simplest_prefers_the_polynomial_among_near_equal_fits():
    # cosh fits a few times better than x^2 (it has a quartic term to spare): still x^2
    ranking = [_row("cosh", 1 - 1e-7, 3), _row("cos", 1 - 2e-7, 2), _row("x^2", 1 - 3e-7, 2)]
    assert simplest(ranking)[0] == "x^2"
    # among equal complexities and no polynomial, the ranking's order
    assert simplest([_row("sin", 1 - 3e-7, 2), _row("cos", 1 - 2e-7, 2)])[0] == "sin"


def test_simplest_keeps_a_function_that_is_orders_of_magnitude_better():
    ranking = [_row("sin", 1 - 1e-8, 2), _row("x^3", 1 - 1e-4, 3), _row("x", 1 - 1e-3, 1)]
    assert simplest(ranking)[0] == "sin"
    assert simplest(ranking, near=1e6)[0] == "x"  # a looser rule takes the line


def test_simplest_treats_fits_below_the_floor_as_exact():
    ranking = [_row("tanh", 1 - 1e-14, 3), _row("x", 1 - 1e-11, 1)]
    assert simplest(ranking)[0] == "x"
    assert simplest(ranking, floor=0.0)[0] == "tanh"
    assert simplest([]) is None
    with pytest.raises(ValueError, match="near"):
        simplest(ranking, near=0.5)


@pytest.mark.parametrize("true, f", [
    ("x^2", lambda x: 0.7 * (x + 0.2) ** 2 - 0.1),
    ("x", lambda x: 0.3 * x + 0.05),
    ("sin", lambda x: np.sin(np.pi * x)),
    ("exp", lambda x: np.exp(1.3 * x)),
])
def test_suggest_then_simplest_recovers_the_function_from_an_edge_with_spline_error(true, f):
    """Samples of the true function plus a smooth error of relative size 1e-4 (what a trained
    spline leaves): the look-alikes with a parameter to spare fit within a small factor, the rule
    returns the true function."""
    x = np.linspace(-1, 1, 400)
    y = f(x)
    y = y + 1e-4 * np.std(y) * np.cos(9.0 * x + 0.3)
    ranking = suggest(x, y, topk=40, normalize=True)
    assert simplest(ranking)[0].replace("cos", "sin") == true  # sin(z) = cos(z - pi/2)


# ------------------------------------------------------------------ edge pruning
def _sum_with_dead_input(seed, n=600):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 3))
    return X, (np.sin(2 * X[:, 0]) + X[:, 1] ** 2)[:, None]


def test_pruning_with_an_edge_threshold_removes_the_dead_inputs_edges():
    # model seeds 0-4 (the first five), one data set; on every one the dead input x_3 keeps its
    # edges under node pruning alone and loses them all with the edge threshold
    X, y = _sum_with_dead_input(0)
    for seed in range(5):
        model = KAN([3, 3, 1], grid=5, seed=seed, init="pykan")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y, steps=200, lamb=0.01, lamb_entropy=10.0, reg_metric="pykan")
        nodes_only = model.prune(X, 1e-2, metric="pykan")
        both = model.prune(X, 1e-2, metric="pykan", edge_threshold=3e-2)
        assert nodes_only.layers[0].mask[2].any(), seed  # node pruning alone keeps them
        assert not both.layers[0].mask[2].any() and not both.symbolic[0].mask[2].any(), seed
        # edges below the threshold go, and hidden nodes left without edges with them; never more nodes
        assert both.width[0] == 3 and both.width[1] <= nodes_only.width[1], seed
        assert model.attribute(X)[1][0][2].max() < 3e-2, seed


# ------------------------------------------------------------------ the workflow
QUICK = dict(sparsify_steps=300, restarts=1, steps=200, retrain_steps=20, polish_steps=100)


@pytest.mark.slow
def test_simplify_finds_a_sum_and_drops_the_dead_input():
    """Rule: model seed 0, data seed 0, the quick options above; nothing chosen by outcome."""
    X, y = _sum_with_dead_input(0)
    Xt, yt = _sum_with_dead_input(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = simplify(KAN([3, 5, 1], grid=5, seed=0, init="pykan"), X, y, **QUICK)
    assert isinstance(res, Simplified)
    assert res.widths["pruned"] == [3, 1, 1] and not res.refused
    assert sorted(name.replace("cos", "sin") for name, _ in res.edges.values()) == ["sin", "x", "x^2"]
    assert all(r2 >= 0.999 for _, r2 in res.edges.values())
    assert np.sqrt(np.mean((res.model.predict(Xt) - yt) ** 2)) <= 1e-8
    (expr,) = res.formula
    assert expr.free_symbols == set(sympy.symbols("x_1 x_2"))
    np.testing.assert_allclose(res.func(Xt), res.model.predict(Xt), rtol=1e-10, atol=1e-10)
    assert list(res.train_rmse) == ["sparsified", "pruned", "refined", "symbolic"]


def test_simplify_folds_the_scale_back_and_leaves_the_model_alone():
    X, y = _sum_with_dead_input(0, n=300)
    y = 50.0 * y + 7.0
    model = KAN([3, 2, 1], grid=5, seed=0, init="pykan")
    before = model.get_flat().copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = simplify(model, X, y, sparsify_steps=50, restarts=0, steps=50, retrain_steps=5,
                       polish_steps=20, r2_threshold=1.0)  # nothing is snapped: splines kept
    assert np.array_equal(model.get_flat(), before)
    assert res.formula is None and res.refused and not res.edges
    rmse = np.sqrt(np.mean((res.model.predict(X) - y) ** 2))
    assert rmse == pytest.approx(res.train_rmse["symbolic"], rel=1e-9)
    assert rmse < 0.2 * np.std(y)  # on the scale of y, not of the standardised target


def test_simplify_refuses_what_it_cannot_handle():
    X, y = _sum_with_dead_input(0, n=50)
    with pytest.raises(ValueError, match="constant"):
        simplify(KAN([3, 2, 1]), X, np.ones((50, 1)))
    with pytest.raises(ValueError, match="output row"):
        simplify(KAN([3, 2, [0, 1]]), X, y)
    with pytest.raises(ValueError, match="y"):
        simplify(KAN([3, 2, 1]), X, y[:, 0])


def test_auto_symbolic_refuses_poor_fits_and_says_so():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (400, 1))
    model = KAN([1, 1], grid=20, seed=0)
    model.layers[0].coef[:] = rng.normal(size=model.layers[0].coef.shape)  # a wiggle no function fits
    with pytest.warns(UserWarning, match=r"\(0, 0, 0\)"):
        fixed = model.auto_symbolic(X)
    assert fixed == {} and model.layers[0].mask[0, 0] == 1 and model.symbolic[0].mask[0, 0] == 0
    fixed = model.auto_symbolic(X, r2_threshold=0.0)  # pykan's behaviour: snap regardless
    assert list(fixed) == [(0, 0, 0)]


def test_snap_fixes_every_edge_to_its_function():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (300, 2))
    y = (np.sin(np.pi * X[:, 0]) + X[:, 1] ** 2)[:, None]
    model = KAN([2, 1], grid=10, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, steps=200)
        snapped, refused = snap(model, X, y, retrain_steps=10)
    names = {e: n.replace("cos", "sin") for e, (n, _) in snapped.items()}  # sin(z) = cos(z - pi/2)
    assert not refused and names == {(0, 0, 0): "sin", (0, 1, 0): "x^2"}
    assert all(r2 >= 0.999 for _, r2 in snapped.values())


@pytest.mark.parametrize("option, value", [("restarts", -1), ("near_fit", 0.5), ("r2_threshold", 1.5),
                                           ("edge_threshold", float("nan")), ("n_digits", 2.5),
                                           ("polish_steps", "10"), ("lamb", -0.1)])
def test_simplify_checks_its_options_before_training(option, value):
    X, y = _sum_with_dead_input(0, n=50)
    model = KAN([3, 2, 1])
    before = model.get_flat().copy()
    with pytest.raises((ValueError, TypeError), match=option):
        simplify(model, X, y, **{option: value})
    assert np.array_equal(model.get_flat(), before)
