# %% [markdown]
# # 01 — B-splines and grids from scratch
#
# Every edge of a KAN carries a learnable 1-D function, and that function is a B-spline curve
# (paper **Section 2.2**, Eq. 2.12). This tutorial builds B-splines by hand and checks them
# against `minikan.core.spline` and `scipy.interpolate.BSpline`:
#
# 1. the extended knot vector of a grid with `G` intervals and degree `k`;
# 2. the Cox–de Boor recursion, written out in a few lines;
# 3. why there are exactly `G + k` basis functions, and where they sum to one;
# 4. how fast a spline approximates a smooth function as `G` grows (Theorem 2.1 in one dimension);
# 5. grid extension (**Section 2.4**, Eq. 2.16) as a least-squares problem, by hand and with
#    `minikan.core.grid_update.refine`.
#
# Run it with plain `python`, or open it as a notebook. `MINIKAN_TUTORIAL_QUICK=1` uses fewer
# samples. A notebook shows the figures; as a script they are saved as PNG files into
# `tutorials/out/` (or `MINIKAN_TUTORIAL_FIGURES=DIR`), and each path is printed.

# %%
# %matplotlib inline
import os
import sys

import numpy as np
from matplotlib.figure import Figure
from scipy.interpolate import BSpline

from minikan.core import spline
from minikan.core.grid_update import refine

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
N_SAMPLES = 400 if QUICK else 2000  # samples for the least-squares fits (chosen: ample for G <= 40)


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
# ## 1. The extended knot vector
#
# A grid with `G` intervals on `[a, b]` has `G + 1` grid points `t_0 = a, ..., t_G = b`. The paper
# (Section 2.4) augments it with `k` extra knots on each side,
# `{t_{-k}, ..., t_{-1}, t_0, ..., t_G, t_{G+1}, ..., t_{G+k}}`, so that every point of `[a, b]`
# is covered by `k + 1` basis functions. minikan stores the knots shifted to start at index 0, so
# there are `G + 2k + 1` of them, and `t_k = a`, `t_{G+k} = b`.

# %%
G, k, a, b = 5, 3, -1.0, 1.0
h = (b - a) / G
t_hand = a + (np.arange(G + 2 * k + 1) - k) * h  # t_j = a + (j - k) h
t = spline.uniform_grid(G, k, a, b)
print("knots:", t.round(3))
print("number of knots:", t.size, "= G + 2k + 1 =", G + 2 * k + 1)
assert np.allclose(t, t_hand, atol=1e-15)
assert t[k] == a and t[G + k] == b

# %% [markdown]
# ## 2. Cox–de Boor, by hand
#
# The degree-0 basis functions are indicators of the knot intervals, and each degree is built
# from the one below it (de Boor's recursion; the paper uses it through Eq. 2.12):
#
# $$B_{j,0}(x) = \begin{cases}1 & t_j \le x < t_{j+1}\\ 0 & \text{otherwise}\end{cases},\qquad
# B_{j,d}(x) = \frac{x - t_j}{t_{j+d} - t_j} B_{j,d-1}(x)
#            + \frac{t_{j+d+1} - x}{t_{j+d+1} - t_{j+1}} B_{j+1,d-1}(x).$$
#
# A fraction whose denominator is zero (repeated knots) counts as 0.

# %%
def cox_de_boor(x, t, j, d):
    """B_{j,d}(x) for an array x, straight from the recursion (slow but readable)."""
    if d == 0:
        return ((t[j] <= x) & (x < t[j + 1])).astype(float)
    left = right = 0.0
    if t[j + d] > t[j]:
        left = (x - t[j]) / (t[j + d] - t[j]) * cox_de_boor(x, t, j, d - 1)
    if t[j + d + 1] > t[j + 1]:
        right = (t[j + d + 1] - x) / (t[j + d + 1] - t[j + 1]) * cox_de_boor(x, t, j + 1, d - 1)
    return left + right


n_basis = t.size - k - 1  # how many degree-k functions a knot vector of this length carries
x = np.linspace(a, b, 201)  # includes x = b
B_hand = np.stack([cox_de_boor(x, t, j, k) for j in range(n_basis)], axis=1)  # (201, G+k)

B_minikan = spline.basis(x, t, k)  # dense Cox–de Boor, (201, G+k)
values, start = spline.basis_local(x[:, None], t[None, :], k)  # only the k+1 non-zero ones
B_local = spline.local_to_dense(values[0], start, n_basis)[:, 0, :]
B_scipy = BSpline.design_matrix(x, t, k).toarray()

for name, B in (("minikan.core.spline.basis", B_minikan), ("minikan.core.spline.basis_local", B_local),
                ("scipy BSpline.design_matrix", B_scipy)):
    err = np.abs(B - B_hand).max()
    print(f"max |by hand - {name}| = {err:.1e}")
    assert err < 1e-14

