"""Cross-checks against the real pykan 0.2.8 (torch, float64), through :mod:`minikan.tools.interop`.

Every comparison loads the *same* parameters into both implementations (random, not pykan's
initialisation, whose torch random stream minikan does not reproduce) and compares closed-form
results: the B-spline basis, forward passes, autograd against the hand-written backward, the
penalty pykan's ``fit`` logs, grid update, grid extension and ``fit_params``. Where minikan
deliberately differs (the samples grid extension uses, ``fit_params``' absolute epsilon, the
degree-0 basis at the last knot) the test measures the difference. Skipped without torch/pykan.
"""
import importlib.metadata
import random

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the pykan cross-checks need torch (pip install torch==2.13.0)")
kan = pytest.importorskip("kan", reason="the pykan cross-checks need pykan 0.2.8 (pip install pykan==0.2.8 --no-deps)")
try:
    PYKAN_VERSION = importlib.metadata.version("pykan")
except importlib.metadata.PackageNotFoundError:  # a module named kan that is not pykan
    PYKAN_VERSION = None
if PYKAN_VERSION != "0.2.8":
    pytest.skip(f"these cross-checks pin pykan 0.2.8, found {PYKAN_VERSION}", allow_module_level=True)

from kan import MultKAN  # noqa: E402
from kan.spline import B_batch  # noqa: E402
from kan.utils import fit_params  # noqa: E402

from minikan.core import spline  # noqa: E402
from minikan.tools.interop import from_pykan, pykan_keys, to_pykan  # noqa: E402
from minikan.interpret.prune import attribution_scores  # noqa: E402
from minikan.core.regularize import Sparsity  # noqa: E402
from minikan.interpret.symbolic import fit_affine  # noqa: E402
from minikan.core.objective import loss_and_grad


@pytest.fixture(autouse=True)
def pykan_env(tmp_path, monkeypatch):
    """float64 torch in an empty working directory; every global state pykan touches is restored.

    pykan's constructor reseeds torch, NumPy's global generator and ``random``; ``fit`` draws from
    NumPy's global generator; a model with ``auto_save`` writes ``./model``. None of it leaks.
    """
    monkeypatch.chdir(tmp_path)
    dtype = torch.get_default_dtype()
    states = torch.get_rng_state(), np.random.get_state(), random.getstate()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_rng_state(states[0])
        np.random.set_state(states[1])
        random.setstate(states[2])


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def numpy_state(model):
    return {key: value.detach().cpu().numpy() for key, value in model.state_dict().items()}


def random_knots(n_in, G, k, rng, uniform=False):
    """Per-input knots on random, non-uniform base intervals, extended as pykan does."""
    if uniform:
        base = np.tile(np.linspace(-1.0, 1.0, G + 1), (n_in, 1))
    else:
        steps = rng.uniform(0.5, 1.5, size=(n_in, G))
        cumulative = np.concatenate([np.zeros((n_in, 1)), np.cumsum(steps, axis=1)], axis=1)
        base = -1.0 + 2.0 * cumulative / steps.sum(axis=1, keepdims=True)
    return spline.extend_grid(base, k)


def make_pykan(width, G, k, rng, base_fun="silu", uniform=False, **options):
    """A pykan MultKAN whose splines, weights and knots are random (no auto-save)."""
    model = MultKAN(width=list(width), grid=G, k=k, base_fun=base_fun, seed=0, auto_save=False, **options)
    state = numpy_state(model)
    Gs = G if isinstance(G, list) else [G] * (len(width) - 1)
    ks = k if isinstance(k, list) else [k] * (len(width) - 1)
    for l, (n_in, n_out) in enumerate(zip(width[:-1], width[1:])):
        state[f"act_fun.{l}.grid"] = random_knots(n_in, Gs[l], ks[l], rng, uniform)
        state[f"act_fun.{l}.coef"] = rng.normal(0.0, 0.5, size=(n_in, n_out, Gs[l] + ks[l]))
        state[f"act_fun.{l}.scale_base"] = rng.normal(size=(n_in, n_out))
        state[f"act_fun.{l}.scale_sp"] = rng.normal(size=(n_in, n_out))
    model.load_state_dict({key: t(v) for key, v in state.items()})
    return model


def config_of(model, **extra):
    return dict(width=model.width, grid=model.grid, k=model.k, base_fun=model.base_fun_name, **extra)


