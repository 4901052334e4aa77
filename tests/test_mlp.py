"""MLP (Eq. 2.9) and LAN (Appendix B) baselines: gradients, parameter counts, grids, training, errors."""
import numpy as np
import pytest

from minikan import LAN, MLP, numerical_gradient

from minikan import gradcheck
from minikan.core.losses import cross_entropy, mse
from minikan.baselines.mlp import ACTIVATIONS, activation_derivatives
from minikan.core.regularize import Sparsity
from minikan.core.spline import fit_coef

LOSSES = {"mse": mse, "cross_entropy": cross_entropy}


def _targets(loss_name, rng, N, n_out):
    if loss_name == "mse":
        return rng.normal(size=(N, n_out))
    return rng.integers(0, n_out, size=N)  # class labels


def _check_all_gradients(model, X, y, loss, eps=1e-5, tol=1e-7):
    """Every flat parameter and the input gradient against fourth-order central differences."""
    theta = model.get_flat()
    total, grad, data_loss, reg = model.evaluate(theta, X, y, loss=loss)
    assert total == data_loss and reg == 0.0
    num = numerical_gradient(lambda t: model.evaluate(t, X, y, loss=loss)[0], theta, eps)
    names = model.flat_group_names()
    for group in sorted(set(names)):
        sel = names == group
        # relative to the size of this group's gradient, so that a small group is checked too
        scale = max(np.abs(grad[sel]).max(), 1e-300)
        err = np.abs(num[sel] - grad[sel]).max() / scale
        assert err <= tol, f"{group}: relative error {err:.2e} (gradient scale {scale:.2e})"
    model.set_flat(theta)
    # input gradient, through a random linear functional of the outputs
    R = np.random.default_rng(1).normal(size=(X.shape[0], model.width[-1]))
    _, caches = model.forward(X)
    dX, _ = model.backward(R, caches)
    err = gradcheck(lambda Z: float(np.sum(model.predict(Z) * R)), dX, X, eps=eps)
    assert err <= tol, f"input gradient: relative error {err:.2e}"


# ---------------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivatives_match_finite_differences(name):
    z = np.linspace(-3.0, 3.0, 41) + 0.013  # no point at relu's kink z = 0
    h = 1e-5
    f = activation_derivatives(name, z, 3, omega0=7.0)
    up = activation_derivatives(name, z + h, 3, omega0=7.0)
    down = activation_derivatives(name, z - h, 3, omega0=7.0)
    for m in range(1, 4):
        central = (up[m - 1] - down[m - 1]) / (2 * h)  # error ~ h^2 |f^(m+2)| / 6, far below 1e-6
        scale = max(np.abs(f[m]).max(), 1.0)
        assert np.abs(central - f[m]).max() <= 1e-6 * scale, f"{name}: derivative {m}"
    expected = {"silu": z / (1 + np.exp(-z)), "tanh": np.tanh(z), "relu": np.maximum(z, 0),
                "sin": np.sin(7.0 * z)}[name]
    assert np.allclose(f[0], expected, rtol=1e-14, atol=1e-15)
    assert len(activation_derivatives(name, z, 0)) == 1


def test_activation_derivatives_rejects_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_derivatives("gelu", [0.0])
    with pytest.raises(ValueError, match="order must be <= 3"):
        activation_derivatives("tanh", [0.0], 4)
    with pytest.raises(ValueError, match="omega0 must be > 0"):
        activation_derivatives("sin", [0.0], 1, omega0=0.0)