# %% [markdown]
# ## 3. Why `G + k` basis functions, and where they sum to one
#
# A degree-`k` function `B_j` lives on the `k + 2` knots `t_j .. t_{j+k+1}`, i.e. on `k + 1`
# consecutive intervals. From `G + 2k + 1` knots we can start `(G + 2k + 1) - (k + 1) = G + k`
# such functions. Each interval of `[a, b]` is then touched by exactly `k + 1` of them, and there
# they sum to one (partition of unity). On the `k` extra intervals outside `[a, b]` the sum
# decays, and beyond the outermost knots every basis function is zero: there a KAN edge reduces
# to its base branch `w_b b(x)` (see tutorial 02).

# %%
print("basis functions:", n_basis, "= G + k =", G + k)
assert n_basis == G + k
nonzero_per_point = (B_hand > 0).sum(axis=1)
print("non-zero basis functions per point in (a, b): between",
      nonzero_per_point[1:-1].min(), "and", nonzero_per_point[1:-1].max())
assert nonzero_per_point.max() == k + 1
print("sum of the basis on [a, b]: min %.15f, max %.15f" % (B_hand.sum(1).min(), B_hand.sum(1).max()))
assert np.allclose(B_hand.sum(axis=1), 1.0, atol=1e-14)

x_wide = np.linspace(t[0] - 0.3, t[-1] + 0.3, 601)
B_wide = spline.basis(x_wide, t, k)
outside = (x_wide < t[0]) | (x_wide > t[-1])
print("largest basis value outside [t_0, t_last]:", B_wide[outside].max())
assert B_wide[outside].max() == 0.0
mid_outer = np.argmin(np.abs(x_wide - (t[0] + t[1]) / 2))  # middle of the outermost interval
print(f"sum of the basis in the middle of the outermost interval: {B_wide[mid_outer].sum():.4f}")

# %%
fig = Figure(figsize=(8, 3.5), layout="constrained")
ax = fig.subplots()
for j in range(n_basis):
    ax.plot(x_wide, B_wide[:, j], label=f"$B_{{{j}}}$")
ax.plot(x_wide, B_wide.sum(axis=1), "k--", label="sum")
ax.axvspan(a, b, color="0.92", zorder=0)
ax.plot(t, np.zeros_like(t), "k|", markersize=12)
ax.set(xlabel="x", ylim=(-0.05, 1.45),
       title=f"cubic B-splines, G = {G}: {G + k} functions, sum = 1 on the shaded [a, b]")
ax.legend(ncol=5, fontsize=7, loc="upper right")
show(fig, "01_basis.png")

# %% [markdown]
# ## 4. A spline curve, and how its error falls with `G`
#
# A KAN edge's spline part is a linear combination of these functions (Eq. 2.12):
#
# $$\mathrm{spline}(x) = \sum_{i=0}^{G+k-1} c_i B_i(x).$$
#
# Fitting the coefficients `c_i` to samples of a smooth function is linear least squares
# (`minikan.core.spline.fit_coef`). For a `(k+1)`-times differentiable function the best error falls
# like `G^{-(k+1)}`, `G^{-4}` for cubics; Theorem 2.1 (Eq. 2.15, `m = 0`) is the same statement for
# a whole KAN. We fit `sin(pi x)` and measure the maximum error on a fine grid.

# %%
rng = np.random.default_rng(0)
xs = np.sort(rng.uniform(a, b, N_SAMPLES))
x_eval = np.linspace(a, b, 1001)
grids = [5, 10, 20, 40]
errors = []
for G_fit in grids:
    t_fit = spline.uniform_grid(G_fit, k, a, b)
    c = spline.fit_coef(xs[:, None], np.sin(np.pi * xs)[:, None, None], t_fit[None], k)[0, 0]  # (G+k,)
    approx = spline.basis(x_eval, t_fit, k) @ c  # Eq. 2.12
    errors.append(np.abs(approx - np.sin(np.pi * x_eval)).max())
    print(f"G = {G_fit:3d}: {G_fit + k:3d} coefficients, max error {errors[-1]:.2e}")
slope = np.polyfit(np.log(grids), np.log(errors), 1)[0]
print(f"log-log slope of the error against G: {slope:.2f} (theory: -(k+1) = {-(k + 1)})")
assert -4.6 < slope < -3.4

