"""The Poisson problem of Section 3.4 solved with a physics-informed loss (Eq. 3.2).

On ``Omega = [-1, 1]^2``

.. math::
    u_{xx} + u_{yy} = f \\ \\text{in } \\Omega, \\qquad u = 0 \\ \\text{on } \\partial\\Omega
    \\qquad (Eq. 3.2)

with ``f = -pi^2 (1 + 4 y^2) sin(pi x) sin(pi y^2) + 2 pi sin(pi x) cos(pi y^2)``, whose solution
is ``u = sin(pi x) sin(pi y^2)``. The network ``u_hat`` is trained on

.. math::
    \\mathrm{loss} = \\alpha \\frac{1}{n_i} \\sum_{s=1}^{n_i} |\\Delta \\hat u(z_s) - f(z_s)|^2
                   + \\frac{1}{n_b} \\sum_{s=1}^{n_b} \\hat u(z^b_s)^2

with ``alpha = 0.01``, ``n_i = 10^4`` interior and ``n_b = 800`` boundary points (the paper's
values). The Laplacian and its parameter gradient come from :mod:`minikan.applications.derivatives`.

Accuracy is measured against the exact solution on evaluation points: the squared L2 error
``mean (u_hat - u)^2`` and the squared H1 error ``L2^2 + mean |grad u_hat - grad u|^2``.
"""
import numpy as np

from .._checks import as_choice, as_float, as_int, as_matrix
from .derivatives import input_jet, jet_backward, jet_forward
from ..core.objective import loss_and_grad
from ..core.train import optimize

SAMPLINGS = ("mesh", "random")


# ---------------------------------------------------------------------------------- the problem
def exact_solution(X):
    """``u = sin(pi x) sin(pi y^2)`` and its gradient at ``X`` (N, 2): shapes (N, 1), (N, 1, 2)."""
    X = as_matrix(X, "X", 2)
    x, y = X[:, 0], X[:, 1]
    sx, cx, sy, cy = np.sin(np.pi * x), np.cos(np.pi * x), np.sin(np.pi * y * y), np.cos(np.pi * y * y)
    grad = np.stack([np.pi * cx * sy, 2.0 * np.pi * y * sx * cy], axis=-1)  # (u_x, u_y)
    return (sx * sy)[:, None], grad[:, None, :]


def source(X):
    """Right-hand side ``f = Delta u`` of Eq. 3.2 at ``X`` (N, 2), shape (N, 1)."""
    X = as_matrix(X, "X", 2)
    x, y = X[:, 0], X[:, 1]
    sx = np.sin(np.pi * x)
    f = (-np.pi ** 2 * (1.0 + 4.0 * y * y) * sx * np.sin(np.pi * y * y)
         + 2.0 * np.pi * sx * np.cos(np.pi * y * y))
    return f[:, None]


def interior_points(n_i=10000, sampling="mesh", seed=0):
    """``n_i`` collocation points inside ``Omega``, shape (n_i, 2).

    ``"mesh"``: the centres of an ``m x m`` uniform mesh, ``m = sqrt(n_i)`` (``n_i`` must be a
    perfect square), i.e. ``-1 + (2 i + 1) / m``; every point is strictly inside and the mean over
    them is the midpoint rule. ``"random"``: uniform on the square, drawn from ``seed``.
    """
    n_i = as_int(n_i, "n_i", 1)
    if as_choice(sampling, "sampling", SAMPLINGS) == "random":
        return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n_i, 2))
    m = int(round(np.sqrt(n_i)))
    if m * m != n_i:
        raise ValueError(f"sampling='mesh' needs n_i to be a perfect square (m x m mesh), got {n_i}")
    t = -1.0 + (2.0 * np.arange(m) + 1.0) / m
    xx, yy = np.meshgrid(t, t, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def boundary_points(n_b=800, sampling="mesh", seed=0):
    """``n_b`` points on ``dOmega``, ``n_b / 4`` per side, shape (n_b, 2).

    ``"mesh"``: walking round the square, each side gets ``n_b / 4`` evenly spaced points starting
    at its first corner (so every corner appears once). ``"random"``: uniform along each side.
    """
    n_b = as_int(n_b, "n_b", 4)
    if n_b % 4:
        raise ValueError(f"n_b must be a multiple of 4 (the same number on each side), got {n_b}")
    m = n_b // 4
    if as_choice(sampling, "sampling", SAMPLINGS) == "random":
        t = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(4, m))
    else:
        t = np.tile(np.linspace(-1.0, 1.0, m, endpoint=False), (4, 1))
    one = np.ones(m)
    sides = [(t[0], -one), (one, t[1]), (-t[2], one), (-one, -t[3])]  # bottom, right, top, left
    return np.concatenate([np.stack(side, axis=1) for side in sides])