# ---------------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
def test_mlp_gradients_match_finite_differences(activation, loss_name):
    rng = np.random.default_rng(0)
    model = MLP([3, 5, 4, 3], activation=activation, seed=1, omega0=3.0)
    for b in model.biases:  # non-zero biases, so that a wrong bias gradient shows
        b[...] = rng.normal(0.0, 0.5, size=b.shape)
    X = rng.uniform(-1.0, 1.0, size=(12, 3))
    if activation == "relu":
        # a central difference straddling relu's kink measures an average slope; keep samples
        # whose hidden pre-activations are all at least 1e-3 away from 0
        _, caches = model.forward(X)
        X = X[np.all([np.abs(c["z"]).min(axis=1) > 1e-3 for c in caches[:-1]], axis=0)]
        assert X.shape[0] >= 6
    _check_all_gradients(model, X, _targets(loss_name, rng, X.shape[0], 3), LOSSES[loss_name])


@pytest.mark.parametrize("base, k", [("silu", 3), ("tanh", 1), ("sin", 2)])
@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
def test_lan_gradients_match_finite_differences(base, k, loss_name):
    rng = np.random.default_rng(2)
    model = LAN([2, 4, 3, 3], grid=4, k=k, seed=3, base=base, omega0=2.0, grid_range=(-0.6, 0.6))
    # random parameters of order one (not the small initial spline), every group non-trivial
    for l in range(2):
        model.coefs[l][...] = rng.normal(size=model.coefs[l].shape)
        model.w_b[l][...] = rng.normal(size=model.w_b[l].shape)
        model.w_s[l][...] = rng.normal(size=model.w_s[l].shape)
    for b in model.biases:
        b[...] = rng.normal(0.0, 0.3, size=b.shape)
    X = rng.uniform(-1.0, 1.0, size=(40, 2))
    # a spline's k-th derivative jumps at each knot, so drop samples whose pre-activations lie
    # within 1e-3 of a knot (there the hand gradient is one-sided and a difference averages)
    gaps = [np.abs(z[:, :, None] - g[None]).min(axis=(1, 2))
            for z, g in zip(model.preactivations(X), model.grids)]
    X = X[np.all([gap > 1e-3 for gap in gaps], axis=0)][:15]
    assert X.shape[0] >= 10
    # the pre-activations fall inside the base intervals and beyond the last knots, where only
    # the base branch is left
    zs = model.preactivations(X)
    assert all((np.abs(z) < 0.6).any() for z in zs)
    assert any((np.abs(z) > g[0, -1]).any() for z, g in zip(zs, model.grids))
    _check_all_gradients(model, X, _targets(loss_name, rng, X.shape[0], 3), LOSSES[loss_name])


def test_gradients_respect_trainable_groups():
    rng = np.random.default_rng(4)
    X, y = rng.uniform(-1, 1, (10, 2)), rng.normal(size=(10, 1))
    full = LAN([2, 3, 1], grid=3, seed=0)
    part = LAN([2, 3, 1], grid=3, seed=0, trainable={"W": False, "w_s": False})
    g_full = full.evaluate(full.get_flat(), X, y)[1]
    g_part = part.evaluate(part.get_flat(), X, y)[1]
    keep = [not n.endswith((": W", ": w_s")) for n in full.flat_group_names()]
    assert np.array_equal(g_part, g_full[keep])
    assert set(part.flat_group_names()) == {"layer 0: b", "layer 0: coef", "layer 0: w_b", "layer 1: b"}


# ---------------------------------------------------------------------------------- structure
def test_parameter_counts():
    width = [3, 7, 5, 2]
    mlp = MLP(width)
    expected = sum((a + 1) * b for a, b in zip(width[:-1], width[1:]))
    assert mlp.n_params() == {"W": 21 + 35 + 10, "b": 7 + 5 + 2, "total": expected}
    assert mlp.get_flat().shape == (expected,)
    G, k = 5, 3
    lan = LAN(width, grid=G, k=k)
    counts = lan.n_params()
    # each hidden node: G+k coefficients, w_b and w_s (width N, depth L: ~ N^2 L + N L G)
    assert counts == {"W": 66, "b": 14, "coef": 12 * (G + k), "w_b": 12, "w_s": 12,
                      "total": expected + 12 * (G + k + 2)}
    assert lan.get_flat().shape == (counts["total"],)
    assert MLP(width, trainable={"W": False}).n_params() == {"W": 0, "b": 14, "total": 14}


