"""From data to a formula in one call: the Section 2.5.2 workflow with the choices made for you.

The paper's interactive workflow (Section 2.5.2, Figure 2.4) is: train with sparsity, prune,
extend the grid, snap every edge to a symbolic function, train the affine parameters, read the
formula. Each step exists on its own (``fit(lamb=...)``, ``prune``, ``refine``,
``suggest_symbolic`` / ``fix_symbolic`` / ``auto_symbolic``, ``symbolic_formula``);
:func:`simplify` runs them with the defaults measured on the formula benchmark
(``benchmarks/formula_suite.py``):

1. **Standardise the target.** Training sees ``(y - mean) / std``: the sparsity penalty of
   pykan 0.2.8 (``reg_metric="pykan"``) does not scale with ``y`` the way the squared error does,
   so one ``lamb`` works for every target only on a fixed scale. The scale and offset are folded
   back into the last layer at the end (its affine ``c, d``, its spline weights and a bias).
2. **Sparsify** from several starts (:func:`sparsify`): the model and ``restarts = 7`` fresh
   initialisations are trained for 400 iterations with ``lamb=0.01, lamb_entropy=10,
   reg_metric="pykan"``; every other start (the model, the 2nd, 4th, ... fresh one) first gets
   50 iterations without the penalty. The two kinds of start fail on different problems: from a
   fresh initialisation the penalty often wins first and leaves a network that fits poorly (the
   product of two affine functions kept as one sum node, RMSE 0.3 of the target's spread), while
   after an unpenalised start the function is often already spread over two hidden nodes that the
   penalty does not merge (exp(sin(pi x) + y^2) kept as [2, 2, 1]). About one start in five
   reached the right shape on the hardest tuning seeds, hence eight.
3. **Prune nodes and edges** of every candidate with the attribution scores (pykan's
   ``prune(1e-2, 3e-2)``), then the hidden nodes left unconnected: an input that the target does
   not depend on loses its edges here and never reaches the symbolic step. Each pruned candidate
   is retrained (400 iterations) and the one with the fewest edges among those within a factor
   10 of the best RMSE, or below 1 % of the target's spread, goes on (:func:`choose`).
4. **Extend the grid** (G = 10) **and retrain.**
5. **Snap one edge at a time, most confident first** (:func:`snap`): for every numeric edge the
   library is ranked by r² (:func:`minikan.interpret.symbolic.suggest`) and the simplest near-equal fit is
   chosen (:func:`minikan.interpret.symbolic.simplest`); the edge whose choice has the highest r² is fixed,
   the network is retrained for a few iterations so the others can absorb the change, and the
   remaining edges are ranked again. An edge whose best fit stays below ``r2_threshold`` keeps its
   spline and is reported.
6. **Train the affine parameters** of the symbolic edges (``update_grid=False``) and write the
   formula (when every live edge is symbolic).
"""
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .._checks import as_float, as_int, as_xy
from .prune import live_edges
from .symbolic import LIBRARY, NEAR, POLYNOMIALS, library, simplest


@dataclass
class Simplified:
    """What :func:`simplify` found.

    Attributes
    ----------
    model : KAN
        The final network on the original scale of ``y`` (``model.predict(X)`` approximates ``y``).
    formula : list of sympy expressions or None
        One per output, or None when some edge kept its spline (see ``refused``).
    func : callable or None
        ``func(X)`` (N, n_0) -> (N, n_L), the formula with NumPy.
    edges : dict
        ``{(l, i, j): (name, r2)}`` for every snapped edge, in the order they were snapped.
    refused : dict
        ``{(l, i, j): (best name, r2)}`` for the edges left as splines.
    widths : dict
        Network width after each stage (``"start"``, ``"pruned"``), with ``[n_sum, n_mult]`` for a
        row that has multiplication nodes.
    train_rmse : dict
        RMSE on the training data after each stage, on the original scale of ``y``.
    """

    model: object
    formula: list = None
    func: object = None
    edges: dict = field(default_factory=dict)
    refused: dict = field(default_factory=dict)
    widths: dict = field(default_factory=dict)
    train_rmse: dict = field(default_factory=dict)


