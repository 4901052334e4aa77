"""Toy target functions of Sections 2.4, 3.1 and 4.1 of the KAN paper, by name.

``TOY_FUNCTIONS`` maps a name to a ``ToyFunction(f, n_var, ranges, equation, source)``; ``make_toy``
samples it with ``make_dataset``. Every ``f`` takes ``X`` of shape (N, n_var) and returns (N, n_out).
Domains are the paper's [-1, 1]^d unless the entry says otherwise (``x_over_y`` and
``first_decimal_digit``, where the paper's wording fixes the sign or the interval).
"""
from typing import Callable, NamedTuple

import numpy as np
from scipy import special

from .sampling import make_dataset


class ToyFunction(NamedTuple):
    """One named target.

    f : callable, X (N, n_var) -> y (N, n_out)
    n_var : int
    ranges : tuple of (lo, hi) pairs, one per variable
    equation : str, the formula as written in the paper
    source : str, where in the paper it is used
    """

    f: Callable
    n_var: int
    ranges: tuple
    equation: str
    source: str


def _box(n_var, lo=-1.0, hi=1.0):
    return tuple((lo, hi) for _ in range(n_var))


def j0_20x(X):
    """J_0(20 x): Section 3.1 example (1). X (N, 1) -> (N, 1)."""
    return special.j0(20.0 * X[:, [0]])


def exp_sin_pi_x_plus_y2(X):
    """exp(sin(pi x) + y^2): Figure 2.3, Section 2.5.2 and Section 3.1 example (2). X (N, 2)."""
    return np.exp(np.sin(np.pi * X[:, [0]]) + X[:, [1]] ** 2)


def xy(X):
    """x y: Section 3.1 example (3) and Figure 4.1(a). X (N, 2) -> (N, 1)."""
    return X[:, [0]] * X[:, [1]]


def exp_mean_sin2_100d(X):
    """exp((1/100) sum_i sin^2(pi x_i / 2)), i = 1..100: Section 3.1 example (4). X (N, 100)."""
    return np.exp(np.mean(np.sin(0.5 * np.pi * X) ** 2, axis=1, keepdims=True))


def exp_sin_sum_4d(X):
    """exp(1/2 (sin(pi(x1^2 + x2^2)) + sin(pi(x3^2 + x4^2)))): Section 3.1 example (5). X (N, 4)."""
    a = np.sin(np.pi * (X[:, [0]] ** 2 + X[:, [1]] ** 2))
    b = np.sin(np.pi * (X[:, [2]] ** 2 + X[:, [3]] ** 2))
    return np.exp(0.5 * (a + b))


def x_over_y(X):
    """x / y for positive x, y: Figure 4.1(b). X (N, 2) -> (N, 1)."""
    return X[:, [0]] / X[:, [1]]


def first_decimal_digit(X):
    """One-hot of the first decimal digit of x in [0, 1): Figure 4.1(c). X (N, 1) -> (N, 10).

    0.0618 -> class 0, 0.314 -> class 3. A value of exactly 1.0 (outside the sampled [0, 1)) would
    be class 10; it is put in class 9 so that the output always has 10 columns.
    """
    digit = np.clip(np.floor(10.0 * X[:, 0]).astype(int), 0, 9)
    return np.eye(10)[digit]


def exp_j0_plus_y2(X):
    """exp(J_0(20 x) + y^2): Figure 4.1(d). X (N, 2) -> (N, 1)."""
    return np.exp(special.j0(20.0 * X[:, [0]]) + X[:, [1]] ** 2)


def tanh_quartic(X):
    """tanh(5 (x1^4 + x2^4 + x3^4 - 1)): Figure 4.1(e), a toy phase transition. X (N, 3)."""
    return np.tanh(5.0 * (np.sum(X ** 4, axis=1, keepdims=True) - 1.0))


def sqrt_distance(X):
    """sqrt((x1 - x2)^2 + (x3 - x4)^2): Figure 4.1(f). X (N, 4) -> (N, 1)."""
    return np.hypot(X[:, [0]] - X[:, [1]], X[:, [2]] - X[:, [3]])


TOY_FUNCTIONS = {
    "j0_20x": ToyFunction(j0_20x, 1, _box(1), "J_0(20x)", "Section 3.1 (1), Figure 3.1"),
    "exp_sin_pi_x_plus_y2": ToyFunction(
        exp_sin_pi_x_plus_y2, 2, _box(2), "exp(sin(pi x) + y^2)",
        "Figures 2.3, 2.4, B.1, C.1; Section 3.1 (2)"),
    "xy": ToyFunction(xy, 2, _box(2), "x y", "Section 3.1 (3), Figure 4.1(a)"),
    "exp_mean_sin2_100d": ToyFunction(
        exp_mean_sin2_100d, 100, _box(100), "exp((1/100) sum_{i=1}^{100} sin^2(pi x_i / 2))",
        "Section 3.1 (4)"),
    "exp_sin_sum_4d": ToyFunction(
        exp_sin_sum_4d, 4, _box(4), "exp((sin(pi(x1^2 + x2^2)) + sin(pi(x3^2 + x4^2))) / 2)",
        "Section 3.1 (5)"),
    # The paper only says "positive numbers"; [0.5, 2] is our choice (inferred): it keeps x/y
    # within [1/4, 4] and log x, log y within [-0.7, 0.7], away from the log singularity at 0.
    "x_over_y": ToyFunction(x_over_y, 2, _box(2, 0.5, 2.0), "x / y", "Figure 4.1(b)"),
    "first_decimal_digit": ToyFunction(
        first_decimal_digit, 1, _box(1, 0.0, 1.0), "one-hot(floor(10 x)), 10 classes",
        "Figure 4.1(c)"),
    "exp_j0_plus_y2": ToyFunction(exp_j0_plus_y2, 2, _box(2), "exp(J_0(20x) + y^2)",
                                  "Figure 4.1(d)"),
    "tanh_quartic": ToyFunction(tanh_quartic, 3, _box(3), "tanh(5(x1^4 + x2^4 + x3^4 - 1))",
                                "Figure 4.1(e)"),
    "sqrt_distance": ToyFunction(sqrt_distance, 4, _box(4), "sqrt((x1 - x2)^2 + (x3 - x4)^2)",
                                 "Figure 4.1(f)"),
}


def make_toy(name, n_train=1000, n_test=1000, seed=0):
    """Sample the toy function ``name`` (a key of ``TOY_FUNCTIONS``) on its domain.

    Returns a ``Dataset``: inputs (N, n_var), labels (N, n_out); see ``make_dataset``.
    The default sizes are pykan's 1000/1000, the paper's unstated default.
    """
    if name not in TOY_FUNCTIONS:
        raise ValueError(f"unknown toy function {name!r}; choose one of {sorted(TOY_FUNCTIONS)}")
    t = TOY_FUNCTIONS[name]
    return make_dataset(t.f, t.n_var, t.ranges, n_train, n_test, seed)
