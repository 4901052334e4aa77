"""Multiplication nodes: widths ``[n_sum, n_mult]`` and ``mult_arity`` (minikan.core.multiply)."""
import warnings

import numpy as np
import pytest
import sympy

from minikan import KAN

from minikan import gradcheck
from minikan.core.grid_update import OutOfGridWarning
from minikan.tools.interop import from_pykan, to_efficient_kan, to_pykan
from minikan.tools.io import load
from minikan.core.multiply import multiply, multiply_backward, node_of_subnode, subnodes_of
from minikan.interpret.prune import attribution_scores, mask_nodes, node_scores, prune_inputs, prune_node, prune_nodes, subnetwork
from minikan.core.regularize import Sparsity

RNG_X = np.random.default_rng(123)


def randomised(width, seed=0, bias=False, mult_arity=2, G=5):
    """A model with random (not small initial) parameters and a few removed edges."""
    model = KAN(width, grid=G, seed=seed, bias=bias, mult_arity=mult_arity)
    rng = np.random.default_rng(seed + 100)
    for layer in model.layers:
        layer.coef[...] = rng.normal(size=layer.coef.shape) * 0.5
        layer.w_b[...] = rng.normal(size=layer.w_b.shape)
        layer.w_s[...] = rng.normal(size=layer.w_s.shape)
        layer.mask[0, -1] = 0.0
        if layer.bias is not None:
            layer.bias[...] = rng.normal(size=layer.bias.shape)
    return model


def by_hand(model, X):
    """The forward pass written out: every layer, then the products of every row."""
    x = X
    for l, layer in enumerate(model.layers):
        y = layer.forward(x, with_cache=False)[0]
        n_sum, n_mult, a = model.width[l + 1] - model.n_mult[l + 1], model.n_mult[l + 1], model.mult_arity
        x = np.column_stack([y[:, :n_sum]] + [np.prod(y[:, n_sum + a * m:n_sum + a * (m + 1)], axis=1)
                                             for m in range(n_mult)])
    return x


# ------------------------------------------------------------------------------ structure
def test_structure_attributes_and_shapes():
    model = KAN([3, [2, 2], [1, 1]], grid=4, seed=0, mult_arity=3)
    assert model.width == [3, 4, 2]
    assert model.n_mult == [0, 2, 1] and model.mult_arity == 3
    assert model.subnode_width == [3, 8, 4]
    assert [layer.coef.shape for layer in model.layers] == [(3, 8, 7), (4, 4, 7)]
    assert repr(model) == "KAN(width=[3, [2, 2], [1, 1]], grid=4, k=3, base='silu', mult_arity=3)"
    X = RNG_X.uniform(-1, 1, (30, 3))
    assert model.predict(X).shape == (30, 2)
    assert np.array_equal(model.predict(X), by_hand(model, X))
    assert np.array_equal(model.forward(X)[0], model.predict(X))
    assert [x.shape[1] for x in model.layer_inputs(X)] == [3, 4]


def test_int_widths_give_the_same_model_as_pairs_without_products():
    a = KAN([2, 3, 1], grid=5, seed=7)
    b = KAN([[2, 0], [3, 0], [1, 0]], grid=5, seed=7, mult_arity=3)
    assert a.n_mult == [0, 0, 0] and a.width == a.subnode_width == [2, 3, 1]
    assert np.array_equal(a.get_flat(), b.get_flat()) and b.width == [2, 3, 1]
    # a layer is drawn by its shape alone: [2, [1, 1], 1]'s first layer has 3 outputs (subnodes),
    # like [2, 3, 1]'s, and gets the same numbers from the same seed
    c = KAN([2, [1, 1], 1], grid=5, seed=7)
    assert c.layers[0].coef.shape == (2, 3, 8)
    assert np.array_equal(c.layers[0].coef, a.layers[0].coef)