NEAR_FIT = 10.0
"""Default of :func:`choose`: pruned candidates within this factor of the best RMSE are good."""
FIT_FLOOR = 1e-2
"""Default of :func:`choose`: pruned candidates with an RMSE below this (on the standardised
target) are good whatever the best."""


def _rmse(model, X, y, scale=1.0):
    return float(scale * np.sqrt(np.mean((model.predict(X) - y) ** 2)))


def _subsample(X, n):
    """At most ``n`` rows of ``X``, evenly spaced (deterministic)."""
    if X.shape[0] <= n:
        return X
    return X[np.linspace(0, X.shape[0] - 1, n).round().astype(int)]


def _sublibrary(lib, names):
    """The entries ``names`` of ``lib`` (None, a mapping, or a list of LIBRARY names)."""
    table = LIBRARY if lib is None else lib if isinstance(lib, Mapping) else library(lib)
    return {n: table[n] for n in table if n in names}


def snap(model, X, y, lib=None, r2_threshold=0.999, near=NEAR, retrain_steps=50, n_samples=500,
         rescore=6, verbose=False):
    """Snap the live numeric edges of ``model`` one at a time, most confident first (in place).

    Parameters
    ----------
    model : KAN
    X : ndarray, shape (N, n_0)
    y : ndarray, shape (N, n_L)
        Training data, used to retrain between two snaps.
    lib : list of names or mapping name -> SymbolicFunction, optional
        Default: the whole library.
    r2_threshold : float in [0, 1]
        An edge is snapped only if its chosen function reaches this r²; when no remaining edge
        does, the rest keep their splines.
    near : float >= 1
        Near-equal factor of :func:`minikan.interpret.symbolic.simplest`.
    retrain_steps : int
        L-BFGS iterations (without grid updates) after each snap.
    n_samples : int
        Rows of ``X`` (evenly spaced) on which the functions are fitted.
    rescore : int
        After the first ranking of an edge, only its ``rescore`` best functions and the
        polynomials are fitted again in later rounds.

    Returns
    -------
    snapped : dict
        ``{(l, i, j): (name, r2)}`` in the order of snapping.
    refused : dict
        ``{(l, i, j): (name, r2)}``: the best choice of every edge left numeric.
    """
    from .snapping import fix_symbolic, suggest_symbolic

    r2_threshold = as_float(r2_threshold, "r2_threshold", 0.0, 1.0)
    retrain_steps = as_int(retrain_steps, "retrain_steps", 0)
    rescore = as_int(rescore, "rescore", 1)
    Xs = _subsample(X, as_int(n_samples, "n_samples", 2))
    candidates = {}  # edge -> library to rank it with in the next round
    snapped, choices = {}, {}
    while True:
        edges = [(l, int(i), int(j)) for l, (layer, sym) in enumerate(zip(model.layers, model.symbolic))
                 for i, j in zip(*np.nonzero((layer.mask != 0) & (sym.mask == 0)))]
        if not edges:
            break
        choices = {}
        for e in edges:
            sub = candidates.get(e, lib)
            ranking = suggest_symbolic(model, *e, Xs, topk=10**6, lib=sub)
            if not ranking:
                continue
            choices[e] = simplest(ranking, near)
            names = {r[0] for r in sorted(ranking, key=lambda r: -r[2])[:rescore]} | set(POLYNOMIALS)
            candidates[e] = _sublibrary(lib, names)
        if not choices:
            break
        edge = max(choices, key=lambda e: choices[e][2])
        name, _, r2 = choices[edge][:3]
        if r2 < r2_threshold:
            break
        r2 = fix_symbolic(model, *edge, name, Xs, lib)
        snapped[edge] = (name, r2)
        del choices[edge]
        if verbose:
            print(f"snapped edge {edge} to {name} (r2 = {r2:.10f})")
        if retrain_steps:
            model.fit(X, y, steps=retrain_steps, update_grid=False)
    refused = {e: (c[0], c[2]) for e, c in choices.items()}
    return snapped, refused


