"""How much each node and edge matters, measured on data (Section 2.5.1 and pykan 0.2.8).

Three edge scores are in use in this package, each a list with one array of shape
``(n_l, n_{l+1})`` per layer:

``"pykan"``
    pykan 0.2.8's backward attribution (:func:`minikan.interpret.prune.attribution_scores`): the share of
    the outputs' spread that flows through the edge. It is scale-free and ignores constants, and
    it is the score that ``prune(..., metric="pykan")`` keeps or drops nodes by.
``"paper"``
    ``|phi_{l,i,j}|_1``, the mean of ``|phi|`` over the samples (Eq. 2.17), the quantity the paper
    uses for its diagrams and for pruning (Eq. 2.21).
``"pykan-0.0"``
    Eq. 2.17 divided by the width of the edge's grid, as the code of the paper's experiments did.

The paper's norm counts a constant offset as strength: a hidden node whose incoming edges are
flat but whose outgoing edge sends out a sizeable constant scores high although nothing about
the inputs reaches the output through it. The attribution score measures only variation.
"""
import numpy as np

from .._checks import as_matrix
from .prune import EDGE_METRICS, attribution_scores, edge_l1, edge_scores, require_kan  # noqa: F401 (re-exported)



def attribute(model, X):
    """Node and edge attribution scores of ``model`` on the samples ``X`` (pykan 0.2.8's).

    Parameters
    ----------
    model : KAN
    X : array_like, shape (N, n_0)

    Returns
    -------
    nodes : list of ndarray
        One per layer ``0..L``, shape (n_l,); ``nodes[0]`` is :func:`feature_score`, every output
        node scores ``1 / n_L``.
    edges : list of ndarray
        One per layer ``0..L-1``, shape (n_l, n_{l+1}).

    Notes
    -----
    Computed by :func:`minikan.interpret.prune.attribution_scores` (going from the outputs backwards, an
    edge gets ``std(phi) / (std of the sum at its target + 1e-4)`` times its target's score, a
    node the sum of its outgoing edges' scores). These are the scores that
    ``prune(..., metric="pykan")`` and the diagram's default transparency use.
    """
    require_kan(model)
    X = as_matrix(X, "X", model.width[0])
    with np.errstate(over="ignore", invalid="ignore"):  # overflowing activations give nan scores
        return attribution_scores(model, X)


def feature_score(model, X):
    """How much each input matters: the input nodes' attribution scores, shape (n_0,).

    Same as pykan 0.2.8's ``feature_score`` (computed here from ``X`` rather than from the
    last forward pass). An input whose score is below ~1e-2 hardly changes the output on ``X``
    (see :meth:`KAN.prune_inputs`).
    """
    return attribute(model, X)[0][0]
