"""B-spline bases on extended knot vectors (paper Section 2.2, Eq. 2.12; Section 2.4, Eq. 2.16).

Conventions, used everywhere in minikan:

* ``k`` is the spline *degree* (the paper's "order k"; cubic is k = 3).
* A grid with ``G`` intervals on ``[a, b]`` has base knots ``t_k = a < ... < t_{G+k} = b`` and is
  extended by ``k`` knots on each side, giving ``G + 2k + 1`` knots ``t_0 .. t_{G+2k}`` and
  ``G + k`` basis functions ``B_0 .. B_{G+k-1}``. A knot array therefore has shape
  ``(n_in, G+2k+1)``: one knot vector per input of a layer, shared by the edges that leave it.
* The degree-0 pieces are half-open, ``[t_j, t_{j+1})``, so every basis function is
  right-continuous; only the last non-empty piece is closed at the last knot (as in SciPy), so
  that a degree-0 basis also sums to one at ``b``. For ``k >= 1``, ``x = b`` is an interior knot
  of the extended vector and nothing is lost there either. Partition of unity holds on the closed
  interval ``[t_k, t_{G+k}]``; on the ``k`` outer intervals on each side the sum decays towards
  zero, and **outside ``[t_0, t_{G+2k}]`` every basis function is exactly 0**, so an edge reduces
  to its base branch ``w_b * b(x)`` there (pykan's convention; for ``k >= 1`` the value at the last
  knot itself is 0 in both).
* Repeated knots are allowed; a 0/0 in the recursion is taken as 0 (de Boor's convention).

Two evaluations are provided. :func:`basis` is the dense Cox–de Boor recursion over all
``G + k`` functions, the readable reference. :func:`basis_local` runs the same recursion only for
the ``k + 1`` functions that can be non-zero at each point and returns them with the index of the
first one, so that its cost does not grow with ``G``; the layer uses it for speed and the tests
check that both agree.
"""
import numpy as np

from .._checks import brief


def uniform_grid(G, k, a=-1.0, b=1.0):
    """Uniform knot vector with ``G`` intervals on ``[a, b]``, extended by ``k`` knots per side.

    Parameters
    ----------
    G : int
        Number of grid intervals, ``G >= 1``.
    k : int
        Spline degree, ``k >= 0``.
    a, b : float
        Ends of the base interval, ``a < b``.

    Returns
    -------
    t : ndarray, shape (G+2k+1,)
        ``t_j = a + (j - k) h`` with ``h = (b - a) / G``; ``t_k = a`` and ``t_{G+k} = b`` exactly.

    Examples
    --------
    >>> uniform_grid(5, 3).round(2).tolist()
    [-2.2, -1.8, -1.4, -1.0, -0.6, -0.2, 0.2, 0.6, 1.0, 1.4, 1.8, 2.2]
    """
    G, k = check_G_k(G, k)
    a, b = float(a), float(b)
    if not (np.isfinite(a) and np.isfinite(b) and a < b):
        raise ValueError(f"grid range must be finite with a < b, got a={a}, b={b}")
    # linspace puts the ends of the base interval exactly at a and b (a + G h can miss b by an
    # ulp, which would move x = b outside a degree-0 basis)
    return extend_grid(np.linspace(a, b, G + 1), k)


def extend_grid(base, k):
    """Extend base knots ``(..., G+1)`` by ``k`` knots on each side -> ``(..., G+2k+1)``.

    The added knots are spaced by the *mean* spacing ``h = (t_G - t_0) / G`` of each base row,
    which is the true spacing for a uniform grid (pykan's ``extend_grid`` does the same, so grids
    built from samples match it knot for knot).
    """
    base = np.asarray(base, dtype=np.float64)
    if base.shape[-1] < 2:
        raise ValueError(f"base knots need at least 2 points along the last axis, got shape {base.shape}")
    G = base.shape[-1] - 1
    h = (base[..., -1:] - base[..., :1]) / G  # (..., 1)
    steps = np.arange(1, k + 1, dtype=np.float64)
    left = base[..., :1] - h * steps[::-1]  # (..., k)
    right = base[..., -1:] + h * steps  # (..., k)
    return np.concatenate([left, base, right], axis=-1)


