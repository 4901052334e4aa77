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
After the scheduled updates the data keep moving through the hidden layers, so the run checks,
every 25 iterations and before it stops on convergence, whether training samples have left a
layer's grid, and then updates the grids again (at most ``drift_updates`` times; pykan does not).

The default recipe, and why
---------------------------
Measured on the Figure 2.3 staircase ([2, 1, 1] KAN on exp(sin(pi x) + y^2), G = 3 -> 50, model
seeds 0-9 on two data sets used for tuning; ``benchmarks/seed_robustness.py`` reports it on data
that no tuning used), each change alone:

* ``history_size=50`` (L-BFGS memory; the paper's runs used 10). With 10 pairs the later grids
  converged slowly and unevenly from seed to seed; with 30-100 pairs every seed reached the
  approximation floor of each grid, in fewer iterations. This was the largest single effect.
* ``tol=1e-3``: a stage stops when the training objective fell by less than this fraction over
  the last 10 iterations, so ``steps`` is a cap, not a fixed count; coarse grids, which reach
  their floor quickly, stop early and leave the budget to the fine ones.
* ``min_grid_shift=0.1``: a scheduled update that would move no knot by more than a tenth of a
  knot spacing is skipped, and L-BFGS goes on with its memory. After a refinement the knots
  already sit on the data and the first layer's never move, so most of the ten scheduled updates
  of the later grids only restarted L-BFGS and re-fitted the splines for nothing. Skipping them
  cut the CPU time by 30 % and brought the training RMSE at G = 50 below 1e-5 on every seed of
  the tuning runs (30 of 30; 29 of 30 with every update made).
* ``drift_updates=10``: after the last scheduled update up to 3 % of the samples had drifted
  outside the hidden layer's grid, the next refinement then refit the faded spline there and the
  staircase lost an order of magnitude (one seed in twenty ended at 1e-4).
* ``restarts=n`` (off by default): on this problem about half of all fresh initialisations fall
  in a basin where the two inner functions combine with the wrong relative sign (train RMSE
  0.6-0.9 at every grid, which no amount of training leaves). ``fit(..., restarts=5)`` on the
  first grid trains the model and 5 fresh initialisations (:meth:`KAN.reinitialized`) for
  ``restart_steps=30`` iterations each, keeps the one with the lowest training objective and
  trains it on; the bad basin is already visible then (RMSE above 0.6 against below 0.3). Cost:
  ``restarts * restart_steps`` extra iterations, once. Use it when training a fresh model.
* Kept as it was: pykan's grid-update schedule, counted in iterations (10 updates in the first 50
  iterations of every grid, 20x denser than pykan's one update per outer step of about 20
  iterations). Measured with memory 10: 2 updates in 100 iterations made every seed of 0-4 end
  worse, and no updates at all after the first grid left 8 of 10 seeds above 1e-5.

So a fresh model is trained with ``model.fit(X, y, steps=500, restarts=5)`` and each refined
one with ``model.fit(X, y, steps=500)``; this is what ``python -m minikan`` does.

Objectives
----------
:func:`fit` trains on a data loss (MSE by default, softmax cross-entropy for classification, or any
function ``loss(pred, y) -> (value, dpred)``) plus the sparsity penalty. Problems whose loss is not
a function of the outputs alone (a PDE residual, the contrastive loss of the unsupervised mode)
give :func:`optimize` an objective object with the same small interface as :class:`Supervised`.

Progress
--------
``fit(verbose=True)`` prints step, loss, RMSE, test RMSE (only with test data), elapsed time and
an estimate of the time left on standard output (one line rewritten in place on a terminal,
about ten plain lines otherwise); ``fit(callback=fn)`` hands the same numbers to ``fn`` once
per step, and ``fn`` may stop the run (:class:`_Progress` does both).

Failures
--------
If the loss or its gradient becomes NaN or inf, training stops, the parameters of the last finite
iterate are restored, a ``RuntimeWarning`` is issued, and ``history["stopped"]`` names the step, the
parameter groups with non-finite gradient, the offending samples and (for a KAN) the first edges
whose activation is non-finite on them. A grid update on non-finite layer inputs stops training in
the same way, with the model left as it was before the update.

