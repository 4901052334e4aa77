# %% [markdown]
# # 06 Verifying another KAN implementation, number by number
#
# Every KAN implementation computes the same edge functions of **Section 2.2** (Eq. 2.5 and
# 2.10-2.12), but stores the numbers in its own layout. This tutorial shows how to check another
# implementation against minikan:
#
# * move parameters between the pykan 0.2.8 and efficient-kan layouts and minikan
#   (`minikan.tools.interop`, see `docs/interop.md` and the name table in `docs/conventions.md`),
# * recompute a pykan-layout network by hand with NumPy and compare,
# * check an implementation of your own against minikan's golden files (`minikan.tools.verify`,
#   `docs/verify.md`) and read the error report, including one with a planted bug,
# * if `torch` and `kan` (pykan 0.2.8) are installed, compare with the real pykan. Without them
#   that last part prints a message and is skipped; everything else needs only NumPy.
#
# Set `MINIKAN_TUTORIAL_QUICK=1` for the short run used by the tests (this tutorial is fast
# either way).

# %%
import importlib.metadata
import os
import random
import tempfile
from pathlib import Path

import numpy as np
from scipy.special import expit

from minikan import KAN
from minikan.tools import verify
from minikan.datasets.toy import make_toy
from minikan.tools.interop import from_efficient_kan, from_pykan, pykan_keys, to_efficient_kan, to_pykan

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
STEPS = 20 if QUICK else 200  # L-BFGS iterations for the model we exchange (any trained model will do)

# %% [markdown]
# ## 1. The function all three libraries compute
#
# An edge $(i, j)$ of layer $l$ carries
#
# $$ \phi_{ij}(x) = m_{ij}\Big(w_{b,ij}\, b(x) + w_{s,ij} \sum_{m=0}^{G+k-1} c_{ijm} B_m(x)\Big),
#    \qquad b(x) = \frac{x}{1 + e^{-x}} \qquad (2.10\text{-}2.12)$$
#
# ($m_{ij}$ is the pruning mask; the paper writes one factor $w$, $\phi = w(b + \text{spline})$,
# and the code of all three libraries splits it into $w_b$ and $w_s$) and node $j$ sums its
# incoming edges, $x_{l+1,j} = \sum_i \phi_{ij}(x_{l,i})$ (Eq. 2.5). The arrays are the same
# everywhere; only names, axis order and a few extras differ:
#
# | minikan | pykan 0.2.8 | efficient-kan |
# |---|---|---|
# | `grid (in, G+2k+1)` | `act_fun.l.grid`, same | `layers.l.grid`, same |
# | `coef (in, out, G+k)` | `act_fun.l.coef`, same | `layers.l.spline_weight (out, in, G+k)` |
# | `w_b`, `w_s (in, out)` | `scale_base`, `scale_sp`, same | `base_weight`, `spline_scaler (out, in)` |
# | `bias (out,)` | `node_scale*subnode_bias + node_bias` | none |
#
# We train a small minikan model so that the parameters are not just their initial values.

# %%
data = make_toy("exp_sin_pi_x_plus_y2", n_train=500, n_test=500, seed=0)
X, y = data.train_input, data.train_label
model = KAN([2, 3, 1], grid=5, k=3, seed=0)
model.fit(X, y, steps=STEPS)
model.layers[1].mask[2, 0] = 0.0  # a pruned edge, so that the mask matters below
print(model, "trainable parameters:", model.n_params())

# %% [markdown]
# ## 2. The pykan layout, NumPy only
#
# `to_pykan` returns a pykan 0.2.8 state dict as NumPy arrays, plus the `MultKAN` constructor
# arguments. A torch user gets the same kind of dict from a pykan model with
# `{k: v.detach().cpu().numpy() for k, v in pk.state_dict().items()}`, and `from_pykan` reads it.

# %%
state, config = to_pykan(model)
print("config:", {k: v for k, v in config.items() if k != "symbolic_funs"})
for key in pykan_keys(2):
    print(f"  {key:<24} {state[key].shape}")
assert list(state) == pykan_keys(2)

