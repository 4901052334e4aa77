"""The 15 two-variable special functions of Table 2 (Section 3.2, Figure 3.2), through ``scipy.special``.

The paper names each function by its SciPy call with two inputs ``(x, y)`` but states neither the
domain nor, for the multi-output or complex functions, which number is the target. The choices here
are ours (**inferred**) and are listed in ``SPECIAL_FUNCTIONS`` and ``docs/datasets.md``:

* Domain: x, y uniform on [0, 1]^2, the unit square inside pykan's default box [-1, 1]^2. The
  default box itself cannot have been used: on it ``ellipj`` (parameter m < 0), ``jv``, ``yv``,
  ``kv`` and ``iv`` (negative argument with non-integer order) return NaN on about half the draws,
  and ``sph_harm_y`` accepts only a polar angle in [0, pi].
* Exception: for ``yv`` and ``kv`` the argument y is drawn from [0.25, 1], because Y_v(y) and
  K_v(y) diverge as y -> 0 (yv(1, 1e-3) is about -637), which would make the target heavy-tailed.
* ``ellipj`` returns (sn, cn, dn, ph); the target is sn, the first.
* Spherical harmonics: the target is the real part of Y_n^m. The paper's call
  ``sph_harm(m, n, x, y)`` used SciPy's old order (order m, degree n, azimuth, polar); that function
  was removed in SciPy 1.17 and its replacement is ``sph_harm_y(n, m, polar, azimuth)``, with the
  degree first and the two angles swapped. So x is the azimuth and y the polar angle, as in the
  paper's call; the identity sph_harm(m, n, az, pol) == sph_harm_y(n, m, pol, az) is used below.
"""
from typing import Callable, NamedTuple

import numpy as np
from scipy import special

from .sampling import make_dataset


class SpecialFunction(NamedTuple):
    """One target of Table 2.

    f : callable, X (N, 2) -> y (N, 1), real float64
    n_var : int, always 2
    ranges : ((x_lo, x_hi), (y_lo, y_hi))
    paper_call : str, the call as printed in Table 2
    scipy_call : str, what is evaluated here
    domain_note : str, why this domain (all domains are our choice, not the paper's)
    """

    f: Callable
    n_var: int
    ranges: tuple
    paper_call: str
    scipy_call: str
    domain_note: str


def _sph_harm_real(m, n, azimuth, polar):
    """Re Y_n^m(polar, azimuth) with SciPy's normalisation (Condon-Shortley phase included)."""
    new = getattr(special, "sph_harm_y", None)
    if new is not None:  # SciPy >= 1.15
        return np.real(new(n, m, polar, azimuth))
    return np.real(special.sph_harm(m, n, azimuth, polar))  # older SciPy: the paper's own call


def _two_arg(fun):
    """Lift a scalar function g(x, y) to X (N, 2) -> (N, 1)."""
    def f(X):
        return np.asarray(fun(X[:, 0], X[:, 1]), dtype=np.float64)[:, None]
    f.__doc__ = "X (N, 2) -> (N, 1)."
    return f


_UNIT = ((0.0, 1.0), (0.0, 1.0))
_AWAY_FROM_ZERO = ((0.0, 1.0), (0.25, 1.0))
_NOTE_UNIT = "[0,1]^2: largest sub-box of [-1,1]^2 where the function is finite and smooth"
_NOTE_AWAY = "x in [0,1], y in [0.25,1]: the function diverges as y -> 0"


def _entry(fun, paper_call, scipy_call, ranges=_UNIT, note=_NOTE_UNIT):
    return SpecialFunction(_two_arg(fun), 2, ranges, paper_call, scipy_call, note)


SPECIAL_FUNCTIONS = {
    "ellipj": _entry(lambda x, y: special.ellipj(x, y)[0], "ellipj(x, y)",
                     "ellipj(u=x, m=y)[0]  (sn)",
                     note="[0,1]^2: m = y must lie in [0, 1] (NaN outside)"),
    "ellipkinc": _entry(special.ellipkinc, "ellipkinc(x, y)", "ellipkinc(phi=x, m=y)"),
    "ellipeinc": _entry(special.ellipeinc, "ellipeinc(x, y)", "ellipeinc(phi=x, m=y)"),
    "jv": _entry(special.jv, "jv(x, y)", "jv(v=x, z=y)",
                 note="[0,1]^2: negative z with non-integer order v gives NaN"),
    "yv": _entry(special.yv, "yv(x, y)", "yv(v=x, z=y)", _AWAY_FROM_ZERO, _NOTE_AWAY),
    "kv": _entry(special.kv, "kv(x, y)", "kv(v=x, z=y)", _AWAY_FROM_ZERO, _NOTE_AWAY),
    "iv": _entry(special.iv, "iv(x, y)", "iv(v=x, z=y)",
                 note="[0,1]^2: negative z with non-integer order v gives NaN"),
}
for _m in (0, 1, 2):
    SPECIAL_FUNCTIONS[f"lpmv_m{_m}"] = _entry(
        (lambda m: lambda x, y: special.lpmv(m, x, y))(_m), f"lpmv({_m}, x, y)",
        f"lpmv(m={_m}, v=x, x=y)  (degree x, argument y)",
        note="[0,1]^2: avoids the singularity of non-integer degree at argument -1")
for _m, _n in ((0, 1), (1, 1), (0, 2), (1, 2), (2, 2)):
    SPECIAL_FUNCTIONS[f"sph_harm_m{_m}_n{_n}"] = _entry(
        (lambda m, n: lambda x, y: _sph_harm_real(m, n, x, y))(_m, _n),
        f"sph_harm({_m}, {_n}, x, y)",
        f"sph_harm_y(n={_n}, m={_m}, theta=y, phi=x).real  (x azimuth, y polar)",
        note="[0,1]^2: both angles inside SciPy's documented ranges; real part as target")
del _m, _n


def special_function(name):
    """The ``SpecialFunction`` entry for ``name`` (a key of ``SPECIAL_FUNCTIONS``)."""
    if name not in SPECIAL_FUNCTIONS:
        raise ValueError(f"unknown special function {name!r}; choose one of "
                         f"{list(SPECIAL_FUNCTIONS)}")
    return SPECIAL_FUNCTIONS[name]


def make_special(name, n_train=1000, n_test=1000, seed=0):
    """Sample the special function ``name`` on its domain; a ``Dataset`` with inputs (N, 2), labels (N, 1).

    The sizes default to 1000/1000 (pykan's default; the paper does not state them).
    """
    s = special_function(name)
    return make_dataset(s.f, s.n_var, s.ranges, n_train, n_test, seed)
