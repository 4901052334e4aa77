"""The training objective, outside the models: data loss plus sparsity penalty (Eq. 2.20), and its
gradient with respect to a model's flat parameter vector.

.. math::
    \\ell_{total}(\\theta) = \\ell_{pred}(f_\\theta(X), y) + \\lambda \\sum_l \\big( \\mu_1 |\\Phi_l|_1 + \\mu_2 S(\\Phi_l) \\big)

One function serves every model (KAN, MLP, LAN) through the small interface they declare
(:class:`minikan.core._flat.FlatParameters`):

* ``set_flat(theta)`` / ``flatten_grads(grads)``: the flat parameter vector;
* ``forward(X, safe, checked=True) -> (pred, caches)`` and
  ``backward(dpred, caches, extra) -> (dX, grads)``;
* ``has_edges``: whether the sparsity penalty applies (it reads the edge values of a KAN's
  forward pass, :func:`minikan.core.regularize.penalty`); a model without edges refuses ``lamb > 0``.

Control runs one way: the optimizer calls the objective, the objective calls the model's forward
and backward. The model holds no loss.
"""
from typing import NamedTuple

import numpy as np

from .. import _checks
from . import losses
from .regularize import Sparsity, penalty


class Evaluation(NamedTuple):
    """The objective at one parameter vector."""

    total: float  # data loss + lamb * reg, what the optimizer minimises
    grad: np.ndarray  # d total / d theta, shape (n_params,)
    data_loss: float
    reg: float  # the unweighted penalty (0 without sparsity)
    pred: np.ndarray  # the model's outputs, (N, n_L)


def resolve_loss(loss):
    """``loss(pred, y) -> (value, dpred)`` from a name in :data:`minikan.core.losses.LOSSES`, a
    callable, or None (the MSE)."""
    if loss is None:
        return losses.mse
    if isinstance(loss, str):
        return losses.LOSSES[_checks.as_choice(loss, "loss", tuple(losses.LOSSES))]
    if not callable(loss):
        raise TypeError(f"loss must be a function loss(pred, y) -> (value, dpred) or a name, got {type(loss).__name__}")
    return loss


def check_sparsity(model, sparsity):
    """Refuse a penalty the model cannot carry: Eq. 2.17–2.20 act on the edges of a KAN."""
    if sparsity is not None and sparsity.lamb > 0 and not model.has_edges:
        raise ValueError(f"{type(model).__name__} has no sparsity penalty (Eq. 2.17–2.20 act on KAN edges); "
                         f"got lamb={sparsity.lamb}, expected lamb=0")


def evaluate(model, theta, X, y, sparsity=None, loss=None, *, safe=False, checked=False):
    """The objective of ``model`` at flat parameters ``theta`` on ``(X, y)``, with its gradient.

    Sets the model's parameters to ``theta`` (the optimizer's current point).

    Parameters
    ----------
    model : KAN, MLP or LAN
    theta : ndarray, shape (n_params,)
    X : ndarray, shape (N, n_0)
    y : ndarray
        Targets in the form ``loss`` expects ((N, n_L) for the MSE, integer labels (N,) for
        cross-entropy).
    sparsity : Sparsity, optional
        λ, μ₁, μ₂ and the metric of the penalty (none by default).
    loss : str or callable, optional
        The data loss, see :func:`resolve_loss` (with ``checked=True``: the callable it returns).
    safe : bool
        Symbolic edges evaluate their singularity-safe variants (see :func:`minikan.core.train.fit`).
    checked : bool
        ``X``, ``loss`` and ``sparsity`` are already validated (the trainer checks them once, not
        on every evaluation); otherwise they are checked here.

    Returns
    -------
    Evaluation
    """
    if not checked:
        loss = resolve_loss(loss)
        check_sparsity(model, sparsity)
        X = _checks.as_matrix(X, "X", model.width[0])
    model.set_flat(theta)
    pred, caches = model.forward(X, safe, checked=True)
    data_loss, dpred = loss(pred, y)
    total, reg, extra, direct = data_loss, 0.0, None, []
    if sparsity is not None and sparsity.lamb > 0:
        weighted, reg, extra, direct = penalty(model, caches, sparsity)
        total = total + weighted
    _, grads = model.backward(dpred, caches, extra)
    for g, d in zip(grads, direct):  # the penalty's own parameter gradients (coefficient terms)
        for name, value in d.items():
            g[name] = g[name] + value
    return Evaluation(float(total), model.flatten_grads(grads), float(data_loss), float(reg), pred)


def loss_and_grad(model, theta, X, y, sparsity=None, loss=None, *, safe=False):
    """``(total, grad)`` of :func:`evaluate`: the objective at ``theta`` and its gradient."""
    result = evaluate(model, theta, X, y, sparsity, loss, safe=safe)
    return result.total, result.grad


__all__ = ["Evaluation", "Sparsity", "evaluate", "loss_and_grad", "resolve_loss", "check_sparsity"]