def errors(model, X):
    """Squared L2 and H1 errors of ``model`` against the exact solution on ``X`` (N, 2).

    ``L2^2 = mean_n (u_hat - u)^2`` and ``H1^2 = L2^2 + mean_n |grad u_hat - grad u|^2``.
    """
    u_hat, du_hat, _ = input_jet(model, X, order=1)
    u, du = exact_solution(X)
    l2 = float(np.mean((u_hat - u) ** 2))
    return l2, l2 + float(np.mean(np.sum((du_hat - du) ** 2, axis=-1)))


# ---------------------------------------------------------------------------------- the objective
class PoissonObjective:
    """The loss of Eq. 3.2 as an objective for :func:`minikan.core.train.optimize`.

    Parameters
    ----------
    model : KAN or MLP with 2 inputs and 1 output
    X_interior : ndarray, shape (n_i, 2)
    X_boundary : ndarray, shape (n_b, 2)
    alpha : float > 0
        Weight of the interior (PDE residual) term.
    X_eval : ndarray, shape (n_eval, 2), optional
        Where the L2^2 / H1^2 errors are recorded after every step (as ``test_l2sq`` and
        ``test_h1sq``; NaN without it).

    Notes
    -----
    Minibatches (Adam with ``batch_size``) draw interior points only; the boundary term always
    uses all boundary points. Grid updates follow the interior points. With the residual
    ``r = u_xx + u_yy - f`` the gradient of the interior term is ``2 alpha r / n_i`` with respect
    to each of ``u_xx`` and ``u_yy``, pulled back by :func:`minikan.applications.derivatives.jet_backward`;
    the boundary term is the MSE of the outputs against 0, through the model's own backward.
    """

    def __init__(self, model, X_interior, X_boundary, alpha=0.01, X_eval=None):
        if model.width[0] != 2 or model.width[-1] != 1:
            raise ValueError(f"the Poisson problem needs a model with 2 inputs and 1 output, got width {model.width}")
        self.model = model
        self.X_i = as_matrix(X_interior, "X_interior", 2)
        self.X_b = as_matrix(X_boundary, "X_boundary", 2)
        self.alpha = as_float(alpha, "alpha", 0.0, low_open=True)
        self.X_eval = None if X_eval is None else as_matrix(X_eval, "X_eval", 2)
        self.f = source(self.X_i)[:, 0]  # (n_i,)
        self.n_samples = self.X_i.shape[0]
        self.samples = None  # no plain input batch for the trainer's out-of-grid checks

    def __call__(self, theta, rows=None):
        X, f = (self.X_i, self.f) if rows is None else (self.X_i[rows], self.f[rows])
        self.model.set_flat(theta)
        (_, _, d2u), tape = jet_forward(self.model, X)  # d2u: (N, 1, 2)
        residual = d2u[:, 0, :].sum(axis=-1) - f  # u_xx + u_yy - f
        loss_i = float(np.mean(residual ** 2))
        g_d2u = np.repeat((2.0 * self.alpha / residual.size * residual)[:, None, None], 2, axis=2)
        grad = jet_backward(self.model, tape, None, None, g_d2u)
        # boundary term: mean u^2 = MSE against zero targets, with the model's own backward
        loss_b, grad_b = loss_and_grad(self.model, theta, self.X_b, np.zeros((self.X_b.shape[0], 1)))
        total = self.alpha * loss_i + loss_b
        return total, grad + grad_b, {"train_loss": total, "loss_i": loss_i, "loss_b": loss_b}

    def test_metrics(self):
        if self.X_eval is None:
            return {"test_l2sq": np.nan, "test_h1sq": np.nan}
        l2, h1 = errors(self.model, self.X_eval)
        return {"test_l2sq": l2, "test_h1sq": h1}

    def history_keys(self):
        return ["train_loss", "loss_i", "loss_b", "test_l2sq", "test_h1sq"]

    def update_grid(self):
        self.model.update_grid(self.X_i)

    def failed_samples(self, rows=None):
        idx = np.arange(self.n_samples) if rows is None else np.arange(self.n_samples)[rows]
        with np.errstate(all="ignore"):
            u, du, d2u = input_jet(self.model, self.X_i[idx])
        finite = np.isfinite(u[:, 0]) & np.all(np.isfinite(du), axis=(1, 2)) & np.all(np.isfinite(d2u), axis=(1, 2))
        return idx[~finite].tolist()


