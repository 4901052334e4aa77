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
first one, so that its cost does not grow with ``G``; the tests check that both agree.

:class:`LocalBasis` wraps those local values as the design operator of Eq. 2.12 at fixed points:
``apply`` gives the spline part of every edge (or a derivative), ``adjoint`` its transpose, the
coefficient gradient. The KAN layer, the LAN, the input-derivative code and the banded
least-squares fit all go through it; :class:`DenseBasis` is the same operator on the dense basis.
:class:`Knots` holds what the operator needs from the knots (a padded copy), prepared once per grid.
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


class Knots:
    """A knot array prepared for the local basis, once per grid (not once per evaluation).

    Holds a private copy of the knots and what every :class:`LocalBasis` on them needs: the padded
    knots of :func:`_padded`, the last non-empty interval of each row and the row ends. A layer
    keeps one and asks :meth:`describes` before reusing it, so that knots replaced or edited in
    place are noticed.

    Parameters
    ----------
    grid : ndarray, shape (n_in, M) or (M,)
        Non-decreasing knots, ``M = G + 2k + 1`` for a grid made by :func:`uniform_grid`.
    k : int
        Degree.
    assume_valid : bool
        Skip :func:`check_grid` (for knots that were validated when a layer was built).

    Attributes
    ----------
    grid : ndarray, shape (n_in, M), float64 (a copy)
    k, n_basis : int
        Degree and number of basis functions ``M - k - 1``.
    padded : ndarray, shape (n_in * (M + 2k),)
        The padded knots, row after row, for one flat gather.
    last : ndarray of int, shape (n_in,)
        Index of each row's last non-empty interval (:func:`_last_interval`).
    """

    def __init__(self, grid, k, *, assume_valid=False):
        self._source = grid  # what the caller holds, for :meth:`describes`
        if assume_valid:
            grid = np.atleast_2d(np.asarray(grid, dtype=np.float64))
        else:
            grid = check_grid(grid, k)
        self.grid = grid.copy()
        self.k = int(k)
        self.n_basis = grid.shape[1] - self.k - 1
        self.padded = _padded(self.grid, self.k).ravel()
        self.last = _last_interval(self.grid)
        self.lo, self.hi = self.grid[:, 0].copy(), self.grid[:, -1].copy()  # (n_in,) each

    @property
    def n_in(self):
        return self.grid.shape[0]

    def describes(self, grid, k):
        """Whether these are still the knots ``grid`` (the same array, unchanged) of degree ``k``.

        The identity test catches a replaced array and the comparison an edit in place; both cost
        O(n_in M), nothing next to an evaluation on N points."""
        return grid is self._source and k == self.k and np.array_equal(grid, self.grid)

    @classmethod
    def cached(cls, grid, k, previous):
        """``previous`` if it still describes ``grid``, otherwise new (unchecked) knots for it."""
        if previous is not None and previous.describes(grid, k):
            return previous
        return cls(grid, k, assume_valid=True)