@pytest.mark.parametrize("width, arity, error, message", [
    ([[2, 1], 3, 1], 2, ValueError, "input row cannot have multiplication"),
    ([2, [0, 0], 1], 2, ValueError, "has no node"),
    ([2, [1, 2, 3], 1], 2, ValueError, "pair \\[n_sum, n_mult\\]"),
    ([2, [1, -1], 1], 2, ValueError, "n_mult"),
    ([2, [1, 1], 1], 1, ValueError, "mult_arity"),
    ([2, [1, 1], 1], [[2], [2]], TypeError, "per-node arity lists are not supported"),
    ([[2, 0]], 2, ValueError, "at least an input and an output"),
])
def test_bad_widths_and_arities_are_refused(width, arity, error, message):
    with pytest.raises(error, match=message):
        KAN(width, mult_arity=arity)


def test_from_layers_checks_the_chain():
    model = KAN([2, [1, 2], 1], seed=0)
    with pytest.raises(ValueError, match="do not chain"):
        KAN.from_layers([layer.copy() for layer in model.layers])  # 5 outputs feed 3 inputs
    with pytest.raises(ValueError, match="n_mult needs one count per row"):
        KAN.from_layers([layer.copy() for layer in model.layers], n_mult=[0, 2])
    rebuilt = KAN.from_layers([layer.copy() for layer in model.layers], **model.mult_structure())
    X = RNG_X.uniform(-1, 1, (10, 2))
    assert np.array_equal(rebuilt.predict(X), model.predict(X))


# ------------------------------------------------------------------------------ the multiply module
@pytest.mark.parametrize("arity", [2, 3])
def test_multiply_on_arrays_and_on_sympy_lists_agree(arity):
    n_sum, n_mult = 2, 2
    y = RNG_X.normal(size=(5, n_sum + arity * n_mult))
    z = multiply(y, n_sum, arity)
    assert z.shape == (5, n_sum + n_mult)
    assert np.array_equal(z[:, :n_sum], y[:, :n_sum])
    assert np.allclose(z[:, n_sum], np.prod(y[:, n_sum:n_sum + arity], axis=1), rtol=1e-15, atol=0)
    symbols = sympy.symbols(f"y0:{y.shape[1]}")
    exprs = multiply(list(symbols), n_sum, arity)
    assert exprs[n_sum] == sympy.Mul(*symbols[n_sum:n_sum + arity])
    f = sympy.lambdify(symbols, exprs, "numpy")
    assert np.allclose(np.column_stack(f(*y.T)), z, rtol=1e-14, atol=0)
    assert multiply(y, y.shape[1], arity) is y  # no product node: the input itself
    with pytest.raises(ValueError, match="whole number of multiplication nodes"):
        multiply(y[:, :-1], n_sum, arity)


@pytest.mark.parametrize("arity", [2, 3, 4])
def test_multiply_backward_is_the_product_rule(arity):
    n_sum = 1
    y = RNG_X.normal(size=(4, n_sum + 2 * arity))
    y[0, n_sum] = 0.0  # a zero factor: the other factors' gradients vanish, its own does not
    R = RNG_X.normal(size=(4, n_sum + 2))
    dy = multiply_backward(R, y, n_sum, arity)
    assert gradcheck(lambda v: float(np.sum(multiply(v, n_sum, arity) * R)), dy, y, eps=1e-6) < 1e-9
    assert np.all(dy[0, n_sum + 1:n_sum + arity] == 0.0) and dy[0, n_sum] != 0.0


def test_subnode_index_helpers():
    assert node_of_subnode(2, 2, 3).tolist() == [0, 1, 2, 2, 2, 3, 3, 3]
    assert subnodes_of([3, 0], 2, 3).tolist() == [5, 6, 7, 0]


# ------------------------------------------------------------------------------ gradients
@pytest.mark.parametrize("arity", [2, 3])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("metric", ["paper", "pykan"])
def test_loss_gradient_matches_finite_differences(arity, bias, metric):
    model = randomised([3, [2, 2], [1, 1]], seed=arity, bias=bias, mult_arity=arity)
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (40, 3))
    y = rng.normal(size=(40, 2))
    sparsity = Sparsity(0.3, 1.0, 0.7, metric)
    theta = model.get_flat()
    total, grad = model.loss_and_grad(theta, X, y, sparsity)
    assert total > model.loss(X, y)  # the penalty is on
    err = gradcheck(lambda t: model.loss_and_grad(t, X, y, sparsity)[0], grad, theta.copy(), eps=1e-6)
    assert err < 1e-6
    model.set_flat(theta)
    # input gradient through the products too
    R = rng.normal(size=(40, 2))
    _, caches = model.forward(X)
    dX, _ = model.backward(R, caches)
    assert gradcheck(lambda Z: float(np.sum(model.predict(Z) * R)), dX, X.copy(), eps=1e-6) < 1e-7


