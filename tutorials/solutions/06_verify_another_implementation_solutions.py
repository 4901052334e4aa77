# %% [markdown]
# # Worked solutions: 06 Verifying another KAN implementation (Section 2.2)
#
# NumPy only (no torch or pykan needed). Every file written goes to a temporary folder that is
# removed afterwards. `MINIKAN_TUTORIAL_QUICK=1` is accepted; these solutions are fast either way.

# %%
import os
import tempfile
from pathlib import Path

import numpy as np
from scipy.special import expit

from minikan import KAN
from minikan.tools import verify
from minikan.tools.interop import from_pykan, to_efficient_kan, to_pykan

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
STEPS = 20 if QUICK else 200


def check_outputs(name, outputs, **tolerances):
    """Put ``outputs`` into a copy of the golden file ``name``, save it in a temporary folder and
    return minikan's verdicts (a list of verify.Result)."""
    data = verify.load(verify.GOLDEN_DIR / f"{name}.npz")
    data.update(outputs)
    data["implementation"] = np.str_("tutorial 06 solutions")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.npz"
        np.savez(path, **data)
        return verify.check(path, **tolerances)


def report(results):
    for r in results:
        verdict = "pass" if r.passed else "FAIL"
        print(f"  {r.name:<28} max abs {r.max_abs:.1e}  max rel {r.max_rel:.1e}  {verdict}")
    return all(r.passed for r in results)


# %% [markdown]
# ## Exercise 1: the basis files, values and derivatives
#
# The derivative recursion lowers the degree by one each time:
# $B'_{j,d} = d\,\big(B_{j,d-1}/(t_{j+d}-t_j) - B_{j+1,d-1}/(t_{j+d+1}-t_{j+1})\big)$; applying it
# to $B'_{\cdot,d-1}$ gives the second derivative. These knot vectors have no repeated knots, so
# no denominator is zero.

# %%
def cox_de_boor(x, t, k):
    """All B-splines of degree k on knots t (M,) at x (N,): shape (N, M-k-1); half-open pieces."""
    x = x[:, None]
    B = ((x >= t[:-1]) & (x < t[1:])).astype(x.dtype)
    for d in range(1, k + 1):
        B = (x - t[:-d - 1]) / (t[d:-1] - t[:-d - 1]) * B[:, :-1] \
            + (t[d + 1:] - x) / (t[d + 1:] - t[1:-d]) * B[:, 1:]
    return B


def bspline_derivative(x, t, k, nu):
    """nu-th derivative in x of all degree-k B-splines, shape (N, M-k-1)."""
    if nu == 0:
        return cox_de_boor(x, t, k)
    D = bspline_derivative(x, t, k - 1, nu - 1)  # (N, M-k): one more function at degree k-1
    return k * (D[:, :-1] / (t[k:-1] - t[:-k - 1]) - D[:, 1:] / (t[k + 1:] - t[1:-k]))


for name in ("basis_uniform", "basis_nonuniform"):
    g = verify.load(verify.GOLDEN_DIR / f"{name}.npz")
    x, t, k = g["x"], g["knots"], int(g["k"])
    outputs = {"B": cox_de_boor(x, t, k), "dB": bspline_derivative(x, t, k, 1),
               "d2B": bspline_derivative(x, t, k, 2)}
    print(name)
    assert report(check_outputs(name, outputs))

# %% [markdown]
# The points include every knot, the last one too. With half-open degree-0 pieces every function
# is 0 at the last knot, while minikan closes the last piece there; for cubic splines the value
# and the first two derivatives are continuous, so both rules give the same numbers (a $k = 0$
# implementation would differ exactly at that point).

# %% [markdown]
# ## Exercise 2: a whole network
#
# The layer of Eq. 2.10-2.12 in minikan's names, applied layer after layer (Eq. 2.7).

# %%
def layer_by_hand(grid, coef, w_b, w_s, x, k):
    spline = np.stack([cox_de_boor(x[:, i], grid[i], k) @ coef[i].T for i in range(x.shape[1])], axis=1)
    phi = w_b * (x * expit(x))[:, :, None] + w_s * spline  # (N, n_in, n_out)
    return phi.sum(axis=1)


