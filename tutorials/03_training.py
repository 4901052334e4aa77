# %% [markdown]
# # 03 — Training a KAN: L-BFGS, grid updates and grid extension
#
# This tutorial follows paper **Section 2.4** ("For accuracy: grid extension") and the "update of
# spline grids" of Section 2.2, and ends with Figure 2.3 (top right) in small: the staircase-shaped
# loss curve of a `[2, 1, 1]` KAN whose grid is refined during training. On the way:
#
# 1. all trainable parameters as one flat vector, and L-BFGS on it with `scipy.optimize.minimize`,
#    checked against `KAN.fit`;
# 2. why grids must follow the data (samples that leave a grid only see the base function), and
#    `KAN.update_grid`;
# 3. grid extension (Eq. 2.16) with `KAN.refine`, and the staircase.
#
# One "step" in minikan is one L-BFGS iteration. The paper's "200 LBFGS steps" are pykan outer
# steps of up to 20 iterations each, so the step counts here are far below the paper's.
# `MINIKAN_TUTORIAL_QUICK=1` uses fewer steps and grids. A notebook shows the figure; as a script
# it is saved into `tutorials/out/` (or `MINIKAN_TUTORIAL_FIGURES=DIR`) and the path is printed.

# %%
# %matplotlib inline
import os
import sys
import warnings

import numpy as np
from matplotlib.figure import Figure
from scipy.optimize import minimize

from minikan import KAN
from minikan.datasets import make_toy
from minikan.core.grid_update import OutOfGridWarning
from minikan.core.objective import loss_and_grad

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"
# chosen: at most 200 L-BFGS iterations per grid (`python -m minikan` allows up to 500 and stops
# on convergence); quick mode a quarter of that
STEPS = 50 if QUICK else 200
GRIDS = (3, 5, 10) if QUICK else (3, 5, 10, 20)


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
# ## 1. The task and the flat parameter vector
#
# The paper's running example is
#
# $$f(x, y) = \exp(\sin(\pi x) + y^2) \qquad (2.22)$$
#
# on `[-1, 1]^2`, with 1000 training and 1000 test points. A `[2, 1, 1]` KAN can represent it
# exactly: `sin(pi x)` and `y^2` on the first layer, `exp` on the second.
#
# An optimizer sees none of the structure of a KAN, only one vector `theta`. `get_flat` lays the
# trainable arrays out layer by layer (`coef`, `w_b`, `w_s` within a layer), `set_flat` writes a
# vector back, and `loss_and_grad(model, theta, X, y)` returns the MSE and its gradient (tutorial 02).

# %%
data = make_toy("exp_sin_pi_x_plus_y2", seed=0)
X, y, X_test, y_test = data.train_input, data.train_label, data.test_input, data.test_label
print("train", X.shape, y.shape, " test", X_test.shape, y_test.shape)

model = KAN([2, 1, 1], grid=3, k=3, seed=0)
theta0 = model.get_flat()
print("parameters by group:", model.n_params())
print("the flat vector, group by group:", [str(name) for name in dict.fromkeys(model.flat_group_names())])
loss0, grad0 = loss_and_grad(model, theta0, X, y)
print(f"initial MSE {loss0:.4f}, gradient norm {np.linalg.norm(grad0):.4f}")

# %% [markdown]
# ## 2. L-BFGS by hand with SciPy
#
# L-BFGS builds a quasi-Newton step from the last few pairs of parameter and gradient differences
# (50 here, `fit`'s default; the paper's runs kept 10, which on this problem converged slowly and
# unevenly from seed to seed), and a line search picks the step length. SciPy's `L-BFGS-B` does
# all of it given `fun(theta) -> (loss, grad)`. We switch off its convergence tests
# (`ftol = gtol = 0`) so that it runs exactly `STEPS` iterations, and ask `fit` for the same with
# `tol=0` (by default it stops once the loss falls by less than 0.1 % over 10 iterations); with
# grid updates off, `fit` must then land on the very same parameters.

# %%
by_hand = KAN([2, 1, 1], grid=3, k=3, seed=0)
result = minimize(lambda theta: loss_and_grad(by_hand, theta, X, y), theta0, jac=True,
                  method="L-BFGS-B",
                  options={"maxiter": STEPS, "maxcor": 50, "ftol": 0.0, "gtol": 0.0, "maxfun": 50 * STEPS})
