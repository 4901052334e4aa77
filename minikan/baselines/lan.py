"""Learnable activation networks (LANs, paper Appendix B): an MLP whose node activations are learnt.

A LAN keeps the MLP's affine maps (Eq. 2.9) and replaces the fixed ``sigma`` on each hidden node
``i`` of hidden layer ``l`` by its own function, built like a KAN edge (Eq. 2.10–2.12):

.. math::
    \\varphi_{l,i}(z) = w_{b,li}\\, b(z) + w_{s,li} \\sum_m c_{lim} B_m(z)

with the base ``b`` one of the fixed activations of :mod:`minikan.baselines.mlp` (SiLU by default, as in
a KAN; ``sin(omega0 z)`` for the SIREN comparison of Appendix B.3) and a B-spline on the node's
own knots. The node functions sit after every hidden affine map; the last map stays linear. So
a LAN with ``coef = 0`` and ``w_b = w_s = 1`` is exactly the MLP with ``sigma = b``, which is how
:meth:`LAN.from_mlp` starts a LAN from a trained MLP.

Parameter count (all trainable): ``sum_l (n_l + 1) n_{l+1}`` for the affine maps plus
``(G + k + 2)`` per hidden node (its ``G + k`` coefficients, ``w_b`` and ``w_s``). For width
``N``, depth ``L`` this is the paper's ``N^2 L + N L G`` up to the lower-order terms.

Grids follow the pre-activations like a KAN's follow its layer inputs: :meth:`LAN.update_grid`
and :meth:`LAN.refine` call the array functions of :mod:`minikan.core.grid_update` with one hidden
layer's knots and its coefficients as one output per node.
"""
import numpy as np

from ..core import grid_update
from ..core import spline
from .._checks import as_choice, as_float, as_int, as_interval, as_matrix, as_rng, check_width
from ..core.activations import ACTIVATIONS, activation_derivatives
from .mlp import INITS, AffineStack, init_affine
from ..core.spline import check_G_k


