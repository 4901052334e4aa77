"""One KAN layer: a matrix of learnable 1-D functions (paper Section 2.2, Eq. 2.5 and 2.10–2.12).

Each edge ``i -> j`` carries

.. math::
    \\phi_{ij}(x) = m_{ij} \\left( w_{b,ij}\\, b(x) + w_{s,ij} \\sum_m c_{ijm} B_m(x) \\right)
    \\qquad (Eq. 2.10–2.12)

with ``b = silu`` by default and ``m`` the (fixed) edge mask, and output node ``j`` sums its
incoming edges, ``y_j = sum_i phi_ij(x_i) + bias_j`` (Eq. 2.5; the bias is optional and off by
default, as in the paper).

Parameters live in plain arrays on the layer; ``forward`` returns the output and a cache, and
``backward`` turns an output gradient and that cache into the input gradient and the parameter
gradients. Nothing is remembered between calls.
"""
import numpy as np
from scipy.special import expit

from . import spline
from .._checks import as_choice, as_matrix

# name -> (b, b', b''), each mapping an array to an array of the same shape
BASE_FUNCTIONS = {
    "silu": (
        lambda x: x * expit(x),
        lambda x: expit(x) * (1.0 + x * (1.0 - expit(x))),
        lambda x: expit(x) * (1.0 - expit(x)) * (2.0 + x * (1.0 - 2.0 * expit(x))),
    ),
    "identity": (lambda x: x.copy(), np.ones_like, np.zeros_like),
    "zero": (np.zeros_like, np.zeros_like, np.zeros_like),
}

