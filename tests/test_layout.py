"""Node order of the KAN diagram (Section 2.5.1): permutations keep the function, crossings go down."""
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minikan.interpret.attribution import edge_scores
from minikan.interpret.layout import auto_order, barycentre_order, crossings, order_nodes, permute_nodes, reorder, swap
from minikan.core.model import KAN


def _model(width=(3, 4, 5, 2), seed=0):
    model = KAN(list(width), grid=4, seed=seed, bias=True)
    rng = np.random.default_rng(seed)
    for layer in model.layers:  # distinct, non-trivial parameters everywhere
        layer.bias[:] = rng.normal(size=layer.bias.shape)
        layer.w_b[:] = rng.normal(size=layer.w_b.shape)
    model.fix_symbolic(1, 2, 3, "sin")
    model.symbolic[1].affine[2, 3] = [1.3, 0.2, -0.7, 0.1]
    model.layers[0].mask[1, 2] = 0.0
    return model


def _brute_crossings(w, p, q):
    """Every pair of drawn edges, tested one by one."""
    edges = list(zip(*np.nonzero(w)))
    total = 0.0
    for (i, j), (a, b) in itertools.combinations(edges, 2):
        if (p[i] - p[a]) * (q[j] - q[b]) < 0:
            total += w[i, j] * w[a, b]
    return total


@pytest.fixture
def X():
    return np.random.default_rng(1).uniform(-1, 1, size=(64, 3))


def test_permute_nodes_keeps_predictions_and_moves_every_array(X):
    model = _model()
    order = np.array([3, 0, 4, 1, 2])
    new = permute_nodes(model, 2, order)
    assert new is not model and new.width == model.width
    np.testing.assert_allclose(new.predict(X), model.predict(X), rtol=0, atol=1e-12)
    a, b = model.layers[1], new.layers[1]  # layer 1's outputs are the permuted nodes
    np.testing.assert_array_equal(b.coef, a.coef[:, order])
    np.testing.assert_array_equal(b.bias, a.bias[order])
    sa, sb = model.symbolic[1], new.symbolic[1]
    np.testing.assert_array_equal(sb.mask, sa.mask[:, order])
    np.testing.assert_array_equal(sb.affine, sa.affine[:, order])
    a, b = model.layers[2], new.layers[2]  # layer 2's inputs too, with their grids
    np.testing.assert_array_equal(b.grid, a.grid[order])
    np.testing.assert_array_equal(b.w_s, a.w_s[order])
    np.testing.assert_array_equal(new.layers[0].coef, model.layers[0].coef)  # the rest is untouched
    assert new.init == model.init
    back = permute_nodes(new, 2, np.argsort(order))
    for u, v in zip(back.layers, model.layers):
        for name in ("grid", "coef", "w_b", "w_s", "mask", "bias"):
            np.testing.assert_array_equal(getattr(u, name), getattr(v, name))
    for u, v in zip(back.symbolic, model.symbolic):
        np.testing.assert_array_equal(u.mask, v.mask)
        np.testing.assert_array_equal(u.affine, v.affine)