def pykan_grads(model, mk):
    """pykan's parameter gradients in minikan's flat order (pykan names, minikan layouts)."""
    params = dict(model.named_parameters())
    names = {"coef": "act_fun.{l}.coef", "w_b": "act_fun.{l}.scale_base", "w_s": "act_fun.{l}.scale_sp",
             "bias": "node_bias_{l}", "affine": "symbolic_fun.{l}.affine"}
    parts = []
    for l, name, _ in mk.param_groups():
        g = params[names[name].format(l=l)].grad.numpy()
        parts.append((g.transpose(1, 0, 2) if name == "affine" else g).ravel())  # pykan: [out, in, 4]
    return np.concatenate(parts)


# ------------------------------------------------------------------------------ B-spline basis
@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("uniform", [True, False])
def test_basis_matches_pykan_B_batch(k, uniform):
    rng = np.random.default_rng(k)
    G, n_in = 6, 3
    grid = random_knots(n_in, G, k, rng, uniform)
    x = np.concatenate([rng.uniform(grid[:, 0] - 0.5, grid[:, -1] + 0.5, size=(300, n_in)), grid.T])
    B_pykan = B_batch(t(x), t(grid), k=k).numpy()
    values, start = spline.basis_local(x, grid, k)
    assert np.abs(spline.basis(x, grid, k) - B_pykan).max() <= 1e-12
    assert np.abs(spline.local_to_dense(values[0], start, G + k) - B_pykan).max() <= 1e-12


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_repeated_knot_pykan_basis_loses_partition_of_unity(k):
    # pykan's B_batch applies nan_to_num to the *sum* of the two Cox-de Boor terms: next to a
    # zero-length knot span one term is (c/0)*0 = NaN and the whole function becomes 0, valid
    # term included. minikan takes each 0/0 ratio as 0 (de Boor), so the basis keeps summing to 1.
    G = 6
    grid = spline.uniform_grid(G, k)
    p = k + 2
    grid[p + 1] = grid[p]  # a double interior knot
    x = np.linspace(grid[0] - 0.3, grid[-1] + 0.3, 1001)
    B_pykan = B_batch(t(x[:, None]), t(grid[None]), k=k).numpy()[:, 0]
    B_mine = spline.basis(x, grid, k)
    near = (x >= grid[p - 1]) & (x < grid[p + 2])  # the two intervals around the double knot
    assert np.abs(B_mine - B_pykan)[~near].max() <= 1e-12
    inside = (x >= grid[k]) & (x <= grid[G + k])
    assert np.abs(B_mine[inside].sum(axis=1) - 1.0).max() <= 1e-12
    assert B_pykan[near].sum(axis=1).min() < 0.01


def test_degree_zero_basis_differs_only_at_the_last_knot():
    # minikan closes the last piece at the last knot (SciPy's rule, partition of unity at b);
    # pykan's pieces are all half-open, so every function is 0 there
    grid = spline.uniform_grid(4, 0)
    x = np.concatenate([np.linspace(-1.5, 1.5, 61), [1.0]])[:, None]
    B_pykan = B_batch(t(x), t(grid[None]), k=0).numpy()[:, 0]
    B_mine = spline.basis(x[:, 0], grid, 0)
    differs = np.any(B_mine != B_pykan, axis=1)
    assert x[differs, 0].tolist() == [1.0, 1.0]
    assert B_mine[-1].sum() == 1.0 and B_pykan[-1].sum() == 0.0


# ------------------------------------------------------------------------------ forward
@pytest.mark.parametrize("base_fun", ["silu", "identity", "zero"])
def test_forward_of_pykan_parameters(base_fun):
    rng = np.random.default_rng(1)
    pk = make_pykan([3, 4, 2], 5, 3, rng, base_fun=base_fun)
    with torch.no_grad():
        pk.act_fun[0].mask[1, 2] = 0.0
        pk.node_bias[0][:] = t(rng.normal(size=4))
        pk.subnode_bias[1][:] = t(rng.normal(size=2))
    mk = from_pykan(numpy_state(pk), config_of(pk))
    X = rng.uniform(-1.3, 1.3, size=(200, 3))  # some points on the outer intervals and beyond
    with torch.no_grad():
        y_pykan = pk(t(X)).numpy()
    assert np.abs(mk.predict(X) - y_pykan).max() <= 1e-12
    # layer by layer: edge values (pykan [sample, out, in]) and the spline part alone
    for l, x in enumerate(mk.layer_inputs(X)):
        with torch.no_grad():
            _, _, postacts, postspline = pk.act_fun[l](t(x))
        assert np.abs(mk.layers[l].edge_functions(x) - postacts.numpy().transpose(0, 2, 1)).max() <= 1e-12
        assert np.abs(mk.layers[l].spline_part(x) - postspline.numpy().transpose(0, 2, 1)).max() <= 1e-12


