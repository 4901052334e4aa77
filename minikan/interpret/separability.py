"""Additive and multiplicative separability of a function, read from its Hessian on data.

A function splits into a sum ``f(x) = g(x_A) + h(x_B)`` over disjoint groups of inputs exactly
when every mixed second derivative across the groups vanishes, ``d2 f / dx_i dx_j = 0`` for
``i in A``, ``j in B``; it splits into a product ``f = g(x_A) h(x_B)`` (where ``f != 0``) exactly
when the same holds for ``log|f|``. This is how a trained KAN (or any model) can be asked which
inputs interact before one reads its formula (the paper's Section 2.5 uses the KAN diagram for
this; pykan 0.2.8 has the Hessian test as ``tree()``).

The test, on the samples ``X`` (N, n) with spreads ``s_i = std(X[:, i])``:

.. math::
    R^{+}_{ij} = \\frac{\\operatorname{median}_s |\\partial_i \\partial_j f(x_s)|\\, s_i s_j}
                     {\\operatorname{std}_s f(x_s)}, \\qquad
    R^{\\times}_{ij} = \\text{the same with } \\log|f| \\text{ in place of } f .

``R_ij`` is the size of the interaction of inputs ``i`` and ``j`` across the data's spread,
relative to the spread of ``f`` itself, so it does not depend on the units of the inputs or of
``f``. Inputs ``i`` and ``j`` interact additively (resp. multiplicatively) when ``R_ij >
threshold`` (default 5e-2: an interaction below 5 % of the output's spread counts as none;
exact separable functions measure ~1e-9, a KAN trained to MSE ~5e-6 on ``x1 + x2 x3`` about 1e-2 for
its separable pairs, while genuine interactions of simple formulas measure 0.1 or more).
The groups are the connected components of the graph with these interactions as edges: two
inputs in different groups are separable. The median (not the mean) keeps the test steady near
the zeros of ``f``, where ``log|f|`` has poles; an interaction present on fewer than half of the
samples is therefore not seen.

Derivatives: for a :class:`KAN`, its exact input gradient (``model.backward``) is differenced
centrally, ``H_ij ~ (g_i(x + h e_j) - g_i(x - h e_j)) / 2h``; for any other callable ``f`` the
gradient and Hessian come from central differences of ``f`` itself. The step is ``h = step *
s_j`` (default ``step = 1e-4``), so the truncation error is ``O(h^2)`` and rounding stays near
``1e-8`` of ``f``'s scale for the callable. For ``log|f|`` the chain rule
``d2 log|f| / dx_i dx_j = H_ij / f - g_i g_j / f^2`` is used.
"""
from dataclasses import dataclass

import numpy as np

from .._checks import as_float, as_int, as_matrix


@dataclass(frozen=True)
class Separability:
    """Result of :func:`separability` for ``n`` inputs.

    Attributes
    ----------
    additive, multiplicative : ndarray, shape (n, n)
        ``R+`` and ``Rx`` of the module docstring (symmetric; the diagonal is left at 0).
    threshold : float
    additive_groups, multiplicative_groups : list of tuple of int
        Groups of inputs that interact (through ``R > threshold``, transitively); any two groups
        are additively (resp. multiplicatively) separable. Sorted by their first input.
    """

    additive: np.ndarray
    multiplicative: np.ndarray
    threshold: float
    additive_groups: list
    multiplicative_groups: list

    def separable(self, A, B, kind="additive"):
        """Whether the inputs ``A`` and ``B`` (disjoint sequences of indices) are separable."""
        R = {"additive": self.additive, "multiplicative": self.multiplicative}.get(kind) \
            if isinstance(kind, str) else None
        if R is None:
            raise ValueError(f"kind must be 'additive' or 'multiplicative', got {kind!r}")
        n = R.shape[0]
        A, B = (sorted({as_int(i, "input index", 0) for i in group}) for group in (A, B))
        if not A or not B or max(A + B) >= n or set(A) & set(B):
            raise ValueError(f"A and B must be non-empty, disjoint sets of input indices < {n}, got {A}, {B}")
        groups = self.additive_groups if kind == "additive" else self.multiplicative_groups
        return not any(set(g) & set(A) and set(g) & set(B) for g in groups)


def _groups(R, threshold):
    """Connected components of the graph with an edge ``i - j`` where ``R_ij > threshold``."""
    n = R.shape[0]
    label = list(range(n))

    def root(i):
        while label[i] != i:
            i = label[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(R > threshold, 1))):
        a, b = root(int(i)), root(int(j))
        label[max(a, b)] = min(a, b)
    groups = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return [tuple(g) for g in sorted(groups.values())]


def _derivatives_of_model(model, X, h, output):
    """``f`` (N,), gradient (N, n) and Hessian (N, n, n) of a KAN: the gradient is exact
    (backpropagation), the Hessian its central difference."""
    def grad(Z):
        y, caches = model.forward(Z)
        dy = np.zeros_like(y)
        dy[:, output] = 1.0
        return y[:, output], model.backward(dy, caches)[0]

    f, g = grad(X)
    N, n = X.shape
    H = np.empty((N, n, n))
    for j in range(n):
        Zp, Zm = X.copy(), X.copy()
        Zp[:, j] += h[j]
        Zm[:, j] -= h[j]
        H[:, :, j] = (grad(Zp)[1] - grad(Zm)[1]) / (2 * h[j])
    return f, g, 0.5 * (H + H.transpose(0, 2, 1))


