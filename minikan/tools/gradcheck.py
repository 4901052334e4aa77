"""Finite differences for checking hand-derived gradients (float64)."""
import numpy as np


def numerical_gradient(fun, x, eps=1e-5, indices=None):
    """Fourth-order central differences of a scalar function.

    .. math::
        g_i \\approx \\frac{8 (f(x + h e_i) - f(x - h e_i)) - (f(x + 2h e_i) - f(x - 2h e_i))}{12 h}

    Its truncation error is about ``h^4 |f^(5)| / 30``, against ``h^2 |f^(3)| / 6`` for the
    two-point formula; that matters for deep networks with random weights, whose loss can be
    strongly curved. The rounding error is about ``1e-16 |f| / h``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` for ``x`` an ndarray of the same shape as ``x``.
    x : ndarray, any shape
    eps : float
        The step ``h``.
    indices : array of int, optional
        Flat indices to differentiate (default: all).

    Returns
    -------
    g : ndarray, shape (len(indices),), or x.shape when ``indices`` is None
    """
    x = np.array(x, dtype=np.float64)
    flat = x.reshape(-1)
    idx = np.arange(flat.size) if indices is None else np.asarray(indices)
    g = np.empty(idx.size)
    for n, i in enumerate(idx):
        keep = flat[i]
        f = {}
        for step in (-2, -1, 1, 2):
            flat[i] = keep + step * eps
            f[step] = fun(x)
        flat[i] = keep
        g[n] = (8.0 * (f[1] - f[-1]) - (f[2] - f[-2])) / (12.0 * eps)
    return g.reshape(x.shape) if indices is None else g


def gradcheck(fun, grad, x, eps=1e-5, indices=None):
    """Compare an analytic gradient with finite differences; return the relative error.

    The error is ``max_i |g_i - n_i| / max(max_i |n_i|, max_i |g_i|, tiny)``, i.e. relative to the
    size of the gradient being checked, so that components that are legitimately tiny do not
    inflate it.

    Parameters
    ----------
    fun : callable, ``fun(x) -> float``
    grad : ndarray, same shape as ``x``
        The analytic gradient at ``x``.
    x : ndarray
    eps : float
        Finite-difference step (see :func:`numerical_gradient`).
    indices : array of int, optional
        Flat indices to check (default: all); useful to sample large parameter vectors.

    Returns
    -------
    rel_err : float

    Examples
    --------
    >>> x = np.array([1.0, -2.0, 0.5])
    >>> gradcheck(lambda v: float(np.sum(v ** 3)), 3 * x ** 2, x) < 1e-9
    True
    """
    grad = np.asarray(grad, dtype=np.float64).reshape(-1)
    idx = np.arange(grad.size) if indices is None else np.asarray(indices)
    num = numerical_gradient(fun, x, eps, idx)
    ana = grad[idx]
    scale = max(np.max(np.abs(num), initial=0.0), np.max(np.abs(ana), initial=0.0), 1e-300)
    return float(np.max(np.abs(ana - num), initial=0.0) / scale)