def test_forward_with_grid_and_degree_per_layer():
    rng = np.random.default_rng(2)
    pk = make_pykan([2, 3, 1], [4, 7], [3, 2], rng)
    mk = from_pykan(numpy_state(pk), config_of(pk))
    assert [layer.G for layer in mk.layers] == [4, 7] and [layer.k for layer in mk.layers] == [3, 2]
    X = rng.uniform(-1.2, 1.2, size=(100, 2))
    with torch.no_grad():
        assert np.abs(mk.predict(X) - pk(t(X)).numpy()).max() <= 1e-12


def symbolic_pykan(rng):
    """A pykan model with a symbolic edge (mode "s") and a numeric+symbolic edge (mode "sn")."""
    pk = make_pykan([2, 3, 2], 5, 3, rng, affine_trainable=True)
    pk.fix_symbolic(0, 1, 2, "sin", fit_params_bool=False, verbose=False, log_history=False)
    pk.fix_symbolic(1, 0, 1, "x^2", fit_params_bool=False, verbose=False, log_history=False)
    pk.set_mode(1, 0, 1, "sn")
    with torch.no_grad():
        for layer in pk.symbolic_fun:
            layer.affine[:] = t(rng.normal(size=layer.affine.shape))
        pk.node_bias[0][:] = t(rng.normal(size=3))
    return pk


def test_symbolic_edges_from_pykan():
    rng = np.random.default_rng(3)
    pk = symbolic_pykan(rng)
    funs = [layer.funs_name for layer in pk.symbolic_fun]
    with pytest.raises(ValueError, match="no function names"):
        from_pykan(numpy_state(pk), config_of(pk))
    mk = from_pykan(numpy_state(pk), config_of(pk, symbolic_funs=funs, affine_trainable=True))
    assert mk.symbolic[0].funs[1, 2] == "sin" and mk.layers[1].mask[0, 1] == 1.0
    X = rng.uniform(-1, 1, size=(150, 2))
    with torch.no_grad():
        assert np.abs(mk.predict(X) - pk(t(X)).numpy()).max() <= 1e-12


def test_minikan_model_in_pykan():
    rng = np.random.default_rng(4)
    mk = from_pykan(numpy_state(make_pykan([3, 2, 2], 6, 2, rng)), dict(width=[3, 2, 2], grid=6, k=2, base_fun="silu"))
    mk.layers[0].bias = rng.normal(size=2)
    mk.layers[1].mask[1, 0] = 0.0
    mk.fix_symbolic(1, 0, 1, "tanh")
    mk.symbolic[1].affine[0, 1] = [1.5, -0.2, 0.7, 0.1]
    state, config = to_pykan(mk)
    funs = config.pop("symbolic_funs")
    pk = MultKAN(**config, auto_save=False)
    assert set(pk.state_dict()) == set(state) == set(pykan_keys(2))
    for l, names in enumerate(funs):
        for j, row in enumerate(names):
            for i, name in enumerate(row):
                if name != "0":
                    pk.symbolic_fun[l].fix_symbolic(i, j, name, verbose=False)
    pk.load_state_dict({key: t(v) for key, v in state.items()})  # strict: every key present
    X = rng.uniform(-1.2, 1.2, size=(120, 3))
    with torch.no_grad():
        assert np.abs(mk.predict(X) - pk(t(X)).numpy()).max() <= 1e-12


def test_node_scales_fold_into_the_weights():
    rng = np.random.default_rng(5)
    pk = make_pykan([2, 3, 1], 5, 3, rng)
    with torch.no_grad():
        pk.node_scale[0][:] = t(rng.uniform(0.5, 2.0, size=3))
        pk.subnode_scale[0][:] = t(rng.uniform(0.5, 2.0, size=3))
        pk.subnode_bias[0][:] = t(rng.normal(size=3))
    with pytest.raises(ValueError, match="node_scale_0 \\* subnode_scale_0 differs from 1"):
        from_pykan(numpy_state(pk), config_of(pk))
    mk = from_pykan(numpy_state(pk), config_of(pk), fold_scales=True)
    X = rng.uniform(-1, 1, size=(100, 2))
    with torch.no_grad():
        assert np.abs(mk.predict(X) - pk(t(X)).numpy()).max() <= 1e-12


