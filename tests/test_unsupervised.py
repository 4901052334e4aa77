"""Unsupervised mode (Section 4.2, Figure 4.2): negative samples, the Gaussian head, groups."""
import numpy as np
import pytest

from minikan import KAN
from minikan.datasets import make_unsupervised_toy
from minikan.applications.unsupervised import (Discovery, contrastive_data, dependent_groups, discover,
                                  edge_scores, negative_samples, train_unsupervised,
                                  unsupervised_kan)

GROUP_123, GROUP_45 = (0, 1, 2), (3, 4)  # x1, x2, x3 and x4, x5 as 0-based indices


def _real_rows(n=50, d=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


# ---------------------------------------------------------------------------------- negatives
def test_negative_samples_keep_every_column_multiset():
    X = _real_rows()
    fake = negative_samples(X, seed=1)
    assert fake.shape == X.shape
    assert np.array_equal(np.sort(fake, axis=0), np.sort(X, axis=0))
    assert not np.array_equal(fake, X)


def test_negative_samples_permute_columns_independently():
    X = _real_rows(n=200, d=3)
    fake = negative_samples(X, seed=2)
    order = [np.argsort(np.argsort(fake[:, i])) for i in range(3)]  # ranks within each column
    assert not np.array_equal(order[0], order[1]) and not np.array_equal(order[1], order[2])
    # the rows are scrambled: row r of fake is (almost never) a real row
    real = {tuple(row) for row in X}
    assert sum(tuple(row) in real for row in fake) < 5


def test_negative_samples_are_reproducible_from_the_seed():
    X = _real_rows()
    assert np.array_equal(negative_samples(X, seed=7), negative_samples(X, seed=7))
    assert not np.array_equal(negative_samples(X, seed=7), negative_samples(X, seed=8))
    a = negative_samples(X, np.random.default_rng(7))
    assert np.array_equal(a, negative_samples(X, seed=7))


def test_negative_samples_leave_the_input_unchanged():
    X = _real_rows()
    copy = X.copy()
    negative_samples(X, seed=0)
    assert np.array_equal(X, copy)


@pytest.mark.parametrize("X, seed, error, match", [
    (np.zeros(5), 0, ValueError, "2-D"),
    (np.zeros((1, 3)), 0, ValueError, "at least 2 rows"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), 0, ValueError, "NaN"),
    (np.array([["a", "b"], ["c", "d"]]), 0, TypeError, "real numbers"),
    (np.zeros((4, 2)), -1, ValueError, "non-negative"),
    (np.zeros((4, 2)), 1.5, TypeError, "seed"),
    (np.zeros((4, 2)), None, TypeError, "seed"),
])
def test_negative_samples_reject_bad_input(X, seed, error, match):
    with pytest.raises(error, match=match):
        negative_samples(X, seed)


def test_contrastive_data_stacks_real_then_fake():
    X = _real_rows(n=30, d=3)
    inputs, labels = contrastive_data(X, seed=4)
    assert inputs.shape == (60, 3) and labels.shape == (60, 1)
    assert np.array_equal(inputs[:30], X)
    assert np.array_equal(inputs[30:], negative_samples(X, seed=4))
    assert np.array_equal(labels[:, 0], np.r_[np.ones(30), np.zeros(30)])


# ---------------------------------------------------------------------------------- the model
def test_unsupervised_kan_has_a_frozen_gaussian_head():
    model = unsupervised_kan(6, seed=0)
    assert model.width == [6, 1, 1]
    head, sym = model.layers[1], model.symbolic[1]
    assert sym.funs[0, 0].name == "gaussian"
    assert sym.mask[0, 0] == 1.0 and head.mask[0, 0] == 0.0  # symbolic only
    assert np.array_equal(sym.affine[0, 0], [1.0, 0.0, 1.0, 0.0])  # not fitted
    assert model.n_params()["affine"] == 0  # and not trained
    X = np.random.default_rng(0).uniform(-1, 1, size=(20, 6))
    f = model.layers[0].forward(X, with_cache=False)[0]
    assert np.allclose(model.predict(X), np.exp(-f ** 2))  # g = sigma(f), sigma(z) = exp(-z^2)


