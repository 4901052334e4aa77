# %% [markdown]
# # 05 Solving the Poisson equation with a KAN
#
# This tutorial follows **Section 3.4** of the KAN paper ("Solving partial differential
# equations", Figure 3.3). A KAN `u_hat(x, y)` is trained so that its Laplacian matches a given
# source term inside the square and the function vanishes on the boundary: a physics-informed
# loss. You will see
#
# * the problem data of Eq. 3.2 and how to check it (`minikan.applications.pde`),
# * exact input derivatives of a KAN by forward mode (`minikan.applications.derivatives`), checked against
#   finite differences,
# * the physics-informed loss, computed once by hand and once by `PoissonObjective`,
# * training with grid extension (`solve_poisson`), the L2 and H1 errors, and an MLP of the
#   same training budget for comparison.
#
# Set `MINIKAN_TUTORIAL_QUICK=1` for a run of well under a minute (smaller sizes, fewer steps).
# A notebook shows the figures; as a script they are saved into `tutorials/out/` (or
# `MINIKAN_TUTORIAL_FIGURES=DIR`) and each path is printed.

# %%
# %matplotlib inline
import os
import sys

import numpy as np
from matplotlib.figure import Figure

from minikan import KAN, MLP, gradcheck
from minikan.applications.derivatives import input_jet, jet_backward, jet_forward, laplacian
from minikan.applications.pde import (PoissonObjective, boundary_points, errors, exact_solution, interior_points,
                                      solve_poisson, source)
from minikan.core.objective import evaluate

QUICK = os.environ.get("MINIKAN_TUTORIAL_QUICK") == "1"

# Sizes (chosen): the paper uses n_i = 10^4 interior and n_b = 800 boundary points and a
# [2, 10, 1] KAN. The full run here keeps the KAN but uses a 50 x 50 mesh, so that it finishes in
# minutes on a laptop; quick mode shrinks everything to under 10 seconds of CPU time.
N_I = 900 if QUICK else 2500            # interior points, a perfect square (m x m mesh)
N_B = 200 if QUICK else 800             # boundary points, n_b / 4 per side
WIDTH = [2, 5, 1] if QUICK else [2, 10, 1]
GRIDS = (5, 10) if QUICK else (5, 10, 20)
STEPS = 100 if QUICK else 200           # L-BFGS iterations per grid size
MLP_WIDTH = [2, 20, 20, 1] if QUICK else [2, 50, 50, 50, 1]
ALPHA = 0.01                            # the paper's weight of the interior term


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
        fig.savefig(path, dpi=120)
        print(f"figure saved to {path}")


# %% [markdown]
# ## 1. The problem
#
# On $\Omega = [-1, 1]^2$ the paper solves Poisson's equation with zero Dirichlet data
#
# $$ u_{xx} + u_{yy} = f \ \text{ in } \Omega, \qquad u = 0 \ \text{ on } \partial\Omega \qquad (3.2)$$
#
# with $f = -\pi^2 (1 + 4y^2) \sin(\pi x) \sin(\pi y^2) + 2\pi \sin(\pi x) \cos(\pi y^2)$, whose
# exact solution is $u = \sin(\pi x)\sin(\pi y^2)$. Before trusting any solver, check the data:
# the Laplacian of `exact_solution` (by central differences) must be `source`, and $u$ must vanish
# on the boundary.

# %%
rng = np.random.default_rng(0)
Z = rng.uniform(-0.9, 0.9, size=(200, 2))
h = 1e-4
u0 = exact_solution(Z)[0]
lap_fd = sum(exact_solution(Z + e)[0] - 2 * u0 + exact_solution(Z - e)[0] for e in h * np.eye(2)) / h**2
err_f = np.abs(lap_fd - source(Z)).max()
print(f"max |Laplacian by differences - f| = {err_f:.1e}   (max |f| = {np.abs(source(Z)).max():.1f})")
assert err_f < 1e-4 * np.abs(source(Z)).max()

X_b = boundary_points(N_B)
print(f"max |u| on {len(X_b)} boundary points = {np.abs(exact_solution(X_b)[0]).max():.1e}")
assert np.abs(exact_solution(X_b)[0]).max() < 1e-14