Samples outside a layer's grid range (where the splines fade out) trigger one
:class:`minikan.core.grid_update.OutOfGridWarning` per run, with the count per layer: checked at the start when
no grid update happens at step 0, and after every grid update (see ``model.out_of_grid``).
"""
import os
import sys
import time
import warnings
import zlib
from collections.abc import Mapping

import numpy as np
from scipy.optimize import minimize

from . import losses
from .grid_update import NonFiniteSamples, OutOfGridWarning
from .objective import check_sparsity, evaluate, resolve_loss
from .._checks import as_bool, as_choice, as_float, as_int, as_matrix, as_rng, as_xy
from ..datasets.sampling import Dataset
from .regularize import Sparsity


class _NonFinite(Exception):
    def __init__(self, report):
        super().__init__(report["reason"])
        self.report = report


def fit(model, X, y=None, X_test=None, y_test=None, *, loss="mse", opt="lbfgs", steps=100, lr=1e-3,
        batch_size=None, lamb=0.0, lamb_l1=1.0, lamb_entropy=1.0, reg_metric="paper",
        lamb_coef=0.0, lamb_coefdiff=0.0, update_grid=True,
        grid_update_num=10, stop_grid_update_step=50, drift_updates=10, min_grid_shift=0.1, history_size=50,
        tol=1e-3, restarts=0, restart_steps=30, singularity_avoiding=True, seed=0, verbose=False,
        callback=None):
    """Train ``model`` in place on a data loss (plus the sparsity penalty) and return the history.

    Parameters
    ----------
    model : KAN, MLP or LAN
    X, y : ndarray, shapes (N, n_0) and (N, n_L)
        Training data. ``y`` must be 2-D; a 1-D target raises ``ValueError``. With
        ``loss="cross_entropy"``, ``y`` holds integer class labels of shape (N,) instead.
        ``X`` may instead be a dataset in pykan's layout: a dict (or a
        :class:`minikan.datasets.Dataset`) with ``"train_input"``, ``"train_label"`` and optionally
        ``"test_input"``, ``"test_label"``, as ``fit(dataset)`` in pykan. ``y``, ``X_test`` and
        ``y_test`` must then be left out (``TypeError`` otherwise), and any other key raises
        ``ValueError`` rather than being ignored.
    X_test, y_test : ndarray, optional
        Held-out data, evaluated after every step.
    loss : {"mse", "cross_entropy"} or callable
        The data loss (:mod:`minikan.core.losses`); a callable ``loss(pred, y) -> (value, dpred)`` is
        used as given (``y`` then must have the shape of the output). Names are read in any case
        (``"MSE"``).
    opt : {"lbfgs", "adam"}
        In any case: pykan's ``"LBFGS"`` and ``"Adam"`` are accepted; the history and error
        messages use the lower-case name.
    steps : int
        Optimizer iterations (see the module docstring for the conversion from pykan's steps).
    lr : float
        Adam learning rate (unused by L-BFGS, whose line search picks the step).
    batch_size : int, optional
        Adam minibatch size (default: the whole training set). L-BFGS always uses the full set.
    lamb, lamb_l1, lamb_entropy : float
        Sparsity penalty of Eq. 2.20: ``lamb * (lamb_l1 * sum |Phi|_1 + lamb_entropy * sum S)``
        added to the data loss (off when ``lamb = 0``; the paper's usual weights are 1 and 1).
    reg_metric : {"paper", "pykan", "pykan-0.0"}
        Eq. 2.17–2.19; pykan 0.2.8's std-based metric with row/column entropies; or the paper-era
        code's norm divided by the grid width (see :mod:`minikan.core.regularize`).
    lamb_coef, lamb_coefdiff : float
        pykan's L1 penalties on the coefficients and on their differences (also times ``lamb``).
    update_grid : bool
        Move the grids to the data on the schedule described in the module docstring (ignored
        for models without grids, such as :class:`minikan.MLP`).
    grid_update_num, stop_grid_update_step : int
        Number of grid updates and the step before which they happen.
    min_grid_shift : float >= 0
        Skip a scheduled update that would move no knot by more than this many knot spacings
        (:meth:`KAN.grid_shift`); L-BFGS then keeps its memory instead of restarting. 0 makes
        every scheduled update. L-BFGS only (Adam makes them all).
    drift_updates : int
        After the scheduled updates, at most this many more, each when training samples have
        left a layer's grid (checked every 25 L-BFGS iterations and before stopping on
        convergence). 0 turns it off. L-BFGS only.
    history_size : int
        L-BFGS memory (the paper's runs used 10; see the module docstring for why 50).
    tol : float >= 0
        Stop when the training objective fell by at most ``tol`` times its value over the last
        10 L-BFGS iterations (0: run all ``steps``). ``steps`` stays the upper bound. Adam
        ignores it.
    restarts : int >= 0
        Multi-start: also train this many fresh initialisations of the model (a KAN) for
        ``restart_steps`` iterations each and go on with whichever has the lowest training
        objective (the model is updated in place). Costs ``restarts * restart_steps`` more
        iterations; meant for the first fit of a fresh model (see the module docstring).
    restart_steps : int >= 1
        Length of each multi-start trial (capped at ``steps``).
    singularity_avoiding : bool
        While training, symbolic edges evaluate the singularity-safe variants of their functions
        (:mod:`minikan.interpret.symbolic`: poles capped at 1e3, exp's argument clipped at 100), like pykan's
        option of that name (off by default there). A line-search trial point that crosses a pole
        or overflows exp then gives a large finite loss and the search backs off, instead of a
        non-finite loss that would stop training. ``predict`` and the formulas always use the
        exact functions. False keeps the exact functions during training too.
    seed : int or numpy.random.Generator
        Drives the minibatch draws (Adam only).
    verbose : bool
        Show progress on standard output (the stream ``print`` writes to): ``step`` of ``steps``,
        the training loss, its RMSE with the MSE (accuracy with cross-entropy), the sparsity
        penalty when ``lamb > 0``, the test RMSE (or accuracy, or loss) only when test data are
        given, the time elapsed since ``fit`` began and an estimate of the time left for the
        remaining ``steps`` (an upper bound when L-BFGS stops early on ``tol``). On a terminal it
        is one line rewritten in place (carriage return) a few times a second; otherwise, e.g.
        in a log file or a notebook, about ten plain lines per run and one for the last step. With
        ``restarts`` each candidate's trial ends with one line.
    callback : callable, optional
        ``callback(info)`` is called once per step (after it is recorded) with a dict: ``"step"``
        (1-based, counted over the whole run), ``"steps"`` (the ``steps`` asked for),
        ``"metrics"`` (this step's history entries: ``train_loss``, ``train_rmse``, ``reg``,
        ``test_loss``, ... as floats, and ``n_evals``), ``"elapsed"`` (seconds since ``fit`` began)
        and ``"candidate"`` (None, except during the multi-start trials of ``restarts``: then the
        index of the candidate being tried, and ``step``, ``steps`` count that trial's own
        iterations). Return True to stop
        training cleanly after this step: the model keeps this step's parameters (during the
        trials: the best candidate so far, without further training) and ``history["message"]``
        says so. None or False goes on; any other return value raises ``TypeError``. Use it for
        your own progress bar, logging or early stopping.

    Returns
    -------
    history : dict
        Arrays with one entry per step: ``"step"``, ``"train_loss"``, ``"test_loss"`` (NaN without
        test data), ``"reg"`` (the unweighted sparsity penalty, 0 when ``lamb = 0``) and
        ``"n_evals"`` (cumulative loss evaluations); with the MSE also ``"train_rmse"`` and
        ``"test_rmse"``, with cross-entropy ``"train_acc"`` and ``"test_acc"``. Then
        ``"grid_updates"`` (the steps at which grids moved), ``"message"`` (why the optimizer
        stopped), ``"stopped"`` (a failure report or None) and ``"seconds"``. For L-BFGS the train
        numbers are at each accepted iterate; for Adam they are those of the step's batch before
        the update. When ``callback`` stopped the run, ``"message"`` is ``"stopped by callback at
        step <step>"``. With ``restarts``, the first ``restart_steps`` entries are the chosen
        candidate's trial, ``"n_evals"`` counts every candidate's evaluations from then on, and
        ``"restarts"`` (one dict per candidate: ``candidate``, ``train_objective`` after its
        trial, ``n_evals``) and ``"restart_chosen"`` (its index; 0 is the model as given) are added.
    """
    X, y, X_test, y_test = _training_data(X, y, X_test, y_test)
    sparsity = Sparsity(lamb, lamb_l1, lamb_entropy, reg_metric, lamb_coef, lamb_coefdiff)
    safe = as_bool(singularity_avoiding, "singularity_avoiding")
    if isinstance(loss, str):
        loss = loss.lower()  # "MSE" as well as "mse"; the objective checks the name
    objective = Supervised(model, X, y, X_test, y_test, loss, sparsity, safe=safe)
    restarts = as_int(restarts, "restarts", 0)
    restart_steps = as_int(restart_steps, "restart_steps", 1)  # checked even without restarts
    options = dict(opt=opt, lr=lr, batch_size=batch_size, update_grid=update_grid,
                   grid_update_num=grid_update_num, stop_grid_update_step=stop_grid_update_step,
                   drift_updates=drift_updates, min_grid_shift=min_grid_shift,
                   history_size=history_size, tol=tol, seed=seed, verbose=verbose, callback=callback)
    if restarts and not model.can_reinitialize:
        raise TypeError(f"restarts needs a model that can draw fresh initialisations (a KAN), got "
                        f"{type(model).__name__}")
    if restarts:
        return _multistart(model, objective, steps, restarts, restart_steps, options)
    return optimize(model, objective, steps=steps, **options)


_DATASET_KEYS = ("train_input", "train_label", "test_input", "test_label")  # pykan's create_dataset


def _training_data(X, y, X_test, y_test):
    """``(X, y, X_test, y_test)`` from fit's arguments, where ``X`` may be a pykan-style dataset.

    A dataset is a mapping (pykan's dict) or minikan's :class:`~minikan.datasets.Dataset`. Its
    arrays are validated by the objective, as X, y, X_test and y_test.
    """
    if isinstance(X, Dataset):
        X = X.as_dict()
    if not isinstance(X, Mapping):
        if y is None:
            raise TypeError("fit needs the targets y (fit(X, y)), or a dataset dict with 'train_input' "
                            "and 'train_label' in place of X (fit(dataset))")
        return X, y, X_test, y_test
    given = [name for name, value in (("y", y), ("X_test", X_test), ("y_test", y_test)) if value is not None]
    if given:
        raise TypeError(f"fit(dataset) takes its train and test data from the dataset; do not also pass "
                        f"{', '.join(given)}")
    keys = [str(key) for key in X.keys()]
    unknown = sorted(set(keys) - set(_DATASET_KEYS))
    if unknown:
        raise ValueError(f"dataset has keys {unknown} that fit does not use; expected {list(_DATASET_KEYS)}")
    missing = [key for key in _DATASET_KEYS[:2] if key not in keys]
    if missing:
        raise ValueError(f"dataset lacks {missing}; fit(dataset) needs 'train_input' and 'train_label'")
    if ("test_input" in keys) != ("test_label" in keys):
        raise ValueError("dataset must hold both 'test_input' and 'test_label', or neither")
    test = ("test_input" in keys)
    return (X["train_input"], X["train_label"], X["test_input"] if test else None,
            X["test_label"] if test else None)


def _multistart(model, objective, steps, restarts, restart_steps, options):
    """``fit(..., restarts=n)``: train the model and ``n`` fresh initialisations for ``restart_steps``
    iterations each, keep the one with the lowest training objective and train it on.

    The fresh models come from ``model.reinitialized`` with a generator seeded by ``seed`` and the
    model's current parameters (so different models get different candidates, and the same
    model and seed the same ones). The candidates see the same data, options and grid-update
    schedule; the winner's layers replace the model's in place and its run continues for the
    remaining ``steps - restart_steps`` iterations (L-BFGS starts a new memory there).
    """
    probe = min(restart_steps, as_int(steps, "steps", 0))
    seed = options["seed"]
    if isinstance(seed, np.random.Generator):
        rng = seed
    else:
        theta = model.get_flat()
        rng = np.random.default_rng([as_int(seed, "seed", 0), zlib.crc32(theta.tobytes())])
    schedule = _grid_schedule(model, steps, options)
    progress = _Progress(options["verbose"], options["callback"], as_int(steps, "steps", 0))
    candidates = [model] + [model.reinitialized(rng) for _ in range(restarts)]
    runs = []
    for c, cand in enumerate(candidates):
        obj = objective if cand is model else objective.for_model(cand)
        progress.start(probe, candidate=c, n_candidates=restarts)
        h = _optimize(cand, obj, probe, [s for s in schedule if s < probe], dict(options, tol=0.0), progress,
                      warn=False)
        n = len(h["step"])
        # the training objective at the candidate's last iterate (a failed run keeps its last finite one)
        final = (h["train_loss"][-1] + objective.sparsity_weight() * h["reg"][-1]) if n else np.inf
        runs.append((final if np.isfinite(final) else np.inf, h))
        if progress.stop_message:  # the callback stopped the run: no more candidates, no training on
            break
    best = int(np.argmin([final for final, _ in runs]))
    if candidates[best] is not model:
        model.layers[:] = candidates[best].layers
    first = runs[best][1]
    progress.start(steps - probe, offset=probe)
    rest_steps = 0 if progress.stop_message else steps - probe
    rest = _optimize(model, objective, rest_steps, [s - probe for s in schedule if s >= probe], options, progress)
    spent = sum(int(h["n_evals"][-1]) if len(h["n_evals"]) else 0 for _, h in runs)
    history = _concatenate(first, rest, spent)
    if progress.stop_message:
        history["message"] = progress.stop_message
    history["restarts"] = [{"candidate": c, "train_objective": float(final), "n_evals": int(h["n_evals"][-1]) if len(h["n_evals"]) else 0}
                           for c, (final, h) in enumerate(runs)]
    history["restart_chosen"] = best
    return history


def _concatenate(first, rest, evals_before):
    """One history from a run's first part and its continuation (steps renumbered, evaluations
    of the continuation counted after ``evals_before``)."""
    n = len(first["step"])
    out = {}
    for key, value in first.items():
        if isinstance(value, np.ndarray) and key != "grid_updates":
            tail = rest[key]
            if key == "step":
                tail = tail + n
            elif key == "n_evals":
                tail = tail + evals_before
            out[key] = np.concatenate([value, tail])
    out["grid_updates"] = np.concatenate([first["grid_updates"], rest["grid_updates"] + n])
    out.update(message=rest["message"] if len(rest["step"]) or rest["stopped"] else first["message"],
               stopped=first["stopped"] or rest["stopped"], seconds=first["seconds"] + rest["seconds"])
    return out


class Supervised:
    """The objective of :func:`fit`: data loss of ``model`` on ``(X, y)`` plus the sparsity penalty
    (computed by :func:`minikan.core.objective.evaluate` on data validated once, here).

    An objective for :func:`optimize` has ``n_samples`` (rows that Adam may draw minibatches from),
    ``samples`` (the training inputs, checked against the model's grids; None when there are no
    plain inputs), ``__call__(theta, rows=None) -> (total, grad, metrics)`` (``rows`` selects a
    minibatch, ``metrics`` a dict of floats recorded per step; it sets the model's parameters to
    ``theta``), ``test_metrics()`` (numbers on held-out data at the current parameters, recorded
    per step), ``update_grid()``, ``failed_samples(rows)`` (indices of samples with non-finite
    output) and ``history_keys()`` (the names of all recorded metrics).
    """

    def __init__(self, model, X, y, X_test=None, y_test=None, loss="mse", sparsity=None, *, safe=False):
        self.model = model
        self.loss_name = loss if isinstance(loss, str) else None
        self.loss = resolve_loss(loss)
        check_sparsity(model, sparsity)
        self.safe = safe
        self.X, self.y = self._data(X, y, ("X", "y"))
        if (X_test is None) != (y_test is None):
            raise ValueError("give both X_test and y_test, or neither")
        self.X_test, self.y_test = (None, None) if X_test is None else self._data(
            X_test, y_test, ("X_test", "y_test"))
        self.sparsity = sparsity
        self.n_samples = self.X.shape[0]
        self.samples = self.X

    def for_model(self, model):
        """The same objective (data, loss, penalty) for another model of the same shape."""
        other = Supervised.__new__(Supervised)
        other.__dict__.update(self.__dict__, model=model)
        return other

    def sparsity_weight(self):
        """``lamb``: the weight of the recorded ``reg`` in the training objective."""
        return 0.0 if self.sparsity is None else float(self.sparsity.lamb)

    def _data(self, X, y, names):
        n_in, n_out = self.model.width[0], self.model.width[-1]
        if self.loss_name != "cross_entropy":
            return as_xy(X, y, n_in, n_out, names)
        X = as_matrix(X, names[0], n_in)
        labels = np.asarray(y)
        if labels.shape != (X.shape[0],) or labels.dtype.kind not in "iu":
            raise ValueError(f"{names[1]} must be integer class labels of shape ({X.shape[0]},) for "
                             f"loss='cross_entropy', got dtype {labels.dtype} and shape {labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() >= n_out):
            raise ValueError(f"{names[1]} labels must lie in 0..{n_out - 1} (one output per class), "
                             f"got {labels.min()}..{labels.max()}")
        return X, labels.astype(np.int64)

    def _metrics(self, value, pred, y, prefix):
        out = {prefix + "loss": value}
        if self.loss_name == "mse":
            out[prefix + "rmse"] = float(np.sqrt(value))
        elif self.loss_name == "cross_entropy":
            out[prefix + "acc"] = losses.accuracy(pred, y)
        return out

    def __call__(self, theta, rows=None):
        X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
        result = evaluate(self.model, theta, X, y, self.sparsity, self.loss, safe=self.safe, checked=True)
        metrics = self._metrics(result.data_loss, result.pred, y, "train_")
        metrics["reg"] = result.reg
        return result.total, result.grad, metrics

    def test_metrics(self):
        if self.X_test is None:  # the keys still appear, as NaN, so histories look alike
            return {key: np.nan for key in self._keys("test_")}
        pred = self.model.predict(self.X_test)
        return self._metrics(self.loss(pred, self.y_test)[0], pred, self.y_test, "test_")

    def _keys(self, prefix):
        keys = [prefix + "loss"]
        keys += {"mse": [prefix + "rmse"], "cross_entropy": [prefix + "acc"]}.get(self.loss_name, [])
        return keys

    def history_keys(self):
        return self._keys("train_") + ["reg"] + self._keys("test_")

    def update_grid(self):
        self.model.update_grid(self.X)

    def failed_samples(self, rows=None):
        X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
        with np.errstate(all="ignore"):
            pred = self.model.predict(X)
            bad = ~np.all(np.isfinite(pred), axis=1)
            if not bad.any():  # finite outputs whose loss overflows (a huge residual squared)
                bad = np.array([not np.isfinite(self.loss(pred[n:n + 1], y[n:n + 1])[0])
                                for n in range(len(pred))], dtype=bool)
        bad = np.flatnonzero(bad)
        return (bad if rows is None else np.arange(self.n_samples)[rows][bad]).tolist()


def optimize(model, objective, *, steps=100, opt="lbfgs", lr=1e-3, batch_size=None,
             update_grid=True, grid_update_num=10, stop_grid_update_step=50, drift_updates=10,
             min_grid_shift=0.1, history_size=50, tol=1e-3, seed=0, verbose=False, callback=None):
    """Minimise ``objective`` over the flat parameters of ``model`` (in place); see :func:`fit`.

    ``objective`` follows the interface described in :class:`Supervised`. The options and the
    returned history are those of :func:`fit`; the per-step keys are ``"step"``, ``"n_evals"``,
    the objective's metrics and its test metrics.
    """
    options = dict(opt=opt, lr=lr, batch_size=batch_size, update_grid=update_grid,
                   grid_update_num=grid_update_num, stop_grid_update_step=stop_grid_update_step,
                   drift_updates=drift_updates, min_grid_shift=min_grid_shift,
                   history_size=history_size, tol=tol, seed=seed, verbose=verbose, callback=callback)
    steps = as_int(steps, "steps", 0)
    progress = _Progress(verbose, callback, steps)
    return _optimize(model, objective, steps, _grid_schedule(model, steps, options), options, progress)


def _grid_schedule(model, steps, options):
    """The steps at which the grids move: ``0, f, 2f, ... < min(stop_grid_update_step, steps)``."""
    num = as_int(options["grid_update_num"], "grid_update_num", 1)  # checked even when unused
    stop = as_int(options["stop_grid_update_step"], "stop_grid_update_step", 0)
    if not (as_bool(options["update_grid"], "update_grid") and model.has_grid):
        return []
    freq = stop // num
    if freq == 0 and stop > 0:
        raise ValueError(
            f"stop_grid_update_step ({stop}) must be >= grid_update_num ({num}) so that updates are "
            "at least one step apart"
        )
    return list(range(0, min(stop, steps), freq)) if freq else []


def _optimize(model, objective, steps, schedule, options, progress, warn=True):
    """One run of the chosen optimizer for ``steps`` iterations, reported through ``progress``
    (a :class:`_Progress` whose current part was started by the caller)."""
    opt = options["opt"]
    # pykan spells them "LBFGS" and "Adam": any case is accepted, the lower-case name is canonical
    if not (isinstance(opt, str) and opt.lower() in ("lbfgs", "adam")):
        as_choice(opt, "opt", ("lbfgs", "adam"))  # raises, naming the value as given
    opt = opt.lower()
    rng = as_rng(options["seed"])  # checked even where unused
    tol = as_float(options["tol"], "tol", 0.0)
    # Adam's options are checked with L-BFGS too: a bad value is refused even where it is unused
    lr = as_float(options["lr"], "lr", 0.0, low_open=True)
    batch_size = None if options["batch_size"] is None else as_int(options["batch_size"], "batch_size", 1)
    history_size = as_int(options["history_size"], "history_size", 1)  # and L-BFGS's with Adam
    drift = as_int(options["drift_updates"], "drift_updates", 0)
    min_shift = as_float(options["min_grid_shift"], "min_grid_shift", 0.0)
    run = _Run(model, objective, progress)
    run.warned_grid = not warn  # a restart's trial runs stay quiet; the run that goes on warns
    if steps and 0 not in schedule:
        run.warn_out_of_grid()  # no update at step 0 will move the grids to the data
    try:
        if opt == "lbfgs":
            _lbfgs(run, steps, schedule, history_size, tol, drift,
                   min_shift)
        else:
            N = objective.n_samples
            bs = N if batch_size is None else batch_size
            _adam(run, steps, schedule, lr, min(bs, N), rng)
    finally:
        progress.end()  # also on an interrupt: a terminal's live line gets its newline
    if progress.stop_message:
        run.message = progress.stop_message
    if steps:
        run.warn_out_of_grid()  # samples that drifted off the grids after the last update
    return run.history()


class _Progress:
    """What a run reports while it goes: the ``verbose`` line and the user's ``callback``.

    A run is made of parts, each begun by :meth:`start`: one plain run, or with ``restarts`` one
    part per candidate's trial and one for the winner's remaining iterations. ``step`` numbers
    inside a part are shown shifted by the part's ``offset`` so that they count over the whole
    run; the time left is estimated from the part's own pace (a grid update or a new L-BFGS
    memory makes the first iterations of a part slower than the rest).
    """

    refresh = 0.1  # seconds between rewrites of a terminal's live line

    def __init__(self, verbose, callback, steps):
        self.verbose = as_bool(verbose, "verbose")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be a function of one dict (or None), got {type(callback).__name__}")
        self.callback, self.total = callback, steps
        self.stream = sys.stdout  # looked up now, so a redirected stdout (contextlib, pytest) is used
        try:
            self.live = bool(self.stream.isatty())
        except (AttributeError, ValueError):  # a stream without isatty, or a closed one
            self.live = False
        self.t0 = time.perf_counter()
        self.stop_message = ""
        self.start(steps)

    def start(self, steps, offset=0, candidate=None, n_candidates=0):
        """Begin a part of ``steps`` iterations whose step 1 is step ``offset + 1`` of the run; a
        multi-start trial names its ``candidate`` (of ``n_candidates`` fresh ones)."""
        self.steps, self.offset = steps, offset
        self.candidate, self.n_candidates = candidate, n_candidates
        self.part_t0 = time.perf_counter()
        self.last_line, self.shown_step, self.last_step, self.last_metrics = "", 0, 0, None
        self.width = 0  # of the live line, to blank what a shorter rewrite leaves behind
        # plain lines: about ten per plain part, only its last one for a trial
        self.every = None if candidate is not None else max(1, steps // 10)
        self.last_shown_at = -np.inf

    def step(self, step, metrics):
        """Report the part's ``step`` (1-based) with its recorded ``metrics``."""
        self.last_step, self.last_metrics = step, metrics
        if self.verbose:
            now = time.perf_counter()
            if self.live:
                if now - self.last_shown_at >= self.refresh or step == self.steps:
                    self._show(step, metrics, now)
            elif self.every is not None and (step % self.every == 0 or step == self.steps):
                self._show(step, metrics, now)
        if self.callback is not None:
            info = {"step": step + (0 if self.candidate is not None else self.offset),
                    "steps": self.steps if self.candidate is not None else self.total,
                    "metrics": {k: v for k, v in metrics.items() if k != "step"},
                    "elapsed": time.perf_counter() - self.t0, "candidate": self.candidate}
            stop = self.callback(info)
            if stop is not None and not isinstance(stop, (bool, np.bool_)):
                raise TypeError(f"callback must return True (stop), False or None, got {type(stop).__name__}")
            if stop:
                self.stop_message = f"stopped by callback at step {info['step']}"
                if self.candidate is not None:
                    self.stop_message += f" of candidate {self.candidate}'s trial"

    def end(self):
        """Close the part: show its last step if it was not shown (an early stop), end the live line."""
        if not self.verbose or not self.last_step:
            return
        if self.shown_step != self.last_step:
            self._show(self.last_step, self.last_metrics, time.perf_counter())
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, step, metrics, now):
        line = self.line(step, metrics, now)
        if self.live:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = max(self.width, len(line))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown_step, self.last_shown_at = step, now

    def line(self, step, metrics, now):
        """``step   40/400  loss 1.234e-03  rmse 3.513e-02  test rmse 3.9e-02  1.2 s, ETA 10.8 s``:
        only the numbers the run has (no test column without test data, never a NaN)."""
        total = self.steps + self.offset if self.candidate is None else self.steps
        prefix = "" if self.candidate is None else f"candidate {self.candidate}/{self.n_candidates}  "
        width = len(str(total))
        parts = [f"{prefix}step {step + (0 if self.candidate is not None else self.offset):>{width}}/{total}"]
        parts += [f"{label} {value:.3e}" for label, value in _shown_metrics(metrics)]
        rate = (now - self.part_t0) / step
        parts.append(f"{_duration(now - self.t0)}, ETA {_duration(rate * (self.steps - step))}")
        return "  ".join(parts)


