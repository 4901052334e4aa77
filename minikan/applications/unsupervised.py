"""Unsupervised mode (paper Section 4.2, Figure 4.2): find groups of dependent variables.

Given only feature vectors ``x = (x_1, ..., x_d)``, we look for a non-zero ``f`` with
``f(x) = 0`` on the data (Eq. 4.1). The paper turns this into supervised learning:

1. *positive samples* are the real rows (label 1); *negative samples* permute every column
   independently across the data set (label 0), which keeps each variable's distribution and
   destroys every relation between variables (:func:`negative_samples`, :func:`contrastive_data`);
2. a KAN of shape ``[d, 1, 1]`` computes ``g = sigma(f(x))``: the first layer is ``f`` (Eq. 2.5
   with one output, ``f = sum_i phi_i(x_i)``), and the last edge is fixed to the Gaussian
   ``sigma(z) = exp(-z^2)``, so ``g = 1`` exactly where ``f = 0`` (:func:`unsupervised_kan`);
3. ``g`` is trained with the MSE to the 0/1 labels plus the sparsity penalty (Eq. 2.20), and the
   inputs whose first-layer edges stay active form one dependent group
   (:func:`dependent_groups`). Which group a run finds depends on the seed.

The Gaussian edge is *not* fitted and *not* trained
---------------------------------------------------
``fix_symbolic(model, 1, 0, 0, "gaussian")`` without samples sets the affine parameters of the
edge ``c f(a z + b) + d`` to ``(a, b, c, d) = (1, 0, 1, 0)`` (pykan's ``fit_params_bool=False``).
In minikan, as in pykan, those four numbers are then a trainable group (``"affine"``). Left
trainable they offer the optimizer a shortcut: ``c -> 0, d -> 1/2`` predicts 1/2 for every row
(MSE 1/4) without learning any relation (4 of the seeds 0-9 end there on the toy of Figure 4.2,
against 3 that find a group; 5 find one with the Gaussian frozen). In the
paper the last activation is set by hand to a Gaussian whose maximum, 1, sits at zero (Sections
4.2 and 4.3), so by default the ``"affine"`` group is frozen (``train_gaussian=True`` restores
pykan's behaviour). The paper's width ``w`` in ``exp(-z^2 / (2 w^2))`` needs no parameter: ``f``
can scale itself, so a fixed width ``1/sqrt(2)`` loses nothing. (The ``"affine"`` flag is
model-wide; in a ``[d, 1, 1]`` KAN the Gaussian is the only symbolic edge.)

Training defaults follow the paper-era pykan example of Figure 4.2: ``lamb = 0.002``,
``mu_1 = 1``, ``mu_2 = 10``, 50 pykan L-BFGS steps, converted to ``20 * 50 = 1000`` minikan
iterations (see :mod:`minikan.core.train`), with pykan's grid updates (10, spread over the run) so that
the grids follow inputs outside [-1, 1] such as ``x_3 = exp(sin(pi x_1) + x_2^2)``.
"""
from typing import NamedTuple

import numpy as np

from .._checks import as_float, as_int, as_matrix
from ..datasets.sampling import check_seed
from ..datasets.unsupervised import permute_columns
from ..core.model import KAN
from ..core.multiply import refuse_mult
from ..interpret.snapping import fix_symbolic
from ..core.train import fit

#: 50 pykan steps of up to 20 L-BFGS iterations each.
STEPS = 1000
#: Sparsity weights of the paper's run: lambda, mu_1, mu_2 (Eq. 2.20).
LAMB, LAMB_L1, LAMB_ENTROPY = 0.002, 1.0, 10.0
#: An edge is active when its score exceeds this fraction of the largest score in the layer.
ACTIVE_FRACTION = 0.1


