"""Uniform random regression data for a known function: ``make_dataset`` and the ``Dataset`` container.

Every synthetic experiment of the paper (Sections 2.4, 3.1-3.3, 4.1) fits a function sampled i.i.d.
uniformly on a box; this module is the one place where that sampling happens.
"""
from dataclasses import dataclass

import numpy as np

from .._checks import as_int, as_rng

_KEYS = ("train_input", "train_label", "test_input", "test_label")


@dataclass(frozen=True)
class Dataset:
    """A train/test split of regression or classification data, all float64.

    Attributes
    ----------
    train_input : ndarray, shape (n_train, n_var)
    train_label : ndarray, shape (n_train, n_out)
    test_input : ndarray, shape (n_test, n_var)
    test_label : ndarray, shape (n_test, n_out)

    The field names are those of pykan's ``create_dataset`` dictionary, and ``ds["train_input"]`` also
    works, so code written against pykan's dict reads this object unchanged. ``as_dict()`` returns a
    plain dict. The container is frozen (fields cannot be reassigned), but the arrays themselves are
    ordinary writable arrays.
    """

    train_input: np.ndarray
    train_label: np.ndarray
    test_input: np.ndarray
    test_label: np.ndarray

    def __post_init__(self):
        for key in _KEYS:
            arr = getattr(self, key)
            if not isinstance(arr, np.ndarray) or arr.ndim != 2 or arr.dtype != np.float64:
                raise TypeError(f"Dataset.{key} must be a 2-D float64 ndarray, got "
                                f"{type(arr).__name__} {getattr(arr, 'shape', '')}")
        if self.train_input.shape[0] != self.train_label.shape[0]:
            raise ValueError(f"train_input has {self.train_input.shape[0]} rows but train_label has "
                             f"{self.train_label.shape[0]}")
        if self.test_input.shape[0] != self.test_label.shape[0]:
            raise ValueError(f"test_input has {self.test_input.shape[0]} rows but test_label has "
                             f"{self.test_label.shape[0]}")
        if self.train_input.shape[1] != self.test_input.shape[1]:
            raise ValueError(f"train and test inputs have {self.train_input.shape[1]} and "
                             f"{self.test_input.shape[1]} columns")
        if self.train_label.shape[1] != self.test_label.shape[1]:
            raise ValueError(f"train and test labels have {self.train_label.shape[1]} and "
                             f"{self.test_label.shape[1]} columns")

    @property
    def n_var(self):
        """Number of input columns."""
        return self.train_input.shape[1]

    @property
    def n_out(self):
        """Number of label columns."""
        return self.train_label.shape[1]

    def __getitem__(self, key):
        if key not in _KEYS:
            raise KeyError(f"{key!r}; a Dataset has the keys {_KEYS}")
        return getattr(self, key)

    def keys(self):
        return _KEYS

    def as_dict(self):
        """The four arrays in a plain dict with pykan's key names (no copies)."""
        return {k: getattr(self, k) for k in _KEYS}


def check_seed(seed):
    """Return a ``numpy.random.Generator`` for ``seed`` (a non-negative int or a Generator).

    ``None`` is refused on purpose: every dataset in minikan must be reproducible from its arguments.
    """
    return as_rng(seed, "seed", allow_none=False)


def check_count(n, name, minimum=1):
    """Return ``n`` as an int, or raise if it is not an integer >= ``minimum`` (and <= 2**63 - 1)."""
    return as_int(n, name, minimum)


