"""Parameter exchange with pykan and efficient-kan (:mod:`minikan.tools.interop`), without torch.

Round trips must be bit-exact; the efficient-kan layout is checked against an independent NumPy
transcription of efficient-kan's forward pass; bad input must fail with a message that names the
key, the expected shape or the unsupported feature. The comparisons with the real pykan are in
``test_pykan_crosscheck.py``.
"""
import numpy as np
import pytest

from minikan import KAN
from minikan.tools.interop import from_efficient_kan, from_pykan, pykan_keys, to_efficient_kan, to_pykan
from minikan.interpret.symbolic import LIBRARY, SymbolicFunction


def random_model(width=(3, 4, 2), G=5, k=3, seed=0, bias=True, symbolic=True):
    """A KAN with random non-uniform knots, a masked edge, a bias and (optionally) symbolic edges."""
    rng = np.random.default_rng(seed)
    model = KAN(list(width), grid=G, k=k, seed=seed, bias=bias)
    for layer in model.layers:
        layer.grid = np.sort(layer.grid + rng.uniform(-0.05, 0.05, size=layer.grid.shape), axis=1)
        layer.coef = rng.normal(0.0, 0.5, size=layer.coef.shape)
        layer.w_s = rng.normal(size=layer.w_s.shape)
        if bias:
            layer.bias = rng.normal(size=layer.n_out)
    model.layers[0].mask[1, 2] = 0.0
    if symbolic:
        model.fix_symbolic(0, 2, 1, "sin")
        model.symbolic[0].affine[2, 1] = [2.0, 0.3, -1.5, 0.2]
        model.fix_symbolic(1, 3, 0, LIBRARY["x^2"])  # a SymbolicFunction, as fix_symbolic stores it
        model.symbolic[1].mask[0, 1] = 1.0  # numeric + symbolic on one edge (pykan's mode "sn")
        model.symbolic[1].funs[0, 1] = "x^0.5"  # a pykan alias of sqrt
        model.symbolic[1].affine[0, 1] = [0.01, 4.0, 1.3, -0.2]  # keeps a x + b > 0
    return model


def assert_same_model(a, b):
    assert a.width == b.width
    has_bias = any(layer.bias is not None for layer in a.layers)
    assert all(a.trainable[g] == b.trainable[g] for g in ("w_b", "w_s") + ("bias",) * has_bias)
    for sa, sb in zip(a.symbolic, b.symbolic):
        assert np.array_equal(sa.mask, sb.mask) and np.array_equal(sa.affine, sb.affine)
    for la, lb in zip(a.layers, b.layers):
        for name in ("grid", "coef", "w_b", "w_s", "mask"):
            assert np.array_equal(getattr(la, name), getattr(lb, name)), name
        # a layer without bias comes back without one (from_pykan drops pykan's zero bias unless
        # it is trainable); a layer with one comes back with the same values
        if la.bias is None:
            assert lb.bias is None
        else:
            assert lb.bias is not None and np.array_equal(la.bias, lb.bias)
        assert la.k == lb.k and la.base == lb.base


# ------------------------------------------------------------------------------ pykan layout
def test_pykan_keys_follow_pykan_state_dict_order():
    assert pykan_keys(1) == ["node_bias_0", "node_scale_0", "subnode_bias_0", "subnode_scale_0",
                             "act_fun.0.grid", "act_fun.0.coef", "act_fun.0.mask", "act_fun.0.scale_base",
                             "act_fun.0.scale_sp", "symbolic_fun.0.mask", "symbolic_fun.0.affine"]