def test_flat_vector_round_trip_and_layout():
    model = LAN([2, 3, 1], grid=4, k=2, seed=0)
    theta = model.get_flat()
    model.set_flat(2 * theta)
    assert np.array_equal(model.get_flat(), 2 * theta)
    # layer 0: W (2x3), b (3), coef (3x6), w_b (3), w_s (3); layer 1: W (3x1), b (1)
    assert np.array_equal(model.weights[0].ravel(), 2 * theta[:6])
    assert np.array_equal(model.coefs[0].ravel(), 2 * theta[9:27])
    assert model.flat_group_names()[-1] == "layer 1: b"


def test_same_seed_same_parameters():
    for make in (lambda s: MLP([3, 6, 2], "sin", seed=s), lambda s: MLP([3, 6, 2], "relu", seed=s),
                 lambda s: LAN([3, 6, 2], grid=4, seed=s)):
        a, b, c = make(5), make(5), make(6)
        assert np.array_equal(a.get_flat(), b.get_flat())
        assert not np.array_equal(a.get_flat(), c.get_flat())


def test_initialisation_recipes():
    xavier = MLP([20, 30, 10], "tanh", seed=0)
    bound = np.sqrt(6 / 50)
    assert 0.9 * bound < np.abs(xavier.weights[0]).max() <= bound
    assert all(np.all(b == 0) for b in xavier.biases)
    siren = MLP([20, 30, 10], "sin", seed=0, omega0=30.0)
    assert 0.9 / 20 < np.abs(siren.weights[0]).max() <= 1 / 20
    assert 0.9 * np.sqrt(6 / 30) / 30 < np.abs(siren.weights[1]).max() <= np.sqrt(6 / 30) / 30
    assert 0.9 / np.sqrt(20) < np.abs(siren.biases[0]).max() <= 1 / np.sqrt(20)
    torch_like = MLP([20, 30, 10], "relu", seed=0, init="pytorch")
    assert np.abs(torch_like.weights[1]).max() <= 1 / np.sqrt(30)
    lan = LAN([2, 40, 1], grid=5, seed=0)
    assert abs(lan.coefs[0].std() - 0.1) < 0.01 and np.all(lan.w_b[0] == 1) and np.all(lan.w_s[0] == 1)


def test_lan_from_mlp_computes_the_mlp():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 2))
    for activation in ACTIVATIONS:
        mlp = MLP([2, 6, 5, 1], activation, seed=1)
        lan = LAN.from_mlp(mlp, grid=5)
        assert lan.base == activation
        # coef = 0 and w_b = w_s = 1, so every node is exactly sigma
        assert np.array_equal(lan.predict(X), mlp.predict(X))


# ---------------------------------------------------------------------------------- grids
def test_update_grid_moves_knots_and_preserves_cubic_node_functions():
    rng = np.random.default_rng(5)
    model = LAN([2, 4, 3, 1], grid=5, k=3, seed=0, grid_range=(-4.0, 4.0))
    # make every node spline a cubic polynomial on its base interval [-4, 4]; cubics lie in every
    # cubic spline space, so the least-squares refit onto any new grid is exact up to rounding
    dense = np.linspace(-4.0, 4.0, 200)
    for l in range(2):
        n = model.coefs[l].shape[0]
        a = rng.normal(0.0, 0.3, size=(4, n))
        values = np.stack([np.polyval(a[:, i], dense) for i in range(n)], axis=1)  # (200, n)
        model.coefs[l][...] = fit_coef(np.tile(dense[:, None], (1, n)), values[:, :, None],
                                       model.grids[l], 3)[:, 0, :]
    X = rng.uniform(-1.0, 1.0, (100, 2))
    zs = model.preactivations(X)
    assert all(np.abs(z).max() < 4.0 for z in zs)  # the samples see the polynomial pieces only
    before = model.predict(X)
    model.update_grid(X)
    assert np.abs(model.predict(X) - before).max() <= 1e-10 * np.abs(before).max()
    # uniform knots (grid_eps = 1) on [min z - margin, max z + margin] of each node
    for z, g in zip(model.preactivations(X), model.grids):
        assert np.allclose(g[:, 3], z.min(axis=0) - 0.01) and np.allclose(g[:, -4], z.max(axis=0) + 0.01)