by_hand.set_flat(result.x)
print(f"scipy: {result.nit} iterations, {result.nfev} loss evaluations, MSE {result.fun:.6e}")

with warnings.catch_warnings(record=True) as caught:  # fit warns about samples off the grid
    warnings.simplefilter("always", OutOfGridWarning)
    history = model.fit(X, y, steps=STEPS, update_grid=False, tol=0.0)
print(f"fit:   {len(history['step'])} iterations, {history['n_evals'][-1]} loss evaluations, "
      f"MSE {history['train_loss'][-1]:.6e}")
assert np.allclose(model.get_flat(), by_hand.get_flat(), rtol=1e-10, atol=1e-12)
print("fit warned:", [str(w.message)[:70] + " ..." for w in caught])

# %% [markdown]
# ## 3. Grids must follow the data
#
# A spline only lives on its grid: on `[t_k, t_{G+k}]` the basis sums to one, on the `k` outer
# intervals it fades out, and beyond them it is zero, leaving the edge with `w_b b(x)` alone
# (tutorial 01). The first layer's inputs are the data, inside the initial grid `[-1, 1]`. The
# second layer's inputs are whatever the first layer outputs, and training moves them around
# (`fit` warned above that some already started outside). After training without grid updates:

# %%
for l, x_l in enumerate(model.layer_inputs(X)):
    print(f"layer {l}: inputs in [{x_l.min():.2f}, {x_l.max():.2f}], grid base interval "
          f"[{model.layers[l].grid[0, 3]:.2f}, {model.layers[l].grid[0, -4]:.2f}]")
print("training samples outside each layer's grid:", model.out_of_grid(X))

# %% [markdown]
# The paper's remedy (Section 2.2, "update of spline grids") is to move each grid to its current
# input activations. `KAN.update_grid(X)` puts new knots on the range of every layer's inputs
# (uniformly, with a margin of 0.01, as the paper-era code did) and refits each spline to its old
# values on the samples by least squares, so the network's output barely changes while all
# samples land where the spline has full resolution.

# %%
before = model.predict(X)
model.update_grid(X)
print("training samples outside each layer's grid after update_grid:", model.out_of_grid(X))
print(f"largest change of the output: {np.abs(model.predict(X) - before).max():.2e} "
      f"(output range {np.ptp(before):.2f})")
assert model.out_of_grid(X).sum() == 0

# %% [markdown]
# `fit` does this on a schedule: with `update_grid=True` (the default) it updates the grids at
# steps `0, 5, 10, ..., 45` (`grid_update_num = 10` updates before `stop_grid_update_step = 50`,
# pykan's rule) and restarts L-BFGS after each, because its stored curvature pairs describe the
# old parametrisation. Over 200 iterations the run with updates ends at about half the error of
# the run without; over the 50 iterations of quick mode the ten restarts cost more than they gain.
# After step 50 the grids stay put while the activations keep drifting, so some samples can end
# up just outside the second layer's grid again (printed below); the next `fit` (or `refine`)
# moves the grids once more.

# %%
fresh = KAN([2, 1, 1], grid=3, k=3, seed=0)
h = fresh.fit(X, y, X_test, y_test, steps=STEPS)
print("grid updates at steps:", h["grid_updates"].tolist())
print(f"after {STEPS} steps: train RMSE {h['train_rmse'][-1]:.3e} with grid updates, "
      f"{history['train_rmse'][-1]:.3e} without (section 2)")
print("training samples outside the grids at the end:", fresh.out_of_grid(X))

# %% [markdown]
# ## 4. Grid extension (Section 2.4, Eq. 2.16)
#
# A trained KAN is made more accurate by refining every grid from `G_1` to `G_2` intervals and
# initialising the finer splines by least squares on the coarse ones,
#
# $$\{c'_j\} = \underset{\{c'_j\}}{\operatorname{argmin}}\; \mathbb{E}_{x \sim p(x)}
# \Big(\sum_{j=0}^{G_2+k-1} c'_j B'_j(x) - \sum_{i=0}^{G_1+k-1} c_i B_i(x)\Big)^2, \qquad (2.16)$$
#
# with the expectation taken over the layer's inputs on the training set (tutorial 01 does this
# for one spline). `KAN.refine(G_new, X)` returns the refined model. The function is preserved
# (exactly when the new knots contain the old ones, as for 5 -> 10; up to a small least-squares
# residual otherwise), so the loss right after a refinement is close to the loss before it;
# training then drops it further.
# We train on each grid of `GRIDS` for `STEPS` iterations and record the curves.

