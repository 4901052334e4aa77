# %% [markdown]
# # 02 — One KAN layer, forward and backward, by hand
#
# This tutorial follows paper **Section 2.2** (Eq. 2.2–2.12). We compute a KAN layer with plain
# NumPy, from the B-spline basis of tutorial 01 up to the layer output, and compare every number
# with `minikan.KANLayer`. Then we derive the backward pass (the gradients of a loss with respect
# to the coefficients, the two weights and the inputs) by the chain rule, compare it with
# `KANLayer.backward`, and finish with the finite-difference gradient check that every gradient in
# minikan is tested with (`minikan.tools.gradcheck`, `minikan.numerical_gradient`).
#
# `MINIKAN_TUTORIAL_QUICK=1` uses fewer samples. A notebook shows the figure; as a script it is
# saved into `tutorials/out/` (or `MINIKAN_TUTORIAL_FIGURES=DIR`) and the path is printed.

# %%
# %matplotlib inline
import os
import sys

import numpy as np
from matplotlib.figure import Figure

from minikan import KAN, KANLayer, gradcheck, numerical_gradient
from minikan.core import losses

from minikan.core import spline
from minikan.core.objective import loss_and_grad

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
N = 50 if QUICK else 200  # samples (chosen: enough to make every sum below non-trivial)


# Figures: a notebook shows them inline (the `%matplotlib inline` line above is a magic there and
# a comment here). Run as a script, each figure is saved as a PNG into MINIKAN_TUTORIAL_FIGURES when
# it names a folder, else into tutorials/out/ (git-ignored), and the path is printed.
FIGURES = os.environ.get("MINIKAN_TUTORIAL_FIGURES")
IN_NOTEBOOK = "ipykernel" in sys.modules  # Jupyter, VS Code and nbconvert run cells in an IPython kernel


def show(fig, name):
    """Display ``fig`` in a notebook; save it as PNG ``name`` when run as a script or when asked to."""
    if IN_NOTEBOOK:
        from IPython.display import display

        display(fig)
    folder = FIGURES
    if not folder and not IN_NOTEBOOK:
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")  # tutorials/out/
    if folder:
        os.makedirs(folder, exist_ok=True)
        path = os.path.normpath(os.path.join(folder, name))
        fig.savefig(path, dpi=100)
        print(f"figure saved to {path}")


# %% [markdown]
# ## 1. A layer is a matrix of 1-D functions
#
# A KAN layer with `n_in` inputs and `n_out` outputs is the matrix of functions (Eq. 2.2)
#
# $$\Phi = \{\phi_{i,j}\}, \qquad i = 1, \dots, n_{\rm in}, \quad j = 1, \dots, n_{\rm out}.$$
#
# minikan stores, per layer: the knots `grid (n_in, G+2k+1)` (one knot vector per input, shared by
# the edges leaving it), the spline coefficients `coef (n_in, n_out, G+k)`, and the weights
# `w_b, w_s (n_in, n_out)`. We make a random layer with 3 inputs and 2 outputs and give its
# coefficients a larger spread than the paper's initialisation (`c ~ N(0, 0.1^2)`), so that the
# spline part is clearly visible.

# %%
n_in, n_out, G, k = 3, 2, 5, 3
rng = np.random.default_rng(0)
layer = KANLayer.create(n_in, n_out, G, k, rng)
layer.coef = rng.normal(0.0, 0.5, size=layer.coef.shape)
layer.w_s = rng.uniform(0.5, 1.5, size=(n_in, n_out))
for name, arr in (("grid", layer.grid), ("coef", layer.coef), ("w_b", layer.w_b), ("w_s", layer.w_s)):
    print(f"{name:5s} shape {arr.shape}")
assert layer.coef.shape == (n_in, n_out, G + k)

x = rng.uniform(-1.0, 1.0, size=(N, n_in))  # inputs, (N, n_in)

# %% [markdown]
# ## 2. One edge: base function plus spline (Eq. 2.10–2.12)
#
# Each edge is a residual sum of a fixed base function and a B-spline curve. The paper writes one
# weight, `phi(x) = w (b(x) + spline(x))` (Eq. 2.10); minikan, like the code the paper's
# experiments were run with, gives each branch its own weight:
#
# $$\phi_{i,j}(x) = w_{b,ij}\, b(x) + w_{s,ij}\,\mathrm{spline}_{ij}(x), \qquad
# b(x) = \mathrm{silu}(x) = \frac{x}{1 + e^{-x}} \quad (2.11), \qquad
# \mathrm{spline}_{ij}(x) = \sum_m c_{ijm} B_m(x) \quad (2.12).$$

# %%
b = x / (1.0 + np.exp(-x))  # Eq. 2.11, (N, n_in)
B = spline.basis(x, layer.grid, k)  # (N, n_in, G+k): every basis function at every input
s = np.einsum("nim,ijm->nij", B, layer.coef)  # Eq. 2.12, (N, n_in, n_out)
phi = layer.w_b * b[:, :, None] + layer.w_s * s  # Eq. 2.10, (N, n_in, n_out)