def _local_levels(x, knots, nderiv):
    """The local Cox–de Boor recursion behind :class:`LocalBasis`.

    ``x`` (N, n_in) float64, ``knots`` a :class:`Knots`. Returns ``V`` of shape
    (nderiv+1, k+1, N, n_in), ``V[m, r, n, i]`` = m-th derivative of ``B_{start[n,i]+r}`` at
    ``x[n, i]`` (the window index before the points axes, so that each window slot is one
    contiguous (N, n_in) block), and ``start`` (N, n_in); see :func:`basis_local`.
    """
    k, grid, P = knots.k, knots.grid, knots.padded
    N, n_in = x.shape
    M = grid.shape[1]
    width = M + 2 * k  # padded knots per row

    # the result first, the scratch arrays after it: what is freed on return then lies above it
    V = np.empty((int(nderiv) + 1, k + 1, N, n_in))

    # interval index mu with t_mu <= x < t_{mu+1}; one binary search per input keeps this O(log M)
    mu = np.empty((N, n_in), dtype=np.int64)
    for i in range(n_in):
        mu[:, i] = grid[i].searchsorted(x[:, i], side="right")
    mu -= 1
    inside = (x >= knots.lo) & (x <= knots.hi)  # (N, n_in)
    # points outside get a non-empty interval too (their values are zeroed below), so that every
    # knot difference used by the recursion spans a non-empty interval and is positive
    all_inside = bool(inside.all())  # the usual case in training: skip the masking below
    if all_inside:
        np.minimum(mu, knots.last, out=mu)
    else:
        mu = np.where(inside, np.minimum(mu, knots.last), knots.last)
        # and a finite stand-in for x there: far outside (|x| ~ 1e80 for k = 3) the products of
        # the recursion overflow, and inf * 0 would turn the zeroed values into NaN
        x = np.where(inside, x, knots.hi)
    mu += k  # index into the padded knots

    # the 2k knots t_{mu-k+1} .. t_{mu+k} around each point, one (N, n_in) block per offset:
    # knot(a) = t_{mu+a}. Everything below works on such blocks, in place where it can: arrays of
    # a few (N, n_in) blocks allocated per operation cost page faults on every call (measured:
    # a recursion with whole-level temporaries ran 2-5x slower on 5,000-100,000 points)
    flat = mu + np.arange(n_in) * width  # (N, n_in)
    T = [np.take(P, flat + a) for a in range(1 - k, k + 1)]

    def knot(a):
        return T[a + k - 1]

    B = V[0]  # B[r] = B_{mu-d+r, d}(x), r = 0..d, for the degree d reached so far (padded numbering)
    span, term, saved = np.empty((N, n_in)), np.empty((N, n_in)), np.empty((N, n_in))
    B[0] = 1.0
    for d in range(1, k + 1):
        if 1 <= k + 1 - d <= nderiv:
            V[k + 1 - d, :d] = B[:d]  # degree d - 1: where the derivative of order k + 1 - d starts
        # Cox-de Boor: B_{mu-d+r, d} takes B_{mu-d+r, d-1} and B_{mu-d+r+1, d-1}; both terms that
        # meet the same degree-(d-1) function share the denominator t_{mu+r+1} - t_{mu+r+1-d}
        # (positive: the interval of mu lies inside), so each is divided once (de Boor's BSPLVB)
        for r in range(d):
            right, left = knot(r + 1), knot(r + 1 - d)
            np.subtract(right, left, out=span)
            np.divide(B[r], span, out=term)
            np.subtract(right, x, out=span)
            np.multiply(span, term, out=B[r])
            if r > 0:
                B[r] += saved
            np.subtract(x, left, out=span)
            np.multiply(span, term, out=saved)
        B[d] = saved
    for m in range(1, int(nderiv) + 1):
        if m > k:
            V[m] = 0.0
            continue
        # B'_{j,d} = d (B_{j,d-1} / (t_{j+d} - t_j) - B_{j+1,d-1} / (t_{j+d+1} - t_{j+1})),
        # applied m times from the degree k - m values stored above, in place from the top slot
        D = V[m]
        for d in range(k - m + 1, k + 1):  # D[0..d-1] (degree d-1) -> D[0..d] (derivative, degree d)
            q_prev, q = saved, term  # q_r = d B_{.,d-1} / span, for r = d-1 down to 0
            for r in range(d - 1, -1, -1):
                np.subtract(knot(r + 1), knot(r + 1 - d), out=span)
                np.multiply(D[r], d, out=q)
                q /= span
                if r == d - 1:
                    D[d] = q
                else:
                    np.subtract(q, q_prev, out=D[r + 1])
                q_prev, q = q, q_prev
            np.negative(q_prev, out=D[0])
    if not all_inside:
        V[..., ~inside] = 0.0

    # padded function mu-k+r is original function mu-2k+r; shift the window inside [0, n_basis)
    first = mu - 2 * k  # original index of V[:, 0]
    start = np.minimum(np.maximum(first, 0), knots.n_basis - k - 1)
    shift = first - start  # V[:, r] belongs at window slot r + shift
    # only points on the outer intervals (or at b) need the shift
    if shift.any():
        n, i = np.nonzero(shift)
        slot = np.arange(k + 1)[:, None] - shift[n, i]  # (k+1, P): window slot q reads V[:, q - shift]
        valid = (slot >= 0) & (slot <= k)
        moved = np.take_along_axis(V[:, :, n, i], np.clip(slot, 0, k)[None], axis=1)
        V[:, :, n, i] = moved * valid
    return V, start


