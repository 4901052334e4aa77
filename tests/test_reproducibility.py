"""Reproducibility: the same seed gives bit-identical models and runs; different seeds differ.

Every run below is a pure function of its arguments: the global NumPy and ``random`` generators are
deliberately set to different states between the two runs to show that nothing reads them.
"""
import random

import numpy as np
import pytest

from minikan import KAN, LAN, MLP
from minikan.interpret.symbolic import library


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 2))
    return X, np.exp(np.sin(np.pi * X[:, :1]) + X[:, 1:] ** 2)


def scramble_global_state(salt):
    """Put the global generators in a different state: results must not depend on them."""
    np.random.seed(salt)
    random.seed(salt)


def kan_arrays(model):
    out = []
    for layer, sym in zip(model.layers, model.symbolic):
        out += [layer.grid, layer.coef, layer.w_b, layer.w_s, layer.mask, sym.mask, sym.affine]
        out += [] if layer.bias is None else [layer.bias]
    return out


def model_arrays(model):
    if isinstance(model, KAN):
        return kan_arrays(model)
    out = list(model.weights) + list(model.biases)
    if isinstance(model, LAN):
        out += model.grids + model.coefs + model.w_b + model.w_s
    return out


def same_arrays(a, b):
    return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


def same_history(h1, h2):
    keys = set(h1) - {"seconds"}
    return set(h1) == set(h2) and all(
        np.array_equal(h1[k], h2[k], equal_nan=True) if isinstance(h1[k], np.ndarray) else h1[k] == h2[k]
        for k in keys)


def twice(run):
    """Run ``run()`` twice with different global RNG states in between; return both results."""
    scramble_global_state(1)
    first = run()
    scramble_global_state(2)
    return first, run()


# ---------------------------------------------------------------------------------- initialisation
@pytest.mark.parametrize("init", ["paper", "pykan-0.0", "pykan"])
def test_kan_initialisation_depends_only_on_the_seed(init):
    a, b = twice(lambda: KAN([3, 4, 2], grid=5, seed=7, init=init, bias=True))
    assert same_arrays(kan_arrays(a), kan_arrays(b))
    other = KAN([3, 4, 2], grid=5, seed=8, init=init, bias=True)
    assert not np.array_equal(a.get_flat(), other.get_flat())


def test_a_generator_seed_is_used_as_given():
    from_int = KAN([2, 3, 1], grid=4, seed=5)
    from_gen = KAN([2, 3, 1], grid=4, seed=np.random.default_rng(5))
    assert same_arrays(kan_arrays(from_int), kan_arrays(from_gen))
    # one generator shared by two models gives them different draws
    rng = np.random.default_rng(5)
    first, second = KAN([2, 3, 1], grid=4, seed=rng), KAN([2, 3, 1], grid=4, seed=rng)
    assert not np.array_equal(first.get_flat(), second.get_flat())


@pytest.mark.parametrize("make", [
    lambda s: MLP([2, 5, 1], activation="tanh", seed=s),
    lambda s: MLP([2, 5, 1], activation="sin", seed=s),
    lambda s: MLP([2, 5, 1], init="pytorch", seed=s),
    lambda s: LAN([2, 5, 1], grid=4, seed=s),
])
def test_baseline_initialisation_depends_only_on_the_seed(make):
    a, b = twice(lambda: make(3))
    assert same_arrays(model_arrays(a), model_arrays(b))
    assert not np.array_equal(a.get_flat(), make(4).get_flat())


# ---------------------------------------------------------------------------------- training
def test_lbfgs_with_grid_updates_is_bit_reproducible(data):
    X, y = data

    def run():
        model = KAN([2, 3, 1], grid=4, seed=1)
        history = model.fit(X, y, X, y, steps=12, lamb=1e-3, grid_update_num=3, stop_grid_update_step=9)
        return model, history

    (m1, h1), (m2, h2) = twice(run)
    assert h1["grid_updates"].tolist() == [0, 3, 6]
    assert same_history(h1, h2)
    assert same_arrays(kan_arrays(m1), kan_arrays(m2))


def test_adam_minibatches_follow_the_fit_seed(data):
    X, y = data

    def run(seed):
        model = KAN([2, 3, 1], grid=4, seed=1)
        return model, model.fit(X, y, opt="adam", steps=15, lr=0.01, batch_size=8, seed=seed,
                                grid_update_num=2, stop_grid_update_step=10)

    (m1, h1), (m2, h2) = twice(lambda: run(11))
    assert same_history(h1, h2) and same_arrays(kan_arrays(m1), kan_arrays(m2))
    _, h3 = run(12)  # other minibatches, other losses
    assert not np.array_equal(h1["train_loss"], h3["train_loss"])
    # a Generator as the fit seed is used as given
    _, h4 = run(np.random.default_rng(11))
    assert same_history(h1, h4)


def test_grid_extension_pruning_and_symbolic_fitting_are_bit_reproducible(data):
    X, y = data
    lib = library(["x", "x^2", "sin", "exp"])

    def run():
        model = KAN([2, 3, 1], grid=3, seed=2)
        h = [model.fit(X, y, steps=8, lamb=1e-2)]
        model = model.prune(X, threshold=1e-2)
        model = model.refine(6, X)
        h.append(model.fit(X, y, steps=5))
        fixed = model.auto_symbolic(X, lib=lib, r2_threshold=0.0)  # snap all: a formula to compare
        h.append(model.fit(X, y, steps=3, update_grid=False))
        return model, h, fixed, model.symbolic_formula()[0]

    (m1, h1, f1, e1), (m2, h2, f2, e2) = twice(run)
    assert m1.width == m2.width
    assert same_arrays(kan_arrays(m1), kan_arrays(m2))
    assert all(same_history(a, b) for a, b in zip(h1, h2))
    assert f1 == f2 and [str(e) for e in e1] == [str(e) for e in e2]


@pytest.mark.parametrize("make", [lambda: MLP([2, 6, 1], seed=0), lambda: LAN([2, 4, 1], grid=4, seed=0)])
def test_baseline_training_is_bit_reproducible(make, data):
    X, y = data

    def run():
        model = make()
        h = model.fit(X, y, steps=6)
        return model, h, model.fit(X, y, opt="adam", steps=6, batch_size=10, lr=0.01, seed=4)

    (m1, a1, b1), (m2, a2, b2) = twice(run)
    assert same_history(a1, a2) and same_history(b1, b2)
    assert same_arrays(model_arrays(m1), model_arrays(m2))


def test_copies_train_identically(data):
    """A copy is a full snapshot: training it reproduces the original's next steps."""
    X, y = data
    model = KAN([2, 2, 1], grid=3, seed=0)
    model.fit(X, y, steps=4)
    copy = model.copy()
    assert same_history(model.fit(X, y, steps=4), copy.fit(X, y, steps=4))
    assert same_arrays(kan_arrays(model), kan_arrays(copy))