def check_G_k(G, k):
    """Validate a grid size and a degree; return them as Python ints."""
    for name, value, low in (("G (grid intervals)", G, 1), ("k (spline degree)", k, 0)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < low:
            raise ValueError(f"{name} must be >= {low}, got {value}")
        if value > 2 ** 31 - 1:  # G + 2k + 1 knots per input: far beyond any memory already
            raise ValueError(f"{name} must be < 2**31, got {brief(value)}")
    return int(G), int(k)


def check_grid(grid, k):
    """Validate knots of shape ``(n_in, M)`` (or ``(M,)``) for degree ``k``; return float64 2-D."""
    check_G_k(1, k)
    grid = np.asarray(grid)
    if grid.dtype.kind not in "iuf":
        raise TypeError(f"knots must be a real numeric array, got dtype {grid.dtype}")
    grid = np.atleast_2d(grid.astype(np.float64, copy=False))
    if grid.ndim != 2:
        raise ValueError(f"knots must have shape (n_in, G+2k+1) or (G+2k+1,), got {grid.shape}")
    if grid.shape[1] < 2 * k + 2:
        raise ValueError(
            f"degree k={k} needs at least 2k+2={2 * k + 2} knots (G >= 1), got {grid.shape[1]}"
        )
    if not np.all(np.isfinite(grid)):
        raise ValueError("knots must be finite")
    if np.any(np.diff(grid, axis=1) < 0):
        raise ValueError("knots must be non-decreasing along each row")
    return grid


def _as_batch(x, grid, k):
    """Bring ``x`` to ``(N, n_in)`` and ``grid`` to ``(n_in, M)``; remember whether to squeeze."""
    grid2 = check_grid(grid, k)
    x = np.asarray(x, dtype=np.float64)
    squeeze = np.ndim(grid) == 1
    if squeeze:
        if x.ndim != 1:
            raise ValueError(f"with a 1-D knot vector, x must be 1-D (N,), got shape {x.shape}")
        x = x[:, None]
    elif x.ndim != 2 or x.shape[1] != grid2.shape[0]:
        raise ValueError(
            f"x must have shape (N, n_in) with n_in={grid2.shape[0]} (rows of the knot array), "
            f"got {x.shape}"
        )
    return x, grid2, squeeze


def _last_interval(grid):
    """Index of the last non-empty knot interval of each row, shape (n_in,): the number of knots
    strictly below the row's last knot, minus one (rows are non-decreasing)."""
    return (grid < grid[:, -1:]).sum(axis=1) - 1


def _ratio(num, den):
    """num / den with 0/0 (and anything over a zero-length knot span) taken as 0."""
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out


def basis(x, grid, k, deriv=0):
    """Dense Cox–de Boor: all ``G + k`` basis functions (or a derivative) at every point.

    .. math::
        B_{j,0}(x) = [t_j \\le x < t_{j+1}], \\qquad
        B_{j,d}(x) = \\frac{x - t_j}{t_{j+d} - t_j} B_{j,d-1}(x)
                   + \\frac{t_{j+d+1} - x}{t_{j+d+1} - t_{j+1}} B_{j+1,d-1}(x)

    and, for derivatives, ``B'_{j,d} = d (B_{j,d-1}/(t_{j+d}-t_j) - B_{j+1,d-1}/(t_{j+d+1}-t_{j+1}))``
    (de Boor, *A Practical Guide to Splines*, ch. X).

    Parameters
    ----------
    x : ndarray, shape (N, n_in), or (N,) with a 1-D knot vector
    grid : ndarray, shape (n_in, M) or (M,)
        Non-decreasing knots, ``M = G + 2k + 1`` for a grid made by :func:`uniform_grid`.
    k : int
        Degree.
    deriv : int or sequence of int
        Derivative order in ``x`` (0 = values). A sequence returns the orders stacked on a new
        first axis and shares the recursion between them.

    Returns
    -------
    B : ndarray, shape (N, n_in, M-k-1), or (N, M-k-1) with a 1-D knot vector
    """
    x, grid, squeeze = _as_batch(x, grid, k)
    t = grid[None, :, :]  # (1, n_in, M)
    xe = x[:, :, None]  # (N, n_in, 1)
    # level[d] holds the degree-d functions on these knots, shape (N, n_in, M-d-1)
    # half-open pieces [t_j, t_{j+1}); the last non-empty piece is closed at the last knot
    last = (np.arange(grid.shape[1] - 1) == _last_interval(grid)[:, None])[None]  # (1, n_in, M-1)
    piece = (t[..., :-1] <= xe) & ((xe < t[..., 1:]) | (last & (xe == t[..., 1:])))
    level = [piece.astype(np.float64)]
    # outside the knots every piece is 0; a finite stand-in for x there keeps the ratios below
    # from overflowing (|x| near 1e308), which would turn 0 * inf into NaN
    xe = np.where(piece.any(axis=-1, keepdims=True), xe, t[..., :1])
    for d in range(1, k + 1):
        prev = level[-1]
        left = _ratio(xe - t[..., : -d - 1], t[..., d:-1] - t[..., : -d - 1]) * prev[..., :-1]
        right = _ratio(t[..., d + 1 :] - xe, t[..., d + 1 :] - t[..., 1:-d]) * prev[..., 1:]
        level.append(left + right)

    def derivative(m, d):
        # m-th derivative of the degree-d functions, from the (m-1)-th of degree d-1
        if m == 0:
            return level[d]
        if m > d:
            return np.zeros_like(level[d])
        lower = derivative(m - 1, d - 1)  # (N, n_in, M-d)
        end = t.shape[-1] - 1  # so that t[..., d+1:end+1] has the right length
        first = _ratio(lower[..., :-1], t[..., d:end] - t[..., : end - d])
        second = _ratio(lower[..., 1:], t[..., d + 1 : end + 1] - t[..., 1 : end - d + 1])
        return d * (first - second)

    if np.ndim(deriv) == 0:
        B = derivative(int(deriv), k)
        return B[:, 0, :] if squeeze else B
    B = np.stack([derivative(int(m), k) for m in deriv])  # (len(deriv), N, n_in, n_basis)
    return B[:, :, 0, :] if squeeze else B


def _padded(grid, k):
    """Add ``k`` more knots on each side so the local recursion never leaves the array.

    A basis function depends only on its own ``k + 2`` knots, so padding changes none of the
    original ``G + k`` functions; it only gives the recursion well-defined neighbours on the outer
    intervals. The padding spacing is the mean spacing (1 if all knots coincide).
    """
    span = grid[:, -1:] - grid[:, :1]
    h = np.where(span > 0, span / (grid.shape[1] - 1), 1.0)  # (n_in, 1)
    steps = np.arange(1, k + 1, dtype=np.float64)
    return np.concatenate([grid[:, :1] - h * steps[::-1], grid, grid[:, -1:] + h * steps], axis=1)


def basis_local(x, grid, k, nderiv=0, *, assume_valid=False):
    """The ``k + 1`` basis functions that can be non-zero at each point, and their first index.

    For ``x`` in the knot interval ``[t_mu, t_{mu+1})`` only ``B_{mu-k} .. B_mu`` can be non-zero.
    The Cox–de Boor recursion of :func:`basis` is run for those alone (the triangular scheme of
    de Boor's BSPLVB), so the cost per point is O(k^2) whatever ``G`` is.

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    grid : ndarray, shape (n_in, M)
        Non-decreasing knots, ``n_basis = M - k - 1``.
    k : int
        Degree.
    nderiv : int
        Also return derivatives up to this order (0, 1 or 2 are typical).
    assume_valid : bool
        Skip the checks of ``grid`` and the shapes (for knots a layer validated when it was built;
        the training loop calls this thousands of times and the checks cost about a tenth of it).

    Returns
    -------
    values : ndarray, shape (nderiv+1, N, n_in, k+1)
        ``values[m, n, i, r]`` is the m-th derivative of ``B_{start[n,i] + r}`` at ``x[n, i]``.
    start : ndarray of int, shape (N, n_in)
        First basis index of the window, always in ``[0, n_basis - k - 1]`` so that
        ``start + r`` indexes a real coefficient. Near the ends of the knot vector the window is
        shifted inwards and holds zeros for the functions that vanish; outside
        ``[t_0, t_{M-1}]`` all values are 0.
    """
    if assume_valid:
        x = np.asarray(x, dtype=np.float64)
    else:
        x, grid, _ = _as_batch(x, grid, k)  # (N, n_in), (n_in, M)
    N, n_in = x.shape
    M = grid.shape[1]
    n_basis = M - k - 1
    P = _padded(grid, k)  # (n_in, M+2k)
    rows = np.arange(n_in)[None, :]  # (1, n_in)

    # interval index mu with t_mu <= x < t_{mu+1}; one binary search per input keeps this O(log M)
    mu = np.empty((N, n_in), dtype=np.int64)
    for i in range(n_in):
        mu[:, i] = np.searchsorted(grid[i], x[:, i], side="right") - 1
    inside = (x >= grid[:, 0]) & (x <= grid[:, -1])  # (N, n_in)
    last = _last_interval(grid)  # (n_in,)
    # points outside get a non-empty interval too (their values are zeroed below), so that every
    # knot difference used by the recursion spans a non-empty interval and is positive
    all_inside = bool(inside.all())  # the usual case in training: skip the masking below
    if all_inside:
        mu = np.minimum(mu, last) + k  # index into the padded knots
    else:
        mu = np.where(inside, np.minimum(mu, last), last) + k
        # and a finite stand-in for x there: far outside (|x| ~ 1e80 for k = 3) the products of
        # the recursion overflow, and inf * 0 would turn the zeroed values into NaN
        x = np.where(inside, x, grid[:, -1])

    # one gather of the 2k+2 knots t_{mu-k} .. t_{mu+k+1} around each point; every knot the
    # recursion needs is then a slice of it: knot(a, b) = t_{mu+a} .. t_{mu+b-1}. The basis
    # index runs along the first axis so that every slice is a contiguous (N, n_in) block.
    T = np.take(P.ravel(), np.arange(-k, k + 2)[:, None, None] + (rows * P.shape[1] + mu))  # (2k+2, N, n_in)

    def knot(a, b):
        return T[a + k: b + k]

    # level[d][r] = B_{mu-d+r, d}(x), r = 0..d, in padded numbering. B_{mu-d+r, d} takes
    # B_{mu-d+r, d-1} and B_{mu-d+r+1, d-1} (Cox-de Boor); both terms that meet the same
    # degree-(d-1) function share the denominator t_{mu+r+1} - t_{mu+r+1-d}, so divide once.
    level = [np.ones((1, N, n_in))]
    for d in range(1, k + 1):
        right, left = knot(1, d + 1), knot(1 - d, 1)  # t_{mu+r+1}, t_{mu+r+1-d}, r = 0..d-1
        temp = level[-1] / (right - left)  # (d, N, n_in)
        new = np.zeros((d + 1, N, n_in))
        new[:d] += temp * (right - x)
        new[1:] += temp * (x - left)
        level.append(new)

    def derivative(m, d):
        # B'_{j,d} = d (B_{j,d-1} / (t_{j+d} - t_j) - B_{j+1,d-1} / (t_{j+d+1} - t_{j+1}))
        if m == 0:
            return level[d]
        if m > d:
            return np.zeros((d + 1, N, n_in))
        temp = d * derivative(m - 1, d - 1) / (knot(1, d + 1) - knot(1 - d, 1))  # (d, N, n_in)
        out = np.zeros((d + 1, N, n_in))
        out[1:] += temp
        out[:d] -= temp
        return out

    values = np.empty((int(nderiv) + 1, N, n_in, k + 1))  # the layout callers index
    for m in range(int(nderiv) + 1):
        level_m = derivative(m, k)  # (k+1, N, n_in)
        for r in range(k + 1):  # one contiguous block each: cheaper than a transposing copy
            values[m, :, :, r] = level_m[r]
    if not all_inside:
        values[:, ~inside] = 0.0

    # padded function mu-k+r is original function mu-2k+r; shift the window inside [0, n_basis)
    first = mu - 2 * k  # original index of values[..., 0]
    start = np.minimum(np.maximum(first, 0), n_basis - k - 1)
    shift = first - start  # values[..., r] belongs at window slot r + shift
    # only points on the outer intervals (or at b) need the shift
    n, i = np.nonzero(shift) if shift.any() else (np.zeros(0, dtype=np.int64),) * 2
    if n.size:
        slot = np.arange(k + 1) - shift[n, i][:, None]  # window slot q reads values[q - shift]
        valid = (slot >= 0) & (slot <= k)
        moved = np.take_along_axis(values[:, n, i, :], np.clip(slot, 0, k)[None], axis=-1)
        values[:, n, i, :] = moved * valid
    return values, start


def local_to_dense(values, start, n_basis):
    """Scatter a local window ``(..., N, n_in, k+1)`` into the dense layout ``(..., N, n_in, n_basis)``."""
    *lead, N, n_in, kp1 = values.shape
    dense = np.zeros((*lead, N, n_in, n_basis))
    idx = start[..., None] + np.arange(kp1)  # (N, n_in, k+1)
    np.put_along_axis(dense, np.broadcast_to(idx, (*lead, N, n_in, kp1)), values, axis=-1)
    return dense


def curve(x, grid, coef, k):
    """Evaluate the spline part ``spline_ij(x_i) = sum_m coef[i, j, m] B_m(x_i)`` (Eq. 2.12).

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    grid : ndarray, shape (n_in, G+2k+1)
    coef : ndarray, shape (n_in, n_out, G+k)

    Returns
    -------
    y : ndarray, shape (N, n_in, n_out)
    """
    values, start = basis_local(x, grid, k)
    return np.einsum("nir,nirj->nij", values[0], gather_coef(coef, start, k))


def gather_coef(coef, start, k):
    """The coefficients of the local window: ``coef[i, :, start[n, i] + r]``.

    Parameters
    ----------
    coef : ndarray, shape (n_in, n_out, n_basis)
    start : ndarray of int, shape (N, n_in)
    k : int

    Returns
    -------
    window : ndarray, shape (N, n_in, k+1, n_out)
    """
    n_in, n_out, n_basis = coef.shape
    rows = coef.transpose(0, 2, 1).reshape(n_in * n_basis, n_out)  # row i*n_basis + m is c_i:m
    idx = (np.arange(n_in)[:, None] * n_basis + start[..., None]) + np.arange(k + 1)  # (N, n_in, k+1)
    return np.take(rows, idx, axis=0)


def check_fit_args(x, y, grid, k):
    """Validate the arguments of a least-squares spline fit; return ``x, y, grid`` as float64.

    ``x`` (N >= 1, n_in), ``y`` (N, n_in, n_out), knots (n_in, G+2k+1), all finite.
    """
    grid = check_grid(grid, k)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n_in = grid.shape[0]
    if x.ndim != 2 or x.shape[1] != n_in or x.shape[0] < 1:
        raise ValueError(f"x must have shape (N >= 1, n_in={n_in}), got {x.shape}")
    if y.ndim != 3 or y.shape[:2] != x.shape:
        raise ValueError(f"y must have shape (N, n_in, n_out) = ({x.shape[0]}, {n_in}, n_out), got {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("fit_coef needs finite x and y")
    return x, y, grid


def fit_coef(x, y, grid, k):
    """Least-squares spline coefficients for each edge: the dense reference solver.

    Solves, independently for each input ``i`` and all its outputs at once,
    ``min_c sum_n (sum_m c[i, j, m] B_m(x[n, i]) - y[n, i, j])^2`` with ``numpy.linalg.lstsq``
    (SVD based) on the dense ``(N, G+k)`` design matrix. On rank-deficient systems (clustered or
    duplicated samples, fewer samples than coefficients, samples missing from some knot intervals)
    it returns the minimum-norm solution, which is finite, so coefficients that no sample
    constrains are set to 0. Its cost is O(N G^2) time and O(N G) memory per input; grid updates
    and grid extension use the banded solver :func:`minikan.core.spline_fit.fit_coef` instead, and the
    layer initialisations that need minimum-norm semantics use this one.

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    y : ndarray, shape (N, n_in, n_out)
    grid : ndarray, shape (n_in, G+2k+1)
    k : int

    Returns
    -------
    coef : ndarray, shape (n_in, n_out, G+k)
    """
    x, y, grid = check_fit_args(x, y, grid, k)
    n_in, M = grid.shape
    n_basis = M - k - 1
    values, start = basis_local(x, grid, k)
    A = local_to_dense(values[0], start, n_basis)  # (N, n_in, n_basis)
    coef = np.empty((n_in, y.shape[2], n_basis))
    for i in range(n_in):
        coef[i] = np.linalg.lstsq(A[:, i, :], y[:, i, :], rcond=None)[0].T
    return coef