class LAN(AffineStack):
    """Learnable activation network (Appendix B).

    Parameters
    ----------
    width : list of int
        ``[n_0, ..., n_L]`` with at least one hidden layer (``L >= 2``).
    grid : int
        Grid intervals ``G`` of every node spline.
    k : int
        Spline degree (3 = cubic).
    seed : int or numpy.random.Generator
        Source of the initial parameters; the same seed gives bit-identical models.
    base : {"silu", "tanh", "relu", "sin"}
        Base function ``b`` of every node (see :func:`minikan.core.activations.activation_derivatives`).
    omega0 : float > 0
        Frequency of the ``"sin"`` base and of the ``"siren"`` initialisation.
    init : {"auto", "xavier", "siren", "pytorch"}
        Initialisation of the affine maps (see :func:`minikan.baselines.mlp.init_affine`).
    grid_range : (float, float)
        Initial interval of every node grid (on the pre-activations).
    noise_scale : float >= 0
        Initial coefficients ``c ~ N(0, noise_scale^2)`` (the paper's KAN recipe, footnote 2);
        ``w_b = w_s = 1`` so that each node starts as ``b`` plus a small spline.
    grid_eps, grid_margin : float
        Rule for grids built from samples, as in :class:`minikan.KAN` (uniform on
        ``[min z - margin, max z + margin]`` by default).
    trainable : dict, optional
        Which groups (``"W", "b", "coef", "w_b", "w_s"``) are trained; groups not named are.

    Attributes
    ----------
    weights, biases : lists of ndarray, shapes (n_l, n_{l+1}) and (n_{l+1},)
    grids : list of ndarray, shapes (n_{l+1}, G+2k+1), one per hidden layer l = 0 .. L-2
    coefs : list of ndarray, shapes (n_{l+1}, G+k)
    w_b, w_s : lists of ndarray, shapes (n_{l+1},)

    Examples
    --------
    >>> model = LAN([2, 5, 1], grid=5, k=3, seed=0)
    >>> model.n_params()
    {'W': 15, 'b': 6, 'coef': 40, 'w_b': 5, 'w_s': 5, 'total': 71}
    """

    GROUPS = ("W", "b", "coef", "w_b", "w_s")
    has_grid = True

    def __init__(self, width, grid=5, k=3, seed=0, *, base="silu", omega0=30.0, init="auto",
                 grid_range=(-1.0, 1.0), noise_scale=0.1, grid_eps=1.0, grid_margin=0.01,
                 trainable=None):
        width = check_width(width)
        G, k = check_G_k(grid, k)
        base = as_choice(base, "base", ACTIVATIONS)
        omega0 = as_float(omega0, "omega0", 0.0, low_open=True)
        as_choice(init, "init", INITS)
        noise_scale = as_float(noise_scale, "noise_scale", 0.0)
        grid_range = as_interval(grid_range, "grid_range")
        rng = as_rng(seed)
        weights, biases = init_affine(width, base, init, omega0, rng)
        t = spline.uniform_grid(G, k, *grid_range)
        hidden = width[1:-1]
        self._setup(weights, biases, [np.tile(t, (n, 1)) for n in hidden],
                    [rng.normal(0.0, noise_scale, size=(n, G + k)) for n in hidden],
                    [np.ones(n) for n in hidden], [np.ones(n) for n in hidden],
                    k, base, omega0, grid_eps, grid_margin, trainable)

    def _setup(self, weights, biases, grids, coefs, w_b, w_s, k, base, omega0, grid_eps,
               grid_margin, trainable):
        if len(weights) < 2:
            width = [weights[0].shape[0]] + [W.shape[1] for W in weights]
            raise ValueError(f"a LAN needs at least one hidden layer, got width {width}")
        self.weights, self.biases = weights, biases
        self.grids, self.coefs, self.w_b, self.w_s = grids, coefs, w_b, w_s
        self.k, self.base, self.omega0 = k, base, omega0
        self.grid_eps = as_float(grid_eps, "grid_eps", 0.0, 1.0)
        self.grid_margin = as_float(grid_margin, "grid_margin", 0.0)
        self._set_trainable(trainable)

    @classmethod
    def from_mlp(cls, mlp, grid=5, k=3, *, grid_range=(-1.0, 1.0), grid_eps=1.0, grid_margin=0.01,
                 trainable=None):
        """A LAN equal to ``mlp`` (Appendix B.3: "initialize a LAN from an MLP").

        The affine maps are copied, every node gets ``b = mlp.activation``, ``w_b = w_s = 1`` and
        zero spline coefficients, so the LAN computes exactly what the MLP does until training
        moves the splines.
        """
        G, k = check_G_k(grid, k)
        if len(mlp.weights) < 2:
            raise ValueError(f"a LAN needs at least one hidden layer, got an MLP of width {mlp.width}")
        t = spline.uniform_grid(G, k, *grid_range)
        hidden = mlp.width[1:-1]
        model = cls.__new__(cls)
        model._setup([W.copy() for W in mlp.weights], [b.copy() for b in mlp.biases],
                     [np.tile(t, (n, 1)) for n in hidden], [np.zeros((n, G + k)) for n in hidden],
                     [np.ones(n) for n in hidden], [np.ones(n) for n in hidden],
                     k, mlp.activation, mlp.omega0, grid_eps, grid_margin, trainable)
        return model

    @property
    def G(self):
        """Grid size of the first hidden layer (all share it unless set by hand)."""
        return self.coefs[0].shape[1] - self.k

    def __repr__(self):
        return f"LAN(width={self.width}, grid={self.G}, k={self.k}, base={self.base!r})"

    def _layer_params(self, l):
        p = {"W": self.weights[l], "b": self.biases[l]}
        if l < self.n_layers - 1:
            p.update(coef=self.coefs[l], w_b=self.w_b[l], w_s=self.w_s[l])
        return p

    # ------------------------------------------------------------------ node functions
    def _activate(self, l, z, with_cache):
        """``phi_li(z_i) = w_b b(z_i) + w_s spline_li(z_i)`` for every node of hidden layer l."""
        nderiv = 1 if with_cache else 0  # backward needs b' and spline'
        base = activation_derivatives(self.base, z, nderiv, self.omega0)
        # only the k+1 basis functions that can be non-zero at each point (cost independent of G)
        op = spline.LocalBasis(z, self._prepared_knots(l), self.k, nderiv, assume_valid=True)
        s = op.apply_all(self.coefs[l][:, None, :])[..., 0]  # spline and its z-derivative, (d, N, n)
        a = self.w_b[l] * base[0] + self.w_s[l] * s[0]
        if not with_cache:
            return a, None
        return a, {"z": z, "base": base, "s": s, "basis": op}

    def _activate_backward(self, l, da, cache):
        """Gradients through ``phi`` given ``da = dL/dphi`` (N, n):
        ``dL/dw_b = sum_n da b(z)``, ``dL/dw_s = sum_n da spline(z)``,
        ``dL/dc_im = w_s,i sum_n da_ni B_m(z_ni)`` (the basis operator's adjoint),
        ``dL/dz = da (w_b b'(z) + w_s spline'(z))``."""
        (b, db), (s, ds) = cache["base"], cache["s"]
        w_b, w_s = self.w_b[l], self.w_s[l]
        grads = {"coef": cache["basis"].adjoint((da * w_s)[..., None])[:, 0, :],
                 "w_b": np.einsum("ni,ni->i", da, b), "w_s": np.einsum("ni,ni->i", da, s)}
        return da * (w_b * db + w_s * ds), grads

    _knot_cache = ()  # per hidden layer, a spline.Knots prepared on first use

    def _prepared_knots(self, l):
        """Hidden layer ``l``'s knots, checked and padded once per grid (rebuilt when ``grids[l]``
        was replaced or edited in place)."""
        cache = list(self._knot_cache) + [None] * (len(self.grids) - len(self._knot_cache))
        if cache[l] is None or not cache[l].describes(self.grids[l], self.k):
            cache[l] = spline.Knots(self.grids[l], self.k)  # validated: grids are public attributes
            self._knot_cache = tuple(cache)
        return cache[l]

    def node_values(self, l, z):
        """The node functions of hidden layer ``l`` (0 .. L-2) at pre-activations ``z``
        (N, n_{l+1}), e.g. to plot them on a range; returns shape (N, n_{l+1})."""
        l = as_int(l, "l", 0)
        if l >= self.n_layers - 1:
            raise ValueError(f"hidden layer index l must be < {self.n_layers - 1}, got {l}")
        return self._activate(l, as_matrix(z, "z", self.width[l + 1]), False)[0]

    def preactivations(self, X):
        """Inputs of every hidden layer's node functions: ``[z_0, ..., z_{L-2}]``, ``z_l`` of
        shape (N, n_{l+1})."""
        h, zs = as_matrix(X, "X", self.width[0]), []
        for l in range(self.n_layers - 1):
            zs.append(h @ self.weights[l] + self.biases[l])
            h = self._activate(l, zs[-1], False)[0]
        return zs

    # ------------------------------------------------------------------ grids
    def update_grid(self, X, grid_eps=None):
        """Move every node's knots to follow its pre-activations on ``X`` (N, n_0), in place.

        Layer by layer, as :meth:`minikan.KAN.update_grid`: hidden layer ``l`` is updated from
        pre-activations computed with the already-updated layers before it; each node's spline is
        refit by least squares (:func:`minikan.core.grid_update.update_grid`, one output per node),
        so every node function is preserved on the samples up to the fit's residual. Returns ``self``.
        """
        eps = self.grid_eps if grid_eps is None else as_float(grid_eps, "grid_eps", 0.0, 1.0)
        h = as_matrix(X, "X", self.width[0])
        grids, coefs = list(self.grids), list(self.coefs)
        try:
            for l in range(self.n_layers - 1):
                z = h @ self.weights[l] + self.biases[l]
                grid, coef = grid_update.update_grid(self.grids[l], self.coefs[l][:, None, :], z, self.k,
                                                 eps, self.grid_margin)
                self.grids[l], self.coefs[l] = grid, coef[:, 0, :]
                h = self._activate(l, z, False)[0]
        except grid_update.NonFiniteSamples:  # an overflow in the pre-activations: leave the model as it was
            self.grids[:], self.coefs[:] = grids, coefs
            raise
        return self

    def out_of_grid(self, X):
        """Number of samples of ``X`` (N, n_0) whose pre-activations lie outside each hidden
        layer's grid range, shape (L-1,), int (see :meth:`minikan.KAN.out_of_grid`)."""
        with np.errstate(all="ignore"):
            zs = self.preactivations(X)
        return np.array([grid_update.outside_grid(z, grid, self.k).any(axis=1).sum()
                         for z, grid in zip(zs, self.grids)], dtype=np.int64)

    def refine(self, G_new, X):
        """Grid extension (Section 2.4, Eq. 2.16; Appendix B): a new LAN with ``G_new`` intervals
        per node spline, fitted by least squares to the current ones on the pre-activations of
        ``X`` (the training inputs). Everything else is copied; ``self`` is not modified."""
        G_new = as_int(G_new, "G_new", 1)
        zs = self.preactivations(X)
        new = self.copy()
        for l, z in enumerate(zs):
            grid, coef = grid_update.refine(self.grids[l], self.coefs[l][:, None, :], z, G_new, self.k)
            new.grids[l], new.coefs[l] = grid, coef[:, 0, :]
        return new