err_spline = np.abs(s - layer.spline_part(x)).max()
err_phi = np.abs(phi - layer.edge_functions(x)).max()
print(f"max |spline by hand - layer.spline_part| = {err_spline:.1e}")
print(f"max |phi by hand - layer.edge_functions|  = {err_phi:.1e}")
assert err_spline < 1e-14 and err_phi < 1e-14

# %% [markdown]
# ## 3. The layer sums its edges (Eq. 2.5, 2.6)
#
# Output node `j` adds up the edges that arrive at it:
#
# $$x_{l+1,j} = \sum_{i=1}^{n_l} \phi_{l,i,j}(x_{l,i}), \qquad j = 1, \dots, n_{l+1} \qquad (2.5)$$
#
# which the paper also writes as a "matrix of functions times a vector", `x_{l+1} = Phi_l x_l`
# (Eq. 2.6): the product applies each function to its input instead of multiplying.

# %%
y_hand = phi.sum(axis=1)  # Eq. 2.5, (N, n_out)
y_layer, cache = layer.forward(x)
print(f"max |layer output by hand - KANLayer.forward| = {np.abs(y_hand - y_layer).max():.1e}")
assert np.allclose(y_hand, y_layer, atol=1e-14)

# %% [markdown]
# ## 4. Layers compose (Eq. 2.7)
#
# A KAN is a composition of layers, `KAN(x) = (Phi_{L-1} o ... o Phi_1 o Phi_0) x` (Eq. 2.7). We add
# a second layer `[2 -> 1]` and wrap both in a `KAN`; its `predict` must equal the two layers
# applied one after the other.

# %%
layer2 = KANLayer.create(n_out, 1, G, k, rng)
model = KAN.from_layers([layer, layer2])
print(model, "parameters:", model.n_params())
y_two = layer2.forward(layer.forward(x)[0])[0]  # Eq. 2.7 by hand
assert np.allclose(model.predict(x), y_two, atol=1e-14)

# %% [markdown]
# ## 5. Backward through one layer, by hand
#
# Take the mean squared error against targets `t`, `L = mean((y - t)^2)` over all `N * n_out`
# entries, so `dL/dy = 2 (y - t) / (N n_out)`. Because `y_j = sum_i phi_ij(x_i)`, every edge
# arriving at `j` receives the same upstream gradient `g_nij = dL/dy_nj`. The chain rule through
# Eq. 2.10–2.12 then gives
#
# $$\frac{\partial L}{\partial w_{b,ij}} = \sum_n g_{nij}\, b(x_{ni}), \qquad
# \frac{\partial L}{\partial w_{s,ij}} = \sum_n g_{nij}\, \mathrm{spline}_{ij}(x_{ni}), \qquad
# \frac{\partial L}{\partial c_{ijm}} = w_{s,ij} \sum_n g_{nij}\, B_m(x_{ni}),$$
#
# $$\frac{\partial L}{\partial x_{ni}} = \sum_j g_{nij}\,\big(w_{b,ij}\, b'(x_{ni})
#   + w_{s,ij}\, \mathrm{spline}'_{ij}(x_{ni})\big), \qquad
# b'(x) = \sigma(x)\,\big(1 + x (1 - \sigma(x))\big),\quad
# \mathrm{spline}'_{ij}(x) = \sum_m c_{ijm} B'_m(x).$$
#
# The input gradient is what the layer below receives as its own `dL/dy`.

# %%
target = rng.normal(size=(N, n_out))
loss, dy = losses.mse(y_hand, target)
assert np.allclose(dy, 2.0 * (y_hand - target) / (N * n_out))
g = np.broadcast_to(dy[:, None, :], (N, n_in, n_out))  # the gradient reaching each edge

sigma = 1.0 / (1.0 + np.exp(-x))
db = sigma * (1.0 + x * (1.0 - sigma))  # b'(x) for silu
dB = spline.basis(x, layer.grid, k, deriv=1)  # B'_m(x), (N, n_in, G+k)
ds = np.einsum("nim,ijm->nij", dB, layer.coef)  # spline'_ij(x)

grads_hand = {
    "w_b": np.einsum("nij,ni->ij", g, b),
    "w_s": np.einsum("nij,nij->ij", g, s),
    "coef": layer.w_s[:, :, None] * np.einsum("nij,nim->ijm", g, B),
}
dx_hand = np.einsum("nij,ij,ni->ni", g, layer.w_b, db) + np.einsum("nij,ij,nij->ni", g, layer.w_s, ds)

dx_layer, grads_layer = layer.backward(dy, cache)
for name in ("w_b", "w_s", "coef"):
    err = np.abs(grads_hand[name] - grads_layer[name]).max()
    print(f"dL/d{name:4s}: max |by hand - KANLayer.backward| = {err:.1e}")
    assert err < 1e-14
