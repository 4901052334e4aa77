"""Moving and refining spline grids: grid update from samples and grid extension (Section 2.4).

Both operations change the knots of a layer and then carry its spline coefficients over, so that
every edge function stays (as nearly as possible) what it was: by least squares on the samples
(:func:`minikan.core.spline_fit.fit_coef`, banded normal equations), or, when a refinement's knots
contain the old ones, by exact knot insertion (:mod:`minikan.core.knot_insertion`). They work on one
layer and return a new one; :class:`minikan.KAN` applies them layer by layer.
"""
import numpy as np

from . import knot_insertion

from . import spline

from . import spline_fit


class NonFiniteSamples(ValueError):
    """The samples give a layer NaN or inf inputs (an overflow of large values upstream): no grid
    can be placed on them. ``fit`` turns it into a stopped run (see :mod:`minikan.core.train`)."""


def _check_finite(x):
    bad = np.flatnonzero(~np.all(np.isfinite(x), axis=1))
    if bad.size:
        raise NonFiniteSamples(f"X gives a layer non-finite inputs on samples {bad[:10].tolist()} (an "
                               "overflow of large values); no grid can be placed on them")


class OutOfGridWarning(UserWarning):
    """Issued by ``fit`` when training samples lie outside a layer's grid range (see
    :func:`outside_grid`); filter it with ``warnings.filterwarnings("ignore", category=...)``."""


def grid_from_samples(x, G, k, grid_eps=0.02, margin=0.0):
    """Knots that follow the distribution of the samples (the paper's "update of spline grids").

    The base knots mix an adaptive and a uniform grid:
    ``t = grid_eps * uniform + (1 - grid_eps) * adaptive``, where ``adaptive`` holds the sorted
    samples at ranks ``floor(i N / G)``, ``i = 0..G-1``, plus the maximum (empirical quantiles), and
    ``uniform`` is G equal intervals on the same ends. ``grid_eps = 1`` gives a uniform grid,
    ``0`` a pure quantile grid. Both ends are ``min x - margin`` and ``max x + margin``. pykan
    0.2.8 uses ``grid_eps = 0.02`` and margin 0; the paper-era code ``grid_eps = 1`` and margin
    0.01 (minikan's model defaults).

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    G, k : int
    grid_eps : float in [0, 1]
    margin : float >= 0

    Returns
    -------
    grid : ndarray, shape (n_in, G+2k+1)
    """
    N = x.shape[0]
    x_sorted = np.sort(x, axis=0)  # (N, n_in)
    ranks = [int(N / G * i) for i in range(G)] + [N - 1]
    adaptive = x_sorted[ranks].T  # (n_in, G+1)
    adaptive[:, 0] -= margin
    adaptive[:, -1] += margin
    lo, hi = adaptive[:, :1], adaptive[:, -1:]
    uniform = lo + (hi - lo) / G * np.arange(G + 1)  # (n_in, G+1)
    return spline.extend_grid(grid_eps * uniform + (1.0 - grid_eps) * adaptive, k)