# ---------------------------------------------------------------------------------- the solver
def solve_poisson(model, steps=200, grids=(5, 10, 20), *, n_i=10000, n_b=800, alpha=0.01,
                  sampling="mesh", n_eval=2500, seed=0, **options):
    """Train ``model`` on Eq. 3.2, with grid extension between stages for a KAN.

    A KAN is trained for ``steps`` optimizer iterations on each grid size of ``grids`` in turn;
    before a stage whose G differs from the model's, the model is replaced by
    ``model.refine(G, X_interior)`` (Section 2.4, Eq. 2.16). A model without grids (an MLP) gets
    one stage of ``steps * len(grids)`` iterations, the same total.

    Parameters
    ----------
    model : KAN or MLP, width [2, ..., 1]
    steps : int
        Optimizer iterations per stage (see :mod:`minikan.core.train` for what a step is).
    grids : sequence of int
    n_i, n_b, alpha, sampling : see :func:`interior_points`, :func:`boundary_points`
    n_eval : int
        Evaluation points for the recorded L2^2 / H1^2 errors, uniform on the square, drawn
        from ``seed`` independently of the training points.
    seed : int
        Seeds the random samplings (and Adam's minibatches, unless ``options`` gives one).
    **options
        Passed to :func:`minikan.core.train.optimize` (``opt``, ``lr``, ``update_grid``,
        ``grid_update_num``, ``stop_grid_update_step``, ``history_size``, ``verbose``, ...).

    Returns
    -------
    model : the trained model (a new object after a grid extension)
    histories : list of dict
        One :func:`minikan.core.train.optimize` history per stage, with ``"grid"`` (G, or None for a
        model without grids) and ``"n_params"`` added.
    """
    steps = as_int(steps, "steps", 0)
    grids = [as_int(G, "each grid size", 1) for G in grids]
    if not grids:
        raise ValueError("grids must hold at least one grid size")
    rng_i, rng_b, rng_e = np.random.default_rng(seed).spawn(3)
    X_i = interior_points(n_i, sampling, rng_i)
    X_b = boundary_points(n_b, sampling, rng_b)
    X_e = rng_e.uniform(-1.0, 1.0, size=(as_int(n_eval, "n_eval", 1), 2))
    options.setdefault("seed", seed)
    stages = grids if hasattr(model, "refine") and getattr(model, "has_grid", False) else [None]
    histories = []
    for G in stages:
        if G is not None and G != model.G:
            model = model.refine(G, X_i)
        objective = PoissonObjective(model, X_i, X_b, alpha, X_e)
        n = steps if G is not None else steps * len(grids)
        history = optimize(model, objective, steps=n, **options)
        history.update(grid=G, n_params=model.n_params()["total"])
        histories.append(history)
    return model, histories