def basis_local(x, grid, k, nderiv=0, *, assume_valid=False):
    """The ``k + 1`` basis functions that can be non-zero at each point, and their first index.

    For ``x`` in the knot interval ``[t_mu, t_{mu+1})`` only ``B_{mu-k} .. B_mu`` can be non-zero.
    The Cox–de Boor recursion of :func:`basis` is run for those alone (the triangular scheme of
    de Boor's BSPLVB), so the cost per point is O(k^2) whatever ``G`` is. (The same values, as an
    operator with products and adjoints: :class:`LocalBasis`.)

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    grid : ndarray, shape (n_in, M), or a :class:`Knots`
        Non-decreasing knots, ``n_basis = M - k - 1``.
    k : int
        Degree.
    nderiv : int
        Also return derivatives up to this order (0, 1 or 2 are typical).
    assume_valid : bool
        Skip the checks of ``grid`` and the shapes (for knots a layer validated when it was built).

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
    op = LocalBasis(x, grid, k, nderiv, assume_valid=assume_valid)
    return op.values, op.start


# a single output column is scattered with np.bincount; wider ones with SciPy's compressed-column
# product, which adds each point's k+1 rows of n_out values in one pass (measured with k = 3:
# n_out = 1, N n_in = 5000: bincount 34 us, sparse 87 us; n_out = 10, N n_in = 100,000:
# bincount 10-28 ms, sparse 2.6 ms)
_BINCOUNT_MAX_OUT = 1


class LocalBasis:
    """The B-spline design operator at fixed points, stored locally (Eq. 2.12).

    For points ``x`` (N, n_in) and knots with ``n_basis = G + k`` functions per input it represents
    the linear maps

    .. math::
        (A^{(d)} c)_{nij} = \\sum_m c_{ijm} B^{(d)}_m(x_{ni}), \\qquad
        (A^{(d)T} g)_{ijm} = \\sum_n B^{(d)}_m(x_{ni})\\, g_{nij}

    (the spline part of every edge ``i -> j`` and its derivatives, and the coefficient gradient
    of a loss that receives ``g = dL/ds``), from the ``k + 1`` values per point that can be
    non-zero and the index of the first (:func:`basis_local`). Nothing of size ``G`` per point
    is formed: both maps cost O(N n_in n_out k).

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    grid : ndarray, shape (n_in, G+2k+1), or a :class:`Knots` (reused, no padding per call)
    k : int
        Degree.
    nderiv : int
        Highest derivative order ``d`` the operator can apply (0, 1 or 2 are typical).
    assume_valid : bool
        Skip the checks of the knots and of ``x`` (for a layer's hot path, on inputs its caller
        validated).

    Attributes
    ----------
    start : ndarray of int, shape (N, n_in)
    k, nderiv, n_basis, N, n_in : int

    Examples
    --------
    >>> t = uniform_grid(4, 3)
    >>> op = LocalBasis(np.array([[0.1], [0.5]]), t[None], 3, nderiv=1)
    >>> op.apply(np.ones((1, 1, 7)))[:, 0, 0].round(12).tolist()  # partition of unity
    [1.0, 1.0]
    >>> float(op.adjoint(np.ones((2, 1, 1))).sum().round(12))  # <A 1, 1> = <1, A^T 1>
    2.0
    """

    def __init__(self, x, grid, k, nderiv=0, *, assume_valid=False):
        knots = grid if isinstance(grid, Knots) else None
        if knots is not None and knots.k != k:
            raise ValueError(f"the knots were prepared for degree {knots.k}, not k={k}")
        if knots is None and not assume_valid:
            x, grid, _ = _as_batch(x, grid, k)  # (N, n_in), (n_in, M); a 1-D pair as n_in = 1
        else:
            x = np.asarray(x, dtype=np.float64)
        if knots is None:
            knots = Knots(grid, k, assume_valid=True)
        elif not assume_valid and (x.ndim != 2 or x.shape[1] != knots.n_in):
            raise ValueError(f"x must have shape (N, n_in) with n_in={knots.n_in}, got {x.shape}")
        nderiv = int(nderiv)
        if nderiv < 0:
            raise ValueError(f"nderiv must be >= 0, got {nderiv}")
        self.k, self.nderiv, self.n_basis = knots.k, nderiv, knots.n_basis
        self.N, self.n_in = x.shape
        self._V, self.start = _local_levels(x, knots, nderiv)  # (nderiv+1, k+1, N, n_in), (N, n_in)
        # row of coefficient c_{i, :, start + r} in the (n_in * n_basis, n_out) layout, minus r
        self._row = self.start + np.arange(self.n_in) * self.n_basis  # (N, n_in)
        self._pattern = None  # the compressed-column pattern of A^T, built on first need

    @property
    def values(self):
        """``values[m, n, i, r]``: m-th derivative of ``B_{start[n,i]+r}`` at ``x[n, i]``,
        shape (nderiv+1, N, n_in, k+1) (a view)."""
        return np.moveaxis(self._V, 1, -1)

    def _order(self, d):
        d = int(d)
        if not 0 <= d <= self.nderiv:
            raise ValueError(f"derivative order d must be in [0, {self.nderiv}] (the operator was built "
                             f"with nderiv={self.nderiv}), got {d}")
        return d

    def _rows(self, coef):
        """``coef`` (n_in, n_out, n_basis) as rows (n_in * n_basis, n_out), checked."""
        coef = np.asarray(coef, dtype=np.float64)
        if coef.ndim != 3 or coef.shape[0] != self.n_in or coef.shape[2] != self.n_basis:
            raise ValueError(f"coef must have shape (n_in, n_out, n_basis) = ({self.n_in}, n_out, "
                             f"{self.n_basis}), got {coef.shape}")
        return coef.transpose(0, 2, 1).reshape(self.n_in * self.n_basis, coef.shape[1])

    def apply(self, coef, d=0):
        """``sum_m c_ijm B^(d)_m(x_ni)`` for every point and edge, shape (N, n_in, n_out).

        ``coef`` has shape (n_in, n_out, n_basis); ``d`` is a derivative order ``<= nderiv``."""
        return self.apply_all(coef, (self._order(d),))[0]

    def apply_all(self, coef, orders=None):
        """:meth:`apply` for several orders at once (one gather of the coefficients), shape
        (len(orders), N, n_in, n_out); ``orders`` defaults to ``0 .. nderiv``."""
        rows = self._rows(coef)
        orders = range(self.nderiv + 1) if orders is None else [self._order(d) for d in orders]
        out = np.empty((len(orders), self.N, self.n_in, rows.shape[1]))
        window, term = np.empty(out.shape[1:]), np.empty(out.shape[1:])  # reused for every r
        for r in range(self.k + 1):
            # rows[r:][row] is coefficient start + r of each point: one (N, n_in, n_out) gather
            np.take(rows[r:], self._row, axis=0, out=window)
            for a, d in enumerate(orders):
                if r == 0:
                    np.multiply(self._V[d, 0][..., None], window, out=out[a])
                else:
                    np.multiply(self._V[d, r][..., None], window, out=term)
                    out[a] += term
        return out

    def adjoint(self, g, d=0):
        """``sum_n B^(d)_m(x_ni) g_nij`` for every (i, j, m), shape (n_in, n_out, n_basis).

        Parameters
        ----------
        g : ndarray, shape (N, n_in, n_out), or (len(d), N, n_in, n_out) with a sequence ``d``
        d : int or sequence of int
            A sequence sums the adjoints of several orders, ``sum_a A^(d_a)T g_a`` (the
            coefficient gradient of a loss that reads a spline and its derivatives).
        """
        single = np.ndim(d) == 0
        orders = (self._order(d),) if single else tuple(self._order(m) for m in d)
        g = np.asarray(g, dtype=np.float64)
        lead = () if single else (len(orders),)
        if g.ndim != len(lead) + 3 or g.shape[:-1] != lead + (self.N, self.n_in):
            raise ValueError(f"g must have shape {lead + (self.N, self.n_in)} + (n_out,), got {g.shape}")
        if single:
            g = g[None]
        n_out = g.shape[3]
        size = self.n_in * self.n_basis
        if n_out <= _BINCOUNT_MAX_OUT:
            # per window slot r, every point adds B_{start+r} g to coefficient row start + r:
            # one bincount over the rows (r shifts the output instead of the indices)
            out = np.zeros(size)
            rows = self._row.ravel()
            for r in range(self.k + 1):
                weights = self._V[orders[0], r] * g[0, ..., 0]
                for a, m in enumerate(orders[1:], 1):
                    weights = weights + self._V[m, r] * g[a, ..., 0]
                out[r:] += np.bincount(rows, weights.ravel(), size - r)
            return out.reshape(self.n_in, 1, self.n_basis)
        # A^T as a compressed-column matrix: column (n, i) holds the k+1 values of its point in
        # rows i n_basis + start + r (increasing, as the format wants); the pattern is shared
        # by all orders and all calls on this operator
        from scipy.sparse import csc_matrix

        if self._pattern is None:
            indices = (self._row[..., None] + np.arange(self.k + 1)).ravel()
            self._pattern = (indices, np.arange(self.N * self.n_in + 1) * (self.k + 1))
        out = np.zeros((size, n_out))
        for a, m in enumerate(orders):
            data = np.moveaxis(self._V[m], 0, -1).ravel()  # (N, n_in, k+1) order, a copy
            At = csc_matrix((data, *self._pattern), shape=(size, self.N * self.n_in))
            out += At @ g[a].reshape(self.N * self.n_in, n_out)
        return out.reshape(self.n_in, self.n_basis, n_out).transpose(0, 2, 1)

    def dense(self, d=0):
        """The design matrix ``B^(d)_m(x_ni)`` in the dense layout, shape (N, n_in, n_basis)."""
        return local_to_dense(self._V[self._order(d)].transpose(1, 2, 0), self.start, self.n_basis)


class DenseBasis:
    """The operator of :class:`LocalBasis` from the dense basis of :func:`basis`: the readable
    reference, with the same methods. It stores (nderiv+1, N, n_in, G+k) values, so its cost
    grows with ``G``; a layer built with ``basis="dense"`` uses it.

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    grid : ndarray, shape (n_in, G+2k+1)
    k, nderiv : int
    """

    def __init__(self, x, grid, k, nderiv=0):
        self.k, self.nderiv = int(k), int(nderiv)
        self.B = basis(x, grid, k, deriv=range(self.nderiv + 1))  # (nderiv+1, N, n_in, n_basis)
        _, self.N, self.n_in, self.n_basis = self.B.shape

    def apply(self, coef, d=0):
        """``sum_m c_ijm B^(d)_m(x_ni)``, shape (N, n_in, n_out)."""
        return np.einsum("nim,ijm->nij", self.B[d], coef)

    def apply_all(self, coef, orders=None):
        """:meth:`apply` for ``orders`` (default all), shape (len(orders), N, n_in, n_out)."""
        orders = range(self.nderiv + 1) if orders is None else list(orders)
        return np.einsum("dnim,ijm->dnij", self.B[orders], coef)

    def adjoint(self, g, d=0):
        """``sum_n B^(d)_m(x_ni) g_nij``, shape (n_in, n_out, n_basis); a sequence ``d`` sums the
        adjoints of several orders over the leading axis of ``g``."""
        if np.ndim(d) == 0:
            return np.einsum("nim,nij->ijm", self.B[d], g)
        return np.einsum("dnim,dnij->ijm", self.B[list(d)], g)

    def dense(self, d=0):
        """The design matrix, shape (N, n_in, n_basis)."""
        return self.B[d]


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
    return LocalBasis(x, grid, k).apply(coef)


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