# %%
model = KAN([2, 1, 1], grid=GRIDS[0], k=3, seed=0)
train_curve, test_curve, table = [], [], []
for n, G in enumerate(GRIDS):
    if n:
        rmse_before = np.sqrt(model.loss(X, y))
        model = model.refine(G, X)  # Eq. 2.16 on every edge
        rmse_after = np.sqrt(model.loss(X, y))
        print(f"refine {GRIDS[n - 1]} -> {G}: train RMSE {rmse_before:.3e} -> {rmse_after:.3e}")
        assert abs(rmse_after - rmse_before) <= 0.05 * rmse_before
    h = model.fit(X, y, X_test, y_test, steps=STEPS)
    train_curve += h["train_rmse"].tolist()
    test_curve += h["test_rmse"].tolist()
    table.append((G, model.n_params()["total"], h["train_rmse"][-1], h["test_rmse"][-1]))

print("\n   G  params  train RMSE   test RMSE")
for G, n_par, tr, te in table:
    print(f"{G:4d}  {n_par:6d}   {tr:.3e}   {te:.3e}")
test_rmse = np.array([row[3] for row in table])
assert np.all(np.diff(test_rmse) < 0), "every grid extension should lower the test error here"

# %% [markdown]
# Each refinement is followed by a sharp drop and a plateau: the staircase of Figure 2.3. Theorem
# 2.1 predicts test RMSE `~ G^{-(k+1)} = G^{-4}` once optimisation has converged; the paper
# measured about `G^{-3}` for this `[2, 1, 1]` KAN (over G = 5 to 100, with 1000 test points).
# With 200 iterations per grid and G <= 20 this small run follows `G^{-4}`; in quick mode (50
# iterations per grid) the finer grids are far from converged and the slope is much shallower.

# %%
Gs = np.array([row[0] for row in table], dtype=float)
slope = np.polyfit(np.log(Gs[1:]), np.log(test_rmse[1:]), 1)[0]
print(f"log-log slope of the test RMSE for G >= {int(Gs[1])}: {slope:.2f} (theory -4, paper about -3)")

fig = Figure(figsize=(10, 3.8), layout="constrained")
ax1, ax2 = fig.subplots(1, 2)
ax1.semilogy(train_curve, label="train")
ax1.semilogy(test_curve, "--", label="test")
for n, G in enumerate(GRIDS):
    ax1.axvline(n * STEPS, color="0.8", lw=0.8)
    ax1.text(n * STEPS + 2, max(train_curve), f"G={G}", fontsize=8, va="top")
ax1.set(xlabel="step (L-BFGS iteration)", ylabel="RMSE", title="[2, 1, 1] KAN: the staircase")
ax1.legend()
ax2.loglog(Gs, test_rmse, "o-", label="test RMSE")
ax2.loglog(Gs, test_rmse[1] * (Gs / Gs[1]) ** -4.0, "k:", label=r"$\propto G^{-4}$")
ax2.set(xlabel="grid size G", ylabel="test RMSE", title="error against grid size")
ax2.legend()
show(fig, "03_staircase.png")

# %% [markdown]
# ## Exercises
#
# 1. "Small KANs generalize better": run the same schedule with a `[2, 5, 1]` KAN (15 G
#    spline parameters per grid point count in the paper) and compare test RMSEs with the `[2, 1, 1]` table.
# 2. Replace L-BFGS by Adam (`fit(..., opt="adam", lr=1e-2)`) for the same number of steps on the
#    `G = 5` model. How many Adam steps does it take to match L-BFGS?
# 3. The paper notes that a few samples with large errors slow the scaling down. Compute the
#    square root of the *median* squared test error per grid and compare its slope with the RMSE's.
# 4. Train a `[2, 1, 1]` KAN with `update_grid=False` and count `out_of_grid` samples after
#    training. Then train one on inputs `2 X` (outside the initial grid) with and without grid
#    updates and compare the losses.
