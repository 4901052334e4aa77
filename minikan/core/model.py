"""The KAN model: a stack of KAN layers (Eq. 2.6–2.8) with one flat parameter vector.

``KAN(width=[n_0, ..., n_L], grid=G, k=3, seed=0)`` builds ``L`` layers (the shape of Eq. 2.3);
layer ``l`` is the matrix of functions ``Phi_l`` of Eq. 2.2/2.6, mapping ``n_l`` inputs to ``n_{l+1}``
outputs, and the network is their composition (Eq. 2.7; written out in Eq. 2.8). The model exposes

* ``predict(X)`` and the hand-written ``forward`` / ``backward`` pair; every layer's output is the
  sum of its numeric edges (:class:`~minikan.core.layer.KANLayer`) and of its symbolic edges
  (:class:`~minikan.interpret.symbolic_edges.SymbolicEdges`, Section 2.5.1; none until an edge is
  snapped),
* one flat vector of the trainable parameters (``get_flat`` / ``set_flat``; the order is layer by
  layer, and within a layer ``coef, w_b, w_s, bias, affine``, each raveled in C order), which the
  training objective (:mod:`minikan.core.objective`) differentiates,
* ``update_grid`` and ``refine`` (grid update and grid extension, Sec. 2.2 and 2.4),
* pykan-style methods (``fit``, ``plot``, ``prune``, ``auto_symbolic``, ``symbolic_formula``,
  ``save``, ...) that call their implementation in the other sub-packages.
"""
import numpy as np

from . import grid_update
from .._checks import as_bool, as_choice, as_float, as_int, as_interval, as_matrix, as_rng, as_xy
from ._flat import FlatParameters
from .multiply import check_arity, multiply, multiply_backward, n_subnodes, parse_width
from .activations import BASE_FUNCTIONS
from .layer import INITS, PARAM_GROUPS, KANLayer
from .regularize import regularization
from .spline import check_G_k