def sparsify(model, X, y, lamb=0.01, lamb_entropy=10.0, steps=400, restarts=7, warm_steps=50, seed=0):
    """Sparsified candidates: ``model`` (trained in place) and ``restarts`` fresh initialisations
    (same shape and knots, :meth:`KAN.reinitialized`), each trained ``steps`` iterations with the
    sparsity penalty (Eq. 2.20 with pykan 0.2.8's metric); candidates 0, 2, 4, ... are first
    trained ``warm_steps`` iterations on the data alone (see the module docstring for why both).

    Returns
    -------
    list of KAN
        ``model`` first.
    """
    restarts = as_int(restarts, "restarts", 0)
    warm_steps = as_int(warm_steps, "warm_steps", 0)
    # candidates seeded by ``seed`` and the model's parameters: different models, different starts
    rng = np.random.default_rng([as_int(seed, "seed", 0), zlib.crc32(model.get_flat().tobytes())])
    candidates = [model] + [model.reinitialized(rng) for _ in range(restarts)]
    for c, cand in enumerate(candidates):
        if warm_steps and c % 2 == 0:
            cand.fit(X, y, steps=warm_steps)
        cand.fit(X, y, steps=steps, lamb=lamb, lamb_entropy=lamb_entropy, reg_metric="pykan")
    return candidates


def n_edges(model):
    """Number of live edges (numeric or symbolic) over all layers."""
    return int(sum(live_edges(model, l).sum() for l in range(len(model.layers))))


def choose(models, X, y, near_fit=NEAR_FIT, fit_floor=FIT_FLOOR):
    """The simplest of the pruned ``models`` that fits nearly as well as the best.

    A model is good when its training RMSE is at most ``near_fit`` times the lowest, or at most
    ``fit_floor``; among the good ones the fewest live edges win, then the lower RMSE. Returns its
    index and the RMSE of every model. ``y`` is the standardised target, so the floor 1e-2 is 1 %
    of its spread: at the coarse grid (G = 5) a network of the right shape can fit 10-20 times
    worse than one with a spare node that bends its splines more freely (measured: 1.3e-3 against
    7.8e-5 on (1.5 + x1) exp(x2)), while a network of the wrong shape stays near 0.1. (Choosing
    by the penalised objective at the end of sparsification instead picks, about once in ten
    runs, a network that the penalty has made sparse but that cannot fit: two hidden nodes where
    the formula needs one, RMSE 0.2 of the target's spread after pruning.)
    """
    near_fit = as_float(near_fit, "near_fit", 1.0)
    fit_floor = as_float(fit_floor, "fit_floor", 0.0)
    with np.errstate(all="ignore"):
        rmse = np.array([np.sqrt(np.mean((m.predict(X) - y) ** 2)) for m in models])
    rmse = np.where(np.isfinite(rmse), rmse, np.inf)
    good = [c for c in range(len(models)) if rmse[c] <= max(near_fit * rmse.min(), fit_floor)]
    return min(good, key=lambda c: (n_edges(models[c]), rmse[c])), rmse