print(f"dL/dx   : max |by hand - KANLayer.backward| = {np.abs(dx_hand - dx_layer).max():.1e}")
assert np.allclose(dx_hand, dx_layer, atol=1e-14)

# %% [markdown]
# Note the cost: `dL/dc_ijm` sums `B_m(x_ni)` over the samples, and only `k + 1` of the `G + k`
# basis functions are non-zero at each point. minikan's layer therefore evaluates only those
# (`spline.LocalBasis`) and forms the sum with that operator's adjoint, which adds each point's
# `k + 1` terms to their coefficients, so its cost per sample does not grow with `G`; the dense
# arrays above are the readable reference it is tested against (`spline.DenseBasis`).

# %% [markdown]
# ## 6. The finite-difference gradient check
#
# A hand-derived gradient is only trusted after comparing it with finite differences.
# `minikan.numerical_gradient` uses the fourth-order central formula
#
# $$g_i \approx \frac{8\,(f(\theta + h e_i) - f(\theta - h e_i)) - (f(\theta + 2h e_i) - f(\theta - 2h e_i))}{12 h},$$
#
# whose truncation error is `O(h^4)`. `minikan.gradcheck` returns the largest difference divided by
# the size of the gradient. We check the whole two-layer model: its trainable parameters form one
# flat vector `theta` (`get_flat`), and `loss_and_grad(model, theta, X, y)` (the training
# objective, `minikan.core.objective`; the model itself holds no loss) returns the MSE and the
# gradient from the model's backward pass.

# %%
y_target = np.sin(np.pi * x[:, :1]) * x[:, 1:2] + x[:, 2:3] ** 2  # any smooth target, (N, 1)
theta = model.get_flat()
_, grad = loss_and_grad(model, theta, x, y_target)
rel = gradcheck(lambda th: loss_and_grad(model, th, x, y_target)[0], grad, theta)
print(f"{theta.size} parameters; relative error of the backward gradient: {rel:.1e}")
assert rel < 1e-8
model.set_flat(theta)  # loss_and_grad sets the parameters it is given; put the originals back

pred, caches = model.forward(x)
R = rng.normal(size=pred.shape)  # a random upstream gradient: d(sum R * y)/dX = backward(R)
dX, _ = model.backward(R, caches)
dX_num = numerical_gradient(lambda Z: float(np.sum(model.predict(Z) * R)), x)
rel_x = np.abs(dX - dX_num).max() / np.abs(dX).max()
print(f"relative error of the input gradient dL/dX: {rel_x:.1e}")
assert rel_x < 1e-8

# %% [markdown]
# And a check that the check can fail: perturb one entry of the analytic gradient by 1 % of the
# gradient's size and `gradcheck` reports about 1e-2.

# %%
wrong = grad.copy()
wrong[3] += 0.01 * np.abs(grad).max()
rel_wrong = gradcheck(lambda th: loss_and_grad(model, th, x, y_target)[0], wrong, theta)
model.set_flat(theta)
print(f"relative error with a planted 1 % mistake: {rel_wrong:.1e}")
assert 5e-3 < rel_wrong < 2e-2

# %%
xs = np.linspace(-1.0, 1.0, 201)
grid_x = np.repeat(xs[:, None], n_in, axis=1)
base_part = layer.w_b * (grid_x / (1 + np.exp(-grid_x)))[:, :, None]
spline_part = layer.w_s * layer.spline_part(grid_x)
fig = Figure(figsize=(9, 4.5), layout="constrained")
axes = fig.subplots(n_out, n_in, sharex=True)
for i in range(n_in):
    for j in range(n_out):
        ax = axes[j, i]
        ax.plot(xs, base_part[:, i, j], "C1--", label=r"$w_b\,b(x)$")
        ax.plot(xs, spline_part[:, i, j], "C2:", label=r"$w_s\,$spline$(x)$")
        ax.plot(xs, base_part[:, i, j] + spline_part[:, i, j], "k", label=r"$\phi(x)$")
        ax.set_title(f"edge {i} -> {j}", fontsize=9)
axes[0, 0].legend(fontsize=7)
fig.suptitle("the six edge functions of a [3 -> 2] layer (Eq. 2.10)")
show(fig, "02_edges.png")

# %% [markdown]
# ## Exercises
#
# 1. Build a layer with `KANLayer.create(3, 2, 5, rng=1, bias=True)`: write the forward pass with the
#    bias by hand and derive `dL/dbias`; compare with `KANLayer.backward`.
# 2. Mask an edge (`layer.mask[0, 1] = 0`): which gradients become zero, and does `dL/dx` change?
#    Check your answer numerically.
# 3. Compare the two-point central difference `(f(x+h) - f(x-h)) / 2h` with the fourth-order
#    formula for `h = 1e-2, 1e-3, ..., 1e-7` on the model of section 6. Where is each most accurate,
#    and why does the error grow again for small `h`?
# 4. Backpropagate through the two layers of section 4 by hand (use the `dL/dx` of the top layer as
#    the `dL/dy` of the bottom one) and compare with `model.backward`.