def negative_samples(X, seed=0):
    """Corrupt ``X`` by permuting every column independently (Section 4.2, "feature corruption").

    Parameters
    ----------
    X : array_like, shape (N, d)
        Real rows, N >= 2.
    seed : int >= 0 or numpy.random.Generator
        Drives the d permutations (drawn column by column from one generator).

    Returns
    -------
    ndarray, shape (N, d)
        A new array; column ``i`` holds exactly the values of ``X[:, i]`` (the same multiset), in
        an order independent of the other columns.

    Examples
    --------
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> fake = negative_samples(X, seed=0)
    >>> bool(np.array_equal(np.sort(fake, axis=0), X))
    True
    """
    X = as_matrix(X, "X")
    if X.shape[0] < 2:
        raise ValueError(f"X needs at least 2 rows to permute, got shape {X.shape}")
    return permute_columns(X, check_seed(seed))


def contrastive_data(X, seed=0):
    """The supervised problem of Section 4.2: real rows labelled 1, permuted rows labelled 0.

    Parameters
    ----------
    X : array_like, shape (N, d)
    seed : int >= 0 or numpy.random.Generator
        For :func:`negative_samples`.

    Returns
    -------
    inputs : ndarray, shape (2N, d)
        ``X`` followed by its column-permuted copy.
    labels : ndarray, shape (2N, 1)
        N ones, then N zeros.
    """
    X = as_matrix(X, "X")
    fake = negative_samples(X, seed)
    n = X.shape[0]
    return np.concatenate([X, fake]), np.concatenate([np.ones((n, 1)), np.zeros((n, 1))])


def unsupervised_kan(n_var, grid=3, k=3, seed=0, *, hidden=1, train_gaussian=False, **kan_options):
    """A ``[n_var, hidden, 1]`` KAN whose last-layer edges are the Gaussian ``exp(-z^2)``.

    With ``hidden = 1`` (the paper) the output is ``exp(-f(x)^2)``, ``f = sum_i phi_i(x_i)``.
    Every last-layer edge is fixed to ``"gaussian"`` with ``(a, b, c, d) = (1, 0, 1, 0)``; those
    parameters are frozen unless ``train_gaussian=True`` (pykan; see the module docstring).
    ``kan_options`` go to :class:`minikan.KAN` (e.g. ``init``, ``base``, or ``trainable`` to
    freeze other groups; its ``"affine"`` entry is set by ``train_gaussian``).
    """
    n_var = as_int(n_var, "n_var", 1)
    hidden = as_int(hidden, "hidden", 1)
    if not isinstance(train_gaussian, (bool, np.bool_)):
        raise TypeError(f"train_gaussian must be True or False, got {type(train_gaussian).__name__}")
    trainable = dict(kan_options.pop("trainable", None) or {})
    trainable["affine"] = bool(train_gaussian)
    model = KAN([n_var, hidden, 1], grid=grid, k=k, seed=seed, trainable=trainable, **kan_options)
    for j in range(hidden):
        fix_symbolic(model, 1, j, 0, "gaussian")  # no samples: affine (1, 0, 1, 0), not fitted
    return model


def train_unsupervised(model, X, y, X_test=None, y_test=None, *, steps=STEPS, lamb=LAMB,
                       lamb_l1=LAMB_L1, lamb_entropy=LAMB_ENTROPY, reg_metric="pykan-0.0",
                       grid_update_num=None, stop_grid_update_step=None, **fit_options):
    """Fit ``model`` to the contrastive labels with the MSE and the sparsity penalty (in place).

    A thin wrapper of :func:`minikan.core.train.fit` with the defaults of the paper's run (module
    docstring). ``stop_grid_update_step`` defaults to ``steps`` and ``grid_update_num`` to
    ``min(10, steps)``, so pykan's 10 grid updates are spread over the whole run, as in pykan where
    50 steps meet its default stop at step 50.
    ``reg_metric="pykan-0.0"`` is the penalty of the code the figure was made with (each edge's
    ``|phi|_1`` divided by its grid width, see :mod:`minikan.core.regularize`), for which the weights
    ``lamb``, ``lamb_entropy`` were chosen. With the penalty of Eq. 2.17-2.19
    (``reg_metric="paper"``) and the same weights, seeds 0-9 of the toy find (x_1, x_2, x_3) six
    times and (x_4, x_5) never; the failed runs all end on the edge of ``x_3``, whose inputs span
    [0.37, 7.4] rather than [-1, 1], so that its ``|phi|_1`` starts largest.

    Returns
    -------
    dict
        The history of :func:`minikan.core.train.fit`.
    """
    steps = as_int(steps, "steps", 1)
    stop = steps if stop_grid_update_step is None else stop_grid_update_step
    num = min(10, steps) if grid_update_num is None else grid_update_num
    return fit(model, X, y, X_test, y_test, steps=steps, lamb=lamb, lamb_l1=lamb_l1,
               lamb_entropy=lamb_entropy, reg_metric=reg_metric, grid_update_num=num,
               stop_grid_update_step=stop, **fit_options)


