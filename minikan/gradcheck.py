"""Central finite differences for checking hand-derived gradients (float64)."""
import numpy as np


def numerical_gradient(fun, x, eps=1e-6, indices=None):
    """Central differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` of a scalar function.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` for ``x`` an ndarray of the same shape as ``x``.
    x : ndarray, any shape
    eps : float
        Step; 1e-6 balances truncation (O(eps^2)) and rounding (O(1e-16 / eps)) in float64.
    indices : array of int, optional
        Flat indices to differentiate (default: all).

    Returns
    -------
    g : ndarray, shape (len(indices),) or x.shape
    """
    x = np.array(x, dtype=np.float64)
    flat = x.reshape(-1)
    idx = np.arange(flat.size) if indices is None else np.asarray(indices)
    g = np.empty(idx.size)
    for n, i in enumerate(idx):
        keep = flat[i]
        flat[i] = keep + eps
        f_plus = fun(x)
        flat[i] = keep - eps
        f_minus = fun(x)
        flat[i] = keep
        g[n] = (f_plus - f_minus) / (2 * eps)
    return g.reshape(x.shape) if indices is None else g


def gradcheck(fun, grad, x, eps=1e-6, indices=None):
    """Compare an analytic gradient with central differences; return the relative error.

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
