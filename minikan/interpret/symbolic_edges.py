"""The symbolic branch of a KAN layer (paper Section 2.5.1, "symbolic snapping").

Snapping edge ``(i, j)`` of layer ``l`` to a library function ``f`` replaces its learned spline by

.. math::
    \\psi_{ij}(x) = m^{s}_{ij} \\left( c_{ij} f(a_{ij} x + b_{ij}) + d_{ij} \\right),

with the affine parameters ``(a, b, c, d)`` fitted to the spline and then trained like any other
parameter. The model sums the two branches of every layer, ``y_j = sum_i phi_ij(x_i) + psi_ij(x_i)``
(:meth:`minikan.KAN.forward`): an edge is numeric (``mask = 1``, ``m^s = 0``), symbolic
(``mask = 0``, ``m^s = 1``), both (pykan's mode ``"sn"``), or removed (both 0).

:class:`SymbolicEdges` holds the arrays of one layer and evaluates them; :mod:`minikan.interpret.snapping`
decides which functions to put there.
"""
import numpy as np

from .symbolic import get_function

IDENTITY_AFFINE = (1.0, 0.0, 1.0, 0.0)  # (a, b, c, d) of an edge that was never snapped


class SymbolicEdges:
    """The symbolic edges of one layer with ``n_in`` inputs and ``n_out`` outputs.

    Attributes
    ----------
    mask : ndarray, shape (n_in, n_out)
        ``m^s``: 1 where the edge carries its symbolic function, 0 elsewhere.
    affine : ndarray, shape (n_in, n_out, 4)
        ``(a, b, c, d)`` of every edge (trained while the edge is symbolic).
    funs : ndarray of object, shape (n_in, n_out)
        A library name (see :data:`minikan.interpret.symbolic.LIBRARY`) or a
        :class:`~minikan.interpret.symbolic.SymbolicFunction` per edge; ``"0"`` where unused.
    """

    GROUP = "affine"  # the name of its parameters in the model's flat vector

    def __init__(self, n_in, n_out, mask=None, affine=None, funs=None):
        self.mask = np.zeros((n_in, n_out)) if mask is None else np.array(mask, dtype=np.float64).reshape(n_in, n_out)
        self.affine = (np.tile(IDENTITY_AFFINE, (n_in, n_out, 1)) if affine is None
                       else np.array(affine, dtype=np.float64).reshape(n_in, n_out, 4))
        self.funs = (np.full((n_in, n_out), "0", dtype=object) if funs is None
                     else np.array(funs, dtype=object).reshape(n_in, n_out))

    @property
    def shape(self):
        return self.mask.shape

    def active(self):
        """Whether any edge is symbolic (otherwise the branch adds nothing and has no parameters)."""
        return bool(self.mask.any())

    def params(self):
        """``{"affine": affine}`` while some edge is symbolic, else ``{}``."""
        return {self.GROUP: self.affine} if self.active() else {}

    def subset(self, rows=None, cols=None):
        """The edges of inputs ``rows`` and outputs ``cols`` (default all), arrays copied."""
        rows = np.arange(self.shape[0]) if rows is None else np.asarray(rows)
        cols = np.arange(self.shape[1]) if cols is None else np.asarray(cols)
        ix = np.ix_(rows, cols)
        return SymbolicEdges(len(rows), len(cols), self.mask[ix], self.affine[ix], self.funs[ix])

    def copy(self):
        return self.subset()

    def _inner(self, x, safe):
        """``f(a x_i + b)`` and ``f'(a x_i + b)`` on the symbolic edges (0 elsewhere), each of shape
        (N, n_in, n_out). ``safe`` evaluates the functions' singularity-safe variants
        (:mod:`minikan.interpret.symbolic`), as training does."""
        fz = np.zeros((x.shape[0],) + self.shape)
        dfz = np.zeros_like(fz)
        for i, j in zip(*np.nonzero(self.mask)):
            fun = get_function(self.funs[i, j])
            z = self.affine[i, j, 0] * x[:, i] + self.affine[i, j, 1]
            f, df = (fun.safe, fun.dsafe) if safe else (fun.f, fun.df)
            fz[:, i, j], dfz[:, i, j] = f(z), df(z)
        return fz, dfz

    def edge_functions(self, x, safe=False):
        """``psi_ij(x_i)`` for every sample and edge, shape (N, n_in, n_out) (0 off the mask)."""
        fz = self._inner(x, safe)[0]
        return self.mask * (self.affine[..., 2] * fz + self.affine[..., 3])

    def forward(self, x, safe=False):
        """``sum_i psi_ij(x_i)``, shape (N, n_out), and the cache :meth:`backward` needs.

        Parameters
        ----------
        x : ndarray, shape (N, n_in)
        safe : bool
            Evaluate the singularity-safe variants of the functions (training).
        """
        fz, dfz = self._inner(x, safe)
        psi = self.mask * (self.affine[..., 2] * fz + self.affine[..., 3])
        return psi.sum(axis=1), {"x": x, "fz": fz, "dfz": dfz}

    def backward(self, dy, cache):
        """Gradients from ``dy = dL/dy`` (N, n_out): ``(dx (N, n_in), {"affine": (n_in, n_out, 4)})``.

        With ``psi = m (c f(a x + b) + d)``: ``dpsi/da = m c f' x``, ``dpsi/db = m c f'``,
        ``dpsi/dc = m f``, ``dpsi/dd = m`` and ``dpsi/dx = m c f' a``; every edge into node ``j``
        receives ``dy_j``.
        """
        fz, dfz, x = cache["fz"], cache["dfz"], cache["x"]
        a, c = self.affine[..., 0], self.affine[..., 2]
        g = dy[:, None, :] * self.mask  # (N, n_in, n_out)
        gcf = g * c * dfz
        grad = np.stack([np.einsum("nij,ni->ij", gcf, x), gcf.sum(axis=0), (g * fz).sum(axis=0),
                         g.sum(axis=0)], axis=-1)
        return np.einsum("nij,ij->ni", gcf, a), {self.GROUP: grad}