def edge_scores(model, X):
    """``|phi_ij|_1`` (Eq. 2.17) of every first-layer edge on ``X`` (N, n_0); shape (n_0, n_1).

    Permuting columns leaves each variable's distribution unchanged, so real rows, fake rows or
    both give the same scores up to sampling noise.
    """
    if not isinstance(model, KAN):
        raise TypeError(f"model must be a minikan.KAN, got {type(model).__name__}")
    refuse_mult(model, "edge_scores")  # its columns are read as hidden nodes
    X = as_matrix(X, "X", model.width[0])
    return np.mean(np.abs(model.edge_functions(0, X)), axis=0)


def dependent_groups(model, X, threshold=ACTIVE_FRACTION):
    """The input groups read off the first layer: per hidden node, its active inputs.

    An edge ``i -> j`` is active when ``|phi_ij|_1 > threshold * max |phi|_1`` (the maximum over
    all first-layer edges), the paper's "faded" edges being the inactive ones.

    Parameters
    ----------
    model : KAN
    X : array_like, shape (N, n_0)
    threshold : float in [0, 1)

    Returns
    -------
    list of tuple of int
        For every hidden node, the 0-based indices of its active inputs (x_1 is index 0). A single
        input means no relation was found: one function of one variable takes the same values on
        the real and the permuted rows, so it cannot tell them apart (such runs end with ``f``
        constant and every prediction near 1/2).
    """
    threshold = as_float(threshold, "threshold", 0.0, 1.0)
    scores = edge_scores(model, X)
    active = scores > threshold * scores.max()
    return [tuple(int(i) for i in np.flatnonzero(active[:, j])) for j in range(scores.shape[1])]


class Discovery(NamedTuple):
    """The outcome of :func:`discover`.

    groups : list of tuple of int, one per hidden node (see :func:`dependent_groups`)
    scores : ndarray, shape (d, hidden), the first-layer ``|phi|_1`` on the real rows
    model : KAN, trained
    history : dict, from :func:`minikan.core.train.fit`
    """

    groups: list
    scores: np.ndarray
    model: KAN
    history: dict


def discover(X, seed=0, data_seed=0, *, grid=3, k=3, hidden=1, train_gaussian=False,
             threshold=ACTIVE_FRACTION, **train_options):
    """Section 4.2 in one call: contrastive data from the real rows ``X``, train, read the groups.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Real rows only.
    seed : int >= 0 or numpy.random.Generator
        Initial parameters of the KAN (the paper's "seed").
    data_seed : int >= 0 or numpy.random.Generator
        The column permutations of the negative samples.
    grid, k, hidden, train_gaussian :
        See :func:`unsupervised_kan`.
    threshold : float
        See :func:`dependent_groups`.
    **train_options
        Passed to :func:`train_unsupervised` (``steps``, ``lamb``, ``reg_metric``, ...).
    """
    X = as_matrix(X, "X")
    inputs, labels = contrastive_data(X, data_seed)
    model = unsupervised_kan(X.shape[1], grid, k, seed, hidden=hidden,
                             train_gaussian=train_gaussian)
    history = train_unsupervised(model, inputs, labels, **train_options)
    groups = dependent_groups(model, X, threshold)
    return Discovery(groups, edge_scores(model, X), model, history)