def test_to_pykan_layout():
    model = random_model()
    state, config = to_pykan(model)
    assert list(state) == pykan_keys(2)
    assert state["act_fun.0.coef"].shape == (3, 4, 8) and state["act_fun.1.grid"].shape == (4, 12)
    assert state["symbolic_fun.0.mask"].shape == (4, 3) and state["symbolic_fun.1.affine"].shape == (2, 4, 4)
    assert state["symbolic_fun.0.mask"][1, 2] == 1.0  # [out, in]
    assert np.array_equal(state["node_bias_1"], model.layers[1].bias)
    assert np.array_equal(state["node_scale_0"], np.ones(4)) and not state["subnode_bias_0"].any()
    assert all(v.dtype == np.float64 and v.flags.c_contiguous for v in state.values())
    assert config["symbolic_funs"] == [[["0", "0", "0"], ["0", "0", "sin"], ["0", "0", "0"], ["0", "0", "0"]],
                                       [["0", "0", "0", "x^2"], ["x^0.5", "0", "0", "0"]]]
    assert {k: config[k] for k in ("width", "grid", "k", "base_fun", "affine_trainable")} == \
        dict(width=[3, 4, 2], grid=5, k=3, base_fun="silu", affine_trainable=True)


@pytest.mark.parametrize("symbolic", [False, True])
def test_pykan_round_trip_is_bit_exact(symbolic):
    model = random_model(symbolic=symbolic)
    state, config = to_pykan(model)
    back = from_pykan(state, config)
    assert all(layer.bias is not None for layer in back.layers)  # so the biases are compared
    assert_same_model(model, back)
    X = np.random.default_rng(1).uniform(-1.2, 1.2, size=(50, 3))
    assert np.array_equal(model.predict(X), back.predict(X))
    # and the other way: pykan arrays -> minikan -> pykan arrays
    state2, config2 = to_pykan(back)
    assert all(np.array_equal(state[key], state2[key]) for key in state) and config2 == config


def test_pykan_round_trip_with_a_grid_and_degree_per_layer():
    layers = [KAN([2, 3], grid=4, k=3, seed=1).layers[0], KAN([3, 1], grid=7, k=2, seed=2).layers[0]]
    model = KAN.from_layers(layers)
    state, config = to_pykan(model)
    assert config["grid"] == [4, 7] and config["k"] == [3, 2]
    assert_same_model(model, from_pykan(state, config))


def test_from_pykan_reads_pykan_width_and_checkpoint_config():
    model = random_model()
    state, config = to_pykan(model)
    funs = config.pop("symbolic_funs")
    checkpoint = dict(width=[[3, 0], [4, 0], [2, 0]], grid=5, k=3, mult_arity=2, base_fun_name="silu",
                      symbolic_enabled=True, affine_trainable=True, grid_eps=0.02, grid_range=[-1, 1],
                      sp_trainable=True, sb_trainable=True, state_id=0, auto_save=False, ckpt_path="./model",
                      round=0, device="cpu", **{f"symbolic.funs_name.{l}": f for l, f in enumerate(funs)})
    back = from_pykan(state, checkpoint)
    assert_same_model(model, back)
    assert back.grid_eps == 0.02 and back.grid_margin == 0.0  # pykan 0.2.8's grid-update rule


def test_from_pykan_biases_scales_and_trainable_flags():
    rng = np.random.default_rng(2)
    state, config = to_pykan(random_model(bias=False, symbolic=False))
    config.update(sb_trainable=False, affine_trainable=False)
    plain = from_pykan(state, config)
    assert all(layer.bias is None for layer in plain.layers)
    assert plain.trainable["w_b"] is False and plain.trainable["bias"] is False
    # the two pykan biases add up; a non-trivial scale is refused unless folded into the weights
    state["node_bias_0"], state["subnode_bias_0"] = rng.normal(size=4), rng.normal(size=4)
    state["node_scale_1"], state["subnode_scale_1"] = np.array([2.0, 2.0]), np.array([1.0, 0.5])
    with pytest.raises(ValueError, match="layer 1: node_scale_1 \\* subnode_scale_1 differs from 1 at nodes \\[0\\]"):
        from_pykan(state, config)
    folded = from_pykan(state, config, fold_scales=True)
    assert np.array_equal(folded.layers[0].bias, state["subnode_bias_0"] + state["node_bias_0"])
    assert folded.layers[1].bias is None
    # pykan's node affine, written out: y -> node_scale * (subnode_scale * y + subnode_bias) + node_bias
    X = rng.uniform(-1, 1, size=(40, 3))
    h = plain.layers[0].forward(X, with_cache=False)[0] + state["subnode_bias_0"] + state["node_bias_0"]
    y = plain.layers[1].forward(h, with_cache=False)[0]
    expected = state["node_scale_1"] * (state["subnode_scale_1"] * y)
    assert np.abs(folded.predict(X) - expected).max() <= 1e-14


