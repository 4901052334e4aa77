"""Fixed activation functions and their derivatives, written once for every model.

A KAN edge adds a base function ``b`` to its spline (Eq. 2.10–2.11, ``b = silu`` by default); an
MLP applies a fixed activation ``sigma`` on its nodes (Eq. 2.9); a LAN uses the same ``b`` on its
nodes; and the input-derivative code (:mod:`minikan.applications.derivatives`) needs derivatives
up to the third. All of them take their values from :func:`activation_derivatives`.

============  ===================  ==========================================================
name          f(z)                 derivatives
============  ===================  ==========================================================
``"silu"``    z s, s = sigmoid(z)  f' = s (1 + z (1-s)),  f'' = s(1-s) (2 + z (1-2s)),
                                   f''' = s(1-s) (3 (1-2s) + z (1 - 6s + 6s^2))
``"tanh"``    t = tanh(z)          f' = 1 - t^2,  f'' = -2t (1-t^2),  f''' = -2 (1-t^2)(1-3t^2)
``"relu"``    max(z, 0)            f' = [z > 0] (0 at z = 0),  f'' = f''' = 0
``"sin"``     sin(w z), w=omega0   f' = w cos(w z),  f'' = -w^2 sin(w z),  f''' = -w^3 cos(w z)
``"identity"`` z                   f' = 1, f'' = f''' = 0
``"zero"``    0                    all 0
============  ===================  ==========================================================
"""
import numpy as np
from scipy.special import expit

from .._checks import as_choice, as_float, as_int

ACTIVATIONS = ("silu", "tanh", "relu", "sin")  # an MLP's (and a LAN's) node activations
BASE_FUNCTIONS = ("silu", "identity", "zero")  # a KAN edge's base function b (Eq. 2.11)


def derivatives(name, z, order):
    """``[f(z), ..., f^(order)(z)]`` without argument checks (the layers' hot path; ``"sin"``
    uses omega0 = 1 here, see :func:`activation_derivatives`)."""
    if name == "silu":
        s = expit(z)
        q = s * (1.0 - s)  # sigmoid'
        terms = [lambda: z * s, lambda: s * (1.0 + z * (1.0 - s)),
                 lambda: q * (2.0 + z * (1.0 - 2.0 * s)),
                 lambda: q * (3.0 * (1.0 - 2.0 * s) + z * (1.0 - 6.0 * s + 6.0 * s * s))]
    elif name == "tanh":
        t = np.tanh(z)
        u = 1.0 - t * t  # tanh'
        terms = [lambda: t, lambda: u, lambda: -2.0 * t * u, lambda: -2.0 * u * (1.0 - 3.0 * t * t)]
    elif name == "relu":
        terms = [lambda: np.maximum(z, 0.0), lambda: (z > 0).astype(np.float64),
                 lambda: np.zeros_like(z), lambda: np.zeros_like(z)]
    elif name == "sin":
        terms = [lambda: np.sin(z), lambda: np.cos(z), lambda: -np.sin(z), lambda: -np.cos(z)]
    elif name == "identity":
        terms = [lambda: z.copy(), lambda: np.ones_like(z), lambda: np.zeros_like(z), lambda: np.zeros_like(z)]
    else:  # "zero"
        terms = [lambda: np.zeros_like(z)] * 4
    return [term() for term in terms[: order + 1]]  # only the orders asked for are computed


def activation_derivatives(name, z, order=1, omega0=30.0):
    """A fixed activation and its derivatives up to ``order``, elementwise (see the table above).

    Parameters
    ----------
    name : {"silu", "tanh", "relu", "sin", "identity", "zero"}
    z : array_like, any shape
    order : int in 0..3
        Highest derivative returned.
    omega0 : float > 0
        Frequency of ``"sin"`` (SIREN's ``omega_0``): ``sin(omega0 z)``; ignored by the others.

    Returns
    -------
    list of ndarray
        ``[f(z), f'(z), ..., f^(order)(z)]``, each of the shape of ``z``, float64.

    Examples
    --------
    >>> f, df = activation_derivatives("tanh", [0.0, 1.0])
    >>> df.round(4).tolist()
    [1.0, 0.42]
    """
    name = as_choice(name, "activation", ACTIVATIONS + BASE_FUNCTIONS[1:])
    order = as_int(order, "order", 0)
    if order > 3:
        raise ValueError(f"order must be <= 3 (derivatives up to the third are provided), got {order}")
    z = np.asarray(z, dtype=np.float64)
    if name != "sin":
        return derivatives(name, z, order)
    w = as_float(omega0, "omega0", 0.0, low_open=True)
    # d^m/dz^m sin(w z) = w^m sin^(m)(w z)
    return [w ** m * value for m, value in enumerate(derivatives("sin", w * z, order))]
