"""One KAN layer: a matrix of learnable 1-D functions (paper Section 2.2, Eq. 2.5 and 2.10–2.12).

Each edge ``i -> j`` carries

.. math::
    \\phi_{ij}(x) = m_{ij} \\left( w_{b,ij}\\, b(x) + w_{s,ij} \\sum_m c_{ijm} B_m(x) \\right)
    \\qquad (Eq. 2.10–2.12)

with ``b = silu`` by default (Eq. 2.11), the spline ``sum_m c_ijm B_m`` of Eq. 2.12 and ``m`` the
(fixed) edge mask, and output node ``j`` sums its incoming edges,
``y_j = sum_i phi_ij(x_i) + bias_j`` (Eq. 2.5; the bias is optional and off by default, as in the
paper). The layer is the matrix ``Phi_l = {phi_ij}`` of Eq. 2.2 and 2.6, and edge ``(i, j)`` of
layer ``l`` is the paper's ``phi_{l,i,j}`` (Eq. 2.4): its pre-activation is ``x_{l,i}``, input ``i``
of ``n_l``, and its post-activation goes to node ``j`` of ``n_{l+1}``, as in Eq. 2.5. (Arrays are
indexed ``[i, j]``, input first; pykan's are ``[j, i]``, see ``docs/conventions.md``.)

One deliberate deviation: the paper's Eq. 2.10 has a single weight, ``phi = w (b(x) + spline(x))``.
Here each edge has two, ``w_b`` on the base branch and ``w_s`` on the spline branch, as in the code
the paper's experiments were run with and in pykan, so that pykan models load without loss and
the two branches can be scaled (and frozen) separately. ``w_b = w_s = w`` gives the paper's form.

Parameters live in plain arrays on the layer; ``forward`` returns the output and a cache, and
``backward`` turns an output gradient and that cache into the input gradient and the parameter
gradients. Nothing is remembered between calls.
"""
import numpy as np

from . import spline
from .activations import BASE_FUNCTIONS, derivatives
from .._checks import as_choice, as_matrix

INITS = ("paper", "pykan-0.0", "pykan")
PARAM_GROUPS = ("coef", "w_b", "w_s", "bias", "affine")


