"""Symbolic function library and the affine fit ``y ~ c*f(a*x+b)+d`` (paper Section 2.5.1, Table 7).

"Symbolification" (Section 2.5.1, item 4) snaps a learned edge activation to a known function. Its
inputs and outputs may be shifted and scaled, so from samples ``(x, y)`` of the edge we fit

.. math::  y \\approx c\\, f(a x + b) + d

by an iterative grid search over ``(a, b)`` followed by linear regression for ``(c, d)``
(:func:`fit_affine`). :func:`suggest` (Table 7's ``suggest_symbolic``) fits every library function
and ranks them.

Each :class:`SymbolicFunction` also carries a *safe* version, finite for every finite input, for use
in training where ``a*x+b`` may wander onto a pole or off the domain. The rules, with
``Y_TH = 1e3`` the largest magnitude a safe function takes near a pole:

* ``1/x^n``: where ``|z| < x_th = Y_TH**(-1/n)`` (so that ``|f| > Y_TH``) odd ``n`` continues linearly
  through 0 (slope ``Y_TH/x_th``, continuous, odd), even ``n`` is the constant ``Y_TH``.
* ``sqrt``: odd extension ``sign(z)*sqrt(|z|)``, linear (slope ``Y_TH``) for ``|z| < Y_TH**-2`` so that
  the derivative stays finite. ``x^1.5``: ``|z|**1.5`` (even, as pykan). ``1/sqrt(x)``: ``|z|``
  clamped to at least ``Y_TH**-2`` (even, so at most ``Y_TH``). ``log``: ``log|z|``, ``|z|`` clamped
  to at least ``exp(-Y_TH)`` (or the smallest normal float, which is larger).
* ``tan``: within ``delta = pi/2 - arctan(Y_TH)`` of a pole, the straight line from ``+Y_TH`` to
  ``-Y_TH`` (continuous). ``arcsin``, ``arccos``: argument clipped to ``[-1, 1]``. ``arctanh``: argument
  clipped to ``[-(1-u), 1-u]`` with ``u`` one ulp below 1 (``|arctanh| <= 18.7``).
* ``exp``, ``cosh``: no singularity, only overflow: argument clipped to ``|z| <= Z_EXP = 100``.
* all others (polynomials, sin, cos, tanh, sgn, abs, arctan, gaussian, sigmoid, 0) are finite as they
  are (polynomials up to float overflow, ``|z|`` beyond ~1e61).

``dsafe`` is the derivative of ``safe``; at a kink it takes one of the one-sided values (0 at the clip
points, where arcsin' is infinite), and ``sgn``, ``abs`` use 0 at 0.
"""
import types
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import scipy.optimize
import scipy.special
import sympy

from .._checks import as_bool, as_float, as_int

Y_TH = 1e3
Z_EXP = 100.0
_LOG_FLOOR = max(np.exp(-Y_TH), np.finfo(np.float64).tiny)
_TAN_DELTA = np.pi / 2 - np.arctan(Y_TH)
_ATANH_EDGE = np.nextafter(1.0, 0.0)
_CHUNK_BYTES = 2**21  # one (rows, grid_number, N) float64 block in fit_affine: small blocks stay in cache


@dataclass(frozen=True)
class SymbolicFunction:
    """One library entry.

    Attributes
    ----------
    name : str
    f, df : callable
        ``f`` and its derivative, elementwise on ndarrays (nan/inf allowed off the domain).
    sympy : callable
        Maps a sympy expression ``z`` to ``f(z)`` as a sympy expression.
    complexity : int
        Used by :func:`suggest` when ``weight_simple > 0``.
    safe, dsafe : callable, optional
        Finite-everywhere version of ``f`` and its derivative (module docstring); default ``f``/``df``,
        right for a user function that is already finite everywhere (e.g. ``scipy.special.j0``).
    """

    name: str
    f: Callable
    df: Callable
    sympy: Callable
    complexity: int
    safe: Callable = None
    dsafe: Callable = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty str, got {self.name!r}")
        for field in ("f", "df", "sympy"):
            if not callable(getattr(self, field)):
                raise TypeError(f"{field} of {self.name!r} must be callable")
        if isinstance(self.complexity, bool) or not isinstance(self.complexity, (int, np.integer)) \
                or self.complexity < 0:
            raise ValueError(f"complexity of {self.name!r} must be an int >= 0, got {self.complexity!r}")
        # frozen dataclass: defaults are filled in through object.__setattr__
        if self.safe is None:
            object.__setattr__(self, "safe", self.f)
        if self.dsafe is None:
            object.__setattr__(self, "dsafe", self.df)


