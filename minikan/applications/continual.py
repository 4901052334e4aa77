"""Continual learning without catastrophic forgetting (paper Section 3.5, Figure 3.4).

A 1-D regression target with five Gaussian peaks (:func:`minikan.datasets.continual_peaks`) is
shown one peak at a time: phase ``i`` trains only on the samples around peak ``i`` and never sees
the earlier ones again. After each phase the prediction on the whole interval is recorded, and the
error on every peak's cell measures what was remembered.

Why a KAN remembers (Section 3.5): a B-spline basis function of degree ``k`` is non-zero on
``k + 1`` grid intervals only, so a sample at ``x`` has a non-zero gradient only for the ``k + 1``
coefficients whose support holds ``x``. If the spline coefficients are the *only* trained
parameters, training on one window cannot change the model anywhere else (L-BFGS updates lie in
the span of past gradients, which are all zero outside the window). Every other parameter of a KAN
edge is global and is therefore frozen here:

* ``w_s`` scales the whole spline of the edge, ``w_b`` the whole base function, and a node bias
  shifts everything: training any of them on one window moves the model on all windows;
* the grid stays fixed on [-1, 1] (no grid updates): an update fitted to one phase's samples would
  crowd all knots into that window and refit the remembered peaks away.

The base branch is removed (``base="zero"``, as current pykan does) rather than kept with a frozen
``w_b`` (the paper-era code). The two remember equally well, because a frozen base is a fixed
function, but with a frozen base the spline must also cancel ``w_b silu(x)`` on every window, and
regions never trained show that global curve instead of the (near-zero) initial spline; with
``base="zero"`` the model is the spline itself.

An MLP (Eq. 2.9) has no such locality: every weight influences the output at every ``x``. It is
trained by the same function, phase by phase with the same optimizer and steps, as the baseline
of Figure 3.4's bottom row.
"""
from typing import NamedTuple

import numpy as np

from .._checks import as_int
from ..datasets.continual import ContinualPhases, continual_peaks
from ..baselines.mlp import MLP
from ..core.model import KAN
from ..core.multiply import refuse_mult
from ..core.train import fit

#: pykan's 100 steps per phase, each up to 20 L-BFGS iterations (see :mod:`minikan.core.train`).
STEPS_PER_PHASE = 2000

#: What a KAN trains in continual learning: the spline coefficients only (module docstring).
LOCAL_ONLY = {"coef": True, "w_b": False, "w_s": False, "bias": False, "affine": False}


class ContinualRun(NamedTuple):
    """The outcome of :func:`train_continual` (phases ``p = 0 .. P-1``, peaks ``q = 0 .. P-1``).

    predictions : ndarray, shape (P, n_grid)
        The model on ``data.grid`` after each phase (Figure 3.4, middle and bottom rows).
    errors : ndarray, shape (P, P)
        ``errors[p, q]``: max |prediction - target| over the grid points of peak ``q``'s cell
        after phase ``p``. Entries with ``q < p`` measure forgetting, ``q == p`` the fit of the
        current phase, ``q > p`` regions not yet seen.
    histories : list of dict
        The :func:`minikan.core.train.fit` history of every phase.
    model : KAN or MLP
        The trained model (the object passed in, trained in place).
    """

    predictions: np.ndarray
    errors: np.ndarray
    histories: list
    model: object


def continual_kan(grid=200, k=3, seed=0, *, base="zero", init="pykan-0.0"):
    """The [1, 1] KAN of Figure 3.4: one edge, ``G = 200``, cubic, only ``coef`` trainable.

    Parameters
    ----------
    grid, k : int
        Grid intervals ``G`` on the fixed range [-1, 1] and spline degree.
    seed : int or numpy.random.Generator
    base : {"zero", "silu", "identity"}
        ``"silu"`` gives the paper-era variant with a frozen base weight (module docstring).
    init : {"paper", "pykan-0.0", "pykan"}
        ``"pykan-0.0"`` (the paper-era code: coefficients fitted to noise of half-width 0.1/(2G))
        starts from an almost flat spline, so unseen regions predict about 0 as in the figure.

    Returns
    -------
    KAN
        ``trainable`` is :data:`LOCAL_ONLY`: ``G + k`` trainable numbers, all spline coefficients.
    """
    return KAN([1, 1], grid=grid, k=k, seed=seed, base=base, init=init, trainable=LOCAL_ONLY)


def continual_mlp(width=(1, 64, 64, 1), activation="tanh", seed=0):
    """The MLP baseline of Figure 3.4 (Eq. 2.9), all parameters trained.

    The paper does not give its MLP; [1, 64, 64, 1] with tanh (Glorot initialisation) is our
    choice. ``activation`` is any of :data:`minikan.baselines.mlp.ACTIVATIONS` (``"relu"`` forgets too).
    """
    return MLP(list(width), activation=activation, seed=seed)


def peak_cells(grid, centers):
    """Index of the nearest peak centre for every grid point, shape (n_grid,).

    Parameters
    ----------
    grid : ndarray, shape (n_grid, 1)
    centers : ndarray, shape (P,)
    """
    return np.argmin(np.abs(grid[:, [0]] - np.asarray(centers)[None, :]), axis=1)


def train_continual(model, data=None, steps=STEPS_PER_PHASE, **fit_options):
    """Train ``model`` phase by phase on the peaks of ``data`` (Section 3.5), in place.

    Parameters
    ----------
    model : KAN or MLP
        One input and one output. For a KAN use :func:`continual_kan` (or freeze ``w_b``, ``w_s``
        and ``bias`` yourself): with a trainable global parameter the locality argument fails.
    data : ContinualPhases, optional
        Default :func:`minikan.datasets.continual_peaks` (5 peaks, 100 samples each).
    steps : int
        L-BFGS iterations per phase (default: the paper's 100 pykan steps, converted).
    **fit_options
        Passed to :func:`minikan.core.train.fit` for every phase (e.g. ``opt="adam"``, ``lr``).
        Grid updates are always off (see the module docstring); ``update_grid=True`` raises.

    Returns
    -------
    ContinualRun
    """
    if data is None:
        data = continual_peaks()
    if not isinstance(data, ContinualPhases):
        raise TypeError(f"data must be a ContinualPhases from minikan.datasets.continual_peaks, "
                        f"got {type(data).__name__}")
    refuse_mult(model, "train_continual")  # the peaks task is a sum of edge functions
    if not hasattr(model, "width") or model.width[0] != 1 or model.width[-1] != 1:
        raise ValueError(f"model must map 1 input to 1 output for the peaks task, got width "
                         f"{getattr(model, 'width', None)}")
    steps = as_int(steps, "steps", 1)
    if fit_options.pop("update_grid", False):
        raise ValueError("update_grid must be False in continual learning: a grid update fitted to "
                         "one phase's samples would move the knots of the regions already learned")
    cells = peak_cells(data.grid, data.centers)
    n = len(data.centers)
    truth = data.grid_label[:, 0]
    predictions, errors, histories = [], np.zeros((n, n)), []
    for p, (X, y) in enumerate(zip(data.inputs, data.labels)):
        histories.append(fit(model, X, y, steps=steps, update_grid=False, **fit_options))
        pred = model.predict(data.grid)[:, 0]
        predictions.append(pred)
        miss = np.abs(pred - truth)
        errors[p] = [miss[cells == q].max() for q in range(n)]
    return ContinualRun(np.array(predictions), errors, histories, model)