def test_symbolic_enabled_false_drops_the_symbolic_branch():
    state, config = to_pykan(random_model())
    config.update(symbolic_enabled=False)
    assert not any(sym.active() for sym in from_pykan(state, config).symbolic)


@pytest.mark.parametrize("change, message", [
    (lambda s, c: s.pop("act_fun.1.coef"), "missing keys \\['act_fun.1.coef'\\]"),
    (lambda s, c: s.update({"act_fun.2.coef": np.zeros(1)}), "unexpected keys \\['act_fun.2.coef'\\]"),
    (lambda s, c: s.update({"act_fun.0.scale_sp": np.ones((4, 3))}),
     "act_fun.0.scale_sp.*shape \\(3, 4\\), got \\(4, 3\\)"),
    (lambda s, c: s.update({"act_fun.0.grid": np.ones((3, 11))}), "act_fun.0.grid.*shape \\(3, 12\\)"),
    (lambda s, c: s.update({"node_bias_1": np.ones(3)}), "node_bias_1.*shape \\(2,\\), got \\(3,\\)"),
    (lambda s, c: s.update({"act_fun.0.mask": np.full((3, 4), np.nan)}), "act_fun.0.mask.*NaN"),
    (lambda s, c: c.update(grid=6), "8 basis functions, but grid=6, k=3"),
    (lambda s, c: c.update(k=2), "grid=5, k=2 in config means G\\+k = 7"),
    (lambda s, c: c.pop("k"), "config needs 'k'"),
    (lambda s, c: c.pop("base_fun"), "exactly one base function name"),
    (lambda s, c: c.update(base_fun_name="identity"), "the two must agree"),
    (lambda s, c: c.update(base_fun="relu"), "must be one of \\['identity', 'silu', 'zero'\\].*'relu'"),
    # two product nodes of arity 2 need 6 subnodes from layer 0, this state has 4
    (lambda s, c: c.update(width=[[3, 0], [2, 2], [2, 0]]), "act_fun.0.coef.*shape \\(3, 6, \\*\\), got \\(3, 4, 8\\)"),
    (lambda s, c: c.update(width=[[3, 1], [4, 0], [2, 0]]), "multiplication nodes on the inputs"),
    (lambda s, c: c.update(width=[3, 4], symbolic_funs=None), "unexpected keys \\['act_fun.1.coef'"),
    (lambda s, c: c["symbolic_funs"].pop(), "symbolic_funs'\\] must be a list of 2 layers"),
    (lambda s, c: c.update(grid=[5]), "a list of 2 ints"),
    (lambda s, c: c.update(base_func="silu"), "unknown keys \\['base_func'\\]"),
    (lambda s, c: c.update(symbolic_funs=None), "no function names: pass config\\['symbolic_funs'\\]\\[0\\]"),
    (lambda s, c: c["symbolic_funs"][0][1].__setitem__(2, "bessel"), "\\(0, 2, 1\\) uses 'bessel'"),
    (lambda s, c: c["symbolic_funs"][1].pop(), "list of 2 lists of 4 names"),
])
def test_from_pykan_errors_name_the_problem(change, message):
    state, config = to_pykan(random_model())
    change(state, config)
    with pytest.raises(ValueError, match=message):
        from_pykan(state, config)


def test_from_pykan_type_errors():
    state, config = to_pykan(random_model())
    with pytest.raises(TypeError, match="config must be a dict"):
        from_pykan(state, [("width", [3, 4, 2])])
    with pytest.raises(TypeError, match="pykan state must be a dict"):
        from_pykan(list(state.values()), config)
    state["act_fun.0.coef"] = state["act_fun.0.coef"].astype(complex)
    with pytest.raises(TypeError, match="act_fun.0.coef.*real numbers"):
        from_pykan(state, config)


def test_unknown_name_on_an_inactive_edge_is_dropped():
    state, config = to_pykan(random_model())
    config["symbolic_funs"][0][0][0] = "anonymous"  # pykan's name for a user callable, mask off
    assert from_pykan(state, config).symbolic[0].funs[0, 0] == "0"