# %% [markdown]
# ## 2. Collocation points
#
# The loss is a mean over points: `interior_points` gives the centres of an $m \times m$ mesh
# (all strictly inside $\Omega$, so the mean is the midpoint rule) and `boundary_points` walks
# round the square with $n_b/4$ points per side.

# %%
X_i = interior_points(N_I)
print("interior", X_i.shape, "boundary", X_b.shape)
assert np.all(np.abs(X_i) < 1) and np.allclose(np.abs(X_b).max(axis=1), 1.0)

fig = Figure(figsize=(4, 4))
ax = fig.add_subplot()
ax.plot(X_i[:, 0], X_i[:, 1], ".", ms=1, label="interior $z_i$")
ax.plot(X_b[:, 0], X_b[:, 1], ".", ms=3, label="boundary $z^b_i$")
ax.set_aspect("equal")
ax.legend(loc="upper right", fontsize=8)
show(fig, "05_points.png")

# %% [markdown]
# ## 3. Input derivatives of a KAN
#
# The loss needs $u_{xx} + u_{yy}$ of the network itself. `minikan.applications.derivatives` carries, through
# every layer, each quantity $h$ together with its first and pure second derivatives with respect
# to the inputs $X_d$ (a *jet*). For an edge function $\phi$ applied to $h$ the chain rule gives
#
# $$ \phi(h)_d = \phi'(h)\, h_d, \qquad \phi(h)_{dd} = \phi''(h)\, h_d^2 + \phi'(h)\, h_{dd}
# \qquad (\text{J1, J2 in } \texttt{minikan/applications/derivatives.py})$$
#
# and a node just sums its incoming edges (Eq. 2.5), derivatives included. The spline parts of
# $\phi', \phi''$ come from the derivatives of the B-spline basis. Below, the jet of a fresh KAN
# is compared with central differences of `model.predict`.

# %%
model = KAN(WIDTH, grid=GRIDS[0], k=3, seed=0)
u, du, d2u = input_jet(model, Z)         # shapes (N, 1), (N, 1, 2), (N, 1, 2)
print("shapes:", u.shape, du.shape, d2u.shape)

h = 1e-5
E = h * np.eye(2)
du_fd = np.stack([(model.predict(Z + E[d]) - model.predict(Z - E[d])) / (2 * h) for d in range(2)], axis=-1)
# second derivatives: central differences of the (just checked) first derivatives, which avoids
# the 1/h^2 rounding error of a second difference of u
first = lambda X: input_jet(model, X, order=1)[1]  # noqa: E731, (N, 1, 2)
d2u_fd = np.stack([(first(Z + E[d])[..., d] - first(Z - E[d])[..., d]) / (2 * h) for d in range(2)], axis=-1)
err1, err2 = np.abs(du - du_fd).max(), np.abs(d2u - d2u_fd).max()
print(f"first derivatives:  max |jet - differences| = {err1:.1e}   (max |du| = {np.abs(du).max():.2f})")
print(f"second derivatives: max |jet - differences| = {err2:.1e}   (max |d2u| = {np.abs(d2u).max():.2f})")
assert err1 < 1e-8 and err2 < 1e-7
assert np.allclose(laplacian(model, Z), d2u.sum(axis=-1))

# %% [markdown]
# ## 4. The physics-informed loss
#
# With $n_i$ interior points $z_i$ and $n_b$ boundary points $z^b_i$ the paper trains on
#
# $$ \mathrm{loss}_{\mathrm{pde}} = \alpha\, \frac{1}{n_i} \sum_{i=1}^{n_i}
#    \big|u_{xx}(z_i) + u_{yy}(z_i) - f(z_i)\big|^2 + \frac{1}{n_b} \sum_{i=1}^{n_b} u(z^b_i)^2,
#    \qquad \alpha = 0.01 \qquad (\text{Section 3.4, after Eq. 3.2}) $$
#
# First by hand, from `laplacian` and `source`; then with `PoissonObjective`, the object the
# optimizer calls. It returns the loss, the gradient with respect to the flat parameter vector,
# and the two terms.

# %%
loss_i = np.mean((laplacian(model, X_i) - source(X_i)) ** 2)
loss_b = np.mean(model.predict(X_b) ** 2)
by_hand = ALPHA * loss_i + loss_b

