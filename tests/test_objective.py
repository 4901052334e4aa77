"""The training objective lives outside the models and works through the interface they declare."""
import ast
import pathlib

import numpy as np
import pytest

import minikan
from minikan import KAN, MLP, LAN, numerical_gradient
from minikan.core._flat import FlatParameters
from minikan.core.objective import evaluate, loss_and_grad
from minikan.core.regularize import Sparsity
from minikan.core.train import fit
from minikan.interpret.symbolic_edges import SymbolicEdges


class Affine(FlatParameters):
    """The smallest model of the interface: ``y = X W + b``, no grids, no edges."""

    GROUPS = ("W", "b")

    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W, self.b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
        self.width = [n_in, n_out]

    def param_groups(self):
        return [(0, "W", self.W), (0, "b", self.b)]

    def forward(self, X, safe=False, *, checked=False):
        X = np.asarray(X, dtype=np.float64)
        return X @ self.W + self.b, [{"X": X}]

    def backward(self, dy, caches, extra=None):
        assert extra is None
        return dy @ self.W.T, [{"W": caches[0]["X"].T @ dy, "b": dy.sum(axis=0)}]

    def predict(self, X):
        return self.forward(X)[0]


def test_a_model_of_the_interface_only_is_trained_by_the_same_objective():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = Affine(3, 1)
    theta = model.get_flat()
    _, grad = loss_and_grad(model, theta, X, y)
    num = numerical_gradient(lambda t: loss_and_grad(model, t, X, y)[0], theta, eps=1e-6)
    assert np.abs(grad - num).max() <= 1e-8 * max(1.0, np.abs(num).max())
    h = fit(model, X, y, steps=50, tol=0.0)
    assert h["train_rmse"][-1] < 1e-6  # a linear target: L-BFGS solves it
    with pytest.raises(ValueError, match="no sparsity penalty"):
        fit(model, X, y, steps=1, lamb=0.1)
    with pytest.raises(TypeError, match="restarts"):
        fit(model, X, y, steps=1, restarts=1)


@pytest.mark.parametrize("make", [lambda: MLP([2, 4, 1], seed=0), lambda: LAN([2, 3, 1], grid=4, seed=0)])
def test_models_without_edges_refuse_the_penalty(make):
    X = np.random.default_rng(1).uniform(-1, 1, (10, 2))
    model = make()
    with pytest.raises(ValueError, match="lamb=0"):
        evaluate(model, model.get_flat(), X, X[:, :1], Sparsity(lamb=0.1))


def test_evaluate_returns_the_parts_it_adds():
    rng = np.random.default_rng(2)
    X, y = rng.uniform(-1, 1, (30, 2)), rng.normal(size=(30, 1))
    model = KAN([2, 3, 1], grid=4, seed=0)
    sparsity = Sparsity(0.05, 1.0, 2.0)
    out = evaluate(model, model.get_flat(), X, y, sparsity)
    assert np.array_equal(out.pred, model.predict(X))
    assert out.data_loss == np.mean((out.pred - y) ** 2)
    assert out.reg == pytest.approx(model.regularization(X, lamb_l1=1.0, lamb_entropy=2.0), rel=1e-14)
    assert out.total == pytest.approx(out.data_loss + 0.05 * out.reg, rel=1e-14)


def test_the_safe_mode_is_an_argument_of_the_forward_pass():
    X = np.linspace(-1, 1, 41)[:, None]  # contains x = 0, the pole of 1/x
    model = KAN([1, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "1/x")
    with np.errstate(divide="ignore"):
        exact = model.forward(X)[0]
    safe = model.forward(X, safe=True)[0]
    assert not np.all(np.isfinite(exact)) and np.all(np.isfinite(safe))
    assert np.abs(safe).max() <= 1e3 + 1.0  # the pole is capped at Y_TH = 1e3 (plus the spline's share)
    with np.errstate(divide="ignore"):
        assert np.array_equal(model.predict(X), exact)  # predict is exact: no state was left behind


def test_symbolic_edges_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    sym = SymbolicEdges(3, 2)
    for (i, j), name in {(0, 0): "sin", (1, 1): "exp", (2, 0): "x^2", (2, 1): "tanh"}.items():
        sym.mask[i, j], sym.funs[i, j] = 1.0, name
    sym.affine[...] = rng.uniform(-1, 1, sym.affine.shape)
    x, dy = rng.uniform(-1, 1, (7, 3)), rng.normal(size=(7, 2))
    dx, grads = sym.backward(dy, sym.forward(x)[1])

    def value(affine, x):
        other = SymbolicEdges(3, 2, sym.mask, affine, sym.funs)
        return float(np.sum(other.forward(x)[0] * dy))

    num_affine = numerical_gradient(lambda a: value(a.reshape(3, 2, 4), x), sym.affine.ravel(), eps=1e-6)
    num_x = numerical_gradient(lambda v: value(sym.affine, v.reshape(7, 3)), x.ravel(), eps=1e-6)
    assert np.abs(grads["affine"].ravel() - num_affine).max() <= 1e-8
    assert np.abs(dx.ravel() - num_x).max() <= 1e-8


def test_the_trainer_and_the_objective_do_not_probe_models():
    # the interface is declared (has_grid, has_edges, can_reinitialize), not guessed
    root = pathlib.Path(minikan.__file__).parent / "core"
    for name in ("train.py", "objective.py"):
        calls = [node.func.id for node in ast.walk(ast.parse((root / name).read_text()))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
        assert "hasattr" not in calls and "getattr" not in calls, name


def test_layer_py_holds_no_symbolic_branch():
    tree = ast.parse((pathlib.Path(minikan.__file__).parent / "core" / "layer.py").read_text())
    names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not names & {"sym_mask", "affine", "sym_funs", "safe_symbolic", "get_function"}
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any("interpret" in (m or "") for m in imported)