def test_to_pykan_refuses_what_pykan_cannot_load():
    model = random_model()
    model.layers[1].base = "identity"
    with pytest.raises(ValueError, match="one base function for all layers"):
        to_pykan(model)
    model = random_model()
    model.fix_symbolic(0, 0, 0, "cosh")  # in minikan's library, not in pykan 0.2.8's
    with pytest.raises(ValueError, match="\\(0, 0, 0\\) uses 'cosh', which is not in pykan"):
        to_pykan(model)
    model = random_model()
    model.fix_symbolic(0, 0, 0, SymbolicFunction("sin", np.sin, np.cos, lambda z: z, 2))
    with pytest.raises(ValueError, match="user-defined function 'sin'"):
        to_pykan(model)
    with pytest.raises(TypeError, match="must be a minikan KAN"):
        to_pykan(model.layers[0])


# ------------------------------------------------------------------------------ efficient-kan
def effkan_b_splines(x, grid, k):
    """efficient-kan's ``b_splines``: half-open degree-0 pieces, then the plain Cox-de Boor
    recursion over all functions at once (no special case for zero-length spans)."""
    x = x[:, :, None]
    bases = ((x >= grid[:, :-1]) & (x < grid[:, 1:])).astype(np.float64)
    for d in range(1, k + 1):
        left = (x - grid[:, : -(d + 1)]) / (grid[:, d:-1] - grid[:, : -(d + 1)])
        right = (grid[:, d + 1:] - x) / (grid[:, d + 1:] - grid[:, 1:-d])
        bases = left * bases[:, :, :-1] + right * bases[:, :, 1:]
    return bases  # (N, in, G+k)


def effkan_forward(state, X, k, standalone=True):
    """efficient-kan's ``KAN.forward`` with SiLU: per layer ``silu(x) @ base_weight.T`` plus
    ``B(x).reshape(N, -1) @ (spline_weight * spline_scaler[..., None]).reshape(out, -1).T``."""
    x = X
    n_layers = len({key.split(".")[1] for key in state})
    for l in range(n_layers):
        p = f"layers.{l}."
        weight = state[p + "spline_weight"]
        if standalone:
            weight = weight * state[p + "spline_scaler"][..., None]
        B = effkan_b_splines(x, state[p + "grid"], k)
        base_out = (x / (1.0 + np.exp(-x))) @ state[p + "base_weight"].T
        x = base_out + B.reshape(len(x), -1) @ weight.reshape(len(weight), -1).T
    return x