def placed_grid(layer, x, grid_eps=0.02, margin=0.0):
    """The knots a grid update places for ``layer`` on samples ``x`` (N, n_in), shape (n_in, G+2k+1).

    :func:`grid_from_samples` per input, except that an input whose samples all coincide, or whose
    spread overflows float64, keeps its old knots (see :func:`update_grid`).
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing spread is caught here
        new_grid = grid_from_samples(x, layer.G, layer.k, grid_eps, margin)
        degenerate = (np.ptp(x, axis=0) <= 0) | ~np.all(np.isfinite(new_grid), axis=1)
    new_grid[degenerate] = layer.grid[degenerate]
    return new_grid


def update_grid(layer, x, grid_eps=0.02, margin=0.0, *, method="banded"):
    """A copy of ``layer`` whose knots follow the samples ``x`` and whose splines are refit on them.

    Only the spline part is refit (least squares on all samples, per edge); ``w_b``, ``w_s``,
    the base branch, the mask and the bias are unchanged, so each edge function is preserved on
    the samples up to the least-squares residual. ``method`` picks the least-squares solver of
    :func:`minikan.core.spline_fit.fit_coef`: ``"banded"`` (O(N k^2 + G k^2) per input; an input whose
    samples leave coefficients undetermined, e.g. empty knot intervals, gets a tiny smoothing
    penalty that continues its neighbours) or ``"dense"`` (SVD, minimum norm, O(N G^2)).

    An input whose samples all coincide (zero spread) keeps its old knots: a grid cannot be
    placed on a single point, and collapsing it would silently zero that spline. So does an input
    whose spread overflows float64 (samples near +-1e308), where no finite knots exist.

    Parameters
    ----------
    layer : KANLayer
    x : ndarray, shape (N, n_in)
        The layer's inputs on the samples.

    Raises
    ------
    NonFiniteSamples
        A ``ValueError``: some sample is NaN or inf (e.g. a hidden layer's input after an
        overflow); no grid can be placed on it.
    """
    _check_finite(x)
    return _refit(layer, x, placed_grid(layer, x, grid_eps, margin), method)


def outside_grid(x, grid, k):
    """Which samples lie outside each input's grid range, the base interval ``[t_k, t_{G+k}]``.

    Outside it the basis no longer sums to one, and beyond the ``k`` extra knots on each side
    every basis function is 0, so an edge is only ``w_b b(x)`` there. A slack of ``1e-9`` of the
    range absorbs the rounding of grids built from samples (their ends equal the extreme samples
    only up to an ulp). NaN counts as outside.

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    grid : ndarray, shape (n_in, G+2k+1)
    k : int

    Returns
    -------
    ndarray of bool, shape (N, n_in)
    """
    lo, hi = grid[:, k], grid[:, grid.shape[1] - k - 1]
    slack = 1e-9 * hi - 1e-9 * lo  # (the difference itself may overflow)
    return ~((x >= lo - slack) & (x <= hi + slack))


def refine(layer, x, G_new, *, method="banded"):
    """A copy of ``layer`` on a finer (or coarser) grid with ``G_new`` intervals (Eq. 2.16).

    The new base knots interpolate the old ones piecewise linearly (a uniform grid stays uniform on
    the same interval; a non-uniform one keeps its shape), then are extended by k knots per side.

    *Nested grids* (``G_new`` a multiple of ``G``, so that every old base knot is a new one; checked
    per input to rounding, and such knots are made exactly equal): the old spline lies in the new
    space on the base interval, and its new coefficients come from exact knot insertion
    (:func:`minikan.core.knot_insertion.insert_knots`), without the samples. Every edge function is then
    preserved on the whole base interval ``[t_k, t_{G+k}]`` to rounding, also where ``x`` has no
    samples. On the ``k`` outer intervals per side it is not: the mean-spaced outer knots of the two
    grids differ (the new ones are ``G_new / G`` times closer), so the two splines differ there.

    *Other grids*: the new coefficients solve

    .. math::
        \\{c'_j\\} = \\arg\\min \\sum_{s} \\Big( \\sum_j c'_j B'_j(x_s) - \\sum_i c_i B_i(x_s) \\Big)^2

    i.e. Eq. 2.16 with the expectation over p(x) replaced by the mean over the given samples,
    solved by :func:`minikan.core.spline_fit.fit_coef` with ``method`` (see :func:`update_grid`).

    Parameters
    ----------
    layer : KANLayer
    x : ndarray, shape (N, n_in)
        Samples of the layer's inputs (the paper uses the training inputs); all finite, else
        :class:`NonFiniteSamples` is raised.
    G_new : int
    method : {"banded", "dense"}
        Least-squares solver for the inputs whose grids are not nested.
    """
    G_new, _ = spline.check_G_k(G_new, layer.k)
    _check_finite(x)
    k = layer.k
    base = layer.grid[:, k : layer.grid.shape[1] - k]  # (n_in, G+1)
    u_old = np.arange(layer.G + 1) / layer.G
    u_new = np.arange(G_new + 1) / G_new
    new_base = np.stack([np.interp(u_new, u_old, row) for row in base])  # (n_in, G_new+1)
    nested, new_base = knot_insertion.nested_base(base, new_base)
    new_grid = spline.extend_grid(new_base, k)
    if not nested.any():
        return _refit(layer, x, new_grid, method)
    coef = np.empty((layer.n_in, layer.n_out, G_new + k))
    coef[nested] = knot_insertion.insert_knots(layer.grid[nested], layer.coef[nested], new_grid[nested], k)
    if not nested.all():
        rest = ~nested
        old_spline = spline.curve(x[:, rest], layer.grid[rest], layer.coef[rest], k)
        coef[rest] = spline_fit.fit_coef(x[:, rest], old_spline, new_grid[rest], k, method=method)
    return layer.subset(grid=new_grid, coef=coef)


def _refit(layer, x, new_grid, method="banded"):
    """Least-squares transfer of the layer's spline part onto new knots."""
    old_spline = spline.curve(x, layer.grid, layer.coef, layer.k)  # (N, n_in, n_out)
    coef = spline_fit.fit_coef(x, old_spline, new_grid, layer.k, method=method)
    return layer.subset(grid=new_grid, coef=coef)