def test_gradient_with_symbolic_edges_into_a_product():
    model = randomised([2, [1, 1], 1], seed=3)
    model.fix_symbolic(0, 0, 1, "sin")
    model.layers[0].affine[0, 1] = [1.3, 0.2, -0.8, 0.1]
    rng = np.random.default_rng(6)
    X, y = rng.uniform(-1, 1, (30, 2)), rng.normal(size=(30, 1))
    theta = model.get_flat()
    _, grad = model.loss_and_grad(theta, X, y)
    assert gradcheck(lambda t: model.loss_and_grad(t, X, y)[0], grad, theta.copy(), eps=1e-6) < 1e-7


# ------------------------------------------------------------------------------ grids, copies, training
def test_grid_update_refine_copy_and_reinitialise_keep_the_structure():
    model = randomised([2, [1, 2], [0, 1]], seed=1)
    X = np.random.default_rng(7).uniform(-2, 2, (300, 2))
    assert model.out_of_grid(X).shape == (2,) and model.out_of_grid(X)[0] > 0
    shifts = model.grid_shift(X)
    assert shifts.shape == (2,) and np.all(shifts > 0.1)
    before = model.predict(X)
    updated = model.copy().update_grid(X)
    assert updated.n_mult == model.n_mult and updated.out_of_grid(X).tolist() == [0, 0]
    # layer 1's knots are placed on its inputs, the products of the updated layer 0's subnodes
    x1 = updated.layer_inputs(X)[1]
    assert x1.shape == (300, 3)
    k, G = updated.k, updated.G
    assert np.allclose(updated.layers[1].grid[:, k], x1.min(axis=0) - updated.grid_margin, rtol=0, atol=1e-12)
    assert np.allclose(updated.layers[1].grid[:, G + k], x1.max(axis=0) + updated.grid_margin, rtol=0, atol=1e-12)
    fine = updated.refine(20, X)
    assert fine.G == 20 and fine.n_mult == model.n_mult and fine.mult_arity == 2
    # Eq. 2.16: the finer splines reproduce the coarse ones on the samples (up to least squares)
    assert np.abs(fine.predict(X) - updated.predict(X)).max() < 1e-6 * np.abs(updated.predict(X)).max()
    fresh = model.reinitialized(seed=3)
    assert fresh.n_mult == model.n_mult and fresh.subnode_width == model.subnode_width
    assert np.array_equal(model.copy().predict(X), before)


@pytest.mark.filterwarnings("ignore::minikan.core.grid_update.OutOfGridWarning")
def test_fit_trains_a_model_with_products_with_restarts():
    rng = np.random.default_rng(8)
    X = rng.uniform(-1, 1, (150, 3))
    y = (X[:, :1] * X[:, 1:2] + np.sin(X[:, 2:]))
    model = KAN([3, [1, 1], 1], grid=5, seed=0)
    start = model.loss(X, y)
    model.fit(X, y, steps=40, restarts=2, restart_steps=10)
    assert model.n_mult == [0, 1, 0] and model.loss(X, y) < 0.01 * start


# ------------------------------------------------------------------------------ pruning
def _weakened(seed=4):
    """A model whose hidden sum node 1 and product node 3 (subnodes 4, 5; its factor 4 is faint)
    carry almost nothing."""
    model = randomised([3, [2, 2], [1, 1]], seed=seed)
    layer0 = model.layers[0]
    for j in (1, 4):
        layer0.w_b[:, j] *= 1e-6
        layer0.w_s[:, j] *= 1e-6
    return model


