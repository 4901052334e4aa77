"""Moving and refining spline grids: grid update from samples and grid extension (Section 2.4).

Both operations change the knots of a layer and then carry its spline coefficients over, so that
every edge function stays (as nearly as possible) what it was: by least squares on the samples
(:func:`minikan.core.spline_fit.fit_coef`, banded normal equations), or, when a refinement's knots
contain the old ones, by exact knot insertion (:mod:`minikan.core.knot_insertion`). They work on
arrays, the knots ``(n_in, G+2k+1)`` and coefficients ``(n_in, n_out, G+k)`` of one layer and its
input samples ``(N, n_in)``, and return new arrays; :class:`minikan.KAN` applies them layer by
layer, :class:`minikan.LAN` to the node functions of each hidden layer (one output per node).
"""
import numpy as np

from . import knot_insertion, spline, spline_fit


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


def _check_layer_arrays(grid, coef, x, k):
    """Validate knots, coefficients and samples of one layer; return them as float64 arrays."""
    grid = spline.check_grid(grid, k)
    coef = np.asarray(coef, dtype=np.float64)
    n_in, M = grid.shape
    if coef.ndim != 3 or coef.shape[0] != n_in or coef.shape[2] != M - k - 1:
        raise ValueError(f"coef must have shape (n_in, n_out, G+k) = ({n_in}, n_out, {M - k - 1}) to match "
                         f"knots {grid.shape} of degree k={k}, got {coef.shape}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != n_in or x.shape[0] < 1:
        raise ValueError(f"samples x must have shape (N >= 1, n_in={n_in}), got {x.shape}")
    _check_finite(x)
    return grid, coef, x


def placed_grid(grid, x, k, grid_eps=0.02, margin=0.0):
    """The knots a grid update places on samples ``x`` (N, n_in), shape (n_in, G+2k+1).

    :func:`grid_from_samples` per input with the ``G`` of ``grid`` (n_in, G+2k+1), except that an
    input whose samples all coincide, or whose spread overflows float64, keeps its row of ``grid``
    (see :func:`update_grid`).
    """
    grid = spline.check_grid(grid, k)
    G = grid.shape[1] - 2 * k - 1
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing spread is caught here
        new_grid = grid_from_samples(x, G, k, grid_eps, margin)
        degenerate = (np.ptp(x, axis=0) <= 0) | ~np.all(np.isfinite(new_grid), axis=1)
    new_grid[degenerate] = grid[degenerate]
    return new_grid


def update_grid(grid, coef, x, k, grid_eps=0.02, margin=0.0, *, method="banded"):
    """Knots that follow the samples ``x``, and the spline coefficients refit on them.

    Only the spline part ``sum_m c_ijm B_m`` is refit (least squares on all samples, per edge), so
    a layer that keeps its ``w_b``, ``w_s``, base branch, mask and bias preserves each edge function
    on the samples up to the least-squares residual. ``method`` picks the least-squares solver of
    :func:`minikan.core.spline_fit.fit_coef`: ``"banded"`` (O(N k^2 + G k^2) per input; an input whose
    samples leave coefficients undetermined, e.g. empty knot intervals, gets a tiny smoothing
    penalty that continues its neighbours) or ``"dense"`` (SVD, minimum norm, O(N G^2)).

    An input whose samples all coincide (zero spread) keeps its old knots: a grid cannot be
    placed on a single point, and collapsing it would silently zero that spline. So does an input
    whose spread overflows float64 (samples near +-1e308), where no finite knots exist.

    Parameters
    ----------
    grid : ndarray, shape (n_in, G+2k+1)
    coef : ndarray, shape (n_in, n_out, G+k)
    x : ndarray, shape (N, n_in)
        The layer's inputs on the samples.
    k : int
    grid_eps : float in [0, 1]
    margin : float >= 0
        See :func:`grid_from_samples`.

    Returns
    -------
    new_grid : ndarray, shape (n_in, G+2k+1)
    new_coef : ndarray, shape (n_in, n_out, G+k)

    Raises
    ------
    NonFiniteSamples
        A ``ValueError``: some sample is NaN or inf (e.g. a hidden layer's input after an
        overflow); no grid can be placed on it.
    """
    grid, coef, x = _check_layer_arrays(grid, coef, x, k)
    new_grid = placed_grid(grid, x, k, grid_eps, margin)
    return new_grid, _refit(grid, coef, x, new_grid, k, method)


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


def refine(grid, coef, x, G_new, k, *, method="banded"):
    """Knots with ``G_new`` intervals (finer or coarser) and the coefficients carried over (Eq. 2.16).

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
    grid : ndarray, shape (n_in, G+2k+1)
    coef : ndarray, shape (n_in, n_out, G+k)
    x : ndarray, shape (N, n_in)
        Samples of the layer's inputs (the paper uses the training inputs); all finite, else
        :class:`NonFiniteSamples` is raised.
    G_new : int
    k : int
    method : {"banded", "dense"}
        Least-squares solver for the inputs whose grids are not nested.

    Returns
    -------
    new_grid : ndarray, shape (n_in, G_new+2k+1)
    new_coef : ndarray, shape (n_in, n_out, G_new+k)
    """
    G_new, k = spline.check_G_k(G_new, k)
    grid, coef, x = _check_layer_arrays(grid, coef, x, k)
    G = grid.shape[1] - 2 * k - 1
    base = grid[:, k : grid.shape[1] - k]  # (n_in, G+1)
    u_old = np.arange(G + 1) / G
    u_new = np.arange(G_new + 1) / G_new
    new_base = np.stack([np.interp(u_new, u_old, row) for row in base])  # (n_in, G_new+1)
    nested, new_base = knot_insertion.nested_base(base, new_base)
    new_grid = spline.extend_grid(new_base, k)
    if not nested.any():
        return new_grid, _refit(grid, coef, x, new_grid, k, method)
    new_coef = np.empty((coef.shape[0], coef.shape[1], G_new + k))
    new_coef[nested] = knot_insertion.insert_knots(grid[nested], coef[nested], new_grid[nested], k)
    if not nested.all():
        rest = ~nested
        new_coef[rest] = _refit(grid[rest], coef[rest], x[:, rest], new_grid[rest], k, method)
    return new_grid, new_coef


def _refit(grid, coef, x, new_grid, k, method="banded"):
    """Least-squares transfer of the splines ``(grid, coef)`` onto ``new_grid``, on samples ``x``;
    returns the new coefficients (n_in, n_out, n_basis of new_grid)."""
    old_spline = spline.curve(x, grid, coef, k)  # (N, n_in, n_out)
    return spline_fit.fit_coef(x, old_spline, new_grid, k, method=method)