def test_train_gaussian_makes_the_affine_trainable_like_pykan():
    model = unsupervised_kan(6, seed=0, train_gaussian=True)
    assert model.n_params()["affine"] == 4
    frozen = unsupervised_kan(6, seed=0, trainable={"affine": True, "w_s": False})
    assert frozen.n_params()["affine"] == 0 and frozen.n_params()["w_s"] == 0
    with pytest.raises(TypeError, match="train_gaussian"):
        unsupervised_kan(6, train_gaussian="yes")
    with pytest.raises(ValueError, match="n_var"):
        unsupervised_kan(0)


def test_training_keeps_the_gaussian_fixed():
    ds = make_unsupervised_toy(n_train=60, n_test=10, seed=0)
    model = unsupervised_kan(6, seed=0)
    h = train_unsupervised(model, ds.train_input, ds.train_label, steps=20)
    assert np.array_equal(model.symbolic[1].affine[0, 0], [1.0, 0.0, 1.0, 0.0])
    assert len(h["grid_updates"]) == 10 and h["reg"][-1] > 0  # grid updates and sparsity on


# ---------------------------------------------------------------------------------- reading groups
def test_dependent_groups_reads_the_active_first_layer_edges():
    model = KAN([5, 1, 1], grid=3, seed=0)
    X = np.random.default_rng(1).uniform(-1, 1, size=(100, 5))
    model.layers[0].mask[[1, 4], 0] = 0.0  # two dead edges
    model.layers[0].coef[3] *= 0.0  # edge 3: base branch only, made small
    model.layers[0].w_b[3] = 1e-3
    assert dependent_groups(model, X) == [(0, 2)]
    scores = edge_scores(model, X)
    assert scores.shape == (5, 1) and scores[1, 0] == 0.0 and scores[4, 0] == 0.0
    assert dependent_groups(model, X, threshold=0.0) == [(0, 2, 3)]


def test_dependent_groups_reject_bad_input():
    model = KAN([3, 1, 1], grid=3, seed=0)
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        dependent_groups(model, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="threshold"):
        dependent_groups(model, np.zeros((4, 3)), threshold=1.5)
    with pytest.raises(TypeError, match="KAN"):
        edge_scores("model", np.zeros((4, 3)))


def test_discover_runs_the_whole_pipeline():
    X = make_unsupervised_toy(n_train=40, n_test=1, seed=0).train_input[:40]  # real rows
    out = discover(X, seed=0, data_seed=0, steps=5)
    assert isinstance(out, Discovery)
    assert out.scores.shape == (6, 1) and len(out.groups) == 1
    assert out.model.width == [6, 1, 1] and len(out.history["step"]) <= 5


# ---------------------------------------------------------------------------------- Figure 4.2
def _toy_run(seed, steps, n_train=500):
    """One run of the paper's recipe; ``seed`` draws the data, the permutation and the KAN."""
    ds = make_unsupervised_toy(n_train=n_train, n_test=1, seed=seed)
    model = unsupervised_kan(6, seed=seed)
    train_unsupervised(model, ds.train_input, ds.train_label, steps=steps)
    return dependent_groups(model, ds.train_input)[0]


def test_seed_0_finds_x1_x2_x3_quick():
    # the paper's seed 0 shows the group (x1, x2, x3); here too, already after 150 iterations
    assert _toy_run(0, steps=150) == GROUP_123


@pytest.mark.slow
def test_seeds_0_to_9_find_both_groups():
    # 400 iterations give the same group as the full 1000 for every seed 0..9 (docs), in 40% of
    # the time; seeds 0-3 find (x1, x2, x3), seed 6 finds (x4, x5), the others a single edge
    found = [_toy_run(seed, steps=400) for seed in range(10)]
    assert GROUP_123 in found and GROUP_45 in found
