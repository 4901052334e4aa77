# %% [markdown]
# # Worked solutions — 02 One KAN layer by hand
#
# Solutions to the exercises of `tutorials/02_layer_by_hand.py` (paper Section 2.2, Eq. 2.5,
# 2.10–2.12). Runs with plain `python`; `MINIKAN_TUTORIAL_QUICK=1` uses fewer samples.

# %%
import os

import numpy as np

from minikan import KAN, KANLayer, numerical_gradient
from minikan.core import losses

from minikan.core import spline
from minikan.core.objective import loss_and_grad

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
N = 50 if QUICK else 200
rng = np.random.default_rng(1)


def forward_by_hand(layer, x):
    """Eq. 2.10-2.12 and 2.5 with the dense basis: returns y (N, n_out) and what backward needs."""
    b = x / (1.0 + np.exp(-x))
    B = spline.basis(x, layer.grid, layer.k)
    s = np.einsum("nim,ijm->nij", B, layer.coef)
    wb, ws = layer.mask * layer.w_b, layer.mask * layer.w_s  # a masked edge contributes nothing
    y = np.einsum("ni,ij->nj", b, wb) + np.einsum("nij,ij->nj", s, ws)
    if layer.bias is not None:
        y = y + layer.bias
    return y, (x, b, B, s)


def backward_by_hand(layer, dy, saved):
    """The chain rule of the tutorial's section 5, with mask and bias: (dx, grads)."""
    x, b, B, s = saved
    wb, ws = layer.mask * layer.w_b, layer.mask * layer.w_s
    g = np.broadcast_to(dy[:, None, :], s.shape)
    sigma = 1.0 / (1.0 + np.exp(-x))
    db = sigma * (1.0 + x * (1.0 - sigma))
    ds = np.einsum("nim,ijm->nij", spline.basis(x, layer.grid, layer.k, deriv=1), layer.coef)
    grads = {"w_b": layer.mask * np.einsum("nij,ni->ij", g, b),
             "w_s": layer.mask * np.einsum("nij,nij->ij", g, s),
             "coef": ws[:, :, None] * np.einsum("nij,nim->ijm", g, B)}
    if layer.bias is not None:
        grads["bias"] = dy.sum(axis=0)  # y_j = ... + bias_j, so dL/dbias_j = sum_n dL/dy_nj
    dx = np.einsum("nij,ij,ni->ni", g, wb, db) + np.einsum("nij,ij,nij->ni", g, ws, ds)
    return dx, grads


# %% [markdown]
# ## Exercise 1: a layer with a bias
#
# With a bias, `y_j = sum_i phi_ij(x_i) + bias_j`, so `dL/dbias_j = sum_n dL/dy_nj`; nothing else
# changes.

# %%
layer = KANLayer.create(3, 2, 5, rng=1, bias=True)
layer.bias[:] = rng.normal(size=2)
x = rng.uniform(-1, 1, size=(N, 3))
y, saved = forward_by_hand(layer, x)
assert np.allclose(y, layer.forward(x)[0], atol=1e-14)
_, dy = losses.mse(y, rng.normal(size=y.shape))
dx, grads = backward_by_hand(layer, dy, saved)
dx_lib, grads_lib = layer.backward(dy, layer.forward(x)[1])
for name in grads:
    print(f"dL/d{name:4s}: max |by hand - KANLayer.backward| = {np.abs(grads[name] - grads_lib[name]).max():.1e}")
    assert np.allclose(grads[name], grads_lib[name], atol=1e-14)
assert np.allclose(dx, dx_lib, atol=1e-14)

# %% [markdown]
# ## Exercise 2: a masked edge
#
# `mask[0, 1] = 0` multiplies edge `0 -> 1` by zero, so its `w_b`, `w_s` and `coef` gradients
# vanish. The input gradient changes too: `x_0` no longer reaches output 1, so `dL/dx_0` loses
# that edge's term (the other inputs are unaffected). Finite differences confirm it.

# %%
masked = layer.copy()
masked.mask[0, 1] = 0.0
y_m, saved_m = forward_by_hand(masked, x)
dx_m, grads_m = backward_by_hand(masked, dy, saved_m)
print("gradients of the masked edge:", grads_m["w_b"][0, 1], grads_m["w_s"][0, 1],
      np.abs(grads_m["coef"][0, 1]).max())