INITS = ("paper", "pykan-0.0", "pykan-0.2")
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

    def __init__(self, grid, coef, w_b, w_s, mask=None, bias=None, k=3, base="silu", basis="local",
                 sym_mask=None, affine=None, sym_funs=None):
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
        # symbolic branch (Section 2.5.1, "symbolic snapping"): edge (i, j) adds
        # sym_mask_ij * (c f(a x + b) + d) with (a, b, c, d) = affine[i, j]
        self.sym_mask = np.zeros((n_in, n_out)) if sym_mask is None else np.array(sym_mask, dtype=np.float64).reshape(n_in, n_out)
        self.affine = np.tile([1.0, 0.0, 1.0, 0.0], (n_in, n_out, 1)) if affine is None else np.array(affine, dtype=np.float64).reshape(n_in, n_out, 4)
        self.sym_funs = np.full((n_in, n_out), "0", dtype=object) if sym_funs is None else np.array(sym_funs, dtype=object).reshape(n_in, n_out)
        # symbolic edges evaluate the singularity-safe variants of their functions while this is on
        # (set by ``fit`` for the duration of training, see minikan.core.train)
        self.safe_symbolic = False

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
        * ``"pykan-0.2"`` (pykan 0.2.8 defaults): the same noise recipe with half-width
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
        """The trainable-in-principle arrays by group name (``bias`` only when present, ``affine``
        only when some edge is symbolic)."""
        p = {"coef": self.coef, "w_b": self.w_b, "w_s": self.w_s}
        if self.bias is not None:
            p["bias"] = self.bias
        if self.sym_mask.any():
            p["affine"] = self.affine
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
            k=self.k, base=self.base, basis=self.basis, sym_mask=self.sym_mask[ix],
            affine=self.affine[ix], sym_funs=self.sym_funs[ix])

    def copy(self):
        return self.subset()

    # ------------------------------------------------------------------ the spline branch
    _knots = None  # spline.Knots of the current grid, prepared on first use (see prepared_knots)

    def prepared_knots(self):
        """The layer's knots prepared for the local basis (padded once per grid, not per call);
        rebuilt when ``grid`` was replaced or edited in place since."""
        self._knots = spline.Knots.cached(self.grid, self.k, self._knots)
        return self._knots

    def _spline(self, x, nderiv):
        """Spline part and its x-derivatives, shape (nderiv+1, N, n_in, n_out), plus the basis
        operator that backward needs (``A^T`` gives the coefficient gradient)."""
        if self.basis == "local":
            op = spline.LocalBasis(x, self.prepared_knots(), self.k, nderiv, assume_valid=True)
        else:
            op = spline.DenseBasis(x, self.grid, self.k, nderiv)
        return op.apply_all(self.coef), op

    def spline_part(self, x):
        """``sum_m c_ijm B_m(x_i)`` for every edge (no weights, no mask), shape (N, n_in, n_out)."""
        x = as_matrix(x, "x", self.n_in)
        return self._spline(x, 0)[0][0]

    # ------------------------------------------------------------------ the symbolic branch
    def _symbolic(self, x):
        """``f(a x_i + b)`` and ``f'(a x_i + b)`` on the symbolic edges (zeros elsewhere), shape
        (N, n_in, n_out) each, or None when no edge is symbolic."""
        if not self.sym_mask.any():
            return None
        from ..interpret.symbolic import get_function

        fz = np.zeros((x.shape[0], self.n_in, self.n_out))
        dfz = np.zeros_like(fz)
        for i, j in zip(*np.nonzero(self.sym_mask)):
            fun = get_function(self.sym_funs[i, j])
            z = self.affine[i, j, 0] * x[:, i] + self.affine[i, j, 1]
            f, df = (fun.safe, fun.dsafe) if self.safe_symbolic else (fun.f, fun.df)
            fz[:, i, j], dfz[:, i, j] = f(z), df(z)
        return fz, dfz

    def _symbolic_values(self, fz):
        """``sym_mask * (c f(a x + b) + d)`` from the precomputed ``f`` values."""
        return self.sym_mask * (self.affine[..., 2] * fz + self.affine[..., 3])

    def edge_functions(self, x):
        """``phi_ij(x_i)`` for every sample and edge, both branches and masks included,
        shape (N, n_in, n_out)."""
        x = as_matrix(x, "x", self.n_in)
        b = BASE_FUNCTIONS[self.base][0](x)
        s = self._spline(x, 0)[0][0]
        phi = self.mask * (self.w_b * b[:, :, None] + self.w_s * s)
        sym = self._symbolic(x)
        return phi if sym is None else phi + self._symbolic_values(sym[0])

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
        b = BASE_FUNCTIONS[self.base][0](x)  # (N, n_in)
        splines, basis_cache = self._spline(x, 1 if with_cache else 0)  # (1 or 2, N, n_in, n_out)
        wb, ws = self.mask * self.w_b, self.mask * self.w_s  # (n_in, n_out)
        y = b @ wb + np.einsum("nij,ij->nj", splines[0], ws)  # sum over incoming edges, Eq. 2.5
        sym = self._symbolic(x)
        if sym is not None:
            y = y + self._symbolic_values(sym[0]).sum(axis=1)
        if self.bias is not None:
            y = y + self.bias
        if not with_cache:
            return y, None
        cache = {"x": x, "b": b, "db": BASE_FUNCTIONS[self.base][1](x), "s": splines[0],
                 "ds": splines[1], "basis": basis_cache, "sym": sym}
        return y, cache

    def edge_values(self, cache):
        """The numeric branch ``m_ij (w_b b(x_i) + w_s s_ij(x_i))`` of a forward pass, from its
        cache, shape (N, n_in, n_out). (The sparsity penalty reads this branch only, as pykan's
        default metric does; symbolic edges are not penalised.)"""
        return self.mask * (self.w_b * cache["b"][:, :, None] + self.w_s * cache["s"])

    def backward(self, dy, cache, dphi=None):
        """Gradients of a scalar loss, given ``dy = dL/dy`` of shape (N, n_out).

        Parameters
        ----------
        dy : ndarray, shape (N, n_out)
        cache : dict from :meth:`forward`
        dphi : ndarray, shape (N, n_in, n_out), optional
            Extra gradient of the loss with respect to the numeric edge values
            ``m_ij (w_b b(x_ni) + w_s s_ij(x_ni))`` (:meth:`edge_values`; from a penalty such as
            the sparsity regulariser, Eq. 2.17–2.20). It does not reach the symbolic branch of an
            edge that carries both.

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
        if cache["sym"] is not None:
            # psi = m_s (c f(a x + b) + d): d/da = m_s c f' x, d/db = m_s c f', d/dc = m_s f,
            # d/dd = m_s, d/dx = m_s c f' a
            fz, dfz = cache["sym"]
            a, c = self.affine[..., 0], self.affine[..., 2]
            # only dy reaches the symbolic branch: ``dphi`` belongs to the numeric edge values
            # that the penalty reads, not to the symbolic function an edge may carry as well
            gs = dy[:, None, :] * self.sym_mask  # (N, n_in, n_out)
            gcf = gs * c * dfz
            grads["affine"] = np.stack([np.einsum("nij,ni->ij", gcf, cache["x"]), gcf.sum(axis=0),
                                        (gs * fz).sum(axis=0), gs.sum(axis=0)], axis=-1)
            dx = dx + np.einsum("nij,ij->ni", gcf, a)
        return dx, grads

    def _coef_grad(self, g, basis):
        """``sum_n B_m(x_ni) g_nij`` for every (i, j, m), shape (n_in, n_out, G+k): the adjoint of
        the basis operator of the forward pass (Eq. 2.12)."""
        return basis.adjoint(g)
