"""Training a KAN: L-BFGS on the flat parameter vector, Adam on minibatches, grid updates on a schedule.

What one "step" is
------------------
Here a step is **one optimizer iteration**: one accepted L-BFGS-B iterate of
``scipy.optimize.minimize`` (its line search may evaluate the loss more than once), or one Adam
update. pykan's ``fit(steps=...)`` (and the paper's "200 LBFGS steps") counts *outer* steps instead,
each a call of torch's LBFGS with up to 20 inner iterations and 25 loss evaluations. So

    paper / pykan ``steps = S``  ~  minikan ``steps = 20 * S`` L-BFGS iterations (at most),

and the usual "200 steps per grid" of the paper is up to 4000 iterations here. pykan stops an
outer step early when its tolerances are met; in practice (float64, 2-D toy problems) it used about
24 loss evaluations per outer step, i.e. it ran close to the 20-iteration cap.

Grid updates
------------
With ``update_grid=True`` the knots are moved to the current layer inputs of the whole training
set (:meth:`KAN.update_grid`) at steps ``0, f, 2f, ...`` below ``stop_grid_update_step``, where
``f = stop_grid_update_step // grid_update_num`` (pykan's rule; minikan rejects ``f = 0`` instead of
dividing by zero). An update changes the parametrisation, so L-BFGS is restarted after it (its
curvature pairs would describe the old coefficients); pykan keeps them, which minikan does not copy.

Failures
--------
If the loss or its gradient becomes NaN or inf, training stops, the parameters of the last finite
iterate are restored, a ``RuntimeWarning`` is issued, and ``history["stopped"]`` names the step, the
parameter groups with non-finite gradient and the offending samples.
"""
import time
import warnings

import numpy as np
from scipy.optimize import minimize

from ._checks import as_choice, as_float, as_int, as_xy
from .regularize import Sparsity


class _NonFinite(Exception):
    def __init__(self, report):
        super().__init__(report["reason"])
        self.report = report


