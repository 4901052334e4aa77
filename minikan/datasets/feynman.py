"""The 27 dimensionless Feynman equations of Table 3 (Section 3.3, Appendix D).

Each entry of ``FEYNMAN`` holds the equation written twice, independently: as a NumPy function
``f(X)`` with X of shape (N, n_var) returning (N, 1), and as a sympy expression (``expr``, a string
parsed by ``FeynmanEquation.sympy_expr``), so the two can be checked against each other.

Ranges. The paper gives a range only for its worked example (Eq. 3.1, I.16.6: u, v drawn from
(-1, 1)); every other range is **inferred** (marked ``range_source="inferred"``). The inferred ranges
follow the physical meaning of each dimensionless variable: angles over a full turn, ratios of
like quantities in [0.5, 2] when they sit in a denominator or a logarithm, signed quantities in
[-1, 1], and bounds that keep square roots, arcsines and denominators away from their
singularities. Every target is finite on its box (tested).

Variable names follow the paper's "Variables" column where it is legible; its cells are garbled in
several rows, so the dimensionless formulas were rederived from the original AI Feynman equations.
"""
from typing import Callable, NamedTuple

import numpy as np

from .sampling import make_dataset

TWO_PI = 2.0 * np.pi


class FeynmanEquation(NamedTuple):
    """One row of Table 3.

    name : str, the Feynman equation id (e.g. "I.6.2")
    variables : tuple of str, input column names in order
    f : callable, X (N, n_var) -> y (N, 1)
    expr : str, the same formula in sympy syntax over ``variables``
    ranges : tuple of (lo, hi), one per variable
    range_source : "paper" or "inferred"
    original : str, the dimensional formula it comes from (for reference)
    human_shape : tuple of int, the paper's human-constructed KAN shape
    """

    name: str
    variables: tuple
    f: Callable
    expr: str
    ranges: tuple
    range_source: str
    original: str
    human_shape: tuple

    @property
    def n_var(self):
        return len(self.variables)

    def sympy_expr(self):
        """The formula as a sympy expression in real symbols named after ``variables``."""
        import sympy  # imported here so that loading the datasets does not pay for sympy

        syms = {v: sympy.Symbol(v, real=True) for v in self.variables}
        # the explicit local names stop sympify from reading e.g. "beta" as the Beta function
        return sympy.sympify(self.expr, locals=syms)

    def sympy_symbols(self):
        """The symbols of ``sympy_expr`` in column order."""
        import sympy

        return tuple(sympy.Symbol(v, real=True) for v in self.variables)


def _cols(X, n):
    return [X[:, [i]] for i in range(n)]


def _eq(name, variables, f, expr, ranges, original, human_shape, source="inferred"):
    variables = tuple(variables.split())
    return FeynmanEquation(name, variables, f, expr, tuple(ranges), source, original,
                           tuple(human_shape))


def _i_29_16(X):
    a, t1, t2 = _cols(X, 3)
    d = t1 - t2
    # |1 - a e^{i d}| written as a sum of squares, so rounding can never make the root negative
    return np.hypot(1.0 - a * np.cos(d), a * np.sin(d))


_U = (-1.0, 1.0)
_P = (0.0, 1.0)
_R = (0.5, 2.0)
_A = (0.0, TWO_PI)