@pytest.mark.parametrize("metric, threshold", [("paper", 1e-3), ("pykan-0.0", 1e-3), ("pykan", 1e-4)])
def test_pruned_model_equals_the_masked_original(metric, threshold):
    model = _weakened()
    X = np.random.default_rng(9).uniform(-1, 1, (100, 3))
    I, O = node_scores(model, X, metric)[0]
    assert I.shape == O.shape == (4,)
    assert np.all(I[[1, 3]] < threshold) and np.all(I[[0, 2]] > 10 * threshold)
    pruned = prune_nodes(model, X, threshold=threshold, metric=metric)
    assert pruned.width == [3, 2, 2] and pruned.n_mult == [0, 1, 1]
    assert pruned.subnode_width == [3, 3, 3]
    reference = mask_nodes(model, {1: [1, 3]})
    assert np.abs(pruned.predict(X) - reference.predict(X)).max() <= 1e-13


def test_a_product_node_scores_its_weakest_factor():
    model = _weakened()
    X = np.random.default_rng(9).uniform(-1, 1, (100, 3))
    A = np.mean(np.abs(model.layers[0].edge_functions(X)), axis=0)  # (3, 6)
    I = node_scores(model, X)[0][0]
    assert I[3] == min(A[:, 4].max(), A[:, 5].max()) == A[:, 4].max()
    assert I[2] == min(A[:, 2].max(), A[:, 3].max())


def test_attribution_scores_copy_a_product_score_to_its_subnodes():
    model = randomised([3, [2, 2], [1, 1]], seed=2)
    X = np.random.default_rng(10).uniform(-1, 1, (80, 3))
    nodes, edges = attribution_scores(model, X)
    assert [n.shape for n in nodes] == [(3,), (4,), (2,)]
    assert [e.shape for e in edges] == [(3, 6), (4, 3)]
    # written out: output queries -> subnodes (product node 1 owns subnodes 1, 2) -> row 1 -> its
    # subnodes (sum nodes 0, 1; product nodes 2 -> 2, 3 and 3 -> 4, 5) -> inputs
    score = np.eye(2)[:, [0, 1, 1]]
    for l, owners in ((1, [0, 1, 1]), (0, [0, 1, 2, 2, 3, 3])):
        x = model.layer_inputs(X)[l]
        phi = model.layers[l].edge_functions(x)
        if l == 0:
            score = score[:, owners]
        edge = phi.std(axis=0, ddof=1)[None] * (score / (phi.sum(axis=1).std(axis=0, ddof=1) + 1e-4))[:, None, :]
        assert np.allclose(edges[l], edge.mean(axis=0), rtol=1e-13, atol=0)
        score = edge.sum(axis=2)
        assert np.allclose(nodes[l], score.mean(axis=0), rtol=1e-13, atol=0)


def test_subnetwork_permutes_nodes_and_keeps_products_whole():
    model = randomised([3, [2, 2], [1, 1]], seed=5, bias=True)
    X = np.random.default_rng(11).uniform(-1, 1, (50, 3))
    perm = subnetwork(model, [[2, 0, 1], [1, 0, 3, 2], [0, 1]])
    assert perm.n_mult == model.n_mult and perm.subnode_width == model.subnode_width
    assert np.abs(perm.predict(X[:, [2, 0, 1]]) - model.predict(X)).max() <= 1e-13
    # hidden node order changes nothing outside; the product factors moved with their nodes
    assert np.array_equal(perm.layers[0].coef[:, 2:4], model.layers[0].coef[[2, 0, 1]][:, 4:6])
    with pytest.raises(ValueError, match="sum node after a multiplication node"):
        subnetwork(model, [[0, 1, 2], [2, 0, 1, 3], [0, 1]])
    with pytest.raises(ValueError, match="distinct indices"):
        subnetwork(model, [[0, 1, 2], [0, 0, 2], [0, 1]])