def fit(model, X, y, X_test=None, y_test=None, *, opt="lbfgs", steps=100, lr=1e-3,
        batch_size=None, lamb=0.0, lamb_l1=1.0, lamb_entropy=1.0, reg_metric="paper",
        lamb_coef=0.0, lamb_coefdiff=0.0, update_grid=True,
        grid_update_num=10, stop_grid_update_step=50, history_size=10, seed=0, verbose=False):
    """Train ``model`` in place on the MSE loss and return the training history.

    Parameters
    ----------
    model : KAN
    X, y : ndarray, shapes (N, n_0) and (N, n_L)
        Training data. ``y`` must be 2-D; a 1-D target raises ``ValueError``.
    X_test, y_test : ndarray, optional
        Held-out data, evaluated after every step.
    opt : {"lbfgs", "adam"}
    steps : int
        Optimizer iterations (see the module docstring for the conversion from pykan's steps).
    lr : float
        Adam learning rate (unused by L-BFGS, whose line search picks the step).
    batch_size : int, optional
        Adam minibatch size (default: the whole training set). L-BFGS always uses the full set.
    lamb, lamb_l1, lamb_entropy : float
        Sparsity penalty of Eq. 2.20: ``lamb * (lamb_l1 * sum |Phi|_1 + lamb_entropy * sum S)``
        added to the MSE (off when ``lamb = 0``; the paper's usual weights are 1 and 1).
    reg_metric : {"paper", "pykan"}
        Eq. 2.17–2.19, or pykan 0.2.8's std-based metric with row/column entropies.
    lamb_coef, lamb_coefdiff : float
        pykan's L1 penalties on the coefficients and on their differences (also times ``lamb``).
    update_grid : bool
        Move the grids to the data on the schedule described in the module docstring.
    grid_update_num, stop_grid_update_step : int
        Number of grid updates and the step before which they happen.
    history_size : int
        L-BFGS memory (10, as in the paper's runs).
    seed : int or numpy.random.Generator
        Drives the minibatch draws (Adam only).
    verbose : bool
        Print a progress line about ten times per run.

    Returns
    -------
    history : dict
        ``"step"``, ``"train_rmse"``, ``"test_rmse"`` (NaN without test data), ``"reg"`` (the
        unweighted sparsity penalty, 0 when ``lamb = 0``) and ``"n_evals"`` (cumulative loss
        evaluations) as arrays with one entry per step; ``"grid_updates"`` (the
        steps at which grids moved), ``"message"`` (why the optimizer stopped), ``"stopped"`` (a
        failure report or None) and ``"seconds"``. For L-BFGS the train RMSE is at each accepted
        iterate; for Adam it is the RMSE of the step's batch before the update.
    """
    opt = as_choice(opt, "opt", ("lbfgs", "adam"))
    steps = as_int(steps, "steps", 0)
    X, y = as_xy(X, y, model.width[0], model.width[-1])
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither")
    if X_test is not None:
        X_test, y_test = as_xy(X_test, y_test, model.width[0], model.width[-1], ("X_test", "y_test"))
    schedule = []
    if update_grid:
        num = as_int(grid_update_num, "grid_update_num", 1)
        stop = as_int(stop_grid_update_step, "stop_grid_update_step", 0)
        freq = stop // num
        if freq == 0 and stop > 0:
            raise ValueError(
                f"stop_grid_update_step ({stop}) must be >= grid_update_num ({num}) so that updates are "
                "at least one step apart"
            )
        schedule = list(range(0, min(stop, steps), freq)) if freq else []
    sparsity = Sparsity(lamb, lamb_l1, lamb_entropy, reg_metric, lamb_coef, lamb_coefdiff)
    run = _Run(model, X, y, X_test, y_test, verbose, steps, sparsity)
    if opt == "lbfgs":
        _lbfgs(run, steps, schedule, as_int(history_size, "history_size", 1))
    else:
        lr = as_float(lr, "lr", 0.0, low_open=True)
        bs = X.shape[0] if batch_size is None else as_int(batch_size, "batch_size", 1)
        _adam(run, steps, schedule, lr, min(bs, X.shape[0]), np.random.default_rng(seed))
    return run.history()