def _ipow(z, n):
    """z**n for a small positive int n by repeated multiplication (np.power with a float exponent is
    several times slower, and this runs inside the (a, b) grid search)."""
    z = np.asarray(z, dtype=float)
    out = z
    for _ in range(n - 1):
        out = out * z
    return out


def _inverse_power(n):
    """``1/z^n`` with its safe form: ``|f|`` capped at Y_TH, odd n linear through 0, even n constant."""
    x_th = Y_TH ** (-1.0 / n)

    def safe(z):
        z = np.asarray(z, dtype=float)
        core = np.abs(z) < x_th
        zz = np.where(core, 1.0, z)  # keep 1/0 out of the discarded branch
        return np.where(core, Y_TH / x_th * z if n % 2 else Y_TH, 1.0 / _ipow(zz, n))

    def dsafe(z):
        z = np.asarray(z, dtype=float)
        core = np.abs(z) < x_th
        zz = np.where(core, 1.0, z)
        return np.where(core, Y_TH / x_th if n % 2 else 0.0, -n / _ipow(zz, n + 1))

    name = "1/x" if n == 1 else f"1/x^{n}"
    return SymbolicFunction(name, lambda z: 1.0 / _ipow(z, n), lambda z: -n / _ipow(z, n + 1),
                            lambda z: 1 / z ** n, max(n, 2), safe, dsafe)


def _power(n, complexity):
    return SymbolicFunction(f"x^{n}", lambda z: _ipow(z, n), lambda z: n * _ipow(z, n - 1),
                            lambda z: z ** n, complexity)


def _sqrt_safe(z):
    z = np.asarray(z, dtype=float)
    return np.where(np.abs(z) < Y_TH ** -2, Y_TH * z, np.sign(z) * np.sqrt(np.abs(z)))


def _sqrt_dsafe(z):
    z = np.abs(np.asarray(z, dtype=float))
    return np.where(z < Y_TH ** -2, Y_TH, 0.5 / np.sqrt(np.maximum(z, Y_TH ** -2)))


def _tan_offset(z):
    """Offset of z from its nearest pole pi/2 + k*pi, in [-pi/2, pi/2)."""
    return np.mod(z, np.pi) - np.pi / 2


def _tan_safe(z):
    z = np.asarray(z, dtype=float)
    u = _tan_offset(z)
    return np.where(np.abs(u) < _TAN_DELTA, -Y_TH / _TAN_DELTA * u, np.tan(z))


def _tan_dsafe(z):
    z = np.asarray(z, dtype=float)
    return np.where(np.abs(_tan_offset(z)) < _TAN_DELTA, -Y_TH / _TAN_DELTA, 1.0 / np.cos(z) ** 2)


def _clipped(f, df, lo, hi):
    """``f`` with its argument clipped to [lo, hi]; the derivative is 0 outside."""
    def dsafe(z):
        z = np.asarray(z, dtype=float)
        inside = (z > lo) & (z < hi)  # 0 at the clip points too, where arcsin' is infinite
        return np.where(inside, df(np.clip(z, lo, hi)), 0.0)
    return (lambda z: f(np.clip(z, lo, hi))), dsafe


def _asin_d(z):
    return 1.0 / np.sqrt(np.maximum(1.0 - z * z, 0.0))