objective = PoissonObjective(model, X_i, X_b, alpha=ALPHA)
theta = model.get_flat()
total, grad, parts = objective(theta)
print(f"loss_i = {loss_i:.6f}, loss_b = {loss_b:.6f}, total by hand = {by_hand:.8f}, objective = {total:.8f}")
assert np.isclose(total, by_hand, rtol=1e-12)

# %% [markdown]
# The gradient is the forward mode run backwards (`jet_backward`): the loss depends on the
# second-derivative slots of the output jet, $\partial \mathrm{loss}/\partial u_{dd} =
# 2\alpha (\Delta u - f)/n_i$, and that is pulled back through every edge. A finite-difference
# check on a sample of parameters confirms it.

# %%
(_, _, d2u_i), tape = jet_forward(model, X_i)
residual = d2u_i.sum(axis=-1) - source(X_i)                         # (n_i, 1)
g_d2u = np.repeat((2 * ALPHA * residual / residual.size)[:, :, None], 2, axis=2)
grad_interior = jet_backward(model, tape, None, None, g_d2u)
grad_boundary = evaluate(model, theta, X_b, np.zeros((len(X_b), 1)))[1]  # mean u^2 = MSE against 0
assert np.allclose(grad_interior + grad_boundary, grad, rtol=1e-12, atol=1e-15)

idx = np.random.default_rng(1).choice(theta.size, size=20, replace=False)
rel = gradcheck(lambda t: objective(t)[0], grad, theta.copy(), indices=idx)
model.set_flat(theta)  # the check moved the parameters; put them back
print(f"{theta.size} parameters; finite-difference check on 20 of them: relative error {rel:.1e}")
assert rel < 1e-6

# %% [markdown]
# ## 5. Training with grid extension
#
# `solve_poisson` trains `STEPS` L-BFGS iterations on each grid size in `GRIDS`; between stages the
# KAN is refined to the next $G$ by the least-squares transfer of Eq. 2.16 (Section 2.4), fitted
# on the interior points. During the first 50 iterations of each stage the knots follow the
# data. The accuracy is measured on independent random points against the exact solution:
#
# $$ L^2\text{-squared} = \frac{1}{N}\sum_n (\hat u - u)^2, \qquad
#    H^1\text{-squared} = L^2\text{-squared} + \frac{1}{N}\sum_n |\nabla\hat u - \nabla u|^2 .$$

# %%
kan, histories = solve_poisson(KAN(WIDTH, grid=GRIDS[0], k=3, seed=0), steps=STEPS, grids=GRIDS,
                               n_i=N_I, n_b=N_B, alpha=ALPHA, n_eval=1000, seed=0)
print(f"{'G':>3} {'params':>7} {'L2^2':>10} {'H1^2':>10} {'seconds':>8}")
for hist in histories:
    print(f"{hist['grid']:>3} {hist['n_params']:>7} {hist['test_l2sq'][-1]:10.2e} "
          f"{hist['test_h1sq'][-1]:10.2e} {hist['seconds']:8.1f}")
l2_kan = [hist["test_l2sq"][-1] for hist in histories]
# each finer grid is at least 3 times more accurate than the one before it
assert all(b < a / 3 for a, b in zip(l2_kan, l2_kan[1:])), l2_kan

X_eval = np.random.default_rng(7).uniform(-1, 1, size=(2000, 2))
l2, h1 = errors(kan, X_eval)
print(f"on 2000 fresh points: L2^2 = {l2:.2e}, H1^2 = {h1:.2e}")
assert h1 >= l2 and l2 < (1e-4 if QUICK else 1e-5)

# %% [markdown]
# ## 6. The same budget for an MLP
#
# The paper compares against a 4-layer width-100 MLP. Training one over $10^4$ points takes a
# long time on a CPU, so a smaller tanh MLP (`MLP_WIDTH`) gets the same collocation points and the
# same total number of L-BFGS iterations ($\text{STEPS} \times \text{len(GRIDS)}$, in one stage:
# it has no grid). Its parameter count is far larger than the KAN's.

# %%
mlp, mlp_hist = solve_poisson(MLP(MLP_WIDTH, activation="tanh", seed=0), steps=STEPS, grids=GRIDS,
                              n_i=N_I, n_b=N_B, alpha=ALPHA, n_eval=1000, seed=0)
