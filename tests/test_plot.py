"""The KAN diagram (Section 2.5.1, "Visualization"): what is drawn, how transparent, in which colour."""
import numpy as np
import pytest
import sympy
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from minikan.model import KAN
from minikan.plot import BOTH, NUMERIC, SYMBOLIC, edge_activations, plot_model


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


def test_alpha_follows_edge_magnitude(model, X):
    layer = model.layers[0]
    layer.w_b[0, 1] = layer.w_s[0, 1] = 1e-6  # a nearly dead edge
    layer.w_b[1, 2], layer.w_s[1, 2] = 2.0, 2.0  # a strong one
    fig = plot_model(model, X)
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
    layer.sym_mask = np.zeros((2, 3))
    layer.sym_mask[0, 0] = 1  # numeric and symbolic
    layer.sym_mask[1, 1] = 1  # symbolic only
    edges = plot_model(model, X).kan_edges
    assert edges[(0, 0, 0)]["color"] == BOTH
    assert edges[(0, 1, 1)]["color"] == SYMBOLIC
    assert edges[(0, 0, 1)]["color"] == NUMERIC
    assert edges[(1, 0, 0)]["color"] == NUMERIC  # layer 1 has no sym_mask
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
])
def test_bad_arguments_raise(model, X, kwargs, error):
    kwargs = {"X": X, **kwargs}
    with pytest.raises(error):
        plot_model(model, **kwargs)


def test_rejects_non_model(X):
    with pytest.raises(TypeError):
        edge_activations(object(), X)