again = from_pykan(state, config)  # config may carry pykan's symbolic function names too
X_check = np.random.default_rng(1).uniform(-1, 1, size=(300, 2))
assert np.array_equal(again.predict(X_check), model.predict(X_check))  # bit for bit
print("round trip minikan -> pykan layout -> minikan: identical predictions")

# %% [markdown]
# ## 3. The forward pass by hand, from pykan's arrays
#
# A check you can trust is one you can write yourself. Below, Cox-de Boor's recursion (degree-0
# pieces half-open, $[t_j, t_{j+1})$, so every function is 0 outside the extended knots) and
# Eq. 2.10-2.12 are written with NumPy straight from the pykan-named arrays, including pykan's
# node affine map `node_scale * (subnode_scale * y + subnode_bias) + node_bias`.

# %%
def cox_de_boor(x, t, k):
    """All G+k B-splines of degree k on the extended knots t (M,) at x (N,): shape (N, M-k-1)."""
    x = x[:, None]
    B = ((x >= t[:-1]) & (x < t[1:])).astype(float)  # degree 0
    for d in range(1, k + 1):
        left = (x - t[:-d - 1]) / (t[d:-1] - t[:-d - 1]) * B[:, :-1]
        right = (t[d + 1:] - x) / (t[d + 1:] - t[1:-d]) * B[:, 1:]
        B = left + right
    return B


def pykan_layer_by_hand(state, l, x, k):
    """Layer l of a pykan-layout state at x (N, n_in): (y (N, n_out), phi (N, n_in, n_out), spline)."""
    grid, coef = state[f"act_fun.{l}.grid"], state[f"act_fun.{l}.coef"]
    w_b, w_s, mask = (state[f"act_fun.{l}.{p}"] for p in ("scale_base", "scale_sp", "mask"))
    assert not state[f"symbolic_fun.{l}.mask"].any(), "this sketch has no symbolic branch"
    spline = np.stack([cox_de_boor(x[:, i], grid[i], k) @ coef[i].T for i in range(x.shape[1])], axis=1)
    silu = x * expit(x)
    phi = mask * (w_b * silu[:, :, None] + w_s * spline)  # (N, n_in, n_out), Eq. 2.10
    y = phi.sum(axis=1)                                    # Eq. 2.5
    y = state[f"node_scale_{l}"] * (state[f"subnode_scale_{l}"] * y + state[f"subnode_bias_{l}"]) \
        + state[f"node_bias_{l}"]
    return y, phi, spline


def pykan_network_by_hand(state, n_layers, X, k):
    for l in range(n_layers):
        X = pykan_layer_by_hand(state, l, X, k)[0]
    return X


by_hand = pykan_network_by_hand(state, 2, X_check, k=3)
err = np.abs(by_hand - model.predict(X_check)).max()
print(f"max |by hand - minikan| = {err:.1e}")
assert err < 1e-13

# %% [markdown]
# ## 4. What minikan does not have: node scales
#
# pykan can scale each node's output; minikan has a bias and no scale. `from_pykan` maps the two
# biases to `bias = node_scale * subnode_bias + node_bias` and refuses a scale other than 1,
# unless asked to fold it into the incoming edges' `w_b` and `w_s` (same forward pass).

# %%
scaled = {key: value.copy() for key, value in state.items()}
rng = np.random.default_rng(2)
scaled["node_scale_0"] = rng.uniform(0.5, 2.0, size=3)
scaled["subnode_bias_0"] = rng.normal(size=3)
scaled["node_bias_1"] = np.array([0.25])
try:
    from_pykan(scaled, config)
except ValueError as error:
    print("refused:", str(error)[:110], "...")
folded = from_pykan(scaled, config, fold_scales=True)
err = np.abs(folded.predict(X_check) - pykan_network_by_hand(scaled, 2, X_check, k=3)).max()
print(f"folded scales, max |minikan - by hand| = {err:.1e}; biases: {[l.bias for l in folded.layers]}")
assert err < 1e-12
assert np.allclose(folded.layers[0].bias, scaled["node_scale_0"] * scaled["subnode_bias_0"])

# %% [markdown]
# ## 5. The efficient-kan layout
#
# efficient-kan stores parameters as `[out, in]` and has no mask or bias: `to_efficient_kan`
# multiplies the mask into `base_weight` and `spline_scaler`, which computes the same function.