l2_mlp = mlp_hist[0]["test_l2sq"][-1]
print(f"MLP {MLP_WIDTH}: {mlp.n_params()['total']} params, L2^2 = {l2_mlp:.2e}")
print(f"KAN {WIDTH}:   {kan.n_params()['total']} params, L2^2 = {l2_kan[-1]:.2e}"
      f"  -> {l2_mlp / l2_kan[-1]:.0f} times smaller")
assert l2_kan[-1] < l2_mlp / 10 and kan.n_params()["total"] < mlp.n_params()["total"]

# %% [markdown]
# ## 7. Looking at the result
#
# Left: $L^2$-squared during training. The KAN's stages follow each other: each finer stage starts
# where the last one ended (grid extension keeps the learned function, Eq. 2.16) and then goes
# further down. Right: where the remaining KAN error sits.

# %%
fig = Figure(figsize=(10, 4))
ax = fig.add_subplot(1, 2, 1)
offset = 0
for hist in histories:
    steps = offset + np.asarray(hist["step"])
    ax.semilogy(steps, hist["test_l2sq"], label=f"KAN G={hist['grid']}")
    offset = steps[-1]
ax.semilogy(mlp_hist[0]["step"], mlp_hist[0]["test_l2sq"], "k--", label=f"MLP {MLP_WIDTH}")
ax.set_xlabel("L-BFGS iteration")
ax.set_ylabel("$L^2$ squared error")
ax.legend(fontsize=8)

t = np.linspace(-1, 1, 101)
xx, yy = np.meshgrid(t, t, indexing="ij")
grid_pts = np.stack([xx.ravel(), yy.ravel()], axis=1)
err = np.abs(kan.predict(grid_pts) - exact_solution(grid_pts)[0]).reshape(xx.shape)
ax = fig.add_subplot(1, 2, 2)
im = ax.pcolormesh(xx, yy, err, shading="auto")
fig.colorbar(im, ax=ax, label=r"$|\hat u - u|$")
ax.set_title("KAN error")
ax.set_aspect("equal")
show(fig, "05_training_and_error.png")
print(f"largest error on the 101 x 101 grid: {err.max():.1e} at (x, y) = "
      f"({xx.ravel()[err.argmax()]:.2f}, {yy.ravel()[err.argmax()]:.2f})")

# %% [markdown]
# The largest error sits at a corner of the square. The reason is in the grids: grid updates
# follow the *interior* points, whose outermost mesh centres are at $\pm(1 - 1/m)$, so the first
# layer's base interval $[t_k, t_{G+k}]$ stops short of $\pm 1$ and every boundary point falls on
# the $k$ outer knot intervals, where the B-splines no longer sum to one and fewer of them act.

# %%
lo, hi = kan.layers[0].grid[0, kan.layers[0].k], kan.layers[0].grid[0, -kan.layers[0].k - 1]
print(f"first-layer base interval of x: [{lo:.4f}, {hi:.4f}]")
print("boundary points outside each layer's base interval:", kan.out_of_grid(X_b), "of", len(X_b))
assert kan.out_of_grid(X_b)[0] == len(X_b)

# %% [markdown]
# ## Exercises
#
# 1. **The weight alpha.** Train the KAN with $\alpha \in \{0.001, 0.01, 0.1\}$ (one grid,
#    `STEPS` iterations each) and print `loss_b`, `loss_i` and $L^2$-squared at the end. Which
#    term does a large $\alpha$ favour, and what happens to the error?
# 2. **Mixed derivatives.** `input_jet(model, X, hessian=True)` returns the full Hessian.
#    Check $u_{xy}$ of the trained KAN against a central-difference formula, and check that the
#    Hessian is symmetric.
# 3. **Spline degree.** With $k = 2$ the second derivative of a spline is piecewise constant and
#    jumps at the knots (see the docstring of `minikan.applications.derivatives`). Show the jump on one edge of
#    a `KAN([2, 3, 1], grid=5, k=2)` by evaluating $u_{xx}$ just left and right of a knot, then
#    train a $k=2$ KAN on the Poisson problem and compare its error with $k=3$.
# 4. **A scaling law.** Plot the final $L^2$-squared of each stage against the number of
#    parameters (log-log) and fit a slope. The paper's Figure 3.3 (third panel) shows KANs with
#    a steeper slope than MLPs.