def check_ranges(ranges, n_var):
    """Return ``ranges`` as a float64 array of shape (n_var, 2) with finite ``lo < hi`` per row.

    A single pair ``(lo, hi)`` (shape (2,)) applies to every variable. A list of pairs gives one
    range per variable. Any other shape raises ``ValueError``.
    """
    try:
        r = np.asarray(ranges, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"ranges must be numbers of shape (2,) or ({n_var}, 2): {err}") from None
    if r.shape == (2,):
        r = np.tile(r, (n_var, 1))
    if r.shape != (n_var, 2):
        raise ValueError(f"ranges must have shape (2,) or (n_var, 2) = ({n_var}, 2), got {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ValueError("ranges must be finite")
    bad = np.flatnonzero(~(r[:, 0] < r[:, 1]))
    if bad.size:
        raise ValueError(f"every range needs lo < hi; variables {bad.tolist()} have {r[bad].tolist()}")
    return r


def uniform_box(rng, n, ranges):
    """Draw ``n`` points uniformly from the box ``ranges`` (shape (n_var, 2)); shape (n, n_var)."""
    lo, hi = ranges[:, 0], ranges[:, 1]
    return lo + (hi - lo) * rng.random((n, ranges.shape[0]))


def evaluate_labels(f, X, name="f"):
    """Call ``f(X)`` and return its value as a finite float64 array of shape (N, n_out).

    The one reshaping rule: a 1-D result of length N becomes a column (N, 1). Any other shape
    (wrong length, 3-D, a scalar) raises ``ValueError``; complex or non-numeric output raises
    ``TypeError``; NaN or inf raises ``ValueError`` naming the offending input rows.
    """
    y = np.asarray(f(X))
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must return real numbers, got dtype {y.dtype}")
    n = X.shape[0]
    if y.ndim == 1 and y.shape[0] == n:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != n:
        raise ValueError(f"{name}(X) with X of shape {X.shape} must return shape ({n}, n_out) or "
                         f"({n},), got {y.shape}")
    y = y.astype(np.float64, copy=False)
    finite = np.all(np.isfinite(y), axis=1)
    if not finite.all():
        rows = np.flatnonzero(~finite)
        raise ValueError(f"{name} returned NaN or inf at {rows.size} of {n} points, e.g. at X = "
                         f"{X[rows[0]].tolist()}; choose ranges where it is finite")
    return y


def make_dataset(f, n_var, ranges=(-1.0, 1.0), n_train=1000, n_test=1000, seed=0):
    """Sample a train and a test set of ``y = f(X)`` with X uniform on a box.

    Parameters
    ----------
    f : callable
        ``f(X)`` with ``X`` of shape (N, n_var) returns shape (N, n_out), or (N,) which is read as
        (N, 1). Nothing else is reshaped. It is called once on the train inputs, once on the test.
    n_var : int >= 1
        Number of input variables.
    ranges : array_like, shape (2,) or (n_var, 2)
        ``(lo, hi)`` for every variable, or one row per variable; ``lo < hi``. Default (-1, 1).
    n_train, n_test : int >= 1
    seed : int >= 0 or numpy.random.Generator

    Returns
    -------
    Dataset
        ``train_input`` (n_train, n_var), ``train_label`` (n_train, n_out), ``test_input``
        (n_test, n_var), ``test_label`` (n_test, n_out), all float64.

    Notes
    -----
    Sampling: ``rng = numpy.random.default_rng(seed)``; the whole train matrix is drawn first, then
    the test matrix, each as ``lo + (hi - lo) * rng.random((N, n_var))`` (so the training set of a
    seed does not depend on ``n_test``). No global random state is read or changed.

    Against pykan's ``create_dataset(f, n_var, ranges, train_num, test_num, seed)`` (same meaning of
    ``f`` in its default ``f_mode='col'``, same uniform box, same returned keys), the differences are:

    * pykan reseeds the global NumPy and torch generators; this function touches neither.
    * pykan draws with torch's generator, column by column, alternating train and test, in
      float32 by default; the numbers therefore differ from pykan's for the same seed, and only the
      distribution matches. To compare with pykan number by number, pass pykan's own arrays.
    * pykan turns a 1-D ``ranges`` into per-variable ranges by Python list repetition
      (``ranges * n_var``), which multiplies the values when a NumPy array is passed; here a pair
      means the same range for every variable whatever its type.
    * pykan's ``normalize_input``/``normalize_label`` options are not offered: standardise
      explicitly so the statistics used are visible.
    * pykan silently keeps NaN/inf labels; here they raise ``ValueError``.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    n_var = check_count(n_var, "n_var")
    n_train = check_count(n_train, "n_train")
    n_test = check_count(n_test, "n_test")
    box = check_ranges(ranges, n_var)
    rng = check_seed(seed)
    X_train = uniform_box(rng, n_train, box)
    X_test = uniform_box(rng, n_test, box)
    y_train = evaluate_labels(f, X_train)
    y_test = evaluate_labels(f, X_test)
    if y_train.shape[1] != y_test.shape[1]:
        raise ValueError(f"f returned {y_train.shape[1]} columns on the train set but "
                         f"{y_test.shape[1]} on the test set")
    return Dataset(X_train, y_train, X_test, y_test)