class KAN(FlatParameters):
    """Kolmogorov–Arnold Network (paper Section 2.2).

    Parameters
    ----------
    width : list of int or [n_sum, n_mult] pairs
        ``[n_0, n_1, ..., n_L]``, at least two entries, each >= 1. Not modified. An entry
        ``[n_sum, n_mult]`` (rows 1..L, the output row included) makes a row of ``n_sum`` sum nodes
        followed by ``n_mult`` multiplication nodes (see :mod:`minikan.core.multiply`): the layer below
        it then has ``n_sum + mult_arity * n_mult`` outputs (subnodes), and node ``n_sum + m`` is
        the product of subnodes ``n_sum + mult_arity*m .. n_sum + mult_arity*m + mult_arity - 1``.
    grid : int
        Number of grid intervals ``G`` of every spline.
    k : int
        Spline degree (3 = cubic).
    seed : int or numpy.random.Generator
        Source of the initial parameters; the same seed gives bit-identical models.
    grid_range : (float, float)
        Initial interval ``[a, b]`` of every grid.
    base : {"silu", "identity", "zero"}
        Base function ``b`` of Eq. 2.10–2.11.
    init : {"paper", "pykan-0.0", "pykan"}
        Initialisation recipe, see :meth:`KANLayer.create`.
    bias : bool
        Add a trainable bias to every node (pykan's paper-era code had one; the paper does not).
    grid_eps : float in [0, 1]
        Uniform fraction of grids built from samples (see :func:`minikan.core.grid_update.grid_from_samples`).
        The default 1 (uniform) with ``grid_margin=0.01`` is the rule of the code the paper's
        experiments were run with; pykan 0.2.8 uses ``grid_eps=0.02, grid_margin=0``.
    grid_margin : float >= 0
        Grids built from samples span ``[min x - margin, max x + margin]``. The margin keeps test
        points just outside the training range on the fitted polynomial pieces instead of on
        the weakly constrained outer intervals.
    basis : {"local", "dense"}
        Spline evaluation strategy; both give the same numbers.
    trainable : dict, optional
        Which parameter groups are trained, e.g. ``{"w_s": False}``; groups not named are trained.
    mult_arity : int >= 2
        Number of factors of every multiplication node (one arity for the whole model).

    Attributes
    ----------
    width : list of int
        Nodes per row, ``n_sum + n_mult`` (what the next layer takes as inputs).
    n_mult : list of int
        Multiplication nodes per row (length L+1, row 0 has none).
    mult_arity : int
    subnode_width : list of int
        Outputs of each layer per row, ``[n_0, n_1 + (a-1) n_mult_1, ...]``; layer ``l``'s
        coefficients have shape (width[l], subnode_width[l+1], G+k), and edges ``(l, i, j)``
        address subnode ``j``. A layer's bias, when present, is per subnode (before the product).

    Examples
    --------
    >>> model = KAN([2, 5, 1], grid=5, k=3, seed=0)
    >>> model.n_params()
    {'coef': 120, 'w_b': 15, 'w_s': 15, 'bias': 0, 'affine': 0, 'total': 150}
    >>> model.predict(np.zeros((4, 2))).shape
    (4, 1)
    """

    GROUPS = PARAM_GROUPS + ("affine",)  # the layers' groups, then the symbolic edges'
    has_grid = True  # the trainer moves the grids on its schedule (update_grid, grid_shift, out_of_grid)
    has_edges = True  # the sparsity penalty reads the edge values (edge_values)
    can_reinitialize = True  # fit(..., restarts=n) draws fresh starts (reinitialized)

    def __init__(self, width, grid=3, k=3, seed=0, *, grid_range=(-1.0, 1.0), base="silu",
                 init="paper", bias=False, grid_eps=1.0, grid_margin=0.01, basis="local",
                 trainable=None, mult_arity=2):
        width, n_mult = parse_width(width)
        mult_arity = check_arity(mult_arity)
        sub = [n_subnodes(n, m, mult_arity) for n, m in zip(width, n_mult)]
        G, k = check_G_k(grid, k)
        as_choice(base, "base", BASE_FUNCTIONS)
        as_choice(init, "init", INITS)
        as_choice(basis, "basis", ("local", "dense"))
        grid_range = as_interval(grid_range, "grid_range")
        rng = as_rng(seed)
        layers = [
            KANLayer.create(width[l], sub[l + 1], G, k, rng, grid_range=grid_range, base=base,
                            init=init, bias=as_bool(bias, "bias"), basis=basis)
            for l in range(len(width) - 1)
        ]
        self._setup(layers, grid_eps, grid_margin, trainable, init, n_mult, mult_arity)

    @classmethod
    def from_layers(cls, layers, grid_eps=1.0, grid_margin=0.01, trainable=None, init="paper", *,
                    n_mult=None, mult_arity=2, symbolic=None):
        """Build a model around existing :class:`KANLayer` objects (they are used, not copied).

        ``init`` names the initialisation recipe that :meth:`reinitialized` uses for fresh copies.
        ``n_mult`` (one count per row, default none) and ``mult_arity`` give the multiplication
        nodes; :meth:`mult_structure` returns them as keyword arguments for this method.
        ``symbolic`` gives each layer's :class:`~minikan.interpret.symbolic_edges.SymbolicEdges`
        (used, not copied; default: none snapped).
        """
        model = cls.__new__(cls)
        model._setup(list(layers), grid_eps, grid_margin, trainable, as_choice(init, "init", INITS),
                     n_mult, check_arity(mult_arity), symbolic)
        return model

    def _setup(self, layers, grid_eps, grid_margin, trainable, init="paper", n_mult=None, mult_arity=2,
               symbolic=None):
        # a model without layers or with an empty layer has no width to report and cannot be saved
        if not layers:
            raise ValueError("a KAN needs at least one layer, got none")
        for l, layer in enumerate(layers):
            if layer.n_in < 1 or layer.n_out < 1:
                raise ValueError(f"every width of a KAN must be >= 1; layer {l} has {layer.n_in} inputs and "
                                 f"{layer.n_out} outputs")
        n_mult = [0] * (len(layers) + 1) if n_mult is None else [as_int(m, "n_mult entry", 0) for m in n_mult]
        if len(n_mult) != len(layers) + 1 or n_mult[0]:
            raise ValueError(f"n_mult needs one count per row ({len(layers) + 1}), none on the inputs; got {n_mult}")
        for l, (a, b) in enumerate(zip(layers, layers[1:] + [None])):
            nodes = a.n_out - (mult_arity - 1) * n_mult[l + 1]  # each product node eats arity subnodes
            if nodes < n_mult[l + 1] or (b is not None and nodes != b.n_in):
                raise ValueError(f"layer widths do not chain: {a.n_out} outputs with {n_mult[l + 1]} "
                                 f"multiplication nodes of arity {mult_arity} feed "
                                 f"{'the outputs' if b is None else f'{b.n_in} inputs'}")
        # the symbolic branch of every layer (Section 2.5.1) lives in the interpretability part;
        # the model only sums it with the layer's numeric edges
        from ..interpret.symbolic_edges import SymbolicEdges

        if symbolic is None:
            symbolic = [SymbolicEdges(layer.n_in, layer.n_out) for layer in layers]
        symbolic = list(symbolic)
        if len(symbolic) != len(layers) or any(
                not isinstance(s, SymbolicEdges) or s.shape != (layer.n_in, layer.n_out)
                for s, layer in zip(symbolic, layers)):
            raise ValueError("symbolic must hold one SymbolicEdges per layer, of the layer's shape (n_in, n_out)")
        self.layers = layers
        self.symbolic = symbolic
        self.n_mult, self.mult_arity = n_mult, mult_arity
        self.init = init
        self.grid_eps = as_float(grid_eps, "grid_eps", 0.0, 1.0)
        self.grid_margin = as_float(grid_margin, "grid_margin", 0.0)
        self._set_trainable(trainable)

    # ------------------------------------------------------------------ structure
    @property
    def width(self):
        """Nodes per row, ``[n_0, ..., n_L]`` (sum and multiplication nodes together)."""
        return [self.layers[0].n_in] + [layer.n_out - (self.mult_arity - 1) * m
                                        for layer, m in zip(self.layers, self.n_mult[1:])]

    @property
    def width_spec(self):
        """The width as the constructor takes it: ``[n_sum, n_mult]`` for a row with
        multiplication nodes, the node count otherwise."""
        return [n if not m else [n - m, m] for n, m in zip(self.width, self.n_mult)]

    @property
    def subnode_width(self):
        """Outputs of the layer feeding each row, ``[n_0, n_1 + (a-1) n_mult_1, ...]`` (= width
        when there are no multiplication nodes)."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    def mult_structure(self):
        """``{"n_mult": [...], "mult_arity": a}``, keyword arguments of :meth:`from_layers`."""
        return {"n_mult": list(self.n_mult), "mult_arity": self.mult_arity}

    def multiply_subnodes(self, l, y):
        """Row ``l+1``'s nodes from layer ``l``'s outputs ``y``: (N, subnode_width[l+1]) array ->
        (N, width[l+1]), or a list of sympy expressions (see :func:`minikan.core.multiply.multiply`)."""
        if not self.n_mult[l + 1]:
            return y
        return multiply(y, self.width[l + 1] - self.n_mult[l + 1], self.mult_arity)

    @property
    def k(self):
        return self.layers[0].k

    @property
    def G(self):
        """Grid size of the first layer (all layers share it unless built by hand)."""
        return self.layers[0].G

    def check_edge(self, l, i, j):
        """Validate an edge address ``(l, i, j)`` (layer, input, output); return it as ints."""
        l = as_int(l, "l", 0)
        if l >= len(self.layers):
            raise ValueError(f"layer index l must be < {len(self.layers)}, got {l}")
        layer = self.layers[l]
        i, j = as_int(i, "i", 0), as_int(j, "j", 0)
        if i >= layer.n_in or j >= layer.n_out:
            raise ValueError(f"edge ({i}, {j}) does not exist in layer {l} of shape ({layer.n_in}, {layer.n_out})")
        return l, i, j

    def __repr__(self):
        arity = f", mult_arity={self.mult_arity}" if any(self.n_mult) else ""
        return f"KAN(width={self.width_spec}, grid={self.G}, k={self.k}, base={self.layers[0].base!r}{arity})"

    def copy(self):
        """An independent deep copy."""
        return self.with_layers([layer.copy() for layer in self.layers], [s.copy() for s in self.symbolic])

    def with_layers(self, layers, symbolic=None):
        """A model with this one's settings (grid rule, trainability, init recipe, multiplication
        nodes) around new layers (and symbolic edges; default none snapped). Used by grid
        extension, pruning and reordering, which change the layers but keep the settings."""
        return type(self).from_layers(layers, self.grid_eps, self.grid_margin, self.trainable, self.init,
                                      **self.mult_structure(), symbolic=symbolic)

    def reinitialized(self, seed=0):
        """A freshly initialised model of the same shape on the same knots (a new starting point).

        Widths, ``G``, ``k``, the knots of every layer, the base function, the presence of biases,
        masks, the evaluation strategy and the trainability flags are kept; ``coef``, ``w_b`` and
        ``w_s`` are drawn anew from ``seed`` with this model's ``init`` recipe (see
        :meth:`KANLayer.create`; "paper" for models built from layers). Used by
        ``fit(..., restarts=n)``. A model with symbolic edges raises ``ValueError``.
        """
        if any(s.active() for s in self.symbolic):
            raise ValueError("reinitialized needs a model without symbolic edges (they have no "
                             "random initialisation); unfix them first")
        rng = as_rng(seed)
        layers = []
        for layer in self.layers:
            fresh = KANLayer.create(layer.n_in, layer.n_out, layer.G, layer.k, rng, base=layer.base,
                                    init=self.init, bias=layer.bias is not None, basis=layer.basis)
            new = fresh.subset(grid=layer.grid.copy(), coef=fresh.coef)
            new.mask = layer.mask.copy()
            layers.append(new)
        return self.with_layers(layers)

    def save(self, path):
        """Write the model to ``path``, one ``.npz`` file (see :mod:`minikan.tools.io`); read it back
        with :func:`minikan.load`."""
        from ..tools.saving import save
        save(self, path)

    # ------------------------------------------------------------------ flat parameter vector
    def param_groups(self):
        """``[(l, name, array), ...]`` for every trainable array, in flat-vector order: per layer
        the numeric edges' groups, then its symbolic edges' ``affine`` (while some edge is snapped)."""
        return [(l, name, arr) for l, (layer, sym) in enumerate(zip(self.layers, self.symbolic))
                for name, arr in {**layer.params(), **sym.params()}.items() if self.trainable[name]]

    # ------------------------------------------------------------------ forward / backward
    def _layer(self, l, x, safe=False, with_cache=True):
        """Row ``l+1`` from row ``l``: numeric plus symbolic edges (Eq. 2.5 with the snapped edges
        of Section 2.5.1), then the multiplication nodes. Returns ``(x_{l+1}, cache)``."""
        y, cache = self.layers[l].forward(x, with_cache)
        sym = self.symbolic[l]
        if sym.active():
            ys, sym_cache = sym.forward(x, safe)
            y = y + ys
            if with_cache:
                cache["symbolic"] = sym_cache
        if self.n_mult[l + 1]:
            if with_cache:
                cache["sub"] = y  # the factors, for the product rule in backward
            y = self.multiply_subnodes(l, y)
        return y, cache

    def forward(self, X, safe=False, *, checked=False):
        """Network output (Eq. 2.7) and the per-layer caches for :meth:`backward`.

        Parameters
        ----------
        X : ndarray, shape (N, n_0)
        safe : bool
            Symbolic edges evaluate the singularity-safe variants of their functions (training
            does this by default, see :func:`minikan.core.train.fit`).
        checked : bool
            ``X`` is already a validated float64 array (the training objective checks its data
            once, not on every evaluation).

        Returns
        -------
        y : ndarray, shape (N, n_L)
        caches : list of dict, one per layer
        """
        x = X if checked else as_matrix(X, "X", self.width[0])
        caches = []
        for l in range(len(self.layers)):
            x, cache = self._layer(l, x, safe)
            caches.append(cache)
        return x, caches

    def backward(self, dy, caches, extra=None):
        """Backpropagate ``dy = dL/dy`` (N, n_L) through all layers.

        ``extra`` optionally gives, per layer, the gradient of an additional term of the loss
        that reads the layer's forward pass (the sparsity penalty, see
        :func:`minikan.core.regularize.penalty`): a dict with ``"phi"``, the gradient with respect
        to the layer's edge values (N, n_l, n_{l+1}) (:meth:`KANLayer.edge_values`), and/or
        ``"x"``, the gradient with respect to its input (N, n_l). With multiplication nodes,
        ``n_{l+1}`` is ``subnode_width[l+1]`` and the product rule
        (:func:`minikan.core.multiply.multiply_backward`) turns node gradients into subnode gradients.

        Returns
        -------
        dX : ndarray, shape (N, n_0)
        grads : list of dict, per layer, with the keys of its parameter groups (``param_groups``)
        """
        grads = [None] * len(self.layers)
        for l in reversed(range(len(self.layers))):
            more = {} if extra is None or extra[l] is None else extra[l]
            if self.n_mult[l + 1]:
                dy = multiply_backward(dy, caches[l]["sub"], self.width[l + 1] - self.n_mult[l + 1], self.mult_arity)
            dx, grads[l] = self.layers[l].backward(dy, caches[l], more.get("phi"))
            if "symbolic" in caches[l]:
                dxs, sym_grads = self.symbolic[l].backward(dy, caches[l]["symbolic"])
                dx = dx + dxs
                grads[l].update(sym_grads)
            if more.get("x") is not None:
                dx = dx + more["x"]  # a penalty that also reads the layer's input
            dy = dx
        return dy, grads

    def predict(self, X):
        """Model output for inputs ``X`` of shape (N, n_0); returns shape (N, n_L)."""
        x = as_matrix(X, "X", self.width[0])
        for l in range(len(self.layers)):
            x = self._layer(l, x, with_cache=False)[0]
        return x

    def layer_inputs(self, X):
        """Inputs of every layer: ``[x_0 = X, x_1, ..., x_{L-1}]``, each of shape (N, n_l)."""
        xs = [as_matrix(X, "X", self.width[0])]
        for l in range(len(self.layers) - 1):
            xs.append(self._layer(l, xs[-1], with_cache=False)[0])
        return xs

    def edge_functions(self, l, x):
        """Every edge's value ``phi_lij(x_i)`` on the layer-``l`` inputs ``x`` (N, n_l), numeric and
        symbolic branch together, shape (N, n_l, subnode_width[l+1])."""
        layer = self.layers[l]
        x = as_matrix(x, "x", layer.n_in)
        phi = layer.edge_functions(x)
        sym = self.symbolic[l]
        return phi + sym.edge_functions(x) if sym.active() else phi

    def regularization(self, X, lamb_l1=1.0, lamb_entropy=1.0, metric="paper", lamb_coef=0.0, lamb_coefdiff=0.0):
        """The unweighted sparsity penalty on inputs ``X`` (N, n_0), ``sum_l (lamb_l1 |Phi_l|_1 +
        lamb_entropy S(Phi_l))`` (Eq. 2.17–2.19; see :func:`minikan.core.regularize.regularization`)."""
        return regularization(self, X, lamb_l1, lamb_entropy, metric, lamb_coef, lamb_coefdiff)

    def loss(self, X, y):
        """Mean squared error over all samples and outputs, ``mean((f(X) - y)^2)`` (a score for
        evaluation; training objectives are in :mod:`minikan.core.objective`)."""
        X, y = as_xy(X, y, self.width[0], self.width[-1])
        return float(np.mean((self.predict(X) - y) ** 2))

    # ------------------------------------------------------------------ grids
    def update_grid(self, X, grid_eps=None):
        """Move every layer's knots to follow its input samples (in place), layer by layer.

        Layer ``l`` is updated from its inputs computed with the already-updated layers
        ``0..l-1`` (as pykan does). Each edge function is preserved on the samples up to the
        least-squares residual of the spline refit. Returns ``self``. If ``X`` makes some layer's
        inputs overflow, :class:`minikan.core.grid_update.NonFiniteSamples` (a ``ValueError``) is raised and
        the model is left unchanged.
        """
        eps = self.grid_eps if grid_eps is None else as_float(grid_eps, "grid_eps", 0.0, 1.0)
        x = as_matrix(X, "X", self.width[0])
        old = list(self.layers)
        try:
            for l, layer in enumerate(old):
                grid, coef = grid_update.update_grid(layer.grid, layer.coef, x, layer.k, eps, self.grid_margin)
                self.layers[l] = layer.subset(grid=grid, coef=coef)  # a new layer: w_b, w_s, masks kept
                x = self._layer(l, x, with_cache=False)[0]  # layer l+1 is placed on the updated outputs
        except BaseException:
            self.layers[:] = old  # an error (NonFiniteSamples) leaves the model as it was
            raise
        return self

    def grid_shift(self, X, grid_eps=None):
        """How far :meth:`update_grid` on ``X`` would move each layer's knots, in knot spacings.

        For layer ``l`` the knots that a grid update would place on its current inputs
        (:func:`minikan.core.grid_update.placed_grid`) are compared with its knots; the largest move over its
        inputs is divided by that input's mean knot spacing (inputs an update leaves alone count 0;
        a layer with non-finite inputs counts inf).
        Returns an array of shape (L,); no parameter changes. (The update itself places layer
        ``l`` on inputs computed with the already-updated layers before it; the moves of the
        first layers are small when this is small.)
        """
        eps = self.grid_eps if grid_eps is None else as_float(grid_eps, "grid_eps", 0.0, 1.0)
        shifts = []
        for x, layer in zip(self.layer_inputs(X), self.layers):
            if not np.all(np.isfinite(x)):  # an update has to run, and report the overflow
                shifts.append(np.inf)
                continue
            base = slice(layer.k, layer.grid.shape[1] - layer.k)  # the knots t_k .. t_{G+k}
            new = grid_update.placed_grid(layer.grid, x, layer.k, eps, self.grid_margin)[:, base]
            old = layer.grid[:, base]
            spacing = (old[:, -1] - old[:, 0]) / layer.G  # (n_in,)
            shifts.append(float((np.abs(new - old).max(axis=1) / spacing).max()))
        return np.array(shifts)

    def out_of_grid(self, X):
        """Number of samples of ``X`` (N, n_0) outside each layer's grid range, shape (L,), int.

        A sample counts for layer ``l`` when one of its inputs to that layer lies outside that
        input's base interval ``[t_k, t_{G+k}]`` (see :func:`minikan.core.grid_update.outside_grid`): there
        the spline fades out, and beyond the outer knots the edge is only ``w_b b(x)``. Inputs
        whose edges are all masked or symbolic (no spline acts) are not counted. ``fit``
        warns with these counts (:class:`minikan.core.grid_update.OutOfGridWarning`) when it starts without
        a grid update at step 0, and after each grid update.
        """
        with np.errstate(all="ignore"):  # an overflowing hidden layer counts as outside
            xs = self.layer_inputs(X)
        counts = []
        for x, layer in zip(xs, self.layers):
            live = layer.mask.any(axis=1)  # inputs with at least one numeric edge
            counts.append(grid_update.outside_grid(x, layer.grid, layer.k)[:, live].any(axis=1).sum())
        return np.array(counts, dtype=np.int64)

    def refine(self, G_new, X):
        """Grid extension (Section 2.4, Eq. 2.16): a new model with ``G_new`` intervals per spline.

        The finer splines are least-squares fits of the coarse ones on the layer inputs produced
        by ``X`` (the training inputs, as in the paper). ``w_b``, ``w_s``, masks, biases and the
        trainability flags are copied; ``self`` is not modified.

        Parameters
        ----------
        G_new : int
        X : ndarray, shape (N, n_0)
        """
        G_new = as_int(G_new, "G_new", 1)
        xs = self.layer_inputs(X)
        layers = []
        for layer, x in zip(self.layers, xs):
            grid, coef = grid_update.refine(layer.grid, layer.coef, x, G_new, layer.k)
            layers.append(layer.subset(grid=grid, coef=coef))  # w_b, w_s, masks, bias kept
        return self.with_layers(layers, [s.copy() for s in self.symbolic])

    # ------------------------------------------------------------------ pruning
    def prune(self, X, threshold=1e-2, metric="paper", edge_threshold=None):
        """A new, smaller KAN without the hidden nodes whose Eq. 2.21 scores on ``X`` are below
        ``threshold`` (see :mod:`minikan.interpret.prune`; ``metric="pykan-0.0"`` divides each edge norm by
        its grid width, ``"pykan"`` uses attribution scores); with ``edge_threshold`` the edges
        scoring below it are removed as well (pykan's ``prune(node_th, edge_th)``). ``self`` is
        not modified."""
        from ..interpret.prune import prune_nodes
        return prune_nodes(self, X, threshold, metric, edge_threshold)

    def prune_edges(self, X, threshold=3e-2, metric="paper"):
        """A copy with the edges whose score on ``X`` (``|phi|_1``, or attribution with
        ``metric="pykan"``) is below ``threshold`` removed."""
        from ..interpret.prune import prune_edges
        return prune_edges(self, X, threshold, metric)

    def prune_inputs(self, X, threshold=1e-2):
        """``(smaller model, kept input columns)`` without the inputs whose outgoing edges are all
        below ``threshold`` on ``X``."""
        from ..interpret.prune import prune_inputs
        return prune_inputs(self, X, threshold)

    def prune_node(self, l, i):
        """A new model without hidden node ``i`` of layer ``l``."""
        from ..interpret.prune import prune_node
        return prune_node(self, l, i)

    def remove_edge(self, l, i, j):
        """A copy without edge ``i -> j`` of layer ``l``, numeric or symbolic (both branches off;
        see :func:`minikan.interpret.prune.remove_edge`). ``fix_symbolic``/``unfix_symbolic`` refuse it."""
        from ..interpret.prune import remove_edge
        return remove_edge(self, l, i, j)

    # ------------------------------------------------------------------ symbolic snapping
    def fix_symbolic(self, l, i, j, fun, X=None, lib=None, a_range=(-10, 10), b_range=(-10, 10),
                     normalize=True):
        """Snap edge ``(l, i, j)`` to ``fun`` (in place); fitted on ``X`` when given, returns r²
        (see :func:`minikan.interpret.snapping.fix_symbolic`). A removed edge raises ``ValueError``."""
        from ..interpret.snapping import fix_symbolic
        return fix_symbolic(self, l, i, j, fun, X, lib, a_range, b_range, normalize)

    def unfix_symbolic(self, l, i, j):
        """Return edge ``(l, i, j)`` to its spline (in place). A removed edge raises ``ValueError``."""
        from ..interpret.snapping import unfix_symbolic
        unfix_symbolic(self, l, i, j)

    def suggest_symbolic(self, l, i, j, X, topk=5, lib=None, weight_simple=0.0, a_range=(-10, 10),
                         b_range=(-10, 10), normalize=True):
        """Best library functions for edge ``(l, i, j)`` on ``X``, ranked by r² (see
        :func:`minikan.interpret.snapping.suggest_symbolic`)."""
        from ..interpret.snapping import suggest_symbolic
        return suggest_symbolic(self, l, i, j, X, topk, lib, weight_simple, a_range, b_range, normalize)

    def auto_symbolic(self, X, lib=None, weight_simple=0.0, r2_threshold=0.9, a_range=(-10, 10),
                      b_range=(-10, 10), normalize=True, near=10.0):
        """Snap every numeric edge to the simplest of its near-equal best fits (in place), leaving
        edges below ``r2_threshold`` numeric (with a warning); returns what was fixed (see
        :func:`minikan.interpret.snapping.auto_symbolic`)."""
        from ..interpret.snapping import auto_symbolic
        return auto_symbolic(self, X, lib, weight_simple, r2_threshold, a_range, b_range, normalize, near)

    def simplify(self, X, y, **options):
        """Sparsify, prune, refine and snap a copy of this model on ``(X, y)``; returns a
        :class:`minikan.interpret.simplify.Simplified` with the final model and its formula (see
        :func:`minikan.interpret.simplify.simplify` for the options). ``self`` is not modified."""
        from ..interpret.simplify import simplify
        return simplify(self, X, y, **options)

    def symbolic_formula(self, variables=None, n_digits=None):
        """``(sympy expressions, NumPy callable, LaTeX strings)`` of a fully symbolic model; the
        callable equals ``predict`` (unrounded) or evaluates the formula rounded to ``n_digits``
        (see :func:`minikan.interpret.snapping.symbolic_formula`)."""
        from ..interpret.snapping import symbolic_formula
        return symbolic_formula(self, variables, n_digits)

    # ------------------------------------------------------------------ diagrams
    def edge_activations(self, X):
        """The arrays behind :meth:`plot`: per layer, its inputs, edge values and ``|phi|_1``
        (see :func:`minikan.interpret.plot.edge_activations`)."""
        from ..interpret.plot import edge_activations
        return edge_activations(self, X)

    def plot(self, X, in_vars=None, out_vars=None, beta=3.0, path=None, ax=None, title=None,
             metric="pykan", order=None):
        """The KAN diagram of Section 2.5.1 on samples ``X`` (N, n_0); returns a matplotlib Figure
        and writes a file only when ``path`` is given (see :func:`minikan.interpret.plot.plot_model`).
        Edge opacity is ``tanh(beta * score)`` with the attribution score that
        ``prune(..., metric="pykan")`` uses (``metric="paper"``: Eq. 2.17's ``|phi|_1``);
        ``order="auto"`` reorders the hidden nodes to reduce crossings."""
        from ..interpret.plot import plot_model
        return plot_model(self, X, in_vars=in_vars, out_vars=out_vars, beta=beta, path=path, ax=ax,
                          title=title, metric=metric, order=order)

    # ------------------------------------------------------------------ model-level analysis
    def attribute(self, X):
        """``(nodes, edges)`` attribution scores on ``X`` (N, n_0): per layer, shape (n_l,) and
        (n_l, n_{l+1}) (pykan 0.2.8's; see :func:`minikan.interpret.attribution.attribute`)."""
        from ..interpret.attribution import attribute
        return attribute(self, X)

    def feature_score(self, X):
        """Importance of each input on ``X`` (N, n_0), shape (n_0,): the input nodes'
        attribution scores (see :func:`minikan.interpret.attribution.feature_score`)."""
        from ..interpret.attribution import feature_score
        return feature_score(self, X)

    def swap(self, l, i1, i2):
        """A new model with nodes ``i1`` and ``i2`` of hidden layer ``l`` exchanged; same
        predictions (see :func:`minikan.interpret.layout.swap`)."""
        from ..interpret.layout import swap
        return swap(self, l, i1, i2)

    def permute_nodes(self, l, order):
        """A new model whose hidden layer ``l`` lists its nodes as ``order`` (node ``order[p]``
        moves to ``p``); same predictions (see :func:`minikan.interpret.layout.permute_nodes`)."""
        from ..interpret.layout import permute_nodes
        return permute_nodes(self, l, order)

    def order_nodes(self, X=None, sweeps=4):
        """A new model with hidden nodes reordered to reduce the diagram's crossings of strong
        edges (attribution-weighted barycentres on ``X``; see :func:`minikan.interpret.layout.order_nodes`)."""
        from ..interpret.layout import order_nodes
        return order_nodes(self, X, sweeps=sweeps)

    def separability(self, X, threshold=5e-2, step=1e-4, output=0):
        """Which inputs interact additively or multiplicatively on ``X`` (N, n_0), from the
        Hessian of the model and of ``log|f|`` (see :func:`minikan.interpret.separability.separability`)."""
        from ..interpret.separability import separability
        return separability(self, X, threshold, step, output)

    # ------------------------------------------------------------------ training
    def fit(self, X, y=None, X_test=None, y_test=None, **options):
        """Train in place; see :func:`minikan.core.train.fit` for the options. Returns the history.

        ``model.fit(dataset)`` with a pykan-style dict (``train_input``, ``train_label``, optionally
        ``test_input``, ``test_label``) works as well as ``model.fit(X, y, X_test, y_test)``."""
        from .train import fit
        return fit(self, X, y, X_test, y_test, **options)