def _build_library():
    S = SymbolicFunction
    lib = [S("x", lambda z: np.asarray(z, dtype=float), np.ones_like, lambda z: z, 1),
           _power(2, 2), _power(3, 3), _power(4, 3), _power(5, 3)]
    lib += [_inverse_power(n) for n in range(1, 6)]
    lib += [
        S("sqrt", np.sqrt, lambda z: 0.5 / np.sqrt(z), sympy.sqrt, 2, _sqrt_safe, _sqrt_dsafe),
        S("x^1.5", lambda z: z * np.sqrt(z), lambda z: 1.5 * np.sqrt(z), lambda z: sympy.sqrt(z) ** 3,
          4, lambda z: np.abs(z) ** 1.5, lambda z: 1.5 * np.sign(z) * np.sqrt(np.abs(z))),
        S("1/sqrt(x)", lambda z: 1.0 / np.sqrt(z), lambda z: -0.5 * z ** -1.5, lambda z: 1 / sympy.sqrt(z), 2,
          lambda z: 1.0 / np.sqrt(np.maximum(np.abs(z), Y_TH ** -2)),
          lambda z: np.where(np.abs(z) < Y_TH ** -2, 0.0,
                             -0.5 * np.sign(z) * np.maximum(np.abs(z), Y_TH ** -2) ** -1.5)),
        S("exp", np.exp, np.exp, sympy.exp, 2, *_clipped(np.exp, np.exp, -np.inf, Z_EXP)),
        S("log", np.log, lambda z: 1.0 / z, sympy.log, 2,
          lambda z: np.log(np.maximum(np.abs(z), _LOG_FLOOR)),
          lambda z: np.where(np.abs(z) < _LOG_FLOOR, 0.0, 1.0 / np.where(np.abs(z) < _LOG_FLOOR, 1.0, z))),
        S("abs", np.abs, np.sign, sympy.Abs, 3),
        S("sin", np.sin, np.cos, sympy.sin, 2),
        S("cos", np.cos, lambda z: -np.sin(z), sympy.cos, 2),
        S("tan", np.tan, lambda z: 1.0 / np.cos(z) ** 2, sympy.tan, 3, _tan_safe, _tan_dsafe),
        S("tanh", np.tanh, lambda z: 1.0 / np.cosh(z) ** 2, sympy.tanh, 3),
        S("sgn", np.sign, np.zeros_like, sympy.sign, 3),
        S("arcsin", np.arcsin, _asin_d, sympy.asin, 4, *_clipped(np.arcsin, _asin_d, -1.0, 1.0)),
        S("arccos", np.arccos, lambda z: -_asin_d(z), sympy.acos, 4,
          *_clipped(np.arccos, lambda z: -_asin_d(z), -1.0, 1.0)),
        S("arctan", np.arctan, lambda z: 1.0 / (1.0 + z * z), sympy.atan, 4),
        S("arctanh", np.arctanh, lambda z: 1.0 / (1.0 - z * z), sympy.atanh, 4,
          *_clipped(np.arctanh, lambda z: 1.0 / (1.0 - z * z), -_ATANH_EDGE, _ATANH_EDGE)),
        S("0", lambda z: np.zeros_like(z, dtype=float), lambda z: np.zeros_like(z, dtype=float),
          lambda z: sympy.Integer(0) * z, 0),
        S("gaussian", lambda z: np.exp(-z * z), lambda z: -2.0 * z * np.exp(-z * z),
          lambda z: sympy.exp(-z ** 2), 3),
        # Not in pykan 0.2.8 (commented out there), in the paper-era library. Complexity 3, the tier of
        # tanh: both are ratios/sums of two exponentials; sigmoid(z) = (1 + tanh(z/2))/2 is even an
        # affine transform of tanh, so the two fit identically and should cost the same.
        S("cosh", np.cosh, np.sinh, sympy.cosh, 3,
          *_clipped(np.cosh, np.sinh, -Z_EXP, Z_EXP)),
        S("sigmoid", scipy.special.expit,
          lambda z: scipy.special.expit(z) * scipy.special.expit(-np.asarray(z, dtype=float)),
          lambda z: 1 / (1 + sympy.exp(-z)), 3),
    ]
    return types.MappingProxyType({fn.name: fn for fn in lib})


