# %% [markdown]
# # Worked solutions — 01 B-splines and grids
#
# Solutions to the exercises of `tutorials/01_bsplines.py` (paper Section 2.2, Eq. 2.12, and
# Section 2.4, Eq. 2.16). Runs with plain `python`; `MINIKAN_TUTORIAL_QUICK=1` uses fewer samples.

# %%
import os

import numpy as np
from scipy.interpolate import BSpline

from minikan.core import spline
from minikan.core.grid_update import grid_from_samples, refine

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
N_SAMPLES = 400 if QUICK else 2000
a, b, G = -1.0, 1.0, 5
rng = np.random.default_rng(0)


def cox_de_boor(x, t, j, d):
    """B_{j,d}(x) from the recursion, half-open degree-0 pieces (as in the tutorial)."""
    if d == 0:
        return ((t[j] <= x) & (x < t[j + 1])).astype(float)
    left = right = 0.0
    if t[j + d] > t[j]:
        left = (x - t[j]) / (t[j + d] - t[j]) * cox_de_boor(x, t, j, d - 1)
    if t[j + d + 1] > t[j + 1]:
        right = (t[j + d + 1] - x) / (t[j + d + 1] - t[j + 1]) * cox_de_boor(x, t, j + 1, d - 1)
    return left + right


def hand_basis(x, t, k):
    return np.stack([cox_de_boor(x, t, j, k) for j in range(t.size - k - 1)], axis=1)


# %% [markdown]
# ## Exercise 1: degrees 0, 1, 2
#
# For every degree the count is `(G + 2k + 1) - (k + 1) = G + k`, and the basis sums to one on
# `[a, b]`. For `k = 0` there are no extra knots: `b` is the *last* knot, and a half-open piece
# `[t_{G-1}, t_G)` leaves `x = b` uncovered. The hand-written recursion then sums to 0 there;
# minikan (like SciPy) closes the last non-empty piece, so its basis sums to 1 at `b` too. For
# `k >= 1`, `b` is an interior knot of the extended vector and the question does not arise.

# %%
x = np.linspace(a, b, 101)  # includes x = b
for k in (0, 1, 2, 3):
    t = spline.uniform_grid(G, k, a, b)
    B = spline.basis(x, t, k)
    B_hand = hand_basis(x, t, k)
    print(f"k = {k}: {B.shape[1]} functions (G + k = {G + k}); minikan sum in [{B.sum(1).min():.15f}, "
          f"{B.sum(1).max():.15f}]; by hand at x = b: {B_hand[-1].sum():.1f}")
    assert B.shape[1] == G + k
    assert np.allclose(B.sum(axis=1), 1.0, atol=1e-14)
    assert np.allclose(B[:-1], B_hand[:-1], atol=1e-14)  # they agree everywhere but possibly at b
    assert np.allclose(B, BSpline.design_matrix(x, t, k).toarray(), atol=1e-14)
    if k == 0:
        assert B_hand[-1].sum() == 0.0 and B[-1].sum() == 1.0

# %% [markdown]
# ## Exercise 2: derivatives
#
# `B'_j` from minikan against the fourth-order central difference of the hand-written recursion.
# Points exactly on a knot are avoided (a cubic B-spline is only twice continuously differentiable
# there, and the stencil would straddle the knot). Since `sum_j B_j(x) = 1` on `[a, b]`, the sum of
# the derivatives is the derivative of a constant: zero.

# %%
k = 3
t = spline.uniform_grid(G, k, a, b)
x = rng.uniform(a + 0.01, b - 0.01, 200)
h = 1e-4
dB_fd = (8 * (hand_basis(x + h, t, k) - hand_basis(x - h, t, k))
         - (hand_basis(x + 2 * h, t, k) - hand_basis(x - 2 * h, t, k))) / (12 * h)
dB = spline.basis(x, t, k, deriv=1)
print(f"max |B' (minikan) - finite differences| = {np.abs(dB - dB_fd).max():.1e}")
print(f"max |sum_j B'_j(x)| on [a, b] = {np.abs(dB.sum(axis=1)).max():.1e}")
assert np.abs(dB - dB_fd).max() < 1e-8
assert np.abs(dB.sum(axis=1)).max() < 1e-12

# %% [markdown]
# ## Exercise 3: which refinements are exact
#
# The coarse spline is piecewise cubic with breakpoints at the `G_1 = 5` knots. A fine spline
# space contains it exactly when every coarse knot is also a fine knot, i.e. when `G_2` is a
# multiple of `G_1` (10, 15, 20). Then Eq. 2.16's least squares returns it to rounding error;
# for any other `G_2` the gap is the best approximation error, which tends to shrink as `G_2`
# grows (not monotonically: how well the new knots line up with the old ones matters too).

# %%
t1 = spline.uniform_grid(G, k, a, b)
c_coarse = rng.normal(0.0, 1.0, G + k)
x_s = rng.uniform(a, b, N_SAMPLES)
x_eval = np.linspace(a, b, 1001)
coarse = spline.basis(x_eval, t1, k) @ c_coarse
gaps = {}
for G2 in range(6, 21):
    fine_grid, fine_coef = refine(t1[None], c_coarse[None, None, :], x_s[:, None], G2, k)
    gaps[G2] = np.abs(spline.basis(x_eval, fine_grid[0], k) @ fine_coef[0, 0] - coarse).max()
    print(f"G = 5 -> {G2:2d}: max gap {gaps[G2]:.1e}" + ("   (nested knots)" if G2 % G == 0 else ""))
exact = [G2 for G2, gap in gaps.items() if gap < 1e-10]
print("exact refinements:", exact)
assert exact == [10, 15, 20]

# %% [markdown]
# ## Exercise 4: a non-uniform grid from quantiles
#
# `grid_from_samples(x, G, k, grid_eps=0.0)` puts the base knots at empirical quantiles of the
# samples (`grid_eps = 1` would be uniform), then extends by `k` knots per side. The recursion does
# not care about spacing, so the partition of unity on `[t_k, t_{G+k}]` still holds.

# %%
skewed = rng.beta(1.0, 4.0, size=(N_SAMPLES, 1)) * 2.0 - 1.0  # samples crowded near -1
t_q = grid_from_samples(skewed, G, k, grid_eps=0.0)[0]
print("quantile knots:", t_q.round(3))
x = np.linspace(t_q[k], t_q[G + k], 301)
B = spline.basis(x, t_q, k)
print(f"sum of the basis on [t_k, t_(G+k)]: min {B.sum(1).min():.15f}, max {B.sum(1).max():.15f}")
assert np.allclose(B.sum(axis=1), 1.0, atol=1e-14)
assert np.allclose(B, BSpline.design_matrix(x, t_q, k).toarray(), atol=1e-14)
assert np.allclose(B, hand_basis(x, t_q, k), atol=1e-14)