def _derivatives_of_callable(f, X, h, output):
    """``f`` (N,), gradient (N, n) and Hessian (N, n, n) of a callable by central differences."""
    N, n = X.shape

    def call(Z):
        y = np.asarray(f(Z), dtype=np.float64)
        if y.ndim != 2 or y.shape[0] != N:
            raise ValueError(f"f must return an array of shape (N, n_out) = ({N}, m), got shape {y.shape}")
        if output >= y.shape[1]:
            raise ValueError(f"output must be < {y.shape[1]} (the columns f returns), got {output}")
        return y[:, output]

    def shifted(*moves):
        Z = X.copy()
        for j, s in moves:
            Z[:, j] += s * h[j]
        return call(Z)

    f0 = call(X)
    g = np.empty((N, n))
    H = np.empty((N, n, n))
    for i in range(n):
        fp, fm = shifted((i, 1)), shifted((i, -1))
        g[:, i] = (fp - fm) / (2 * h[i])
        H[:, i, i] = (fp - 2 * f0 + fm) / h[i] ** 2
        for j in range(i):
            H[:, i, j] = H[:, j, i] = (shifted((i, 1), (j, 1)) - shifted((i, 1), (j, -1))
                                       - shifted((i, -1), (j, 1)) + shifted((i, -1), (j, -1))) / (4 * h[i] * h[j])
    return f0, g, H


def hessians(f, X, step=1e-4, output=0):
    """Value, gradient and Hessian of ``f`` (a KAN or a callable) at every sample of ``X``.

    Parameters
    ----------
    f : KAN or callable
        A callable maps an (N, n) array to an (N, m) array.
    X : array_like, shape (N, n)
    step : float > 0
        Finite-difference step relative to each input's spread (module docstring).
    output : int
        Which output column is differentiated.

    Returns
    -------
    value : ndarray, shape (N,)
    grad : ndarray, shape (N, n)
    hess : ndarray, shape (N, n, n), symmetric
    """
    step = as_float(step, "step", 0.0, low_open=True)
    output = as_int(output, "output", 0)
    is_model = hasattr(f, "layers") and hasattr(f, "width") and hasattr(f, "backward")
    if not is_model and not callable(f):
        raise TypeError(f"f must be a KAN or a callable f(X) -> (N, m), got {type(f).__name__}")
    X = as_matrix(X, "X", f.width[0] if is_model else None)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 samples to measure spreads, got {X.shape[0]}")
    spread = X.std(axis=0)
    h = step * np.where(spread > 0, spread, 1.0)
    if is_model:
        if output >= f.width[-1]:
            raise ValueError(f"output must be < {f.width[-1]} (the model's outputs), got {output}")
        return _derivatives_of_model(f, X, h, output)
    return _derivatives_of_callable(f, X, h, output)


def _ratio(hess, spread, scale):
    R = np.median(np.abs(hess), axis=0) * spread[:, None] * spread[None, :]
    R = R / scale if scale > 0 else np.where(R > 0, np.inf, 0.0)
    np.fill_diagonal(R, 0.0)
    return R


def separability(f, X, threshold=5e-2, step=1e-4, output=0):
    """Which inputs of ``f`` interact additively and multiplicatively on the samples ``X``.

    Parameters
    ----------
    f : KAN or callable
        The model, or any ``f(X) -> (N, m)``, e.g. an exact formula.
    X : array_like, shape (N, n), N >= 2
        Where the derivatives are taken (usually the training inputs).
    threshold : float >= 0
        Interactions with ``R <= threshold`` count as absent (module docstring).
    step : float > 0
        Finite-difference step relative to each input's spread.
    output : int
        Which output column of ``f`` is tested.

    Returns
    -------
    Separability
        E.g. for ``x1 + x2 * x3``: ``additive_groups == [(0,), (1, 2)]``; for ``x1 * exp(x2)``:
        ``multiplicative_groups == [(0,), (1,)]``.

    Notes
    -----
    The multiplicative test assumes ``f`` keeps away from 0 on most samples (``log|f|``); samples
    where ``f == 0`` exactly give non-finite values and raise ``ValueError``.
    """
    threshold = as_float(threshold, "threshold", 0.0)
    value, grad, hess = hessians(f, X, step, output)
    X = np.asarray(X, dtype=np.float64)
    if not (np.all(np.isfinite(value)) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
        raise ValueError("f or its derivatives are not finite on X; separability needs a smooth, finite f")
    if np.any(value == 0):
        raise ValueError(f"f is exactly 0 at {int(np.sum(value == 0))} samples of X, where log|f| "
                         "(the multiplicative test) is undefined")
    spread = X.std(axis=0)
    additive = _ratio(hess, spread, value.std())
    log_hess = hess / value[:, None, None] - grad[:, :, None] * grad[:, None, :] / value[:, None, None] ** 2
    multiplicative = _ratio(log_hess, spread, np.log(np.abs(value)).std())
    return Separability(additive, multiplicative, threshold, _groups(additive, threshold),
                        _groups(multiplicative, threshold))