LIBRARY: Mapping[str, SymbolicFunction] = _build_library()
"""The default library (read-only): pykan 0.2.8's functions and complexities, plus cosh and sigmoid."""

ALIASES = types.MappingProxyType({"x^0.5": "sqrt", "1/x^0.5": "1/sqrt(x)", "1/sqrt": "1/sqrt(x)",
                                  "x^1": "x", "sign": "sgn"})


def get_function(fun, lib=None):
    """The :class:`SymbolicFunction` for ``fun``: a name looked up in ``lib`` (a mapping name ->
    SymbolicFunction or a list of LIBRARY names; default LIBRARY, also accepting ALIASES such as
    ``'x^0.5'``), or a SymbolicFunction returned as is."""
    if isinstance(fun, SymbolicFunction):
        return fun
    if not isinstance(fun, str):
        raise TypeError(f"fun must be a function name or a SymbolicFunction, got {type(fun).__name__}")
    if isinstance(lib, (list, tuple)) and all(isinstance(n, str) for n in lib):
        lib = library(lib)  # a list of LIBRARY names, as suggest accepts
    elif lib is not None and not isinstance(lib, Mapping):
        raise TypeError(f"lib must be a mapping name -> SymbolicFunction or a list of names, got {type(lib).__name__}")
    table = LIBRARY if lib is None else lib
    name = fun if fun in table else ALIASES.get(fun, fun)
    if name not in table:
        raise ValueError(f"unknown symbolic function {fun!r}; valid names: {sorted(table)}")
    if not isinstance(table[name], SymbolicFunction):
        raise TypeError(f"lib[{name!r}] must be a SymbolicFunction, got {type(table[name]).__name__}")
    return table[name]


def library(names=None, extra=None):
    """A user library: the LIBRARY entries ``names`` (all when None, in LIBRARY order) plus ``extra``.

    ``extra`` is an iterable of :class:`SymbolicFunction` (e.g. a Bessel ``J0``); a name clash raises
    ``ValueError`` rather than silently shadowing an entry.
    """
    base = list(LIBRARY) if names is None else names
    if isinstance(base, str):
        raise TypeError("names must be a list of function names, not a single str")
    out = {}
    for name in base:
        fn = get_function(name)
        out[fn.name] = fn
    for fn in extra or ():
        if not isinstance(fn, SymbolicFunction):
            raise TypeError(f"extra must hold SymbolicFunction objects, got {type(fn).__name__}")
        if fn.name in out:
            raise ValueError(f"extra function {fn.name!r} clashes with a library name")
        out[fn.name] = fn
    return out