# %% [markdown]
# ## 5. Grid extension as least squares (Section 2.4, Eq. 2.16)
#
# To make a trained KAN more accurate, the paper replaces each coarse spline (grid `G_1`) by a
# fine one (grid `G_2`) that is as close as possible to it over the data:
#
# $$\{c'_j\} = \underset{\{c'_j\}}{\operatorname{argmin}}\; \mathbb{E}_{x \sim p(x)}
# \Big(\sum_{j=0}^{G_2+k-1} c'_j B'_j(x) - \sum_{i=0}^{G_1+k-1} c_i B_i(x)\Big)^2. \qquad (2.16)$$
#
# With the expectation replaced by the mean over samples `x_s`, this is `min ||B' c' - B c||^2`:
# one call of `numpy.linalg.lstsq`. We do it by hand, then compare with `minikan.core.grid_update.refine`,
# which does it for every edge of a layer from its knots and coefficients (with a banded solver; and
# for a grid like this one, whose knots contain the old ones, by exact knot insertion, which gives the
# same coefficients).

# %%
G1, G2 = 5, 10
t1 = spline.uniform_grid(G1, k, a, b)
t2 = spline.uniform_grid(G2, k, a, b)
c_coarse = rng.normal(0.0, 1.0, G1 + k)  # any coarse spline will do
x_s = rng.uniform(a, b, N_SAMPLES)

B1 = spline.basis(x_s, t1, k)  # (N, G1+k)
B2 = spline.basis(x_s, t2, k)  # (N, G2+k)
c_fine, *_ = np.linalg.lstsq(B2, B1 @ c_coarse, rcond=None)  # Eq. 2.16
print("coarse coefficients:", c_coarse.size, " fine coefficients:", c_fine.size)

# knots (n_in, G+2k+1) and coefficients (n_in, n_out, G+k) of one edge
fine_grid, fine_coef = refine(t1[None], c_coarse[None, None, :], x_s[:, None], G2, k)
diff = np.abs(fine_coef[0, 0] - c_fine).max()
print(f"max |by hand - minikan.core.grid_update.refine| on the coefficients: {diff:.1e}")
assert diff < 1e-10

gap = np.abs(spline.basis(x_eval, t2, k) @ c_fine - spline.basis(x_eval, t1, k) @ c_coarse).max()
print(f"G = {G1} -> {G2}: max |fine - coarse| on [a, b] = {gap:.1e}")
assert gap < 1e-10

# %% [markdown]
# The fine spline reproduces the coarse one to rounding error. That is no accident: every knot of
# the `G = 5` grid is also a knot of the `G = 10` grid, so each coarse cubic piece is also a
# piecewise cubic on the fine grid, and the coarse spline *lies in* the fine spline space. Going
# to a grid that does not contain the old knots (here `G = 7`) gives the closest fine spline
# instead, with a small but visible error.

# %%
t7 = spline.uniform_grid(7, k, a, b)
c7, *_ = np.linalg.lstsq(spline.basis(x_s, t7, k), B1 @ c_coarse, rcond=None)
gap7 = np.abs(spline.basis(x_eval, t7, k) @ c7 - spline.basis(x_eval, t1, k) @ c_coarse).max()
print(f"G = {G1} -> 7: max |fine - coarse| on [a, b] = {gap7:.1e}")
assert gap7 > 1e3 * gap

# %%
fig = Figure(figsize=(8, 3.5), layout="constrained")
ax = fig.subplots()
ax.plot(x_eval, spline.basis(x_eval, t1, k) @ c_coarse, "k", lw=3, alpha=0.4, label=f"coarse, G = {G1}")
ax.plot(x_eval, spline.basis(x_eval, t2, k) @ c_fine, "C0--", label=f"fine, G = {G2} (Eq. 2.16)")
ax.plot(x_eval, spline.basis(x_eval, t7, k) @ c7, "C3:", label="fine, G = 7")
ax.plot(t2[k:G2 + k + 1], np.zeros(G2 + 1), "C0|", markersize=10)
ax.set(xlabel="x", title="grid extension: a coarse spline refitted on finer grids")
ax.legend()
show(fig, "01_grid_extension.png")

# %% [markdown]
# ## Exercises
#
# 1. Repeat sections 2 and 3 for degrees `k = 0, 1, 2`: check the count `G + k`, the partition of
#    unity on `[a, b]`, and that degree 0 needs the closed last interval to sum to one at `x = b`.
# 2. Derivatives: `spline.basis(x, t, k, deriv=1)` gives `B'_j`. Check it against central finite
#    differences of your `cox_de_boor`, and show that the derivatives sum to zero on `[a, b]` (why?).
# 3. Grid extension: refine the same coarse spline from `G = 5` to `G = 6, 7, ..., 20` and print the
#    gap. Which targets reproduce the coarse spline exactly, and why?
# 4. Non-uniform grids: build knots from quantiles of skewed samples with
#    `minikan.core.grid_update.grid_from_samples(x, G, k, grid_eps=0.0)` and check that the partition of unity
#    still holds on `[t_k, t_{G+k}]`.