# ------------------------------------------------------------------------------ gradients
def test_parameter_gradients_match_autograd():
    rng = np.random.default_rng(6)
    pk = symbolic_pykan(rng)
    mk = from_pykan(numpy_state(pk), config_of(pk, symbolic_funs=[s.funs_name for s in pk.symbolic_fun],
                                                  affine_trainable=True))
    X, y = rng.uniform(-1, 1, size=(100, 2)), rng.normal(size=(100, 2))
    loss = torch.mean((pk(t(X)) - t(y)) ** 2)  # pykan's default loss_fn
    loss.backward()
    mse, grad = loss_and_grad(mk, mk.get_flat(), X, y)
    g_pykan = pykan_grads(pk, mk)
    assert abs(mse - loss.item()) <= 1e-12
    assert {name for _, name, _ in mk.param_groups()} == {"coef", "w_b", "w_s", "bias", "affine"}
    assert np.abs(grad - g_pykan).max() <= 1e-10 * np.abs(g_pykan).max()


def test_regularised_objective_and_gradient_match_autograd():
    rng = np.random.default_rng(7)
    pk = make_pykan([3, 3, 2], 5, 3, rng)
    mk = from_pykan(numpy_state(pk), config_of(pk))
    X, y = rng.uniform(-1, 1, size=(100, 3)), rng.normal(size=(100, 2))
    lamb, mu1, mu2, lc, ld = 0.01, 1.0, 2.0, 0.3, 0.2  # pykan's fit defaults plus coefficient terms
    pred = pk(t(X))
    objective = torch.mean((pred - t(y)) ** 2) + lamb * pk.get_reg("edge_forward_spline_n", mu1, mu2, lc, ld)
    objective.backward()
    total, grad = loss_and_grad(mk, mk.get_flat(), X, y, Sparsity(lamb, mu1, mu2, "pykan", lc, ld))
    g_pykan = pykan_grads(pk, mk)
    assert abs(total - objective.item()) <= 1e-12
    assert np.abs(grad - g_pykan).max() <= 1e-10 * np.abs(g_pykan).max()


def test_regularised_gradient_on_spline_and_symbolic_edges_matches_autograd():
    """A model with a symbolic edge and an edge that is both spline and symbolic ("sn"), with the
    penalty on: pykan's penalty reads the spline branch only, and so must the gradient."""
    rng = np.random.default_rng(17)
    pk = symbolic_pykan(rng)
    mk = from_pykan(numpy_state(pk), config_of(pk, symbolic_funs=[s.funs_name for s in pk.symbolic_fun],
                                                  affine_trainable=True))
    X, y = rng.uniform(-1, 1, size=(100, 2)), rng.normal(size=(100, 2))
    lamb, mu1, mu2, lc, ld = 0.05, 1.0, 2.0, 0.3, 0.2
    objective = torch.mean((pk(t(X)) - t(y)) ** 2) + lamb * pk.get_reg("edge_forward_spline_n", mu1, mu2, lc, ld)
    objective.backward()
    total, grad = loss_and_grad(mk, mk.get_flat(), X, y, Sparsity(lamb, mu1, mu2, "pykan", lc, ld))
    g_pykan = pykan_grads(pk, mk)
    assert abs(total - objective.item()) <= 1e-12
    assert np.abs(grad - g_pykan).max() <= 1e-10 * np.abs(g_pykan).max()


def test_penalty_is_the_reg_pykan_fit_logs():
    rng = np.random.default_rng(8)
    pk = make_pykan([2, 4, 1], 5, 3, rng)
    mk = from_pykan(numpy_state(pk), config_of(pk))
    X, Xt = rng.uniform(-1, 1, size=(80, 2)), rng.uniform(-1, 1, size=(50, 2))
    y, yt = np.sin(X.sum(1, keepdims=True)), np.sin(Xt.sum(1, keepdims=True))
    expected = mk.regularization(X, lamb_l1=1.5, lamb_entropy=2.5, metric="pykan", lamb_coef=0.1, lamb_coefdiff=0.2)
    with torch.no_grad():
        pk(t(X))
        assert abs(pk.get_reg("edge_forward_spline_n", 1.5, 2.5, 0.1, 0.2).item() - expected) <= 1e-12
    # one Adam step computes reg in its forward before the update, on the training inputs
    dataset = dict(train_input=t(X), train_label=t(y), test_input=t(Xt), test_label=t(yt))
    history = pk.fit(dataset, opt="Adam", steps=1, lr=1e-3, lamb=0.01, lamb_l1=1.5, lamb_entropy=2.5,
                     lamb_coef=0.1, lamb_coefdiff=0.2, update_grid=False)
    assert abs(float(history["reg"][0]) - expected) <= 1e-12
    assert abs(float(history["train_loss"][0]) - np.sqrt(mk.loss(X, y))) <= 1e-12  # pykan logs RMSE


