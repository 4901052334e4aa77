"""Pruning (Eq. 2.21): the smaller network equals the original with the removed nodes masked."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minikan import KAN
from minikan.interpret.prune import mask_nodes, node_scores


@settings(max_examples=30)
@given(st.lists(st.integers(1, 5), min_size=3, max_size=5), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_pruned_model_equals_masked_original_on_any_input(width, G, seed):
    rng = np.random.default_rng(seed)
    model = KAN(width, grid=G, seed=seed, bias=bool(seed % 2))
    for layer in model.layers:  # make some nodes weak so that pruning has something to do
        layer.w_b[...] *= rng.uniform(size=(layer.n_in, 1)) < 0.6
        layer.w_s[...] *= rng.uniform(size=(layer.n_in, 1)) < 0.6
    X = rng.uniform(-1, 1, size=(50, width[0]))
    before = model.get_flat().copy()
    threshold = float(np.median(np.concatenate([np.minimum(I, O) for I, O in node_scores(model, X)])))
    pruned = model.prune(X, threshold)
    assert np.array_equal(model.get_flat(), before)  # the original is untouched
    assert pruned.width[0] == width[0] and pruned.width[-1] == width[-1]
    assert all(1 <= a <= b for a, b in zip(pruned.width, model.width))
    removed = {}
    for l, (I, O) in enumerate(node_scores(model, X), start=1):
        keep = (I > threshold) & (O > threshold)
        if not keep.any():
            keep[np.argmax(np.minimum(I, O))] = True
        assert pruned.width[l] == keep.sum()
        removed[l] = np.flatnonzero(~keep)
    reference = mask_nodes(model, removed)
    Z = rng.uniform(-3, 3, size=(40, width[0]))  # any input, also outside the grids
    assert np.abs(pruned.predict(Z) - reference.predict(Z)).max() <= 1e-12


def test_prune_removes_a_dead_hidden_node():
    rng = np.random.default_rng(0)
    model = KAN([2, 3, 1], grid=5, seed=0)
    model.layers[1].w_b[1] = 0.0  # node (1, 1) has no outgoing signal
    model.layers[1].w_s[1] = 0.0
    X = rng.uniform(-1, 1, size=(100, 2))
    (I, O), = node_scores(model, X)
    assert O[1] == 0.0 and I[1] > 1e-2
    pruned = model.prune(X)
    assert pruned.width == [2, 2, 1]
    assert np.abs(pruned.predict(X) - model.predict(X)).max() <= 1e-12


def test_remove_edge_returns_a_copy():
    model = KAN([2, 2, 1], seed=0)
    cut = model.remove_edge(0, 1, 0)
    assert cut.layers[0].mask[1, 0] == 0.0 and model.layers[0].mask[1, 0] == 1.0
    with pytest.raises(ValueError, match="does not exist"):
        model.remove_edge(0, 2, 0)


def test_prune_edges_inputs_and_single_nodes_match_masked_models():
    rng = np.random.default_rng(7)
    model = KAN([3, 4, 2], grid=5, seed=3, bias=True)
    model.layers[0].w_b[2] = 0.0  # input 2 carries nothing
    model.layers[0].w_s[2] = 0.0
    X = rng.uniform(-1, 1, size=(80, 3))
    Z = rng.uniform(-2, 2, size=(30, 3))
    # edges: the result is the original with exactly the weak edges masked
    A0 = np.mean(np.abs(model.layers[0].edge_functions(X)), axis=0)
    threshold = float(np.median(A0))
    cut = model.prune_edges(X, threshold)
    assert np.array_equal(cut.layers[0].mask == 0, A0 < threshold)
    assert np.all(model.layers[0].mask == 1)  # original untouched
    # inputs: input 2 goes, and the smaller model on the kept columns equals the original
    small, kept = model.prune_inputs(X)
    assert kept.tolist() == [0, 1] and small.width == [2, 4, 2]
    assert np.abs(small.predict(Z[:, kept]) - model.predict(Z)).max() <= 1e-12
    # a single node: equals the original with that node's edges masked
    one = model.prune_node(1, 2)
    assert one.width == [3, 3, 2]
    assert np.abs(one.predict(Z) - mask_nodes(model, {1: [2]}).predict(Z)).max() <= 1e-12
    with pytest.raises(ValueError, match="hidden layers"):
        model.prune_node(2, 0)


def _attribution_by_hand(model, X):
    """pykan 0.2.8's attribution scores written out with loops (one output query at a time)."""
    xs = model.layer_inputs(X)
    L = len(model.layers)
    per_query = []
    for q in range(model.width[-1]):
        score = np.zeros(model.width[-1])
        score[q] = 1.0
        nodes = [score]
        for l in range(L - 1, -1, -1):
            phi = model.layers[l].edge_functions(xs[l])
            new = np.zeros(model.width[l])
            for i in range(model.width[l]):
                for j in range(model.width[l + 1]):
                    node_std = np.std(phi[:, :, j].sum(axis=1), ddof=1)
                    new[i] += np.std(phi[:, i, j], ddof=1) * score[j] / (node_std + 1e-4)
            score = new
            nodes.insert(0, score)
        per_query.append(nodes)
    return [np.mean([nodes[l] for nodes in per_query], axis=0) for l in range(L + 1)]


def test_attribution_scores_match_a_hand_computation():
    from minikan.interpret.prune import attribution_scores

    rng = np.random.default_rng(3)
    model = KAN([3, 4, 2], grid=5, seed=4)
    X = rng.uniform(-1, 1, size=(30, 3))
    nodes, edges = attribution_scores(model, X)
    hand = _attribution_by_hand(model, X)
    assert [n.shape for n in nodes] == [(3,), (4,), (2,)]
    assert [e.shape for e in edges] == [(3, 4), (4, 2)]
    for ours, ref in zip(nodes, hand):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(nodes[-1], [0.5, 0.5])  # each output scores 1 for its own query


@pytest.mark.parametrize("metric", ["pykan", "pykan-0.0"])
def test_prune_metrics_remove_a_dead_node_and_keep_live_ones(metric):
    rng = np.random.default_rng(8)
    model = KAN([2, 3, 1], grid=5, seed=5)
    model.layers[0].mask[:, 1] = 0.0  # hidden node 1 receives nothing
    X = rng.uniform(-1, 1, size=(50, 2))
    pruned = model.prune(X, threshold=1e-2, metric=metric)
    assert pruned.width == [2, 2, 1]
    reference = mask_nodes(model, {1: [1]})  # the dead node's constant output goes with it
    np.testing.assert_allclose(pruned.predict(X), reference.predict(X), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="metric"):
        model.prune(X, metric="l2")