g = verify.load(verify.GOLDEN_DIR / "model_forward.npz")
L = len(g["width"]) - 1
h, outputs = g["X"], {}
for l in range(L):
    if l > 0:
        outputs[f"hidden_{l}"] = h
    h = layer_by_hand(g[f"grid_{l}"], g[f"coef_{l}"], g[f"w_b_{l}"], g[f"w_s_{l}"], h, int(g["k"]))
outputs["y"] = h
print("model_forward, width", g["width"].tolist())
assert report(check_outputs("model_forward", outputs))

# %% [markdown]
# ## Exercise 3: symbolic edges and a bias through the pykan layout
#
# A symbolic edge lives in three places in pykan: `symbolic_fun.l.mask` and
# `symbolic_fun.l.affine` in the state dict, both indexed `[out, in]`, and the function names
# `funs_name[out][in]`, which are *not* in the state dict (`to_pykan` returns them as
# `config["symbolic_funs"]`). The numeric edge is switched off with `act_fun.l.mask`.

# %%
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(400, 2))
y = np.sin(np.pi * X[:, [0]]) + X[:, [1]] ** 2
model = KAN([2, 2, 1], grid=5, seed=0, bias=True)
model.fit(X, y, steps=STEPS)
model.fix_symbolic(0, 0, 1, "sin", X=X)       # edge (l=0, i=0, j=1) becomes c sin(a x + b) + d
state, config = to_pykan(model)
print("symbolic_fun.0.mask (out, in):\n", state["symbolic_fun.0.mask"])
print("symbolic_fun.0.affine[1, 0] = (a, b, c, d):", np.round(state["symbolic_fun.0.affine"][1, 0], 4))
print("funs_name of layer 0:", config["symbolic_funs"][0], "| act_fun.0.mask:\n", state["act_fun.0.mask"])
print("node_bias_0 (the bias):", state["node_bias_0"])
assert state["symbolic_fun.0.mask"][1, 0] == 1 and state["act_fun.0.mask"][0, 1] == 0
assert config["symbolic_funs"][0][1][0] == "sin"

back = from_pykan(state, config)
X_check = rng.uniform(-1, 1, size=(200, 2))
assert np.array_equal(back.predict(X_check), model.predict(X_check))
print("round trip with a symbolic edge and a bias: identical predictions")
try:
    to_efficient_kan(model)
except ValueError as error:
    print("to_efficient_kan refuses:", error)
else:
    raise AssertionError("efficient-kan has no symbolic branch; the export should be refused")

# %% [markdown]
# ## Exercise 4: a float32 implementation
#
# The same layer computed in float32 (inputs cast once, all arithmetic in float32). Relative
# rounding in float32 is about $6 \times 10^{-8}$ per operation, so the default tolerances
# (`1e-10 + 1e-8 |ref|`) must fail; the loop finds the smallest `atol = rtol` that passes.

# %%
g = verify.load(verify.GOLDEN_DIR / "layer_forward.npz")
f32 = {key: g[key].astype(np.float32) for key in ("grid", "coef", "w_b", "w_s", "x")}
k = int(g["k"])
spline = np.stack([cox_de_boor(f32["x"][:, i], f32["grid"][i], k) @ f32["coef"][i].T
                   for i in range(f32["x"].shape[1])], axis=1)
phi = f32["w_b"] * (f32["x"] * expit(f32["x"]))[:, :, None] + f32["w_s"] * spline
outputs = {"y": phi.sum(axis=1), "phi": phi, "spline": spline}
assert outputs["y"].dtype == np.float32
print("float32 at the default tolerances:")
default_ok = report(check_outputs("layer_forward", outputs))
assert not default_ok
for tol in (1e-8, 1e-7, 1e-6, 1e-5, 1e-4):
    if all(r.passed for r in check_outputs("layer_forward", outputs, atol=tol, rtol=tol)):
        print(f"smallest passing atol = rtol: {tol:.0e}")
        break
else:
    raise AssertionError("float32 outputs should pass at 1e-4")
assert tol <= 1e-5  # docs/verify.md: float32 code needs about 1e-6 to 1e-5