def test_prune_node_and_prune_inputs_with_products():
    model = randomised([3, [2, 2], [1, 1]], seed=6, bias=True)
    X = np.random.default_rng(12).uniform(-1, 1, (60, 3))
    for i in range(4):
        pruned = prune_node(model, 1, i)
        assert pruned.n_mult == [0, 2 if i < 2 else 1, 1] and pruned.width == [3, 3, 2]
        assert np.abs(pruned.predict(X) - mask_nodes(model, {1: [i]}).predict(X)).max() <= 1e-13
    model.layers[0].w_b[1] *= 1e-6
    model.layers[0].w_s[1] *= 1e-6
    small, kept = prune_inputs(model, X, threshold=1e-3)
    assert kept.tolist() == [0, 2] and small.n_mult == model.n_mult
    masked = model.copy()
    masked.layers[0].mask[1] = 0.0
    assert np.abs(small.predict(X[:, kept]) - masked.predict(X)).max() <= 1e-13


# ------------------------------------------------------------------------------ formula and diagram
def test_formula_of_a_symbolic_model_with_products_equals_predict():
    model = KAN([2, [1, 1], [1, 1]], grid=3, seed=0, mult_arity=3, bias=True)
    rng = np.random.default_rng(13)
    names = ["sin", "x", "x^2", "exp", "tanh", "cos"]
    for l, layer in enumerate(model.layers):
        for i in range(layer.n_in):
            for j in range(layer.n_out):
                model.fix_symbolic(l, i, j, names[(i + 2 * j + l) % len(names)])
                layer.affine[i, j] = rng.uniform(-1, 1, 4)
        layer.bias[...] = rng.normal(size=layer.bias.shape)
    exprs, func, _ = model.symbolic_formula()
    X = rng.uniform(-1, 1, (40, 2))
    assert np.abs(func(X) - model.predict(X)).max() <= 1e-12
    assert isinstance(exprs[1], sympy.Mul)  # the output product node


def test_diagram_draws_edges_into_the_subnodes():
    model = randomised([2, [1, 1], 1], seed=1)
    fig = model.plot(np.random.default_rng(14).uniform(-1, 1, (30, 2)))
    drawn = {key for key in fig.kan_edges if key[0] == 0}
    assert drawn == {(0, i, j) for i in range(2) for j in range(3)} - {(0, 0, 2)}  # (0, 0, 2) is masked
    assert {key for key in fig.kan_edges if key[0] == 1} == {(1, 1, 0)}  # (1, 0, 0) is masked
    # edges into the two factors of the product node end at two different points below its row
    ends = {j: tuple(fig.kan_edges[(0, 1, j)]["lines"][1].get_xydata()[1]) for j in (1, 2)}
    assert ends[1] != ends[2] and ends[1][1] == ends[2][1]
    row1_y = fig.kan_edges[(1, 1, 0)]["lines"][0].get_xydata()[0][1]
    assert ends[1][1] < row1_y


# ------------------------------------------------------------------------------ save/load, interop
def test_save_and_load_keep_the_structure(tmp_path):
    model = randomised([3, [2, 2], [1, 1]], seed=7, bias=True, mult_arity=3)
    model.save(tmp_path / "m.npz")
    back = load(tmp_path / "m.npz")
    assert back.n_mult == model.n_mult and back.mult_arity == 3
    assert np.array_equal(back.get_flat(), model.get_flat())
    X = RNG_X.uniform(-1, 1, (20, 3))
    assert np.array_equal(back.predict(X), model.predict(X))


def test_plain_files_have_no_mult_entries_and_load_as_plain(tmp_path):
    import json
    KAN([2, 3, 1], seed=0).save(tmp_path / "p.npz")
    with np.load(tmp_path / "p.npz") as f:
        config = json.loads(str(f["config"]))
    assert "n_mult" not in config and "mult_arity" not in config
    assert load(tmp_path / "p.npz").n_mult == [0, 0, 0]


def test_load_refuses_a_bad_mult_structure(tmp_path):
    import json
    model = KAN([2, [1, 1], 1], seed=0)
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as f:
        arrays = {key: f[key] for key in f.files}
    config = json.loads(str(arrays["config"]))
    for change, message in ((dict(n_mult=[1, 1, 0]), "does not fit width"), (dict(n_mult=[0, 1]), "one count per row"),
                            (dict(mult_arity=3), "layer 0 shape in the config"), (dict(mult_arity=1), "mult_arity")):
        bad = dict(config, **change)
        np.savez(tmp_path / "bad.npz", **dict(arrays, config=np.array(json.dumps(bad))))
        with pytest.raises(ValueError, match=message):
            load(tmp_path / "bad.npz")


