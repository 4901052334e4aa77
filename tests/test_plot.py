"""The KAN diagram (Section 2.5.1, "Visualization"): what is drawn, how transparent, in which colour."""
import numpy as np
import pytest
import sympy
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from minikan.core.model import KAN
from minikan.interpret.plot import BOTH, NUMERIC, SYMBOLIC, edge_activations, plot_model
from minikan.interpret.prune import attribution_scores, edge_l1, node_scores, subnetwork


@pytest.fixture
def model():
    return KAN([2, 3, 1], grid=3, k=3, seed=0)


@pytest.fixture
def X():
    return np.random.default_rng(1).uniform(-1, 1, size=(40, 2))


def test_edge_activations_shapes_and_l1(model, X):
    acts = edge_activations(model, X)
    assert [a["phi"].shape for a in acts] == [(40, 2, 3), (40, 3, 1)]
    xs = model.layer_inputs(X)
    for layer, x, a in zip(model.layers, xs, acts):
        np.testing.assert_array_equal(a["x"], x)
        np.testing.assert_allclose(a["phi"], layer.edge_functions(x))
        np.testing.assert_allclose(a["l1"], np.abs(a["phi"]).mean(axis=0))  # Eq. 2.17
        for i in range(layer.n_in):
            assert np.all(np.diff(a["x"][a["order"][:, i], i]) >= 0)


def test_returns_figure_and_writes_nothing(model, X, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = plot_model(model, X, in_vars=["$x_1$", "$x_2$"], out_vars=sympy.symbols("y,"), title="t")
    assert isinstance(fig, Figure)
    assert len(fig.kan_edges) == 2 * 3 + 3 * 1
    assert list(tmp_path.iterdir()) == []
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"$x_1$", "$x_2$", "$y$", "t"} <= texts