def test_update_grid_preserves_general_node_functions_by_least_squares():
    rng = np.random.default_rng(6)
    model = LAN([2, 5, 1], grid=5, seed=2)
    X = rng.uniform(-1.0, 1.0, (200, 2))
    before = model.predict(X)
    model.update_grid(X)
    # a random spline on the old knots is not in the new space, so only approximately kept: the
    # splines are 0.1-sized noise; a refit over 5 intervals leaves a residual well below that
    assert np.abs(model.predict(X) - before).max() < 0.02


def test_refine_to_a_multiple_of_G_preserves_the_function_on_the_samples():
    rng = np.random.default_rng(7)
    model = LAN([2, 4, 3, 1], grid=4, seed=1)
    X = rng.uniform(-1.0, 1.0, (150, 2))
    model.update_grid(X)  # every pre-activation inside its base interval
    before = model.predict(X)
    theta = model.get_flat()
    fine = model.refine(8, X)
    # knots of G = 4 are knots of G = 8 on the same interval, so the coarse spline lies in the
    # fine space and the least-squares fit reproduces it on the samples up to rounding
    assert fine.G == 8 and fine.grids[0].shape == (4, 8 + 2 * 3 + 1) and fine.coefs[1].shape == (3, 11)
    assert np.abs(fine.predict(X) - before).max() <= 1e-10 * np.abs(before).max()
    assert np.array_equal(model.get_flat(), theta) and model.G == 4  # self untouched
    assert np.array_equal(fine.weights[1], model.weights[1]) and fine.weights[1] is not model.weights[1]


# ---------------------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (100, 2))
    return X, np.sin(np.pi * X[:, :1]) + X[:, 1:] ** 2


@pytest.mark.parametrize("make", [lambda: MLP([2, 8, 1], "tanh", seed=0),
                                  lambda: LAN([2, 3, 1], grid=5, seed=0)], ids=["mlp", "lan"])
@pytest.mark.parametrize("opt", ["lbfgs", "adam"])
def test_training_reduces_the_loss(toy, make, opt):
    X, y = toy
    model = make()
    start = np.sqrt(model.loss(X, y))
    options = {"steps": 80} if opt == "lbfgs" else {"steps": 150, "opt": "adam", "lr": 0.02}
    h = model.fit(X, y, **options)
    assert np.sqrt(model.loss(X, y)) < 0.25 * start
    if isinstance(model, LAN) and opt == "lbfgs":
        assert h["grid_updates"].size > 0  # LANs follow the training schedule for grid updates


def test_frozen_groups_do_not_move(toy):
    X, y = toy
    model = LAN([2, 3, 1], grid=3, seed=0, trainable={"W": False, "coef": False})
    W, coef = [w.copy() for w in model.weights], [c.copy() for c in model.coefs]
    model.fit(X, y, steps=5, update_grid=False)
    assert all(np.array_equal(a, b) for a, b in zip(W, model.weights))
    assert all(np.array_equal(a, b) for a, b in zip(coef, model.coefs))