def _shown_metrics(metrics):
    """The (label, value) pairs of a progress line: the training loss first as ``loss``, other
    ``train_*`` numbers without their prefix, ``test_*`` as ``test ...``; a test loss only where
    no test RMSE or accuracy says the same more readably, ``reg`` only when it is not 0, and
    nothing that is NaN (no test data)."""
    out = []
    for key, value in metrics.items():
        if key in ("step", "n_evals") or not np.isfinite(value):
            continue
        if key == "reg" and value == 0:
            continue
        if key == "test_loss" and any(np.isfinite(metrics.get(k, np.nan)) for k in ("test_rmse", "test_acc")):
            continue
        label = "loss" if key == "train_loss" else key.replace("train_", "", 1).replace("test_", "test ", 1)
        out.append((label, float(value)))
    return out


def _duration(seconds):
    """``8.3 s``, ``2:05`` (minutes), ``1:02:05`` (hours)."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


class _Run:
    """Bookkeeping shared by both optimizers: the objective, history and the NaN guard."""

    def __init__(self, model, objective, progress):
        self.model, self.obj = model, objective
        self.progress = progress
        self.rec = {"step": [], "n_evals": []}
        self.grid_updates, self.message, self.stopped = [], "", None
        self.n_evals, self.t0 = 0, time.perf_counter()
        self.last_x, self.last_metrics = None, None
        self.warned_grid = False
        self.converged = False
        self.drifted = False
        self.update_due = False

    def objective(self, theta, rows=None):
        self.n_evals += 1
        with np.errstate(all="ignore"):
            total, grad, metrics = self.obj(theta, rows)
        if not (np.isfinite(total) and np.all(np.isfinite(grad))):
            raise _NonFinite(self._report(theta, grad, rows))
        self.last_x, self.last_metrics = theta.copy(), metrics
        return total, grad

    def _report(self, theta, grad, rows=None):
        names = self.model.flat_group_names()
        bad_groups = sorted(set(names[~np.isfinite(grad)])) or sorted(set(names[~np.isfinite(theta)]))
        samples = self.obj.failed_samples(rows)[:20]
        return {"reason": "non-finite loss or gradient", "step": len(self.rec["step"]),
                "groups": [str(g) for g in bad_groups], "samples": samples,
                "edges": _non_finite_edges(self.model, self.obj.samples, samples)}

    def record(self, theta, metrics=None):
        if metrics is None:
            if self.last_x is not None and np.array_equal(theta, self.last_x):
                metrics = self.last_metrics
            else:
                metrics = self.obj(theta)[2]
        step = len(self.rec["step"]) + 1
        with np.errstate(all="ignore"):
            metrics = dict(metrics, **self.obj.test_metrics())
        metrics.update(step=step, n_evals=self.n_evals)
        for key, value in metrics.items():
            self.rec.setdefault(key, []).append(value)
        self.progress.step(step, metrics)

    @property
    def user_stop(self):
        """Whether the user's callback asked to stop after the step just recorded."""
        return bool(self.progress.stop_message)

    def update_grid(self):
        """Move the grids to the data; on non-finite layer inputs stop the run and return False."""
        try:
            with np.errstate(all="ignore"):
                self.obj.update_grid()
        except NonFiniteSamples as err:  # the model's update_grid leaves it unchanged
            report = {"reason": f"grid update failed: {err}", "step": len(self.rec["step"]), "groups": [],
                      "samples": self.obj.failed_samples()[:20], "edges": []}
            self.fail(report, self.model.get_flat())
            return False
        self.grid_updates.append(len(self.rec["step"]))
        self.warn_out_of_grid()
        return True

    def grids_would_move(self, min_shift):
        """Whether a grid update now would move some knot by more than ``min_shift`` knot spacings
        (always True for ``min_shift = 0`` or a model that cannot tell)."""
        X = self.obj.samples
        if min_shift <= 0 or X is None or not self.model.has_grid:
            return True
        with np.errstate(all="ignore"):
            shift = self.model.grid_shift(X)
        return True if shift is None else bool(np.any(shift > min_shift))

    def _out_of_grid(self):
        """Training samples outside each layer's grid (``model.out_of_grid``), or None for models
        without grids or objectives without plain inputs."""
        X = self.obj.samples
        if X is None or not self.model.has_grid:
            return None
        return self.model.out_of_grid(X)

    def samples_left_grid(self):
        """Whether some training sample lies outside a layer's grid (False when it cannot tell)."""
        counts = self._out_of_grid()
        return counts is not None and bool(counts.any())

    def warn_out_of_grid(self):
        """One OutOfGridWarning per run when training samples fall outside a layer's grid."""
        counts = None if self.warned_grid else self._out_of_grid()
        if counts is not None and counts.any():
            self.warned_grid = True
            where = ", ".join(f"layer {l}: {c}" for l, c in enumerate(counts.tolist()) if c)
            warnings.warn(
                f"training samples outside the grid range (of {len(self.obj.samples)}; {where}); the splines fade out "
                "there and only w_b*b(x) acts beyond the outer knots. Use update_grid=True, "
                "model.update_grid(X) or a wider grid_range", OutOfGridWarning, stacklevel=_caller_level())

    def fail(self, report, theta_good):
        self.model.set_flat(theta_good)
        self.stopped = report
        self.message = report["reason"]
        warnings.warn(
            f"training stopped at step {report['step']}: {report['reason']} (gradient non-finite in "
            f"{report['groups'] or 'no group'}; samples {report['samples']}); the last finite "
            "parameters were restored",
            RuntimeWarning, stacklevel=_caller_level(),
        )

    def history(self):
        keys = list(self.rec)
        keys += [k for k in self.obj.history_keys() if k not in keys]  # also when no step was taken
        h = {key: np.asarray(self.rec.get(key, []), dtype=np.int64 if key in ("step", "n_evals")
                             else np.float64) for key in keys}
        h.update(grid_updates=np.asarray(self.grid_updates, dtype=np.int64), message=self.message,
                 stopped=self.stopped, seconds=time.perf_counter() - self.t0)
        return h