def test_pykan_layout_round_trip():
    model = randomised([3, [2, 2], [1, 1]], seed=8, bias=True, mult_arity=3)
    state, config = to_pykan(model)
    assert config["width"] == [[3, 0], [2, 2], [1, 1]] and config["mult_arity"] == 3
    assert state["node_bias_0"].shape == (4,) and state["subnode_bias_0"].shape == (8,)
    assert np.array_equal(state["subnode_bias_0"], model.layers[0].bias) and not state["node_bias_0"].any()
    config.pop("symbolic_funs")
    back = from_pykan(state, config)
    assert back.n_mult == model.n_mult and back.mult_arity == 3
    X = RNG_X.uniform(-1, 1, (20, 3))
    assert np.array_equal(back.predict(X), model.predict(X))
    with pytest.raises(TypeError, match="per-node arity lists are not supported"):
        from_pykan(state, dict(config, mult_arity=[[3, 3], [3]]))
    # a sum node's node_bias joins its subnode bias
    state["node_bias_0"][1] = 0.5
    moved = from_pykan(state, config)
    assert moved.layers[0].bias[1] == model.layers[0].bias[1] + 0.5


@pytest.mark.parametrize("key, index, value, message", [
    ("node_scale_0", 0, 2.0, "node_scale_0 differs from 1"),
    ("subnode_scale_0", 5, 0.5, "subnode_scale_0 differs from 1"),
    ("node_bias_0", 3, 0.1, "node_bias_0 is non-zero on multiplication nodes \\[3\\]"),
])
def test_pykan_node_affines_other_than_the_defaults_are_refused(key, index, value, message):
    state, config = to_pykan(randomised([3, [2, 2], 1], seed=8))
    state[key][index] = value
    with pytest.raises(ValueError, match=message):
        from_pykan(state, config, fold_scales=True)


# ------------------------------------------------------------------------------ refusals
def test_modules_without_product_support_refuse():
    from minikan.applications.continual import train_continual
    from minikan.applications.derivatives import jet_forward
    from minikan.applications.unsupervised import edge_scores

    model = KAN([1, [0, 1]], seed=0)
    X = np.zeros((3, 1))
    with pytest.raises(ValueError, match="minikan.applications.derivatives supports only KANs without multiplication"):
        jet_forward(model, X)
    with pytest.raises(ValueError, match="train_continual supports only"):
        train_continual(model)
    with pytest.raises(ValueError, match="edge_scores supports only"):
        edge_scores(model, X)
    with pytest.raises(ValueError, match="to_efficient_kan supports only"):
        to_efficient_kan(model)


# ------------------------------------------------------------------------------ demonstration
def _product_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    return X, ((X[:, 0] - 0.5) * (X[:, 1] + 0.3))[:, None]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_product_node_learns_a_product_and_snaps_to_it(seed):
    X, y = _product_data()
    model = KAN([2, [0, 1]], grid=5, seed=seed)  # one product node fed by two subnodes
    model.fit(X, y, steps=100, tol=0.0)
    # measured: RMSE 3.1e-4, 3.0e-4, 5.9e-4 for seeds 0, 1, 2 (the target's std is 0.5)
    assert np.sqrt(model.loss(X, y)) < 2e-3
    for i in range(2):
        for j in range(2):
            model.fix_symbolic(0, i, j, "x", X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfGridWarning)  # only symbolic edges are left
        model.fit(X, y, steps=300, update_grid=False, tol=0.0)
    (expr,), func, _ = model.symbolic_formula()
    x1, x2 = sympy.symbols("x_1 x_2")
    assert isinstance(expr, sympy.Mul)
    factors = [f for f in expr.args if not f.is_Number]
    assert len(factors) == 2 and all(sympy.Poly(f, x1, x2).total_degree() == 1 for f in factors)
    residual = sympy.Poly(sympy.expand(expr - (x1 - 0.5) * (x2 + 0.3)), x1, x2)
    assert max(abs(float(c)) for c in residual.coeffs()) < 1e-6
    assert np.abs(func(X) - y).max() < 1e-6
