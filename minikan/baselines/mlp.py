"""Multi-layer perceptrons (paper Eq. 2.9), the baseline KANs are compared with in Section 3.

.. math::
    \\mathrm{MLP}(x) = (W_{L-1} \\circ \\sigma \\circ W_{L-2} \\circ \\sigma \\circ \\cdots \\circ
    \\sigma \\circ W_0)\\, x \\qquad (Eq. 2.9)

where each ``W_l`` is an affine map ``h -> h W_l + b_l`` (a row-vector convention, so that a batch
``X`` of shape (N, n_0) flows through plain matrix products) and ``sigma`` is a fixed nonlinearity
applied to every hidden node; the last map is linear.

The module also holds what MLPs and LANs (:mod:`minikan.baselines.lan`) share: the affine stack, its flat
parameter vector with per-group trainability, the loss/gradient entry point used by
:func:`minikan.core.train.fit`, and :func:`activation_derivatives`, the fixed activations with their
first three derivatives (for models that need derivatives with respect to their inputs).
"""
import copy

import numpy as np

from .._checks import as_choice, as_float, as_matrix, as_rng, as_xy, check_width
from ..core._flat import FlatParameters
from ..core.activations import ACTIVATIONS, activation_derivatives  # noqa: F401 (part of this module's API)

INITS = ("auto", "xavier", "siren", "pytorch")


def init_affine(width, activation, init, omega0, rng):
    """Initial weights ``(n_l, n_{l+1})`` and biases ``(n_{l+1},)`` of every affine map.

    * ``"xavier"`` (Glorot uniform): ``W ~ U(+-sqrt(6 / (n_in + n_out)))``, ``b = 0``.
    * ``"siren"`` (Sitzmann et al. 2020, for ``sin(omega0 z)``): first layer
      ``W ~ U(+-1/n_in)``, later layers (the linear output layer too)
      ``W ~ U(+-sqrt(6/n_in) / omega0)``, so that every pre-activation ``omega0 z`` stays of order
      one; ``b ~ U(+-1/sqrt(n_in))`` as in the SIREN reference code, which keeps the linear
      layers' default bias. Random biases matter here: they give the first layer's sines random
      phases.
    * ``"pytorch"`` (``torch.nn.Linear``'s default, which pykan's MLP baseline keeps):
      ``W, b ~ U(+-1/sqrt(n_in))``.
    * ``"auto"``: ``"siren"`` for ``activation="sin"``, otherwise ``"xavier"``.

    ``rng`` draws layer by layer, weights before biases.
    """
    if init == "auto":
        init = "siren" if activation == "sin" else "xavier"
    weights, biases = [], []
    for l, (n_in, n_out) in enumerate(zip(width[:-1], width[1:])):
        if init == "xavier":
            bound, b_bound = np.sqrt(6.0 / (n_in + n_out)), 0.0
        elif init == "siren":
            bound = 1.0 / n_in if l == 0 else np.sqrt(6.0 / n_in) / omega0
            b_bound = 1.0 / np.sqrt(n_in)
        else:
            bound = b_bound = 1.0 / np.sqrt(n_in)
        weights.append(rng.uniform(-bound, bound, size=(n_in, n_out)))
        biases.append(rng.uniform(-b_bound, b_bound, size=n_out) if b_bound else np.zeros(n_out))
    return weights, biases