def test_path_writes_png(model, X, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "kan.png"
    plot_model(model, X, path=out)
    assert [p.name for p in tmp_path.iterdir()] == ["kan.png"]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_paper_metric_alpha_follows_edge_magnitude(model, X):
    layer = model.layers[0]
    layer.w_b[0, 1] = layer.w_s[0, 1] = 1e-6  # a nearly dead edge
    layer.w_b[1, 2], layer.w_s[1, 2] = 2.0, 2.0  # a strong one
    fig = plot_model(model, X, metric="paper")
    weak, strong = fig.kan_edges[(0, 0, 1)], fig.kan_edges[(0, 1, 2)]
    assert weak["alpha"] < 0.01 < 0.5 < strong["alpha"]
    l1 = edge_activations(model, X)[0]["l1"]
    for key, edge in ((0, 1), (1, 2)):
        expected = np.tanh(3.0 * l1[key, edge])  # alpha = tanh(beta |phi|_1), beta = 3
        info = fig.kan_edges[(0, key, edge)]
        assert info["alpha"] == pytest.approx(expected)
        for artist in info["lines"] + [info["curve"]]:
            assert artist.get_alpha() == pytest.approx(expected)
    # the inset curve is phi against the sorted inputs
    x, y = strong["curve"].get_data()
    assert np.all(np.diff(x) >= 0)
    np.testing.assert_allclose(y, layer.edge_functions(np.column_stack([x, x]))[:, 1, 2])


@pytest.mark.parametrize("metric", ["pykan", "paper", "pykan-0.0"])
def test_alpha_is_tanh_of_the_chosen_score(model, X, metric):
    fig = plot_model(model, X, metric=metric) if metric != "pykan" else plot_model(model, X)  # default
    if metric == "pykan":
        scores = attribution_scores(model, X)[1]  # what prune(..., metric="pykan") ranks by
    else:
        scores = edge_l1(model, X, metric)  # Eq. 2.17, or divided by the grid width
    for (l, i, j), info in fig.kan_edges.items():
        assert info["score"] == scores[l][i, j]
        assert info["alpha"] == pytest.approx(np.tanh(3.0 * scores[l][i, j]), rel=1e-14, abs=0)
        assert info["lines"][0].get_alpha() == info["curve"].get_alpha() == info["alpha"]
        assert info["label"] is None  # no symbolic edge


def test_beta_scales_alpha(model, X):
    low = plot_model(model, X, beta=0.5).kan_edges[(0, 0, 0)]["alpha"]
    high = plot_model(model, X, beta=30.0).kan_edges[(0, 0, 0)]["alpha"]
    assert low < high


def test_masked_edge_not_drawn(model, X):
    model.layers[1].mask[2, 0] = 0.0
    fig = plot_model(model, X)
    assert (1, 2, 0) not in fig.kan_edges
    assert len(fig.kan_edges) == 2 * 3 + 2
    n_insets = sum(len(ax.child_axes) for ax in fig.axes)
    assert n_insets == len(fig.kan_edges)


def test_symbolic_edge_colours(model, X):
    layer = model.layers[0]
    layer.mask[1, 1] = 0.0
    sym = model.symbolic[0]
    sym.mask[0, 0] = 1  # numeric and symbolic
    sym.mask[1, 1] = 1  # symbolic only
    edges = plot_model(model, X).kan_edges
    assert edges[(0, 0, 0)]["color"] == BOTH
    assert edges[(0, 1, 1)]["color"] == SYMBOLIC
    assert edges[(0, 0, 1)]["color"] == NUMERIC
    assert edges[(1, 0, 0)]["color"] == NUMERIC  # layer 1 has no symbolic edge
    assert edges[(0, 1, 1)]["lines"][0].get_color() == SYMBOLIC


def test_draws_into_given_axes(model, X):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_model(model, X, ax=ax) is fig
    assert isinstance(fig.kan_edges[(0, 0, 0)]["inset"], Axes)
    assert len(ax.child_axes) == 9


@pytest.mark.parametrize("kwargs, error", [
    ({"X": np.zeros((5, 3))}, ValueError),
    ({"X": np.zeros(5)}, ValueError),
    ({"X": "data"}, TypeError),
    ({"beta": -1.0}, ValueError),
    ({"beta": "3"}, TypeError),
    ({"in_vars": ["a"]}, ValueError),
    ({"in_vars": "ab"}, TypeError),
    ({"out_vars": ["a", "b"]}, ValueError),
    ({"ax": "axes"}, TypeError),
    ({"title": 3}, TypeError),
    ({"metric": "l1"}, ValueError),
    ({"metric": 3}, ValueError),
    ({"order": "best"}, ValueError),
    ({"order": [0, 1, 2]}, ValueError),
])
def test_bad_arguments_raise(model, X, kwargs, error):
    kwargs = {"X": X, **kwargs}
    with pytest.raises(error):
        plot_model(model, **kwargs)


def test_rejects_non_model(X):
    with pytest.raises(TypeError):
        edge_activations(object(), X)


# ------------------------------------------------------------- the diagram shows what pruning keeps
SEEDS = (0, 1, 2)  # the first three seeds, none picked by outcome


@pytest.fixture(scope="module")
def sparsified():
    """The sparsified [2, 5, 1] models of the Section 2.5.2 recipe (README, "Interpretability")."""
    from minikan.datasets import make_toy

    data = make_toy("exp_sin_pi_x_plus_y2", seed=0)
    X, y = data.train_input, data.train_label
    models = {}
    for seed in SEEDS:
        m = KAN([2, 5, 1], grid=5, seed=seed, init="pykan")
        m.fit(X, y, steps=400, lamb=0.01, lamb_entropy=10.0, reg_metric="pykan")
        models[seed] = m
    return X, y, models


def _node_darkness(edges, n_hidden):
    """Per hidden node of a [n, h, m] diagram: the darkest incoming and the darkest outgoing edge."""
    incoming, outgoing = np.zeros(n_hidden), np.zeros(n_hidden)
    for (l, i, j), info in edges.items():
        if l == 0:
            incoming[j] = max(incoming[j], info["alpha"])
        else:
            outgoing[i] = max(outgoing[i], info["alpha"])
    return incoming, outgoing


def test_opacity_order_is_the_pruning_score_order(sparsified):
    X, _, models = sparsified
    for seed, model in models.items():
        edges = plot_model(model, X).kan_edges
        scores = attribution_scores(model, X)[1]  # what prune(..., metric="pykan") is computed from
        for l, layer in enumerate(model.layers):
            keys = [(l, i, j) for i in range(layer.n_in) for j in range(layer.n_out)]
            assert all(key in edges for key in keys)  # no edge is masked in these models
            alpha = np.array([edges[key]["alpha"] for key in keys])
            score = np.array([scores[l][key[1:]] for key in keys])
            np.testing.assert_array_equal(np.argsort(alpha, kind="stable"), np.argsort(score, kind="stable"),
                                          err_msg=f"seed {seed}, layer {l}")
            assert np.ptp(alpha) > 0.5  # and the order is visible: faint and dark edges both occur


def test_nodes_that_pruning_keeps_are_drawn_darker(sparsified):
    """The finding: with Eq. 2.17 (metric="paper") dropped nodes can be drawn darker than kept ones."""
    X, _, models = sparsified
    paper_misleads = []
    for seed, model in models.items():
        pruned_keep = _kept_hidden(model, X)
        dropped = np.setdiff1d(np.arange(5), pruned_keep)
        assert pruned_keep.size >= 1 and dropped.size >= 1, seed
        inc, out = _node_darkness(plot_model(model, X).kan_edges, 5)
        assert inc[pruned_keep].min() > inc[dropped].max(), (seed, inc)
        assert out[pruned_keep].min() > out[dropped].max(), (seed, out)
        inc, out = _node_darkness(plot_model(model, X, metric="paper").kan_edges, 5)
        paper_misleads.append(inc[pruned_keep].min() < inc[dropped].max()
                              or out[pruned_keep].min() < out[dropped].max())
    assert all(paper_misleads)  # measured: every one of the three seeds


def _kept_hidden(model, X):
    """The hidden nodes that prune(X, 1e-2, metric="pykan") keeps: its rule, checked against its result."""
    I, O = node_scores(model, X, metric="pykan")[0]
    kept = np.flatnonzero((I > 1e-2) & (O > 1e-2))
    pruned = model.prune(X, 1e-2, metric="pykan")
    np.testing.assert_array_equal(pruned.predict(X), subnetwork(model, [np.arange(2), kept, np.arange(1)]).predict(X))
    return kept


def test_pruned_model_edges_are_visible(sparsified):
    """In the pruned [2, 1, 1] the sin and x^2 edges were nearly invisible with |phi|_1."""
    X, y, models = sparsified
    pruned = models[0].prune(X, 1e-2, metric="pykan")
    pruned.fit(X, y, steps=200)
    assert pruned.width == [2, 1, 1]
    alpha = {key: info["alpha"] for key, info in plot_model(pruned, X).kan_edges.items()}
    assert min(alpha.values()) > 0.5, alpha
    paper = {key: info["alpha"] for key, info in plot_model(pruned, X, metric="paper").kan_edges.items()}
    assert max(paper[(0, 0, 0)], paper[(0, 1, 0)]) < 0.2, paper  # measured 0.10 and 0.05


# ------------------------------------------------------------------------- symbolic edges named
@pytest.mark.parametrize("width", [[2, 3, 1], [5, 5, 1]])  # roomy, and the busiest layer of 25 insets
def test_symbolic_edges_are_named_legibly(width):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    model = KAN(width, grid=3, seed=0)
    X = np.random.default_rng(2).uniform(0.1, 1, size=(50, width[0]))  # 1/sqrt(x) needs x > 0
    names = {(0, 0, 0): ("sin", "sin"), (0, 1, 1): ("x^2", "$x^{2}$"), (1, 0, 0): ("gaussian", "gaussian"),
             (0, 1, 0): ("1/sqrt(x)", r"$1/\sqrt{x}$")}
    for (l, i, j), (fun, _) in names.items():
        model.fix_symbolic(l, i, j, fun)
    model.layers[0].mask[0, 0] = 1.0  # (0, 0, 0) keeps its spline too: drawn purple
    fig = plot_model(model, X)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    for key, (_, shown) in names.items():
        info = fig.kan_edges[key]
        label = info["label"]
        assert label.get_text() == shown
        assert label.get_color() == info["color"] == (BOTH if key == (0, 0, 0) else SYMBOLIC)
        assert label.get_alpha() == info["alpha"]
        assert label.get_fontsize() >= 6.0  # legible
        text, inset = label.get_window_extent(renderer), info["inset"].get_window_extent(renderer)
        assert text.width <= inset.width * 1.05, (shown, text.width, inset.width)  # fits its own inset
        assert inset.y0 <= text.y0 and text.y1 <= inset.y1 + 1  # inside it, not on the neighbours
    numeric = [info for key, info in fig.kan_edges.items() if key not in names]
    assert numeric and all(info["label"] is None for info in numeric)
    fig.canvas.draw()  # every name renders (mathtext included)