FEYNMAN = {e.name: e for e in [
    _eq("I.6.2", "theta sigma",
        lambda X: np.exp(-X[:, [0]] ** 2 / (2 * X[:, [1]] ** 2)) / np.sqrt(TWO_PI * X[:, [1]] ** 2),
        "exp(-theta**2/(2*sigma**2))/sqrt(2*pi*sigma**2)", [_U, _R],
        "exp(-theta^2/(2 sigma^2))/sqrt(2 pi sigma^2)", [2, 2, 1, 1]),
    _eq("I.6.2b", "theta theta1 sigma",
        lambda X: np.exp(-(X[:, [0]] - X[:, [1]]) ** 2 / (2 * X[:, [2]] ** 2))
        / np.sqrt(TWO_PI * X[:, [2]] ** 2),
        "exp(-(theta - theta1)**2/(2*sigma**2))/sqrt(2*pi*sigma**2)",
        [(-1.5, 1.5), (-1.5, 1.5), _R],
        "exp(-(theta-theta1)^2/(2 sigma^2))/sqrt(2 pi sigma^2)", [3, 2, 2, 1, 1]),
    # lengths in units of x1 (so x1 -> 1), G m1 m2 -> a; b, c, e < 0 < d, f keeps the
    # denominator >= 2.25 + 1 + 1
    _eq("I.9.18", "a b c d e f",
        lambda X: X[:, [0]] / ((X[:, [1]] - 1) ** 2 + (X[:, [2]] - X[:, [3]]) ** 2
                               + (X[:, [4]] - X[:, [5]]) ** 2),
        "a/((b - 1)**2 + (c - d)**2 + (e - f)**2)",
        [_U, (-1.0, -0.5), (-1.0, -0.5), (0.5, 1.0), (-1.0, -0.5), (0.5, 1.0)],
        "G m1 m2/((x2-x1)^2 + (y2-y1)^2 + (z2-z1)^2)", [6, 4, 2, 1, 1]),
    _eq("I.12.11", "a theta", lambda X: 1 + X[:, [0]] * np.sin(X[:, [1]]),
        "1 + a*sin(theta)", [_U, _A], "q (E_f + B v sin(theta))", [2, 2, 2, 1]),
    _eq("I.13.12", "a b", lambda X: X[:, [0]] * (1 / X[:, [1]] - 1), "a*(1/b - 1)", [_P, _R],
        "G m1 m2 (1/r2 - 1/r1)", [2, 2, 1]),
    # a = u t / x, b = u / c; |b| <= 0.9 keeps the Lorentz factor finite
    _eq("I.15.3x", "a b", lambda X: (1 - X[:, [0]]) / np.sqrt(1 - X[:, [1]] ** 2),
        "(1 - a)/sqrt(1 - b**2)", [_U, (-0.9, 0.9)], "(x - u t)/sqrt(1 - u^2/c^2)", [2, 2, 1, 1]),
    # the only range the paper states (Eq. 3.1): u, v in (-1, 1); the target stays in (-1, 1)
    _eq("I.16.6", "a b", lambda X: (X[:, [0]] + X[:, [1]]) / (1 + X[:, [0]] * X[:, [1]]),
        "(a + b)/(1 + a*b)", [_U, _U], "(u + v)/(1 + u v/c^2)", [2, 2, 2, 2, 2, 1], "paper"),
    # a = m2/m1 > 0, b = r2/r1
    _eq("I.18.4", "a b", lambda X: (1 + X[:, [0]] * X[:, [1]]) / (1 + X[:, [0]]),
        "(1 + a*b)/(1 + a)", [_R, _U], "(m1 r1 + m2 r2)/(m1 + m2)", [2, 2, 2, 1, 1]),
    # n < 1 keeps the arcsine argument inside [-1, 1]
    _eq("I.26.2", "n theta2", lambda X: np.arcsin(X[:, [0]] * np.sin(X[:, [1]])),
        "asin(n*sin(theta2))", [(0.0, 0.99), _A], "arcsin(n sin(theta2))", [2, 2, 2, 1, 1]),
    _eq("I.27.6", "a b", lambda X: 1 / (1 + X[:, [0]] * X[:, [1]]), "1/(1 + a*b)", [_R, _R],
        "1/(1/d1 + n/d2)", [2, 2, 1, 1]),
    _eq("I.29.16", "a theta1 theta2", _i_29_16,
        "sqrt(1 + a**2 - 2*a*cos(theta1 - theta2))", [_U, _A, _A],
        "sqrt(x1^2 + x2^2 - 2 x1 x2 cos(theta1 - theta2))", [3, 2, 2, 3, 2, 1, 1]),
    # theta in [0.4 pi, 1.6 pi] keeps |sin(theta/2)| >= sin(0.2 pi) = 0.59
    _eq("I.30.3", "n theta",
        lambda X: np.sin(X[:, [0]] * X[:, [1]] / 2) ** 2 / np.sin(X[:, [1]] / 2) ** 2,
        "sin(n*theta/2)**2/sin(theta/2)**2", [(0.0, 4.0), (0.4 * np.pi, 1.6 * np.pi)],
        "I_0 sin^2(n theta/2)/sin^2(theta/2)", [2, 3, 2, 2, 1, 1]),
    # n >= 1 >= |a| keeps the arcsine argument inside [-1, 1]
    _eq("I.30.5", "a n", lambda X: np.arcsin(X[:, [0]] / X[:, [1]]), "asin(a/n)",
        [_U, (1.0, 2.0)], "arcsin(lambda/(n d))", [2, 1, 1]),
    # a = I2/I1 > 0 under the square root
    _eq("I.37.4", "a delta", lambda X: 1 + X[:, [0]] + 2 * np.sqrt(X[:, [0]]) * np.cos(X[:, [1]]),
        "1 + a + 2*sqrt(a)*cos(delta)", [(0.1, 1.0), _A],
        "I1 + I2 + 2 sqrt(I1 I2) cos(delta)", [2, 3, 2, 1]),
    _eq("I.40.1", "n0 a", lambda X: X[:, [0]] * np.exp(-X[:, [1]]), "n0*exp(-a)", [_P, _U],
        "n_0 exp(-m g x/(k_b T))", [2, 1, 1]),
    _eq("I.44.4", "n a", lambda X: X[:, [0]] * np.log(X[:, [1]]), "n*log(a)", [_P, _R],
        "n k_b T ln(V2/V1)", [2, 2, 1]),
    _eq("I.50.26", "a alpha", lambda X: np.cos(X[:, [0]]) + X[:, [1]] * np.cos(X[:, [0]]) ** 2,
        "cos(a) + alpha*cos(a)**2", [_A, _P],
        "x1 (cos(omega t) + alpha cos^2(omega t))", [2, 2, 3, 1]),
    _eq("II.2.42", "a b", lambda X: (X[:, [0]] - 1) * X[:, [1]], "(a - 1)*b", [(0.0, 2.0), _P],
        "kappa (T2 - T1) A/d", [2, 2, 1]),
    # coordinates in units of r: a = x/r, b = y/r, c = z/r; field in units of p_d/(eps r^3)
    _eq("II.6.15a", "a b c",
        lambda X: 3 / (4 * np.pi) * X[:, [2]] * np.sqrt(X[:, [0]] ** 2 + X[:, [1]] ** 2),
        "3/(4*pi)*c*sqrt(a**2 + b**2)", [_P, _P, _P],
        "3/(4 pi eps) p_d z/r^5 sqrt(x^2 + y^2)", [3, 2, 2, 2, 1]),
    _eq("II.11.7", "n0 a theta", lambda X: X[:, [0]] * (1 + X[:, [1]] * np.cos(X[:, [2]])),
        "n0*(1 + a*cos(theta))", [_P, _U, _A],
        "n_0 (1 + p_d E_f cos(theta)/(k_b T))  (AI Feynman II.11.17)", [3, 3, 3, 2, 2, 1]),
    # n alpha <= 2 keeps the denominator >= 1/3
    _eq("II.11.27", "n alpha", lambda X: X[:, [0]] * X[:, [1]] / (1 - X[:, [0]] * X[:, [1]] / 3),
        "n*alpha/(1 - n*alpha/3)", [_P, (0.0, 2.0)],
        "n alpha/(1 - n alpha/3) eps E_f", [2, 2, 1, 2, 1]),
    _eq("II.35.18", "n0 a", lambda X: X[:, [0]] / (np.exp(X[:, [1]]) + np.exp(-X[:, [1]])),
        "n0/(exp(a) + exp(-a))", [_P, (0.0, 4.0)],
        "n_0/(exp(mu B/(k_b T)) + exp(-mu B/(k_b T)))", [2, 1, 1]),
    _eq("II.36.38", "a alpha b", lambda X: X[:, [0]] + X[:, [1]] * X[:, [2]], "a + alpha*b",
        [_P, _P, _P], "mu B/(k_b T) + mu alpha M/(eps c^2 k_b T)", [3, 3, 1]),
    _eq("II.38.3", "a b", lambda X: X[:, [0]] / X[:, [1]], "a/b", [_P, _R], "Y A x/d", [2, 1, 1]),
    # a sin^2(u)/u^2 with u = (b - c)/2, written with np.sinc (sin(pi t)/(pi t)) to avoid 0/0
    _eq("III.9.52", "a b c", lambda X: X[:, [0]] * np.sinc((X[:, [1]] - X[:, [2]]) / TWO_PI) ** 2,
        "a*sin((b - c)/2)**2/((b - c)/2)**2", [_P, (0.0, np.pi), (0.0, np.pi)],
        "p_d E_f t/hbar sin^2((omega - omega_0) t/2)/((omega - omega_0) t/2)^2",
        [3, 2, 3, 1, 1]),
    _eq("III.10.19", "a b", lambda X: np.sqrt(1 + X[:, [0]] ** 2 + X[:, [1]] ** 2),
        "sqrt(1 + a**2 + b**2)", [_U, _U], "mu sqrt(B_x^2 + B_y^2 + B_z^2)", [2, 1, 1]),
    _eq("III.17.37", "alpha beta theta", lambda X: X[:, [1]] * (1 + X[:, [0]] * np.cos(X[:, [2]])),
        "beta*(1 + alpha*cos(theta))", [_P, _P, _A], "beta (1 + alpha cos(theta))",
        [3, 3, 3, 2, 2, 1]),
]}


def feynman_equation(name):
    """The ``FeynmanEquation`` with id ``name`` (a key of ``FEYNMAN``, e.g. ``"I.16.6"``)."""
    if name not in FEYNMAN:
        raise ValueError(f"unknown Feynman equation {name!r}; choose one of {list(FEYNMAN)}")
    return FEYNMAN[name]


def make_feynman(name, n_train=1000, n_test=1000, seed=0):
    """Sample Feynman equation ``name`` on its ranges; a ``Dataset`` with inputs (N, n_var), labels (N, 1).

    Sizes default to pykan's 1000/1000; the paper does not state them for Table 3.
    """
    e = feynman_equation(name)
    return make_dataset(e.f, e.n_var, e.ranges, n_train, n_test, seed)