# %%
eff_state, eff_config = to_efficient_kan(model)
print("efficient-kan config:", eff_config)
for key, value in eff_state.items():
    print(f"  {key:<24} {value.shape}")
assert np.array_equal(eff_state["layers.0.spline_weight"], model.layers[0].coef.transpose(1, 0, 2))
back = from_efficient_kan(eff_state, eff_config["grid_size"], eff_config["spline_order"])
err = np.abs(back.predict(X_check) - model.predict(X_check)).max()
print(f"minikan -> efficient-kan layout -> minikan: max difference {err:.1e}")
assert err < 1e-14

# %% [markdown]
# ## 6. Golden files: checking your own implementation
#
# `minikan.tools.verify` ships one `.npz` per quantity (basis, layer and model passes, gradients, grid
# update and extension, penalties, a symbolic fit), each holding the exact inputs and minikan's
# float64 outputs. You load the inputs, compute the outputs with your code, save them under the
# same keys, and `verify.check` recomputes each quantity with minikan *from the inputs in your
# file* and compares: an output passes when $|\text{yours} - \text{minikan}| \le
# \text{atol} + \text{rtol}\,|\text{minikan}|$ everywhere.

# %%
print("quantities:", ", ".join(verify.QUANTITIES))
golden = verify.load(verify.GOLDEN_DIR / "layer_forward.npz")
for key, value in golden.items():
    print(f"  {key:<16} {str(value.shape):<12} {value.dtype}")

# %% [markdown]
# Our "other implementation" is the hand-written layer of section 3. The golden layer uses
# minikan's names, so we hand it over in pykan's, with the node affine map switched off.

# %%
def my_layer(grid, coef, w_b, w_s, x, k, use_w_s=True):
    n_in, n_out = w_b.shape
    state = {"act_fun.0.grid": grid, "act_fun.0.coef": coef, "act_fun.0.scale_base": w_b,
             "act_fun.0.scale_sp": w_s if use_w_s else np.ones_like(w_s),
             "act_fun.0.mask": np.ones((n_in, n_out)), "symbolic_fun.0.mask": np.zeros((n_out, n_in)),
             "node_scale_0": np.ones(n_out), "subnode_scale_0": np.ones(n_out),
             "subnode_bias_0": np.zeros(n_out), "node_bias_0": np.zeros(n_out)}
    return pykan_layer_by_hand(state, 0, x, k)


def write_and_check(folder, use_w_s=True):
    """Our outputs for layer_forward, in the golden format, checked by minikan."""
    mine = dict(golden)
    y_, phi, spline = my_layer(golden["grid"], golden["coef"], golden["w_b"], golden["w_s"],
                               golden["x"], int(golden["k"]), use_w_s)
    mine.update(y=y_, phi=phi, spline=spline, implementation=np.str_("tutorial 06 by hand"))
    path = Path(folder) / "layer_forward.npz"
    np.savez(path, **mine)
    return verify.check(path)


with tempfile.TemporaryDirectory() as folder:  # nothing is left behind
    results = write_and_check(folder)
    status = verify.main([folder])  # the command line's table: python -m minikan.tools.verify FOLDER
assert status == 0 and all(r.passed for r in results)

# %% [markdown]
# ## 7. Reading a failing report
#
# A common bug when porting from a library without a separate spline scale (efficient-kan with
# `enable_standalone_scale_spline=False`) is to drop $w_s$. The report names the outputs that
# fail and by how much; `spline` (the coefficient sum alone) still passes, which points at the
# weights, not at the B-splines.

# %%
with tempfile.TemporaryDirectory() as folder:
    results = write_and_check(folder, use_w_s=False)
    status = verify.main([folder])
print("exit status", status)
verdict = {r.key: r.passed for r in results}
assert status == 1 and verdict == {"y": False, "phi": False, "spline": True}
for r in results:
    print(f"{r.name}: max abs {r.max_abs:.1e}, max rel {r.max_rel:.1e}, passed={r.passed}")