# ------------------------------------------------------------------------------ grids
def test_update_grid_from_samples_matches():
    rng = np.random.default_rng(9)
    pk = make_pykan([2, 3, 1], 5, 3, rng, uniform=True)
    mk = from_pykan(numpy_state(pk), config_of(pk))  # grid_eps 0.02 and margin 0, pykan's rule
    X = rng.normal(0.0, 0.6, size=(300, 2))
    pk.update_grid_from_samples(t(X))
    mk.update_grid(X)
    state = numpy_state(pk)
    for l, layer in enumerate(mk.layers):
        assert np.abs(layer.grid - state[f"act_fun.{l}.grid"]).max() <= 1e-12
        assert np.abs(layer.coef - state[f"act_fun.{l}.coef"]).max() <= 1e-10  # gelsy vs gelsd, full rank
    with torch.no_grad():
        assert np.abs(mk.predict(X) - pk(t(X)).numpy()).max() <= 1e-12


def test_refine_uses_the_samples_given():
    rng = np.random.default_rng(10)
    pk = make_pykan([2, 2, 1], 5, 3, rng)
    X_train, X_test = rng.uniform(-1, 1, size=(200, 2)), rng.uniform(-1, 1, size=(200, 2))
    y_train, y_test = np.exp(X_train[:, :1]) * X_train[:, 1:], np.exp(X_test[:, :1]) * X_test[:, 1:]
    # knots that follow the samples, so that every fine interval holds samples and each least-squares
    # transfer has full rank (on a rank-deficient system torch's gelsy and LAPACK's gelsd disagree)
    pk.update_grid_from_samples(t(X_train))
    mk = from_pykan(numpy_state(pk), config_of(pk))

    with torch.no_grad():
        pk(t(X_train))  # pykan refines on the input of the last forward pass
    fine = pk.refine(8)
    same = mk.refine(8, X_train)
    state = numpy_state(fine)
    for l, layer in enumerate(same.layers):
        assert np.abs(layer.grid - state[f"act_fun.{l}.grid"]).max() <= 1e-12
        assert np.abs(layer.coef - state[f"act_fun.{l}.coef"]).max() <= 1e-10

    # after fit, pykan's last forward is the test evaluation: refine then fits on the test inputs
    dataset = dict(train_input=t(X_train), train_label=t(y_train), test_input=t(X_test), test_label=t(y_test))
    pk.fit(dataset, opt="Adam", steps=1, lr=0.0, update_grid=False)
    cached = pk.cache_data.numpy()
    assert np.array_equal(cached[np.lexsort(cached.T)], X_test[np.lexsort(X_test.T)])  # a permutation
    state = numpy_state(pk.refine(8))
    on_test, on_train = mk.refine(8, X_test), mk.refine(8, X_train)
    for l in range(2):
        assert np.abs(on_test.layers[l].coef - state[f"act_fun.{l}.coef"]).max() <= 1e-10
        # 5 -> 8 intervals is not nested, so the least-squares transfer depends on the samples
        assert np.abs(on_train.layers[l].coef - state[f"act_fun.{l}.coef"]).max() > 1e-4


# ------------------------------------------------------------------------------ symbolic fit
def test_fit_params_matches_fit_affine():
    rng = np.random.default_rng(11)
    x = np.linspace(-1, 1, 101)
    y = 2.0 * np.sin(3.0 * x + 0.5) - 1.0 + 0.01 * rng.normal(size=x.size)
    ranges = dict(a_range=(0, 5), b_range=(-2, 2))  # one best cell (no mirror image, see below)
    params_pk, r2_pk = fit_params(t(x), t(y), torch.sin, verbose=False, **ranges)
    params, r2 = fit_affine(x, y, "sin", **ranges)  # same grid (101 x 101) and zoom count (3)
    assert np.abs(params - params_pk.numpy()).max() <= 1e-10
    # pykan's r2 is the squared correlation with 1e-4 added to its denominator; minikan's is
    # 1 - SS_res/SS_tot of the fit, which equals the squared correlation for OLS with intercept
    F = np.sin(params[0] * x + params[1])
    den = np.sum((F - F.mean()) ** 2) * np.sum((y - y.mean()) ** 2)
    assert abs(r2 * den / (den + 1e-4) - r2_pk.item()) <= 1e-12


