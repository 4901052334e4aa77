"""Numerical to categorical (Section 4.1, Figure 4.1(c)): x in [0, 1] to its first decimal digit.

The paper's example: 0.0618 -> class 0, 0.314 -> class 3, written "as one hots" (10 columns). A
[1, 10] KAN has one edge per class, ``logit_j = phi_j(x)``, and the figure shows each ``phi_j``
as a spike over its digit's interval [j/10, (j+1)/10).

Which loss the paper used (inferred): the text describes the targets as one-hot vectors and puts
the task among the supervised examples of Section 4.1, fitted with the default loss of the code the
figures were made with, the MSE; the paper names cross-entropy only for the knot classifier of
Section 4.3. So the paper's setup is the MSE to the one-hot rows, and the spikes of Figure 4.1(c)
are what an MSE fit of indicator functions looks like. Both are supported:

* MSE: ``fit(model, ds.train_input, ds.train_label)`` with the one-hot labels of
  :func:`make_first_digit`;
* cross-entropy: ``fit(model, ds.train_input, first_digit(ds.train_input), loss="cross_entropy")``
  with integer classes.
"""
import numpy as np

from .sampling import check_count, make_dataset
from .toy import first_decimal_digit

N_CLASSES = 10


def first_digit(X):
    """The class of every row: ``floor(10 x)``, clipped to 0..9; X (N, 1) -> int64 array (N,).

    The rule is evaluated in float64 arithmetic and is the one behind the one-hot labels of
    :func:`minikan.datasets.toy.first_decimal_digit` (exactly 1.0 goes to class 9).

    Examples
    --------
    >>> first_digit(np.array([[0.0618], [0.314], [1.0]])).tolist()
    [0, 3, 9]
    """
    X = np.asarray(X)
    if X.dtype.kind not in "iuf":
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
    if X.ndim != 2 or X.shape[1] != 1:
        raise ValueError(f"X must have shape (N, 1), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf")
    return np.clip(np.floor(10.0 * X[:, 0]), 0, N_CLASSES - 1).astype(np.int64)


def one_hot(labels, n_classes=N_CLASSES):
    """Integer classes (N,) in 0..n_classes-1 -> float64 one-hot rows (N, n_classes)."""
    labels = np.asarray(labels)
    n_classes = check_count(n_classes, "n_classes")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be a 1-D integer array, got dtype {labels.dtype} and shape "
                         f"{labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, "
                         f"got {labels.min()}..{labels.max()}")
    return np.eye(n_classes)[labels]


def make_first_digit(n_train=1000, n_test=1000, seed=0):
    """Figure 4.1(c) data: x ~ U(0, 1), label the one-hot of its first decimal digit.

    Returns a ``Dataset``: inputs (N, 1), labels (N, 10) (the paper's one-hot form; the integer
    classes for cross-entropy are ``first_digit(ds.train_input)``). Sampling as in
    :func:`minikan.datasets.make_dataset` (pykan's default sizes 1000/1000).
    """
    return make_dataset(first_decimal_digit, 1, (0.0, 1.0), n_train, n_test, seed)