def test_swap_is_a_transposition_and_the_method_agrees(X):
    model = _model()
    once = model.swap(1, 0, 3)
    np.testing.assert_allclose(once.predict(X), model.predict(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(once.layers[0].coef, model.layers[0].coef[:, [3, 1, 2, 0]])
    np.testing.assert_array_equal(swap(once, 1, 3, 0).layers[1].coef, model.layers[1].coef)
    same = model.permute_nodes(1, [3, 1, 2, 0])
    np.testing.assert_array_equal(same.layers[1].coef, once.layers[1].coef)


@pytest.mark.parametrize("call, error", [
    (lambda m: permute_nodes(m, 0, [0, 1, 2]), ValueError),  # inputs are X's columns
    (lambda m: permute_nodes(m, 3, [0, 1]), ValueError),  # outputs are y's columns
    (lambda m: permute_nodes(m, 1, [0, 1, 2]), ValueError),
    (lambda m: permute_nodes(m, 1, [0, 1, 2, 2]), ValueError),
    (lambda m: permute_nodes(m, 1, [0.0, 1.0, 2.0, 3.0]), ValueError),
    (lambda m: permute_nodes(m, 1, "0123"), TypeError),
    (lambda m: permute_nodes(m, 1, 3), TypeError),
    (lambda m: permute_nodes(m, True, [0, 1, 2, 3]), TypeError),
    (lambda m: swap(m, 1, 0, 4), ValueError),
    (lambda m: swap(m, 1, -1, 0), ValueError),
    (lambda m: swap(m, 1, 0.0, 1), TypeError),
    (lambda m: crossings(m, [np.ones((3, 4))]), TypeError),
    (lambda m: crossings(m, [np.ones((3, 4)), np.ones((4, 5)), np.ones((2, 5))]), ValueError),
    (lambda m: crossings(m, [np.ones((3, 4)), -np.ones((4, 5)), np.ones((5, 2))]), ValueError),
    (lambda m: barycentre_order(m, sweeps=-1), ValueError),
    (lambda m: reorder(m, [np.arange(3), np.arange(4), np.arange(5), np.array([1, 0])]), ValueError),
    (lambda m: reorder(m, [np.array([2, 1, 0]), np.arange(4), np.arange(5), np.arange(2)]), ValueError),
    (lambda m: reorder(m, [np.arange(3), np.arange(4), np.zeros(5, int), np.arange(2)]), ValueError),
    (lambda m: reorder(m, np.arange(3)), TypeError),
    (lambda m: auto_order(m, np.zeros((4, 2))), ValueError),
])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call(_model())


@given(st.integers(0, 10_000))
def test_crossings_match_a_pair_by_pair_count(seed):
    rng = np.random.default_rng(seed)
    width = [int(n) for n in rng.integers(1, 6, size=rng.integers(2, 5))]
    model = KAN(width, grid=3, seed=0)
    weights = [rng.uniform(size=(a, b)) * (rng.uniform(size=(a, b)) < 0.7) for a, b in zip(width[:-1], width[1:])]
    got = crossings(model, weights)
    for l, w in enumerate(weights):
        assert got[l] == pytest.approx(_brute_crossings(w, np.arange(w.shape[0]), np.arange(w.shape[1])), rel=1e-12)
    # without weights: the drawn edges count 1 each
    model.layers[0].mask[0, :] = 0.0
    live = [np.ones((a, b)) for a, b in zip(width[:-1], width[1:])]
    live[0][0, :] = 0.0
    np.testing.assert_array_equal(crossings(model), crossings(model, live))
    # reordering never increases the weighted count, and keeps inputs and outputs in place
    orders = barycentre_order(model, weights)
    np.testing.assert_array_equal(orders[0], np.arange(width[0]))
    np.testing.assert_array_equal(orders[-1], np.arange(width[-1]))
    moved = [w[np.ix_(orders[l], orders[l + 1])] for l, w in enumerate(weights)]
    assert crossings(model, moved).sum() <= got.sum() + 1e-12


def _crossed(seed=0):
    """[3, 4, 3]: x_i -> h_{pi(i)} -> y_i, with the hidden row scrambled; other edges masked."""
    model = KAN([3, 4, 3], grid=3, seed=seed)
    pi = [2, 0, 3]  # hidden node 1 is unused
    for layer in model.layers:
        layer.mask[:] = 0.0
    for i, h in enumerate(pi):
        model.layers[0].mask[i, h] = 1.0
        model.layers[1].mask[h, i] = 1.0
    return model, pi


def test_auto_order_uncrosses_an_obviously_crossed_model(X):
    model, pi = _crossed()
    before = crossings(model)
    np.testing.assert_array_equal(before, [1, 1])  # by hand: x0->h2 crosses x1->h0, h2->y0 crosses h0->y1
    assert before.sum() == sum(_brute_crossings(l.mask, np.arange(l.n_in), np.arange(l.n_out)) for l in model.layers)
    ordered = order_nodes(model, X)
    assert crossings(ordered).sum() == 0
    np.testing.assert_allclose(ordered.predict(X), model.predict(X), rtol=0, atol=1e-12)
    # the method and plot(order="auto") draw the same model
    fig = model.plot(X, order="auto")
    np.testing.assert_array_equal(fig.kan_order[1], barycentre_order(model, edge_scores(model, X))[1])
    np.testing.assert_array_equal(ordered.layers[0].mask, model.layers[0].mask[:, fig.kan_order[1]])
    first = sorted(key for key in fig.kan_edges if key[0] == 0)
    hidden = [j for _, _, j in first]
    assert [i for _, i, _ in first] == [0, 1, 2] and hidden == sorted(hidden)  # straight paths up
    assert sorted(key for key in fig.kan_edges if key[0] == 1) == [(1, h, i) for i, h in enumerate(hidden)]


def test_auto_order_weighs_by_attribution(X):
    """All 24 edges drawn, the crossed ones strong: the weighted count falls, the strong paths line up."""
    model, pi = _crossed()
    for layer in model.layers:
        strong = layer.mask.copy()
        layer.mask[:] = 1.0
        layer.w_b[:] = np.where(strong > 0, 1.0, 1e-3)
        layer.w_s[:] = np.where(strong > 0, 1.0, 1e-3)
    weights = edge_scores(model, X)
    before = crossings(model, weights).sum()
    ordered = model.order_nodes(X)
    after = crossings(ordered, edge_scores(ordered, X)).sum()
    assert after < 0.01 * before, (before, after)
    np.testing.assert_allclose(ordered.predict(X), model.predict(X), rtol=0, atol=1e-12)
    # the three strong paths now run straight up: x_i -> h_i' -> y_i with i' increasing in i
    strong_hidden = [int(np.argmax(ordered.layers[0].w_s[i])) for i in range(3)]
    assert strong_hidden == sorted(strong_hidden)


def test_order_nodes_on_a_trained_model_predicts_the_same():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    y = np.sin(np.pi * X[:, :1]) + X[:, 1:] ** 2
    model = KAN([2, 5, 1], grid=5, seed=0)
    model.fit(X, y, steps=30)
    ordered = model.order_nodes(X)
    np.testing.assert_allclose(ordered.predict(X), model.predict(X), rtol=0, atol=1e-12)
    w = edge_scores(model, X)
    assert crossings(ordered, edge_scores(ordered, X)).sum() <= crossings(model, w).sum() + 1e-12