class _Run:
    """Bookkeeping shared by both optimizers: the objective, history and the NaN guard."""

    def __init__(self, model, X, y, X_test, y_test, verbose, steps, sparsity):
        self.model, self.X, self.y, self.X_test, self.y_test = model, X, y, X_test, y_test
        self.sparsity = sparsity
        self.verbose, self.total = verbose, steps
        self.rec = {"step": [], "train_rmse": [], "test_rmse": [], "reg": [], "n_evals": []}
        self.grid_updates, self.message, self.stopped = [], "", None
        self.n_evals, self.t0 = 0, time.perf_counter()
        self.last_x, self.last_parts = None, None

    def objective(self, theta, X=None, y=None):
        X, y = (self.X, self.y) if X is None else (X, y)
        self.n_evals += 1
        with np.errstate(all="ignore"):
            total, grad, mse, reg = self.model.evaluate(theta, X, y, self.sparsity)
        if not (np.isfinite(total) and np.all(np.isfinite(grad))):
            raise _NonFinite(self._report(theta, grad, X, y))
        self.last_x, self.last_parts = theta.copy(), (mse, reg)
        return total, grad

    def _report(self, theta, grad, X, y):
        bad_groups = sorted(set(self.model.flat_group_names()[~np.isfinite(grad)])) or \
            sorted(set(self.model.flat_group_names()[~np.isfinite(theta)]))
        with np.errstate(all="ignore"):
            pred = self.model.predict(X)
        bad_rows = np.flatnonzero(~np.all(np.isfinite(pred), axis=1))
        return {"reason": "non-finite loss or gradient", "step": len(self.rec["step"]),
                "groups": bad_groups, "samples": bad_rows[:20].tolist()}

    def record(self, theta, parts=None):
        if parts is None:
            if self.last_x is not None and np.array_equal(theta, self.last_x):
                parts = self.last_parts
            else:
                parts = self.model.evaluate(theta, self.X, self.y, self.sparsity)[2:]
        mse, reg = parts
        step = len(self.rec["step"]) + 1
        test = np.nan
        if self.X_test is not None:
            test = float(np.sqrt(np.mean((self.model.predict(self.X_test) - self.y_test) ** 2)))
        for key, value in (("step", step), ("train_rmse", np.sqrt(mse)), ("test_rmse", test),
                           ("reg", reg), ("n_evals", self.n_evals)):
            self.rec[key].append(value)
        if self.verbose and (step == self.total or step % max(1, self.total // 10) == 0):
            print(f"step {step:>6}/{self.total}  train rmse {np.sqrt(mse):.3e}  test rmse {test:.3e}")

    def update_grid(self):
        self.model.update_grid(self.X)
        self.grid_updates.append(len(self.rec["step"]))

    def fail(self, report, theta_good):
        self.model.set_flat(theta_good)
        self.stopped = report
        self.message = report["reason"]
        warnings.warn(
            f"training stopped at step {report['step']}: {report['reason']} (gradient non-finite in "
            f"{report['groups'] or 'no group'}; samples {report['samples']}); the last finite "
            "parameters were restored",
            RuntimeWarning, stacklevel=4,
        )

    def history(self):
        h = {key: np.asarray(val, dtype=np.int64 if key in ("step", "n_evals") else np.float64)
             for key, val in self.rec.items()}
        h.update(grid_updates=np.asarray(self.grid_updates, dtype=np.int64), message=self.message,
                 stopped=self.stopped, seconds=time.perf_counter() - self.t0)
        return h


def _segments(steps, schedule):
    """Split ``range(steps)`` at the grid-update steps: ``[(start, end, update_first), ...]``."""
    marks = sorted(set([0] + schedule))
    ends = marks[1:] + [steps]
    return [(a, b, a in schedule) for a, b in zip(marks, ends) if a < steps]


def _lbfgs(run, steps, schedule, history_size):
    model = run.model
    for _, end, update_first in _segments(steps, schedule):
        if update_first:
            run.update_grid()
        n = end - len(run.rec["step"])
        if n <= 0:
            continue
        theta0 = model.get_flat()
        good = {"theta": theta0.copy()}

        def callback(intermediate_result):
            good["theta"] = intermediate_result.x.copy()
            model.set_flat(intermediate_result.x)
            run.record(intermediate_result.x)

        try:
            result = minimize(run.objective, theta0, jac=True, method="L-BFGS-B", callback=callback,
                              options={"maxiter": n, "maxcor": history_size, "ftol": 0.0, "gtol": 0.0,
                                       "maxfun": 50 * n + 100})
        except _NonFinite as failure:
            run.fail(failure.report, good["theta"])
            return
        model.set_flat(result.x)
        run.message = str(result.message)
        if result.nit < n and end == steps:
            break  # converged or no further decrease possible before the last scheduled step


def _adam(run, steps, schedule, lr, batch_size, rng, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba 2015) on the flat vector, one minibatch per step."""
    model = run.model
    theta = model.get_flat()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    N = run.X.shape[0]
    for step in range(steps):
        if step in schedule:
            run.update_grid()
            theta = model.get_flat()
        idx = rng.choice(N, size=batch_size, replace=False) if batch_size < N else slice(None)
        try:
            _, grad = run.objective(theta, run.X[idx], run.y[idx])
        except _NonFinite as failure:
            run.fail(failure.report, theta)
            return
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        m_hat, v_hat = m / (1 - beta1 ** (step + 1)), v / (1 - beta2 ** (step + 1))
        new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        if not np.all(np.isfinite(new)):
            report = run._report(new, new, run.X[idx], run.y[idx])  # groups whose update is non-finite
            run.fail(report, theta)
            return
        theta = new
        model.set_flat(theta)
        run.record(theta, run.last_parts)
    run.message = f"completed {steps} Adam steps"