# %% [markdown]
# ## 8. The real pykan (optional)
#
# With `torch` and pykan 0.2.8 installed, we take the parameters of a freshly built `MultKAN`
# into minikan and compare forward passes, then go the other way with our trained model. pykan
# needs care: its constructor reseeds the global random generators of torch, NumPy and `random`,
# and a model built with `auto_save=True` writes checkpoints into the working directory. We use
# `auto_save=False`, run inside a temporary directory, compute in float64, and restore every
# global state we touch.

# %%
try:
    import torch
    import kan  # noqa: F401  (pykan)
    PYKAN_VERSION = importlib.metadata.version("pykan")
    PYKAN_ERROR = None if PYKAN_VERSION == "0.2.8" else f"pykan {PYKAN_VERSION} found; the layouts are 0.2.8's"
except (ImportError, importlib.metadata.PackageNotFoundError) as error:
    PYKAN_ERROR = f"{type(error).__name__}: {error}"


def compare_with_pykan(model, X):
    from kan import MultKAN
    to_np = lambda sd: {k: v.detach().cpu().numpy() for k, v in sd.items()}  # noqa: E731
    saved = torch.get_default_dtype(), torch.get_rng_state(), np.random.get_state(), random.getstate()
    cwd = os.getcwd()
    try:
        torch.set_default_dtype(torch.float64)
        with tempfile.TemporaryDirectory() as folder:
            os.chdir(folder)
            # pykan -> minikan
            pk = MultKAN(width=[2, 3, 1], grid=5, k=3, seed=0, auto_save=False)
            mk = from_pykan(to_np(pk.state_dict()),
                            dict(width=pk.width, grid=pk.grid, k=pk.k, base_fun=pk.base_fun_name))
            with torch.no_grad():
                y_pk = pk(torch.tensor(X)).numpy()
            err_in = np.abs(mk.predict(X) - y_pk).max()
            # minikan -> pykan
            state, config = to_pykan(model)
            config.pop("symbolic_funs")  # no symbolic edges in this model
            pk2 = MultKAN(**config, auto_save=False)
            pk2.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
            with torch.no_grad():
                err_out = np.abs(pk2(torch.tensor(X)).numpy() - model.predict(X)).max()
            os.chdir(cwd)
    finally:
        os.chdir(cwd)
        torch.set_default_dtype(saved[0])
        torch.set_rng_state(saved[1])
        np.random.set_state(saved[2])
        random.setstate(saved[3])
    return err_in, err_out


if PYKAN_ERROR is None:
    err_in, err_out = compare_with_pykan(model, X_check)
    print(f"pykan MultKAN -> minikan: max |difference| = {err_in:.1e}")
    print(f"minikan -> pykan MultKAN: max |difference| = {err_out:.1e}")
    assert err_in < 1e-12 and err_out < 1e-12
else:
    print(f"pykan comparison skipped ({PYKAN_ERROR}); everything above used NumPy only.")

# %% [markdown]
# ## Exercises
#
# 1. **The basis files.** Check `cox_de_boor` against `basis_uniform.npz` and
#    `basis_nonuniform.npz` (keys `knots`, `k`, `x`; outputs `B`, `dB`, `d2B`). Write the
#    derivatives with $B'_{j,d} = d\,\big(B_{j,d-1}/(t_{j+d}-t_j) - B_{j+1,d-1}/(t_{j+d+1}-t_{j+1})\big)$.
# 2. **A whole network.** Compute `model_forward.npz` (a $[3, 4, 2, 1]$ KAN, keys `grid_0`,
#    `coef_0`, `w_b_0`, `w_s_0`, ...; outputs `y` and `hidden_1`, `hidden_2`) with
#    `pykan_layer_by_hand` and check it.
# 3. **Symbolic edges.** Fix one edge of a minikan model to `"sin"` (`model.fix_symbolic`), add a
#    bias, and send it through `to_pykan`/`from_pykan`. Which arrays carry the symbolic edge,
#    in which axis order? What does `to_efficient_kan` say about this model?
# 4. **A float32 implementation.** Redo section 6 in float32 (cast the inputs, compute, save).
#    Which outputs fail at the default tolerances, and which `atol`/`rtol` (arguments of
#    `verify.check`) make them pass?