def simplify(model, X, y, *, lamb=0.01, lamb_entropy=10.0, sparsify_steps=400, restarts=7,
             warm_steps=50, node_threshold=1e-2, edge_threshold=3e-2, near_fit=NEAR_FIT, grid=10, steps=400, lib=None,
             r2_threshold=0.999, near=NEAR, retrain_steps=50, polish_steps=200, variables=None,
             n_digits=None, seed=0, verbose=False):
    """Sparsify, prune, refine and snap ``model`` on ``(X, y)``; return the formula it finds.

    ``model`` (usually wider than needed, e.g. ``KAN([n, 5, 1], grid=5, init="pykan")``) is
    not modified. See the module docstring for the stages; the keywords set each stage's choices.

    Parameters
    ----------
    model : KAN
    X : ndarray, shape (N, n_0)
    y : ndarray, shape (N, n_L)
    lamb, lamb_entropy, sparsify_steps, restarts, warm_steps :
        Sparsification (:func:`sparsify`) on the standardised target.
    node_threshold, edge_threshold : float
        Pruning with attribution scores (``prune(X, node_threshold, metric="pykan",
        edge_threshold=edge_threshold)``) of every candidate.
    near_fit : float >= 1
        Which pruned candidate goes on (:func:`choose`).
    grid : int
        Grid size after pruning (no refinement if the model's grid is already this fine).
    steps : int
        L-BFGS iterations after pruning and after refining.
    lib, r2_threshold, near, retrain_steps :
        The symbolic step, :func:`snap`.
    polish_steps : int
        Iterations on the affine parameters (and remaining splines) at the end.
    variables, n_digits :
        Passed to :meth:`KAN.symbolic_formula`.
    seed : int
        Seed of the restarts.
    verbose : bool
        Print each stage.

    Returns
    -------
    Simplified
    """
    X, y = as_xy(X, y, model.width[0], model.width[-1])
    # every option is checked here, before minutes of training reach the step that reads it
    as_float(lamb, "lamb", 0.0)
    as_float(lamb_entropy, "lamb_entropy", 0.0)
    for name, value in (("sparsify_steps", sparsify_steps), ("restarts", restarts), ("warm_steps", warm_steps),
                        ("steps", steps), ("retrain_steps", retrain_steps), ("polish_steps", polish_steps),
                        ("seed", seed)):
        as_int(value, name, 0)
    as_float(node_threshold, "node_threshold", 0.0)
    as_float(edge_threshold, "edge_threshold", 0.0)
    as_float(near_fit, "near_fit", 1.0)
    as_float(near, "near", 1.0)
    as_float(r2_threshold, "r2_threshold", 0.0, 1.0)
    if n_digits is not None:
        as_int(n_digits, "n_digits", 0)
    grid = as_int(grid, "grid", 1)
    mean, std = y.mean(axis=0), y.std(axis=0)
    if np.any(std == 0):
        raise ValueError("y is constant in some output column; there is no formula to find")
    ys = (y - mean) / std
    out = Simplified(model=None)
    work = model.copy()
    if work.n_mult[-1]:
        raise ValueError("simplify needs sum nodes in the output row (its target is standardised and "
                         "folded back there); multiplication nodes are supported in hidden rows")
    out.widths["start"] = work.width_spec

    def report(stage, m):
        out.train_rmse[stage] = _rmse(m, X, ys, float(np.sqrt(np.mean(std ** 2))))
        if verbose:
            print(f"{stage:>10}: width {m.width}, train RMSE {out.train_rmse[stage]:.3e}")

    candidates = sparsify(work, X, ys, lamb, lamb_entropy, sparsify_steps, restarts, warm_steps, seed)
    pruned = [c.prune(X, node_threshold, metric="pykan", edge_threshold=edge_threshold) for c in candidates]
    for p in pruned:
        p.fit(X, ys, steps=steps)
    best, _ = choose(pruned, X, ys, near_fit)
    report("sparsified", candidates[best])
    work = pruned[best]
    out.widths["pruned"] = work.width_spec
    report("pruned", work)
    if work.G < grid:
        work = work.refine(grid, X)
        work.fit(X, ys, steps=steps)
        report("refined", work)
    out.edges, out.refused = snap(work, X, ys, lib=lib, r2_threshold=r2_threshold, near=near,
                                  retrain_steps=retrain_steps, verbose=verbose)
    if polish_steps:
        work.fit(X, ys, steps=polish_steps, update_grid=False)
    report("symbolic", work)
    _unstandardize(work, mean, std)
    out.model = work
    if not out.refused and all(not layer.mask.any() for layer in work.layers):
        out.formula, out.func, _ = work.symbolic_formula(variables=variables, n_digits=n_digits)
    return out


def _unstandardize(model, mean, std):
    """Make a model trained on ``(y - mean) / std`` predict ``y``: scale the last layer's edges by
    ``std`` (spline weights ``w_b``, ``w_s`` and symbolic ``c``, ``d``) and add ``mean`` to its bias."""
    last = model.layers[-1]
    last.w_b *= std[None, :]
    last.w_s *= std[None, :]
    model.symbolic[-1].affine[..., 2] *= std[None, :]
    model.symbolic[-1].affine[..., 3] *= std[None, :]
    bias = np.zeros(last.n_out) if last.bias is None else last.bias * std
    last.bias = bias + mean