def test_evaluate_protocol():
    rng = np.random.default_rng(8)
    model = MLP([2, 4, 3], seed=0)
    X, labels = rng.uniform(-1, 1, (6, 2)), rng.integers(0, 3, 6)
    theta = model.get_flat()
    total, grad, data_loss, reg, pred = model.evaluate(theta, X, labels, Sparsity(0.0),
                                                      loss="cross_entropy", return_pred=True)
    assert np.array_equal(pred, model.predict(X)) and grad.shape == theta.shape
    assert total == data_loss == cross_entropy(pred, labels)[0] and reg == 0.0
    assert np.allclose(model.loss_and_grad(theta, X, pred)[1], 0.0)  # zero residual, zero gradient


# ---------------------------------------------------------------------------------- errors
class TestBadInput:
    @pytest.mark.parametrize("kwargs, error, match", [
        ({"activation": "gelu"}, ValueError, "activation must be one of"),
        ({"init": "he"}, ValueError, "init must be one of"),
        ({"omega0": 0.0}, ValueError, "omega0 must be > 0"),
        ({"trainable": {"bias": False}}, ValueError, "trainable key must be one of"),
        ({"trainable": ["W"]}, TypeError, "trainable must be a dict"),
    ])
    def test_mlp_constructor(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            MLP([2, 3, 1], **kwargs)

    @pytest.mark.parametrize("width, error", [([2], ValueError), ([2, 0, 1], ValueError),
                                              ("2,1", TypeError), ([2, 1.5], TypeError)])
    def test_bad_width(self, width, error):
        for cls in (MLP, LAN):
            with pytest.raises(error, match="width"):
                cls(width)

    @pytest.mark.parametrize("kwargs, error, match", [
        ({"grid": 0}, ValueError, "G .* must be >= 1"),
        ({"k": 2.0}, TypeError, "k .* must be an int"),
        ({"base": "identity"}, ValueError, "base must be one of"),
        ({"grid_range": (1.0,)}, ValueError, "grid_range must be"),
        ({"noise_scale": -1.0}, ValueError, "noise_scale must be >= 0"),
        ({"grid_eps": 2.0}, ValueError, "grid_eps must be <= 1"),
    ])
    def test_lan_constructor(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            LAN([2, 3, 1], **kwargs)

    def test_lan_needs_a_hidden_layer(self):
        with pytest.raises(ValueError, match="at least one hidden layer"):
            LAN([2, 1])
        with pytest.raises(ValueError, match="at least one hidden layer"):
            LAN.from_mlp(MLP([2, 1]))

    def test_data_and_vectors(self):
        model, lan = MLP([2, 3, 1]), LAN([2, 3, 1])
        with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got shape \(5, 3\)"):
            model.predict(np.zeros((5, 3)))
        with pytest.raises(TypeError, match="X"):
            lan.predict("abc")
        with pytest.raises(ValueError, match=r"y must be 2-D with shape \(N, 1\)"):
            model.fit(np.zeros((5, 2)), np.zeros(5))
        with pytest.raises(ValueError, match=r"flat parameter vector must have shape \(13,\)"):
            model.set_flat(np.zeros(3))
        with pytest.raises(ValueError, match="G_new must be >= 1"):
            lan.refine(0, np.zeros((5, 2)))
        with pytest.raises(ValueError, match="hidden layer index l must be < 1"):
            lan.node_values(1, np.zeros((5, 3)))
        with pytest.raises(ValueError, match=r"z must have shape \(N, 3\)"):
            lan.node_values(0, np.zeros((5, 2)))

    def test_sparsity_penalty_is_rejected(self):
        model = MLP([2, 3, 1])
        X, y = np.zeros((4, 2)), np.zeros((4, 1))
        with pytest.raises(ValueError, match="no sparsity penalty"):
            model.evaluate(model.get_flat(), X, y, Sparsity(lamb=0.1))
        with pytest.raises(ValueError, match="no sparsity penalty"):
            LAN([2, 3, 1]).fit(X, y, lamb=0.01, steps=2)
        with pytest.raises(TypeError, match="loss must be a function"):
            model.evaluate(model.get_flat(), X, y, loss=3)