def _as_samples(x, y):
    arrays = []
    for name, a in (("x", x), ("y", y)):
        arr = np.asarray(a)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
        if arr.ndim != 1 or arr.shape[0] < 2:
            raise ValueError(f"{name} must be 1-D with at least 2 samples, got shape {arr.shape}")
        arr = arr.astype(np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
        arrays.append(arr)
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(f"x and y must have the same length, got {arrays[0].shape[0]} and {arrays[1].shape[0]}")
    return arrays


def _as_range(r, name):
    try:
        lo, hi = (float(v) for v in r)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {r!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be finite with low < high, got {r!r}")
    return lo, hi


def _r2_grid(f, x, yc, a, b):
    """Squared Pearson correlation of ``f(a_i x + b_j)`` with y, shape (len(a), len(b)).

    Cells where f is non-finite on some sample get -1 so they are never chosen; cells where
    f(a x + b) is constant up to rounding (relative std below 1e-12), or y is constant, get 0.
    """
    n, g = x.size, b.size
    rows = max(1, _CHUNK_BYTES // (8 * n * g))  # bounds memory for large N
    out = np.empty((a.size, g))
    yy = yc @ yc
    for s in range(0, a.size, rows):
        with np.errstate(all="ignore"):  # off-domain cells produce nan/inf by design; masked below
            F = np.asarray(f(a[s:s + rows, None, None] * x + b[None, :, None]), dtype=float)  # (rows, g, n)
            mean = F.mean(axis=-1)
            F = F - mean[..., None]
            ss = np.einsum("ijk,ijk->ij", F, F)
            r2 = (F @ yc) ** 2 / (ss * yy) if yy > 0 else np.zeros_like(ss)
            flat = ss <= n * (1e-12 * mean) ** 2
        r2 = np.where(flat, 0.0, np.clip(r2, 0.0, 1.0))
        out[s:s + rows] = np.where(np.isfinite(ss) & np.isfinite(r2), r2, -1.0)
    return out


class _NoFiniteCell(ValueError):
    """No (a, b) in the search window gives finite f(a x + b) on all samples."""


def fit_affine(x, y, fun, a_range=(-10, 10), b_range=(-10, 10), grid_number=101, iterations=3, lib=None,
               refine=False, normalize=False):
    """Fit ``y ~ c*f(a*x+b) + d`` (Section 2.5.1, "symbolic snapping"; Table 7 ``fix_symbolic``).

    Parameters
    ----------
    x, y : array_like, shape (N,)
        Pre- and post-activations of one edge, finite, N >= 2.
    fun : str or SymbolicFunction
    a_range, b_range : (float, float)
        Initial search window. The defaults (-10, 10) are pykan's; widen them for fast functions
        (J0(20x) needs a up to 40).
    grid_number : int
        Grid points per axis (>= 3). Each iteration evaluates the (N, grid_number, grid_number) values
        in chunks of rows of a: memory is about 5 x max(2 MiB, 8 N grid_number bytes), 40 MB at N=1e4.
    iterations : int
        Zoom steps. Each keeps the two cells around the best point, so the step shrinks by a factor
        (grid_number - 1)/2: with the defaults 0.2, 0.004, 8e-5, i.e. a and b to about 4e-5.
    lib : mapping name -> SymbolicFunction, optional
        Where a name ``fun`` is looked up (default LIBRARY).
    refine : bool
        Not in the paper: polish (a, b) from the grid optimum by least squares (scipy
        ``least_squares``, (c, d) eliminated by OLS, within the ranges), kept if it lowers the
        residual. The grid alone can stop a cell off when the r2 ridge is tilted against the grid.
    normalize : bool
        Not in the paper or pykan: search on ``x`` mapped affinely onto [-1, 1] (``u = (x - m)/s``
        with ``m, s`` the midpoint and half-width of its range), so that the ranges bound
        ``c f(a' u + b') + d`` and are relative to the data; the result is converted back to
        ``(a, b) = (a'/s, b' - a' m/s)``. Without it an edge whose inputs are small (a hidden node
        of amplitude 0.05, say) needs ``|a|`` far beyond pykan's 10 to reach the curved part of
        ``exp`` or ``sin``, and the search settles for a function that mimics it (a tanh tail).

    Returns
    -------
    params : ndarray, shape (4,)
        ``(a, b, c, d)``.
    r2 : float
        Coefficient of determination ``1 - SS_res/SS_tot`` of the final fit; 0 if y is constant or
        no (a, b) gives a non-constant f(a x + b).

    Notes
    -----
    Grid search maximises the squared Pearson correlation between f(a x + b) and y, which equals the
    R^2 of the best (c, d) for that (a, b). Unlike pykan 0.2.8 no absolute epsilon is added to its
    denominator (so the fit is scale invariant), cells where f is non-finite or constant are excluded,
    and at each zoom every coordinate moves independently: an interior best point keeps its two
    neighbouring cells, a best point on the boundary keeps the one boundary cell (pykan freezes the
    other coordinate in that case). The best point found so far is kept across iterations.
    The final r2 is computed from the residual, never from the grid. Raises ``ValueError`` if every
    (a, b) makes f non-finite on some sample.

    Examples
    --------
    >>> x = np.linspace(-1, 1, 50)
    >>> params, r2 = fit_affine(x, 2 * np.sin(3 * x + 0.5) - 1, "sin", a_range=(0, 5), b_range=(-1, 1))
    >>> params.round(4).tolist(), bool(r2 > 0.9999)
    ([3.0, 0.5, 2.0, -1.0], True)
    """
    x, y = _as_samples(x, y)
    m, s = 0.0, 1.0
    if as_bool(normalize, "normalize") and np.ptp(x) > 0:
        m, s = (x.max() + x.min()) / 2, (x.max() - x.min()) / 2
        x = (x - m) / s
    fn = get_function(fun, lib)
    a_lo, a_hi = _as_range(a_range, "a_range")
    b_lo, b_hi = _as_range(b_range, "b_range")
    grid_number = as_int(grid_number, "grid_number", 3)
    iterations = as_int(iterations, "iterations", 1)

    const_y = np.ptp(y) == 0.0
    scale = 1.0 if const_y else np.abs(y - y.mean()).max()
    # unit scale keeps the sums of squares clear of under/overflow, so r2 is scale invariant
    yc = np.zeros_like(y) if const_y else (y - y.mean()) / scale
    best = None  # (r2, a, b)
    for _ in range(iterations):
        a = np.linspace(a_lo, a_hi, grid_number)
        b = np.linspace(b_lo, b_hi, grid_number)
        r2 = _r2_grid(fn.f, x, yc, a, b)
        i, j = np.unravel_index(np.argmax(r2), r2.shape)  # first maximum in row-major order
        if r2[i, j] < 0.0:
            if best is None:
                raise _NoFiniteCell(f"{fn.name}(a*x+b) is non-finite on some sample for every (a, b) in "
                                 f"a_range={a_range}, b_range={b_range}")
            break
        if best is None or r2[i, j] >= best[0]:
            best = (r2[i, j], a[i], b[j])
        a_lo, a_hi = a[max(i - 1, 0)], a[min(i + 1, grid_number - 1)]
        b_lo, b_hi = b[max(j - 1, 0)], b[min(j + 1, grid_number - 1)]
    _, a_best, b_best = best
    if refine:
        a_best, b_best = _refine(fn.f, x, yc, a_best, b_best, _as_range(a_range, "a_range"),
                                 _as_range(b_range, "b_range"))

    # F on the search's own coordinates: converting (a, b) first and applying them to the raw x can
    # move a point at the edge of f's domain (sqrt, log at 0) outside it by a rounding error
    F = fn.f(a_best * x + b_best)
    a_best, b_best = a_best / s, b_best - a_best * m / s  # back to the raw x (identity without normalize)
    Fc = F - F.mean()
    if const_y or Fc @ Fc <= x.size * (1e-12 * F.mean()) ** 2:
        # nothing to explain, or nothing to explain it with: the best constant
        return np.array([a_best, b_best, 0.0, y[0] if const_y else y.mean()]), 0.0
    c, d, resid = _ols(F, y)
    resid = resid / scale
    r2_final = max(0.0, 1.0 - (resid @ resid) / (yc @ yc))
    return np.array([a_best, b_best, c, d]), float(r2_final)


# Functions whose affine parameters have a symmetry: c f(a x + b) + d is unchanged along a curve
# of (a, b, c, d), so the fit may land anywhere on it. z^n (n = +-1 .. +-5): c (a x + b)^n =
# (c a^n) (x + b/a)^n; exp: c e^(a x + b) = (c e^b) e^(a x). See canonical_affine.
_SCALE_FREE = {"x": 1, "x^2": 2, "x^3": 3, "x^4": 4, "x^5": 5,
               "1/x": -1, "1/x^2": -2, "1/x^3": -3, "1/x^4": -4, "1/x^5": -5}


def canonical_affine(name, params):
    """The same function ``c f(a x + b) + d`` with its free parameter fixed: ``a = 1`` for the
    powers ``x^n`` and ``1/x^n``, ``b = 0`` for ``exp``; other functions are returned unchanged.

    A fit can end anywhere along such a symmetry (only ``c a^2`` matters for ``x^2``, say), and a
    point like ``a = -9.6, c = 9e-4`` makes the loss far more sensitive to ``c`` than to the other
    parameters, which stalls L-BFGS when the affine parameters are trained afterwards.

    Parameters
    ----------
    name : str
        A library function name (others are returned unchanged).
    params : array_like, shape (4,)
        ``(a, b, c, d)``.

    Returns
    -------
    ndarray, shape (4,)
        Equal to ``params`` where the canonical form is not finite or ``a = 0``.
    """
    a, b, c, d = (float(v) for v in params)
    with np.errstate(all="ignore"):
        if name in _SCALE_FREE and a != 0.0:
            n = _SCALE_FREE[name]
            new = np.array([1.0, b / a, c * a ** n, d])
        elif name == "exp":
            new = np.array([a, 0.0, c * np.exp(b), d])
        else:
            new = np.array([a, b, c, d])
    return new if np.all(np.isfinite(new)) else np.array([a, b, c, d])


def _ols(F, y):
    """``(c, d, residual)`` of the least-squares line ``y ~ c*F + d`` (SVD based lstsq)."""
    (c, d), *_ = np.linalg.lstsq(np.column_stack([F, np.ones_like(F)]), y, rcond=None)
    return c, d, y - (c * F + d)


def _refine(f, x, y, a0, b0, a_range, b_range):
    """Local least-squares polish of (a, b) with (c, d) eliminated by OLS (variable projection),
    inside the search ranges; kept only if it lowers the residual."""
    scale = np.sqrt(np.sum((y - y.mean()) ** 2))

    def residual(p):
        with np.errstate(all="ignore"):
            F = f(p[0] * x + p[1])
        if not np.all(np.isfinite(F)):
            return np.full(x.size, 1e3 * scale / np.sqrt(x.size))  # off the domain: a bad, finite cost
        return _ols(F, y)[2]

    start = residual((a0, b0))
    sol = scipy.optimize.least_squares(residual, (a0, b0), bounds=tuple(zip(a_range, b_range)),
                                       xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200)
    return (sol.x[0], sol.x[1]) if sol.fun @ sol.fun < start @ start else (a0, b0)


def suggest(x, y, lib=None, topk=5, weight_simple=0.0, a_range=(-10, 10), b_range=(-10, 10), refine=False,
            normalize=False, tie=1e-3):
    """Rank library functions by how well ``c*f(a*x+b)+d`` fits (Table 7 ``suggest_symbolic``).

    Every function is fitted with :func:`fit_affine` and scored (lower is better) by

        score = (1 - weight_simple) * log2(1 + 1e-5 - r2) + weight_simple * complexity.

    ``weight_simple=0`` ranks by r2 alone, as the paper describes; pykan 0.2.8 defaults to 0.8. The
    1e-5 caps the reward for r2 -> 1 at log2(1e-5) = -16.6.

    Scores within ``tie`` of the best remaining score are ties, ordered by lower complexity, then
    library order (the best remaining function opens a group, every function within ``tie`` of it
    joins, and the next group starts after them). The default 1e-3 is a change of 0.07 % in
    ``1e-5 + 1 - r2``, below what the grid search of :func:`fit_affine` resolves: ``sin`` and
    ``cos`` fit the same curves but their best grid cells differ by that much, and many functions
    reach r2 = 1 up to such amounts (cos(a x) with a -> 0 mimics x^2, tanh(a x + b) with b << 0
    mimics exp). Functions for which no (a, b) in the ranges gives finite values on all samples are
    left out.

    Parameters
    ----------
    x, y : array_like, shape (N,)
    lib : mapping name -> SymbolicFunction or list of names, optional
        Default LIBRARY.
    topk : int
    weight_simple : float in [0, 1]
    a_range, b_range, refine, normalize : passed to :func:`fit_affine`.
    tie : float >= 0
        Score difference treated as a tie (0: strict ranking by score).

    Returns
    -------
    list of (name, params, r2, complexity, score), best first, at most ``topk`` long.
    """
    x, y = _as_samples(x, y)
    topk = as_int(topk, "topk", 1)
    weight_simple = as_float(weight_simple, "weight_simple", 0.0, 1.0)
    tie = as_float(tie, "tie", 0.0)
    _as_range(a_range, "a_range"), _as_range(b_range, "b_range")  # fail here, not once per function
    if lib is None:
        table = LIBRARY
    elif isinstance(lib, Mapping):
        table = lib
    elif isinstance(lib, (list, tuple)):
        table = library(lib)
    else:
        raise TypeError(f"lib must be a mapping name -> SymbolicFunction or a list of names, got {type(lib).__name__}")
    rows = []
    for order, name in enumerate(table):
        fn = get_function(name, table)
        try:
            params, r2 = fit_affine(x, y, fn, a_range, b_range, refine=refine, normalize=normalize)
        except _NoFiniteCell:
            continue  # no valid (a, b): not a candidate on these samples
        score = (1 - weight_simple) * np.log2(1 + 1e-5 - r2) + weight_simple * fn.complexity
        rows.append((float(score), fn.complexity, order, (fn.name, params, r2, fn.complexity, float(score))))
    rows.sort(key=lambda r: r[:3])
    ranked = []
    while rows:
        group = [r for r in rows if r[0] <= rows[0][0] + tie]
        ranked += sorted(group, key=lambda r: r[1:3])
        rows = rows[len(group):]
    return [r[3] for r in ranked[:topk]]


POLYNOMIALS = ("x", "x^2", "x^3", "x^4", "x^5")
"""Library names that :func:`simplest` prefers among near-equal fits of the same complexity."""
NEAR = 10.0
"""Default of :func:`simplest`: fits whose unexplained variance is within this factor of the best."""
R2_FLOOR = 1e-10
"""Unexplained variance ``1 - r2`` below which every fit counts as exact (see :func:`simplest`)."""


def simplest(ranking, near=NEAR, floor=R2_FLOOR):
    r"""The simplest function among the near-equal best fits of a :func:`suggest` ranking.

    A fit is *near-equal* to the best when its unexplained variance is at most ``near`` times the
    best one's (or below ``floor``, where every fit is exact to rounding):

    .. math::  1 - r^2_f \le \max(\text{near}\,(1 - r^2_{best}),\ \text{floor}).

    Among them the lowest ``complexity`` wins; among equal complexities a polynomial (``x``,
    ``x^2``, ... ``x^5``) comes before any other function (``x^2`` and ``cos`` both have
    complexity 2), then the one earlier in ``ranking`` (:func:`suggest` orders by r², with
    fits within its ``tie`` in library order: ``sin`` before ``cos``). Why a ratio and not pykan's additive
    complexity weight: the learned activation is a spline that only approximates its true function,
    and a function with a free parameter to spare absorbs part of that approximation error.
    ``cosh(a x)`` and ``cos(a x)`` at small ``a x`` equal ``x^2`` up to a quartic term, ``arctan``
    and ``tanh`` near 0 are linear up to a cubic one, ``(x + b)^2`` with a large ``b`` is linear:
    on such an edge the look-alike fits a few times better than the true polynomial, never
    orders of magnitude. A wrong simple function, on the other hand, leaves orders of magnitude
    more variance unexplained than the true one once the spline is trained (``x`` on ``sin(pi x)``:
    ``1 - r^2`` about 0.2 against 1e-8). ``near = 10`` sits between the two: measured on trained
    edges, true polynomials were within a factor 1.1–4 of their look-alikes, and true
    transcendental functions more than 100 times better than the best simpler function.

    Parameters
    ----------
    ranking : list of (name, params, r2, complexity, score)
        As returned by :func:`suggest`.
    near : float >= 1
    floor : float >= 0

    Returns
    -------
    (name, params, r2, complexity, score) or None
        None for an empty ranking.
    """
    near = as_float(near, "near", 1.0)
    floor = as_float(floor, "floor", 0.0)
    if not ranking:
        return None
    best = max(r[2] for r in ranking)
    limit = max(near * (1.0 - best), floor)
    close = [(r[3], r[0] not in POLYNOMIALS, k, r) for k, r in enumerate(ranking) if 1.0 - r[2] <= limit]
    return min(close, key=lambda c: c[:3])[3]