def random_effkan_state(width=(3, 5, 2), G=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    state = {}
    for l, (n_in, n_out) in enumerate(zip(width[:-1], width[1:])):
        base = np.sort(rng.uniform(-1, 1, size=(n_in, G + 1)), axis=1)
        base[:, 0], base[:, -1] = -1.0, 1.0
        h = 2.0 / G
        state[f"layers.{l}.base_weight"] = rng.normal(size=(n_out, n_in))
        state[f"layers.{l}.spline_weight"] = rng.normal(size=(n_out, n_in, G + k))
        state[f"layers.{l}.spline_scaler"] = rng.normal(size=(n_out, n_in))
        state[f"layers.{l}.grid"] = np.concatenate([base[:, :1] - h * np.arange(k, 0, -1), base,
                                                    base[:, -1:] + h * np.arange(1, k + 1)], axis=1)
    return state


def test_efficient_kan_forward_matches():
    state = random_effkan_state()
    model = from_efficient_kan(state, grid_size=6, spline_order=3)
    X = np.random.default_rng(1).uniform(-2.5, 2.5, size=(200, 3))  # beyond the grid too
    assert model.width == [3, 5, 2] and (model.grid_eps, model.grid_margin) == (0.02, 0.01)
    assert np.abs(model.predict(X) - effkan_forward(state, X, 3)).max() <= 1e-12


def test_efficient_kan_without_standalone_scaler_and_single_layer():
    state = random_effkan_state(width=(2, 3), G=4, k=2, seed=2)
    del state["layers.0.spline_scaler"]
    bare = {key.split(".", 2)[2]: v for key, v in state.items()}  # a KANLinear's own state dict
    model = from_efficient_kan(bare, 4, 2)
    assert np.array_equal(model.layers[0].w_s, np.ones((2, 3)))
    X = np.random.default_rng(3).uniform(-1.5, 1.5, size=(60, 2))
    assert np.abs(model.predict(X) - effkan_forward(state, X, 2, standalone=False)).max() <= 1e-12


@pytest.mark.parametrize("standalone", [True, False])
def test_to_efficient_kan_folds_the_mask(standalone):
    model = random_model(bias=False, symbolic=False)
    state, config = to_efficient_kan(model, standalone_scale_spline=standalone)
    assert config == dict(layers_hidden=[3, 4, 2], grid_size=5, spline_order=3, grid_eps=model.grid_eps,
                          base_activation="silu", enable_standalone_scale_spline=standalone)
    assert ("layers.0.spline_scaler" in state) == standalone
    assert state["layers.0.base_weight"][2, 1] == 0.0  # masked edge 1 -> 2
    X = np.random.default_rng(4).uniform(-1.5, 1.5, size=(80, 3))
    assert np.abs(model.predict(X) - effkan_forward(state, X, 3, standalone)).max() <= 1e-12


def test_efficient_kan_round_trips_are_bit_exact():
    state = random_effkan_state(seed=5)
    back, _ = to_efficient_kan(from_efficient_kan(state, 6, 3))
    assert list(back) == list(state) and all(np.array_equal(state[key], back[key]) for key in state)
    model = random_model(bias=False, symbolic=False)
    model.layers[0].mask[1, 2] = 1.0  # efficient-kan has no mask, so only an all-ones mask survives
    state, config = to_efficient_kan(model)
    again = from_efficient_kan(state, config["grid_size"], config["spline_order"])
    again.grid_eps, again.grid_margin = model.grid_eps, model.grid_margin
    assert_same_model(model, again)


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("layers.1.spline_weight"), "no entries \\['layers.1.spline_weight'\\]"),
    (lambda s: s.update({"layers.0.spline_weight": np.ones((5, 3, 8))}), "spline_weight.*shape \\(5, 3, 9\\)"),
    (lambda s: s.update({"layers.1.grid": np.ones((5, 12))}), "layers.1.grid.*shape \\(5, 13\\)"),
    (lambda s: s.update({"layers.0.spline_scaler": np.ones((3, 5))}), "spline_scaler.*shape \\(5, 3\\)"),
    (lambda s: s.update({"layers.0.bias": np.ones(5)}), "unexpected keys \\['layers.0.bias'\\]"),
    (lambda s: s.update({"layers.3.grid": np.ones((2, 13))}), "numbered 0..L-1, got \\[0, 1, 3\\]"),
    (lambda s: s.update({"grid": np.ones((2, 13))}), "mixes KAN keys"),
    (lambda s: s.update({"layers.1.base_weight": np.ones((2, 4))}), "layer 1 has 4 inputs but layer 0 has 5 outputs"),
])
def test_from_efficient_kan_errors(change, message):
    state = random_effkan_state()
    change(state)
    with pytest.raises(ValueError, match=message):
        from_efficient_kan(state, 6, 3)


def test_efficient_kan_argument_errors():
    state = random_effkan_state()
    with pytest.raises(ValueError, match="base_activation must be one of"):
        from_efficient_kan(state, 6, 3, base_activation="gelu")
    with pytest.raises(TypeError, match="G \\(grid intervals\\) must be an int"):
        from_efficient_kan(state, 6.0, 3)
    with pytest.raises(TypeError, match="efficient-kan state must be a dict"):
        from_efficient_kan(list(state.values()), 6, 3)
    with pytest.raises(ValueError, match="symbolic edges"):
        to_efficient_kan(random_model(bias=False))
    with pytest.raises(ValueError, match="non-zero bias"):
        to_efficient_kan(random_model(symbolic=False))
    model = KAN.from_layers([KAN([2, 3], grid=4, seed=1).layers[0], KAN([3, 1], grid=7, seed=2).layers[0]])
    with pytest.raises(ValueError, match="one grid_size"):
        to_efficient_kan(model)
