"""Data losses and their gradients with respect to the network output.

Each loss is a function ``loss(pred, y) -> (value, dpred)``: the scalar loss averaged over the
batch and its derivative with respect to ``pred`` (same shape as ``pred``). Models and the trainer
use only this pair, so any function with that signature can be passed as ``fit(..., loss=f)``.

* :func:`mse`: mean squared error over all samples and outputs (the paper's regression loss).
* :func:`cross_entropy`: softmax cross-entropy for classification, ``y`` holding integer class
  labels of shape (N,) (the output layer has one node per class and its outputs are logits).
"""
import numpy as np


def mse(pred, y):
    """``mean((pred - y)^2)`` over all entries; ``pred`` and ``y`` have shape (N, n_out).

    Gradient: ``d/dpred = 2 (pred - y) / (N n_out)``.
    """
    residual = pred - y
    return float(np.mean(residual ** 2)), 2.0 * residual / residual.size


def log_softmax(logits):
    """Row-wise ``log softmax`` of ``logits`` (N, C), shifted by the row maximum so no exp overflows."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(logits, labels):
    """Softmax cross-entropy ``-mean_s log softmax(logits_s)[labels_s]``.

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    labels : ndarray of int, shape (N,)
        Class indices in ``0..C-1``.

    Returns
    -------
    value : float
    dlogits : ndarray, shape (N, C)
        ``(softmax(logits) - onehot(labels)) / N``.
    """
    N = logits.shape[0]
    logp = log_softmax(logits)
    rows = np.arange(N)
    value = -float(np.mean(logp[rows, labels]))
    dlogits = np.exp(logp)
    dlogits[rows, labels] -= 1.0
    return value, dlogits / N


def accuracy(logits, labels):
    """Fraction of rows whose largest logit is at the label (ties go to the lowest index)."""
    return float(np.mean(np.argmax(logits, axis=1) == labels))


LOSSES = {"mse": mse, "cross_entropy": cross_entropy}