# ---------------------------------------------------------------------------------- shared stack
class AffineStack(FlatParameters):
    """What MLPs and LANs share: affine maps ``z = h W_l + b_l`` with node activations between them.

    Subclasses set ``GROUPS`` (parameter group names) and implement ``_activate(l, z, with_cache)
    -> (a, cache)`` and ``_activate_backward(l, da, cache) -> (dz, grads)`` for the hidden layers
    ``l = 0 .. L-2`` (the activations applied to the output of affine map ``l``).

    The flat parameter vector lists, layer by layer, the trainable groups of ``_layer_params(l)``
    in ``GROUPS`` order, each raveled in C order (the same layout rule as :class:`minikan.KAN`).
    """

    GROUPS = ("W", "b")

    @property
    def width(self):
        return [self.weights[0].shape[0]] + [W.shape[1] for W in self.weights]

    @property
    def n_layers(self):
        """Number of affine maps ``L`` (``len(width) - 1``)."""
        return len(self.weights)

    def copy(self):
        """An independent deep copy."""
        return copy.deepcopy(self)

    def save(self, path):
        """Write the model to ``path``, one ``.npz`` file (see :mod:`minikan.tools.io`); read it back
        with :func:`minikan.load`."""
        from ..tools.saving import save
        save(self, path)

    # ------------------------------------------------------------------ flat parameter vector
    def _layer_params(self, l):
        return {"W": self.weights[l], "b": self.biases[l]}

    def param_groups(self):
        """``[(l, name, array), ...]`` for every trainable array, in flat-vector order."""
        return [(l, name, arr) for l in range(self.n_layers)
                for name, arr in self._layer_params(l).items() if self.trainable[name]]

    # ------------------------------------------------------------------ forward / backward
    def _run(self, X, with_cache):
        h, caches = X, []
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = h @ W + b  # affine map l
            cache = {"h": h}
            if l < self.n_layers - 1:
                h, act = self._activate(l, z, with_cache)
                cache.update(act or {})
            else:
                h = z  # the last map is linear (Eq. 2.9)
            caches.append(cache)
        return h, caches if with_cache else None

    def forward(self, X, safe=False, *, checked=False):
        """Network output and the per-layer caches for :meth:`backward`.

        Parameters
        ----------
        X : ndarray, shape (N, n_0)
        safe : bool
            Unused (no symbolic edges); part of the interface every model shares.
        checked : bool
            ``X`` is already a validated float64 array (the training objective checks it once).

        Returns
        -------
        y : ndarray, shape (N, n_L)
        caches : list of dict, one per affine map
            ``"h"``: the map's input (N, n_l); hidden layers add ``"z"``, the pre-activation
            (N, n_{l+1}), and whatever their activation's backward needs.
        """
        return self._run(X if checked else as_matrix(X, "X", self.width[0]), True)

    def predict(self, X):
        """Model output for inputs ``X`` of shape (N, n_0); returns shape (N, n_L)."""
        return self._run(as_matrix(X, "X", self.width[0]), False)[0]

    def backward(self, dy, caches, extra=None):
        """Backpropagate ``dy = dL/dy`` (N, n_L) through all layers (``extra`` must be None: no
        penalty reads an MLP's forward pass).

        For ``z = h W + b``: ``dL/dW = h^T dL/dz``, ``dL/db = sum_n dL/dz``, ``dL/dh = dL/dz W^T``;
        the activations contribute ``dL/dz`` from ``dL/da`` (see ``_activate_backward``).

        Returns
        -------
        dX : ndarray, shape (N, n_0)
        grads : list of dict, per affine map, same keys and shapes as its parameters
            (every group, trainable or not).
        """
        if extra is not None:
            raise ValueError(f"{type(self).__name__}.backward takes no extra gradients (it has no sparsity penalty)")
        grads = [None] * self.n_layers
        dh = dy
        for l in reversed(range(self.n_layers)):
            grads[l] = {}
            dz = dh
            if l < self.n_layers - 1:
                dz, grads[l] = self._activate_backward(l, dh, caches[l])
            grads[l]["W"] = caches[l]["h"].T @ dz
            grads[l]["b"] = dz.sum(axis=0)
            dh = dz @ self.weights[l].T
        return dh, grads

    # ------------------------------------------------------------------ loss
    def loss(self, X, y):
        """Mean squared error over all samples and outputs, ``mean((f(X) - y)^2)``."""
        X, y = as_xy(X, y, self.width[0], self.width[-1])
        return float(np.mean((self.predict(X) - y) ** 2))

    def fit(self, X, y=None, X_test=None, y_test=None, **options):
        """Train in place; see :func:`minikan.core.train.fit` for the options. Returns the history.

        ``model.fit(dataset)`` with a pykan-style dict (``train_input``, ``train_label``, optionally
        ``test_input``, ``test_label``) works as well as ``model.fit(X, y, X_test, y_test)``."""
        from ..core.train import fit
        return fit(self, X, y, X_test, y_test, **options)


# ---------------------------------------------------------------------------------- the MLP
class MLP(AffineStack):
    """Multi-layer perceptron (Eq. 2.9) with a fixed activation on every hidden node.

    Parameters
    ----------
    width : list of int
        ``[n_0, ..., n_L]``: ``L`` affine maps, ``sigma`` after each but the last.
    activation : {"silu", "tanh", "relu", "sin"}
        ``"sin"`` is SIREN's ``sin(omega0 z)``.
    seed : int or numpy.random.Generator
        Source of the initial parameters; the same seed gives bit-identical models.
    init : {"auto", "xavier", "siren", "pytorch"}
        See :func:`init_affine`; ``"auto"`` is SIREN's recipe for ``"sin"`` and Glorot uniform
        otherwise.
    omega0 : float > 0
        SIREN frequency (used by ``"sin"`` and by the ``"siren"`` initialisation).
    trainable : dict, optional
        Which groups (``"W"``, ``"b"``) are trained; groups not named are trained.

    Attributes
    ----------
    weights : list of ndarray, shapes (n_l, n_{l+1})
    biases : list of ndarray, shapes (n_{l+1},)

    Notes
    -----
    Parameter count (all trainable): ``sum_l (n_l + 1) n_{l+1}``, weights and biases, the count
    used when MLPs and KANs are compared at equal size (Section 3.1).

    Examples
    --------
    >>> model = MLP([2, 10, 1], activation="tanh", seed=0)
    >>> model.n_params()
    {'W': 30, 'b': 11, 'total': 41}
    >>> model.predict(np.zeros((4, 2))).shape
    (4, 1)
    """

    def __init__(self, width, activation="silu", seed=0, init="auto", omega0=30.0, *, trainable=None):
        width = check_width(width)
        self.activation = as_choice(activation, "activation", ACTIVATIONS)
        self.init = as_choice(init, "init", INITS)
        self.omega0 = as_float(omega0, "omega0", 0.0, low_open=True)
        self.weights, self.biases = init_affine(width, self.activation, self.init, self.omega0,
                                                as_rng(seed))
        self._set_trainable(trainable)

    def __repr__(self):
        return f"MLP(width={self.width}, activation={self.activation!r})"

    def _activate(self, l, z, with_cache):
        a = activation_derivatives(self.activation, z, 0, self.omega0)[0]
        return a, ({"z": z} if with_cache else None)

    def _activate_backward(self, l, da, cache):
        # a = sigma(z)  ->  dL/dz = dL/da * sigma'(z)
        dsigma = activation_derivatives(self.activation, cache["z"], 1, self.omega0)[1]
        return da * dsigma, {}