class KANLayer:
    """A KAN layer with ``n_in`` inputs and ``n_out`` outputs.

    Attributes
    ----------
    grid : ndarray, shape (n_in, G+2k+1)
        Extended knots, one vector per input (not trained; moved by grid updates).
    coef : ndarray, shape (n_in, n_out, G+k)
        B-spline coefficients ``c`` of every edge.
    w_b, w_s : ndarray, shape (n_in, n_out)
        Weights of the base branch and of the spline branch.
    mask : ndarray, shape (n_in, n_out)
        1 for a live edge, 0 for a removed one (not trained).
    bias : ndarray, shape (n_out,), or None
        Optional per-node bias.
    k : int
        Spline degree.
    base : str
        Name of the base function b, one of ``BASE_FUNCTIONS``.
    basis : {"local", "dense"}
        How the spline part is evaluated: ``"local"`` (only the k+1 non-zero basis functions per
        point; cost independent of G) or ``"dense"`` (all G+k functions; the readable reference).
    """

    def __init__(self, grid, coef, w_b, w_s, mask=None, bias=None, k=3, base="silu", basis="local"):
        self.k = int(k)
        self.grid = spline.check_grid(grid, self.k)
        self.coef = np.array(coef, dtype=np.float64)
        n_in, n_out, n_basis = self.coef.shape
        if self.grid.shape != (n_in, n_basis + self.k + 1):
            raise ValueError(
                f"grid must have shape (n_in, G+2k+1) = ({n_in}, {n_basis + self.k + 1}) to match "
                f"coef {self.coef.shape}, got {self.grid.shape}"
            )
        self.w_b = np.array(w_b, dtype=np.float64).reshape(n_in, n_out)
        self.w_s = np.array(w_s, dtype=np.float64).reshape(n_in, n_out)
        self.mask = np.ones((n_in, n_out)) if mask is None else np.array(mask, dtype=np.float64).reshape(n_in, n_out)
        self.bias = None if bias is None else np.array(bias, dtype=np.float64).reshape(n_out)
        self.base = as_choice(base, "base", BASE_FUNCTIONS)
        self.basis = as_choice(basis, "basis", ("local", "dense"))

    @classmethod
    def create(cls, n_in, n_out, G, k=3, rng=None, *, grid_range=(-1.0, 1.0), base="silu",
               init="paper", bias=False, basis="local"):
        """A freshly initialised layer (paper Section 2.2, "Initialization scales").

        ``init`` chooses the recipe:

        * ``"paper"``: ``c ~ N(0, 0.1^2)`` (footnote 2), ``w_b`` Xavier/Glorot uniform on
          ``±sqrt(6 / (n_in + n_out))``, ``w_s = 1``.
        * ``"pykan-0.0"`` (the code the paper was run with): uniform noise of half-width
          ``0.1 / (2G)`` at the G+1 base knots, coefficients by minimum-norm least squares through
          it; ``w_b = 1/sqrt(n_in) + 0.1 (2 z - 1)`` with ``z ~ N(0, 1)``; ``w_s = 1``.
        * ``"pykan"`` (pykan 0.2.8 defaults): the same noise recipe with half-width
          ``0.3 / (2G)``; ``w_b ~ U(-1, 1)/sqrt(n_in)``; ``w_s = 1/sqrt(n_in)``.

        The bias, when present, starts at 0.
        """
        rng = np.random.default_rng(rng)
        as_choice(init, "init", INITS)
        t = spline.uniform_grid(G, k, *grid_range)
        grid = np.tile(t, (n_in, 1))  # (n_in, G+2k+1)
        if init == "paper":
            coef = rng.normal(0.0, 0.1, size=(n_in, n_out, G + k))
            bound = np.sqrt(6.0 / (n_in + n_out))
            w_b = rng.uniform(-bound, bound, size=(n_in, n_out))
            w_s = np.ones((n_in, n_out))
        else:
            noise_scale = 0.1 if init == "pykan-0.0" else 0.3
            knots = grid[:, k:-k] if k > 0 else grid  # (n_in, G+1) base knots
            noise = (rng.uniform(size=(G + 1, n_in, n_out)) - 0.5) * noise_scale / G
            # G+1 points cannot fix G+k coefficients: pykan takes the minimum-norm solution, which
            # the dense SVD solver reproduces (the banded one would smooth instead)
            coef = spline.fit_coef(knots.T, noise, grid, k)
            if init == "pykan-0.0":
                w_b = 1.0 / np.sqrt(n_in) + 0.1 * (2.0 * rng.normal(size=(n_in, n_out)) - 1.0)
                w_s = np.ones((n_in, n_out))
            else:
                w_b = rng.uniform(-1.0, 1.0, size=(n_in, n_out)) / np.sqrt(n_in)
                w_s = np.full((n_in, n_out), 1.0 / np.sqrt(n_in))
        return cls(grid, coef, w_b, w_s, bias=np.zeros(n_out) if bias else None, k=k, base=base, basis=basis)

    # ------------------------------------------------------------------ shapes and parameters
    @property
    def n_in(self):
        return self.coef.shape[0]

    @property
    def n_out(self):
        return self.coef.shape[1]

    @property
    def G(self):
        return self.coef.shape[2] - self.k

    def params(self):
        """The trainable-in-principle arrays by group name (``bias`` only when present)."""
        p = {"coef": self.coef, "w_b": self.w_b, "w_s": self.w_s}
        if self.bias is not None:
            p["bias"] = self.bias
        return p

    def subset(self, rows=None, cols=None, grid=None, coef=None):
        """A new layer on inputs ``rows`` and outputs ``cols`` (default: all), all arrays copied;
        ``grid`` and ``coef`` replace the (sliced) knots and coefficients when given."""
        rows = np.arange(self.n_in) if rows is None else np.asarray(rows)
        cols = np.arange(self.n_out) if cols is None else np.asarray(cols)
        ix = np.ix_(rows, cols)
        return KANLayer(
            self.grid[rows] if grid is None else grid, self.coef[ix] if coef is None else coef,
            self.w_b[ix], self.w_s[ix], self.mask[ix], None if self.bias is None else self.bias[cols],
            k=self.k, base=self.base, basis=self.basis)

    def copy(self):
        return self.subset()

    # ------------------------------------------------------------------ the spline branch
    _knots = None  # spline.Knots of the current grid, prepared on first use (see prepared_knots)

    def prepared_knots(self):
        """The layer's knots prepared for the local basis (padded once per grid, not per call);
        rebuilt when ``grid`` was replaced or edited in place since."""
        self._knots = spline.Knots.cached(self.grid, self.k, self._knots)
        return self._knots

    def branches(self, x, nderiv=0, basis=None):
        """The two branches of every edge (Eq. 2.10) and their input derivatives up to ``nderiv``.

        Returns
        -------
        base : list of ndarray
            ``b^(m)(x_i)``, m = 0..nderiv, each of shape (N, n_in) (Eq. 2.11).
        splines : ndarray, shape (nderiv+1, N, n_in, n_out)
            ``s^(m)_ij(x_i) = sum_q c_ijq B^(m)_q(x_i)`` (Eq. 2.12).
        basis : spline.LocalBasis or spline.DenseBasis
            The basis operator at ``x``; its adjoint gives coefficient gradients.

        The layer's forward pass uses ``nderiv = 1`` (the backward pass needs ``phi'``); the
        input-derivative code (:mod:`minikan.applications.derivatives`) asks for up to 3, always
        in the local form (``basis="local"`` overrides the layer's setting).
        """
        splines, op = self._spline(x, nderiv, basis or self.basis)
        return derivatives(self.base, x, nderiv), splines, op

    def _spline(self, x, nderiv, basis=None):
        """Spline part and its x-derivatives, shape (nderiv+1, N, n_in, n_out), plus the basis
        operator that backward needs (``A^T`` gives the coefficient gradient)."""
        if (basis or self.basis) == "local":
            op = spline.LocalBasis(x, self.prepared_knots(), self.k, nderiv, assume_valid=True)
        else:
            op = spline.DenseBasis(x, self.grid, self.k, nderiv)
        return op.apply_all(self.coef), op

    def spline_part(self, x):
        """``sum_m c_ijm B_m(x_i)`` for every edge (no weights, no mask), shape (N, n_in, n_out)."""
        x = as_matrix(x, "x", self.n_in)
        return self._spline(x, 0)[0][0]

    def edge_functions(self, x):
        """``phi_ij(x_i) = m_ij (w_b b(x_i) + w_s spline_ij(x_i))`` for every sample and edge
        (Eq. 2.10), shape (N, n_in, n_out). (A symbolic edge's value is added by the model, see
        :meth:`minikan.KAN.edge_functions`.)"""
        x = as_matrix(x, "x", self.n_in)
        b = derivatives(self.base, x, 0)[0]
        s = self._spline(x, 0)[0][0]
        return self.mask * (self.w_b * b[:, :, None] + self.w_s * s)

    # ------------------------------------------------------------------ forward / backward
    def forward(self, x, with_cache=True):
        """Layer output (Eq. 2.5).

        Parameters
        ----------
        x : ndarray, shape (N, n_in)
        with_cache : bool
            False skips what only :meth:`backward` needs (the x-derivatives) and returns None
            as the cache.

        Returns
        -------
        y : ndarray, shape (N, n_out)
        cache : dict or None
            What :meth:`backward` needs; it holds arrays only, no reference to the layer state.
        """
        # b, s and (for backward) their x-derivatives b', s': (N, n_in) and (N, n_in, n_out) each
        base, splines, basis_cache = self.branches(x, 1 if with_cache else 0)
        b = base[0]
        wb, ws = self.mask * self.w_b, self.mask * self.w_s  # (n_in, n_out)
        y = b @ wb + np.einsum("nij,ij->nj", splines[0], ws)  # sum over incoming edges, Eq. 2.5
        if self.bias is not None:
            y = y + self.bias
        if not with_cache:
            return y, None
        cache = {"x": x, "b": b, "db": base[1], "s": splines[0],
                 "ds": splines[1], "basis": basis_cache}
        return y, cache

    def edge_values(self, cache):
        """The edge values ``phi_ij = m_ij (w_b b(x_i) + w_s s_ij(x_i))`` of a forward pass, from its
        cache, shape (N, n_in, n_out). (The sparsity penalty reads these, as pykan's default
        metric does; symbolic edges are not penalised.)"""
        return self.mask * (self.w_b * cache["b"][:, :, None] + self.w_s * cache["s"])

    def backward(self, dy, cache, dphi=None):
        """Gradients of a scalar loss, given ``dy = dL/dy`` of shape (N, n_out).

        Parameters
        ----------
        dy : ndarray, shape (N, n_out)
        cache : dict from :meth:`forward`
        dphi : ndarray, shape (N, n_in, n_out), optional
            Extra gradient of the loss with respect to the edge values
            ``m_ij (w_b b(x_ni) + w_s s_ij(x_ni))`` (:meth:`edge_values`), from a penalty that
            reads them (the sparsity regulariser, Eq. 2.17–2.20).

        Returns
        -------
        dx : ndarray, shape (N, n_in)
            ``dL/dx_i = sum_j g_ij m_ij (w_b b'(x_i) + w_s spline'_ij(x_i))`` with
            ``g_ij = dy_j + dphi_ij`` the total gradient reaching edge (i, j).
        grads : dict
            Same keys and shapes as :meth:`params`. Masked edges get zero gradient.
        """
        b, db, s, ds = cache["b"], cache["db"], cache["s"], cache["ds"]
        wb, ws = self.mask * self.w_b, self.mask * self.w_s
        N = dy.shape[0]
        # y_j = sum_i phi_ij, so every edge into j receives dy_j, plus any direct dphi
        g = np.broadcast_to(dy[:, None, :], (N, self.n_in, self.n_out)) if dphi is None else dy[:, None, :] + dphi
        grads = {
            # phi_ij = m_ij (w_b,ij b(x_i) + w_s,ij s_ij(x_i))  ->  dL/dw_b,ij = m_ij sum_n b(x_ni) g_nij
            "w_b": self.mask * np.einsum("ni,nij->ij", b, g),
            # ->  dL/dw_s,ij = m_ij sum_n s_nij g_nij
            "w_s": self.mask * np.einsum("nij,nij->ij", s, g),
            # s_ij(x) = sum_m c_ijm B_m(x)  ->  dL/dc_ijm = m_ij w_s,ij sum_n B_m(x_ni) g_nij
            "coef": self._coef_grad(g, cache["basis"]) * ws[:, :, None],
        }
        if self.bias is not None:
            grads["bias"] = dy.sum(axis=0)
        dx = db * np.einsum("nij,ij->ni", g, wb) + np.einsum("nij,ij,nij->ni", ds, ws, g)
        return dx, grads

    def _coef_grad(self, g, basis):
        """``sum_n B_m(x_ni) g_nij`` for every (i, j, m), shape (n_in, n_out, G+k): the adjoint of
        the basis operator of the forward pass (Eq. 2.12)."""
        return basis.adjoint(g)