assert grads_m["w_b"][0, 1] == grads_m["w_s"][0, 1] == 0.0 and not grads_m["coef"][0, 1].any()
print("change of dL/dx per input column:", np.abs(dx_m - dx).max(axis=0).round(6))
assert np.abs(dx_m - dx)[:, 0].max() > 1e-6 and np.allclose(dx_m[:, 1:], dx[:, 1:], atol=1e-15)
dx_num = numerical_gradient(lambda z: float(np.sum(masked.forward(z, with_cache=False)[0] * dy)), x)
print(f"max |dL/dx by hand - finite differences| with the mask: {np.abs(dx_m - dx_num).max():.1e}")
assert np.allclose(dx_m, dx_num, atol=1e-9)

# %% [markdown]
# ## Exercise 3: two-point against four-point differences
#
# The two-point central difference has truncation error `~ h^2 |f'''| / 6`, the four-point one
# `~ h^4 |f^(5)| / 30`; both have rounding error `~ 1e-16 |f| / h`. So the two-point formula is
# best near `h ~ 1e-5` and the four-point formula near `h ~ 1e-3 .. 1e-4`, where it is about a
# hundred times more accurate; below that, rounding takes over and the error grows again for both.

# %%
model = KAN([3, 2, 1], grid=5, seed=0)
for lay in model.layers:
    lay.coef[...] = rng.normal(0.0, 0.5, size=lay.coef.shape)
target = np.sin(np.pi * x[:, :1]) * x[:, 1:2] + x[:, 2:3] ** 2
theta = model.get_flat()
_, grad = loss_and_grad(model, theta, x, target)
f = lambda th: loss_and_grad(model, th, x, target)[0]  # noqa: E731
idx = np.arange(0, theta.size, 4)  # every fourth parameter keeps this quick


def two_point(h):
    out = []
    for i in idx:
        e = np.zeros_like(theta)
        e[i] = h
        out.append((f(theta + e) - f(theta - e)) / (2 * h))
    return np.array(out)


errors = {}
print("     h      two-point   four-point")
for h in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
    scale = np.abs(grad[idx]).max()
    e2 = np.abs(two_point(h) - grad[idx]).max() / scale
    e4 = np.abs(numerical_gradient(f, theta, eps=h, indices=idx) - grad[idx]).max() / scale
    errors[h] = (e2, e4)
    print(f"  {h:.0e}    {e2:.1e}     {e4:.1e}")
model.set_flat(theta)
best2, best4 = min(errors, key=lambda h: errors[h][0]), min(errors, key=lambda h: errors[h][1])
print(f"best step: two-point h = {best2:.0e}, four-point h = {best4:.0e}")
assert best4 > best2 and errors[1e-7][1] > errors[best4][1]
assert min(e[1] for e in errors.values()) < min(e[0] for e in errors.values())

# %% [markdown]
# ## Exercise 4: backward through two layers by hand
#
# The gradient `dL/dx` of the top layer is the `dL/dy` of the layer below (Eq. 2.7 composes
# layers, so the chain rule composes their backward passes in reverse order).

# %%
y1, saved1 = forward_by_hand(model.layers[0], x)
y2, saved2 = forward_by_hand(model.layers[1], y1)
_, dy2 = losses.mse(y2, target)
dy1, grads2 = backward_by_hand(model.layers[1], dy2, saved2)
dX, grads1 = backward_by_hand(model.layers[0], dy1, saved1)

pred, caches = model.forward(x)
dX_lib, grads_lib = model.backward(dy2, caches)
assert np.allclose(pred, y2, atol=1e-14) and np.allclose(dX, dX_lib, atol=1e-14)
for l, grads_hand in enumerate((grads1, grads2)):
    for name in ("coef", "w_b", "w_s"):
        assert np.allclose(grads_hand[name], grads_lib[l][name], atol=1e-14)
print(f"max |dL/dX by hand - KAN.backward| = {np.abs(dX - dX_lib).max():.1e}; all parameter gradients agree")