def _caller_level():
    """The ``stacklevel`` that points a warning at the first frame outside minikan (the user's call
    of ``fit``, ``optimize`` or a function built on them), however deep the call came from."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # minikan/
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def _non_finite_edges(model, X, samples):
    """The edges ``(l, i, j)`` of the first KAN layer whose activation is non-finite on the given
    training samples, where a NaN/inf first appears (at most 20; empty for models without edges or
    when every activation is finite)."""
    if X is None or not samples or not model.has_edges:
        return []
    with np.errstate(all="ignore"):
        for l, x in enumerate(model.layer_inputs(X[samples])):
            if not np.all(np.isfinite(x)):  # finite edges of the layer before summed to an overflow
                return []
            phi = model.edge_functions(l, x)  # (n, n_in, n_out)
            bad = np.argwhere(~np.all(np.isfinite(phi), axis=0))
            if bad.size:
                return [(l, int(i), int(j)) for i, j in bad[:20]]
    return []


def _lbfgs(run, steps, schedule, history_size, tol=0.0, drift_updates=0, min_shift=0.0, window=10,
           check_every=25):
    """L-BFGS-B in segments: a new segment (and a new L-BFGS memory) starts after each grid update.

    Scheduled updates come at the steps in ``schedule``; one that would move no knot by more than
    ``min_shift`` times its grid's knot spacing is skipped, and L-BFGS goes on with its memory.
    After the last of them, while ``drift_updates`` remain, the run checks every ``check_every``
    iterations, and before it stops on convergence, whether training samples have left a layer's
    grid; if so the grids are updated again and training goes on.
    """
    model = run.model
    pending = sorted(schedule)
    drift_left = drift_updates if schedule else 0  # only when grid updates are on

    def due(step):
        """Pop the scheduled updates due at ``step``; whether one of them moves the knots enough."""
        hit = False
        while pending and pending[0] <= step:
            pending.pop(0)
            hit = True
        return hit and run.grids_would_move(min_shift)

    while True:
        done = len(run.rec["step"])
        if run.drifted or run.update_due or due(done):  # an update asked for, or one scheduled now
            drift_left -= run.drifted
            run.drifted = run.update_due = False
            if not run.update_grid():
                return
        if done >= steps:
            return
        n = steps - done
        theta0 = model.get_flat()
        good = {"theta": theta0.copy()}
        values = []  # the objective at each accepted iterate of this segment

        def callback(intermediate_result):
            good["theta"] = intermediate_result.x.copy()
            model.set_flat(intermediate_result.x)
            run.record(intermediate_result.x)
            values.append(float(intermediate_result.fun))
            if run.user_stop:
                raise StopIteration
            if pending and pending[0] <= len(run.rec["step"]):
                if due(len(run.rec["step"])):
                    run.update_due = True
                    raise StopIteration
                return  # a skipped update: go on with the same memory
            watch = not pending and drift_left > 0
            if watch and len(values) % check_every == 0 and run.samples_left_grid():
                run.drifted = True
                raise StopIteration
            if tol > 0 and len(values) > window and values[-window - 1] - values[-1] <= tol * abs(values[-1]):
                if watch and run.samples_left_grid():
                    run.drifted = True  # converged on grids the data has left: move them first
                else:
                    run.converged = True
                raise StopIteration

        try:
            result = minimize(run.objective, theta0, jac=True, method="L-BFGS-B", callback=callback,
                              options={"maxiter": n, "maxcor": history_size, "ftol": 0.0, "gtol": 0.0,
                                       "maxfun": 50 * n + 100})
        except _NonFinite as failure:
            run.fail(failure.report, good["theta"])
            return
        model.set_flat(result.x)
        run.message = str(result.message)
        if run.user_stop:
            return
        if run.converged:
            run.message = (f"converged: the objective fell by at most tol={tol:g} (relative) over the "
                           f"last {window} iterations")
            return
        if run.update_due or run.drifted:
            continue
        if len(run.rec["step"]) < steps:  # no further decrease possible on these grids
            if not pending:
                return
            pending[0] = len(run.rec["step"])  # go straight to the next scheduled update


def _adam(run, steps, schedule, lr, batch_size, rng, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba 2015) on the flat vector, one minibatch per step."""
    model = run.model
    theta = model.get_flat()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    N = run.obj.n_samples
    for step in range(steps):
        if step in schedule:
            if not run.update_grid():
                return
            theta = model.get_flat()
        idx = rng.choice(N, size=batch_size, replace=False) if batch_size < N else None
        try:
            _, grad = run.objective(theta, idx)
        except _NonFinite as failure:
            run.fail(failure.report, theta)
            return
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        m_hat, v_hat = m / (1 - beta1 ** (step + 1)), v / (1 - beta2 ** (step + 1))
        new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        if not np.all(np.isfinite(new)):
            report = run._report(new, new, idx)  # groups whose update is non-finite
            run.fail(report, theta)
            return
        theta = new
        model.set_flat(theta)
        run.record(theta, run.last_metrics)
        if run.user_stop:
            return
    run.message = f"completed {steps} Adam steps"
