"""Model-level attribution (pykan 0.2.8's scores): node and edge scores, input importance."""
import random

import numpy as np
import pytest

from minikan.interpret.attribution import attribute, edge_scores, feature_score
from minikan.core.model import KAN
from minikan.interpret.prune import attribution_scores, edge_l1


def _model(seed=0):
    model = KAN([3, 4, 2], grid=5, seed=seed, bias=True)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        layer.w_b[:] = rng.normal(size=layer.w_b.shape)
        layer.bias[:] = rng.normal(size=layer.bias.shape)
    return model


@pytest.fixture
def X():
    return np.random.default_rng(1).uniform(-1, 1, size=(100, 3))


def test_attribute_and_feature_score_are_the_pruning_scores(X):
    model = _model()
    nodes, edges = model.attribute(X)
    ref_nodes, ref_edges = attribution_scores(model, X)
    assert [n.shape for n in nodes] == [(3,), (4,), (2,)]
    assert [e.shape for e in edges] == [(3, 4), (4, 2)]
    for a, b in zip(nodes + edges, ref_nodes + ref_edges):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.feature_score(X), nodes[0])
    X32 = X.astype(np.float32)  # accepted and cast to float64
    np.testing.assert_array_equal(feature_score(model, X32), feature_score(model, X32.astype(np.float64)))
    np.testing.assert_array_equal(nodes[-1], [0.5, 0.5])  # every output scores 1 / n_L
    # a node's score is the sum of its outgoing edges' scores
    np.testing.assert_allclose(nodes[1], edges[1].sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(nodes[0], edges[0].sum(axis=1), rtol=1e-14)


@pytest.mark.parametrize("metric", ["paper", "pykan-0.0"])
def test_edge_scores_by_metric(X, metric):
    model = _model()
    for a, b in zip(edge_scores(model, X, metric), edge_l1(model, X, metric)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(edge_scores(model, X), attribute(model, X)[1]):
        np.testing.assert_array_equal(a, b)


def test_attribution_ignores_a_constant_that_eq_2_17_counts(X):
    """The reason the diagram uses it: an offset moves |phi|_1 (Eq. 2.17) but carries nothing."""
    model = _model()
    model.fix_symbolic(0, 1, 2, "sin")
    model.symbolic[0].affine[1, 2] = [2.0, 0.1, 0.5, 0.0]
    shifted = model.copy()
    shifted.symbolic[0].affine[1, 2, 3] = 3.0  # phi + 3 on that edge; layer 1 sees a shifted input
    shifted.layers[0].bias[2] -= 3.0  # ... which the node's bias takes back: same network function
    np.testing.assert_allclose(shifted.predict(X), model.predict(X), rtol=0, atol=1e-12)
    a, b = attribute(model, X), attribute(shifted, X)
    for u, v in zip(a[0] + a[1], b[0] + b[1]):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-15)
    l1, l1_shifted = edge_l1(model, X)[0][1, 2], edge_l1(shifted, X)[0][1, 2]
    assert l1_shifted > l1 + 2.0  # mean |phi + 3| >= 3 - mean |phi|, and |phi| <= 0.5 here


def test_feature_score_finds_the_unused_input():
    """Trained with the sparsity penalty, seeds 0-2: the unused input scores an order of magnitude
    below the used ones (measured: at most 0.055 of the smaller used score)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 3))
    y = np.sin(np.pi * X[:, :1]) + X[:, 2:] ** 2  # x_1 (index 1) is not used
    for seed in (0, 1, 2):
        model = KAN([3, 3, 1], grid=5, seed=seed)
        model.fit(X, y, steps=60, lamb=1e-2, update_grid=True)
        score = model.feature_score(X)
        assert score.shape == (3,)
        assert score[1] < 0.1 * min(score[0], score[2]), (seed, score)


@pytest.mark.parametrize("call, error", [
    (lambda m, X: attribute(m, X[:, :2]), ValueError),
    (lambda m, X: attribute(m, X[0]), ValueError),
    (lambda m, X: attribute(object(), X), TypeError),
    (lambda m, X: feature_score(m, "X"), TypeError),
    (lambda m, X: edge_scores(m, X, "l1"), ValueError),
    (lambda m, X: edge_scores(object(), X, "paper"), TypeError),
])
def test_bad_arguments_raise(call, error, X):
    with pytest.raises(error):
        call(_model(), X)


def test_matches_pykan_attribute(tmp_path, monkeypatch, X):
    """The same parameters in pykan 0.2.8: its attribute() and feature_score give the same numbers."""
    torch = pytest.importorskip("torch")
    kan = pytest.importorskip("kan")
    from minikan.tools.interop import to_pykan

    monkeypatch.chdir(tmp_path)  # pykan may write checkpoints in the working directory
    dtype, states = torch.get_default_dtype(), (torch.get_rng_state(), np.random.get_state(), random.getstate())
    torch.set_default_dtype(torch.float64)
    try:
        model = _model(3)
        model.fix_symbolic(1, 2, 0, "tanh")
        state, config = to_pykan(model)
        funs = config.pop("symbolic_funs")
        pk = kan.MultKAN(**config, auto_save=False)
        for l, names in enumerate(funs):
            for j, row in enumerate(names):
                for i, name in enumerate(row):
                    if name != "0":
                        pk.symbolic_fun[l].fix_symbolic(i, j, name, verbose=False)
        pk.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        with torch.no_grad():
            pk(torch.tensor(X))
            pk.attribute()
        nodes, edges = attribute(model, X)
        np.testing.assert_allclose(feature_score(model, X), pk.feature_score.detach().numpy(), rtol=1e-10)
        for l in range(2):
            np.testing.assert_allclose(edges[l], pk.edge_scores[l].detach().numpy().T, rtol=1e-10, atol=1e-14)
        for l in range(3):
            np.testing.assert_allclose(nodes[l], pk.node_scores[l].detach().numpy(), rtol=1e-10, atol=1e-14)
    finally:
        torch.set_default_dtype(dtype)
        torch.set_rng_state(states[0])
        np.random.set_state(states[1])
        random.setstate(states[2])