def test_fit_params_mirror_images_give_the_same_curve():
    # on (-10, 10)^2, sin(a x + b) and sin(-a x - b) = -sin(a x + b) fit equally well; rounding
    # picks one of the two cells, so the parameters may differ while the fitted curve does not
    rng = np.random.default_rng(11)
    x = np.linspace(-1, 1, 101)
    y = 2.0 * np.sin(3.0 * x + 0.5) - 1.0 + 0.01 * rng.normal(size=x.size)
    (a, b, c, d), _ = fit_params(t(x), t(y), torch.sin, verbose=False)
    params, _ = fit_affine(x, y, "sin")
    curve = c.item() * np.sin(a.item() * x + b.item()) + d.item()
    assert np.abs(curve - (params[2] * np.sin(params[0] * x + params[1]) + params[3])).max() <= 1e-10


def test_fit_params_epsilon_is_not_scale_invariant():
    x = np.linspace(-1, 1, 50)
    y = 1e-3 * np.sin(3.0 * x + 0.5)  # an edge with a small output range
    ranges = dict(a_range=(0, 5), b_range=(-2, 2))
    params_pk, r2_pk = fit_params(t(x), t(y), torch.sin, verbose=False, **ranges)
    params, r2 = fit_affine(x, y, "sin", **ranges)
    assert r2 > 1 - 1e-12 and np.abs(params - [3.0, 0.5, 1e-3, 0.0]).max() <= 1e-9
    # the absolute 1e-4 dominates denominators of about 6e-4 and favours cells where f varies more
    assert r2_pk.item() < 0.9 and abs(params_pk[0].item() - 3.0) > 0.01


# ------------------------------------------------------------------------------ multiplication nodes
def mult_pykan(arity, rng):
    """A pykan model with product nodes in the hidden and the output row, random splines, weights
    and subnode biases (node and subnode scales at pykan's default 1, node biases 0)."""
    pk = MultKAN(width=[3, [2, 2], [1, 1]], grid=5, k=3, mult_arity=arity, seed=0, auto_save=False)
    state = numpy_state(pk)
    for l in range(2):
        for p in ("coef", "scale_base", "scale_sp"):
            state[f"act_fun.{l}.{p}"] = rng.normal(0.0, 0.5, size=state[f"act_fun.{l}.{p}"].shape)
        state[f"subnode_bias_{l}"] = rng.normal(size=state[f"subnode_bias_{l}"].shape)
    pk.load_state_dict({key: t(v) for key, v in state.items()})
    return pk


@pytest.mark.parametrize("arity", [2, 3])
def test_multiplication_nodes_match_pykan_both_ways(arity):
    rng = np.random.default_rng(20 + arity)
    pk = mult_pykan(arity, rng)
    assert pk.width_out == [3, 2 + 2 * arity, 1 + arity]
    mk = from_pykan(numpy_state(pk), config_of(pk, mult_arity=arity))
    assert mk.n_mult == [0, 2, 1] and mk.subnode_width == pk.width_out and mk.width == pk.width_in
    X = rng.uniform(-1.2, 1.2, size=(150, 3))
    with torch.no_grad():
        y_pykan = pk(t(X)).numpy()
    assert np.abs(mk.predict(X) - y_pykan).max() <= 1e-10
    # pykan's attribution copies a product node's score to its subnodes; so does minikan's
    pk.attribute()
    nodes, edges = attribution_scores(mk, X)
    for ours, theirs in zip(nodes, pk.node_scores):
        assert np.abs(ours - theirs.detach().numpy()).max() <= 1e-10
    for ours, theirs in zip(edges, pk.edge_scores):
        assert np.abs(ours - theirs.detach().numpy().T).max() <= 1e-10  # pykan: [out, in]
    # and back: the minikan model rebuilt in pykan
    state, config = to_pykan(mk)
    config.pop("symbolic_funs")
    pk2 = MultKAN(**config, auto_save=False)
    pk2.load_state_dict({key: t(v) for key, v in state.items()})
    with torch.no_grad():
        assert np.abs(pk2(t(X)).numpy() - mk.predict(X)).max() <= 1e-10
