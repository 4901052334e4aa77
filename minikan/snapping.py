"""Symbolic snapping of a KAN's edges and the closed-form formula (paper Section 2.5.1–2.5.2).

An edge ``(l, i, j)`` is *fixed* to a library function ``f`` by fitting ``c f(a x + b) + d`` to
its current activation on the layer inputs produced by ``X`` (:func:`minikan.symbolic.fit_affine`,
by default on the inputs mapped onto [-1, 1], so the search ranges are relative to the data);
its numeric branch is then switched off and the symbolic branch on. The affine parameters stay
trainable, so ``fit`` can polish them afterwards. When every live edge is symbolic,
:func:`symbolic_formula` composes the layers into one sympy expression per output.

All functions here modify the model in place (like ``fit``), except the read-only ones
(``suggest_symbolic``, ``symbolic_formula``).
"""
import warnings

import numpy as np
import sympy

from ._checks import as_bool, as_float, as_int, as_interval, as_matrix
from .symbolic import LIBRARY, NEAR, canonical_affine, fit_affine, get_function, simplest, suggest

_FIT_LIMIT = 1e150  # largest edge input or activation a symbolic fit accepts


def _edge(model, l, i, j):
    l, i, j = model.check_edge(l, i, j)
    return model.layers[l], i, j


def _edge_samples(model, X, l, i, j):
    """The edge's input samples and its current activation on them, each shape (N,)."""
    X = as_matrix(X, "X", model.width[0])
    if X.shape[0] < 2:  # c f(a x + b) + d cannot be fitted to one point
        raise ValueError(f"X must have at least 2 rows to fit a symbolic function, got {X.shape[0]}")
    with np.errstate(over="ignore", invalid="ignore"):  # overflows are reported below, by sample
        x = model.layer_inputs(X)[l]
        phi = model.layers[l].edge_functions(np.where(np.isfinite(x), x, 0.0))[:, i, j]
    # the fit squares inputs and activations: beyond 1e150 that overflows
    bad = ~(np.abs(x[:, i]) <= _FIT_LIMIT) | ~(np.abs(phi) <= _FIT_LIMIT)
    if bad.any():
        raise ValueError(f"X gives edge ({l}, {i}, {j}) inputs or activations beyond {_FIT_LIMIT:g} in size (or "
                         f"non-finite) on samples {np.flatnonzero(bad)[:10].tolist()}; they cannot be fitted")
    return x[:, i], phi


def fix_symbolic(model, l, i, j, fun, X=None, lib=None, a_range=(-10, 10), b_range=(-10, 10),
                 normalize=True):
    """Snap edge ``(l, i, j)`` to ``fun`` (a library name or a ``SymbolicFunction``).

    With ``X`` (N, n_0) the affine parameters are fitted to the edge's activation on those samples
    (then brought to the canonical form of :func:`minikan.symbolic.canonical_affine`) and the
    fit's r² is returned; without it ``(a, b, c, d) = (1, 0, 1, 0)`` and None is returned.
    ``normalize=False`` searches ``a_range``, ``b_range`` on the raw inputs, as pykan does.
    """
    layer, i, j = _edge(model, l, i, j)
    f = get_function(fun, lib)
    as_bool(normalize, "normalize")  # the search options are checked even without X
    as_interval(a_range, "a_range")
    as_interval(b_range, "b_range")
    r2 = None
    affine = np.array([1.0, 0.0, 1.0, 0.0])
    if X is not None:
        x, y = _edge_samples(model, X, l, i, j)
        affine, r2 = fit_affine(x, y, f, a_range=a_range, b_range=b_range, normalize=normalize)
        if LIBRARY.get(f.name) is f:  # a user's function of the same name may have no such symmetry
            affine = canonical_affine(f.name, affine)  # same function, better-conditioned parameters
    layer.affine[i, j] = affine
    layer.sym_funs[i, j] = f  # the function itself, so user libraries need no registry
    layer.sym_mask[i, j] = 1.0
    layer.mask[i, j] = 0.0
    return r2


def unfix_symbolic(model, l, i, j):
    """Return edge ``(l, i, j)`` to its numeric (spline) branch."""
    layer, i, j = _edge(model, l, i, j)
    layer.sym_mask[i, j] = 0.0
    layer.mask[i, j] = 1.0


def suggest_symbolic(model, l, i, j, X, topk=5, lib=None, weight_simple=0.0, a_range=(-10, 10),
                     b_range=(-10, 10), normalize=True):
    """Rank library functions for edge ``(l, i, j)`` on samples ``X``; the model is unchanged.

    Returns ``[(name, (a, b, c, d), r2, complexity, score), ...]``, best first. ``weight_simple = 0``
    ranks by r² alone (the paper); 0.8 is pykan 0.2.8's complexity weighting.
    """
    _edge(model, l, i, j)
    x, y = _edge_samples(model, X, l, i, j)
    return suggest(x, y, lib=lib, topk=topk, weight_simple=weight_simple, a_range=a_range,
                   b_range=b_range, normalize=normalize)


def auto_symbolic(model, X, lib=None, weight_simple=0.0, r2_threshold=0.9, a_range=(-10, 10),
                  b_range=(-10, 10), normalize=True, near=NEAR):
    """Fix every live numeric edge to its chosen function, unless the fit is too poor.

    Edges are taken in layer order, each fitted on the activations of the model as it is at that
    moment. With ``weight_simple = 0`` the choice is the simplest among the near-equal best fits
    (:func:`minikan.symbolic.simplest` with ``near``: ``x^2`` rather than a ``cosh`` at small
    argument, ``x`` rather than an ``arctan`` near 0); with ``weight_simple > 0`` it is the best
    of pykan 0.2.8's score (r² mixed with complexity, :func:`minikan.symbolic.suggest`).

    An edge whose choice has ``r2 < r2_threshold`` keeps its spline; a ``UserWarning`` names these
    edges with their best function and r². The default 0.9 only refuses fits that explain
    almost nothing (a symbolic function there would change the network's output by more than a
    tenth of the edge's variance); :func:`minikan.simplify.snap` uses 0.999 and retrains between
    edges. ``r2_threshold=0`` snaps everything, as pykan's ``auto_symbolic`` does.

    Returns
    -------
    dict
        ``{(l, i, j): (name, r2)}`` for the edges it fixed.
    """
    X = as_matrix(X, "X", model.width[0])
    r2_threshold = as_float(r2_threshold, "r2_threshold", 0.0, 1.0)
    weight_simple = as_float(weight_simple, "weight_simple", 0.0, 1.0)
    as_float(near, "near", 1.0)
    fixed, refused = {}, {}
    for l, layer in enumerate(model.layers):
        for i, j in zip(*np.nonzero(layer.mask)):
            if layer.sym_mask[i, j]:
                continue
            ranking = suggest_symbolic(model, l, i, j, X, topk=10**6, lib=lib, weight_simple=weight_simple,
                                       a_range=a_range, b_range=b_range, normalize=normalize)
            if not ranking:  # no function of lib gives finite values on these samples
                continue
            name, _, r2 = (ranking[0] if weight_simple > 0 else simplest(ranking, near))[:3]
            if r2 >= r2_threshold:
                fixed[(l, int(i), int(j))] = (name, fix_symbolic(model, l, i, j, name, X, lib, a_range,
                                                                 b_range, normalize))
            else:
                refused[(l, int(i), int(j))] = (name, r2)
    if refused:
        warnings.warn("auto_symbolic left these edges numeric, their best fits being below r2_threshold="
                      f"{r2_threshold:g}: " + ", ".join(f"{e}: {n} (r2 = {r:.4f})" for e, (n, r) in refused.items()),
                      UserWarning, stacklevel=2)
    return fixed


def symbolic_formula(model, variables=None, n_digits=None):
    """The network as closed-form expressions, once every live edge is symbolic.

    Parameters
    ----------
    variables : list of str or sympy.Symbol, optional
        Input names (default ``x_1 .. x_n``).
    n_digits : int, optional
        Round every floating-point number to this many decimals. Off by default: nothing is
        rounded unless asked.

    Returns
    -------
    exprs : list of sympy expressions, one per output
    func : callable
        ``func(X)`` with ``X`` (N, n_0) returns (N, n_L), via ``sympy.lambdify`` with NumPy.
    latex : list of str
    """
    n0 = model.width[0]
    if variables is None:
        symbols = list(sympy.symbols(f"x_1:{n0 + 1}"))
    else:
        if isinstance(variables, (str, bytes)) or not hasattr(variables, "__len__"):
            raise TypeError(f"variables must be a list of {n0} names or sympy symbols, got {type(variables).__name__}")
        if len(variables) != n0:
            raise ValueError(f"variables must name the {n0} inputs, got {len(variables)}")
        symbols = [v if isinstance(v, sympy.Symbol) else sympy.Symbol(str(v)) for v in variables]
    values = list(symbols)
    for l, layer in enumerate(model.layers):
        numeric = np.argwhere(layer.mask != 0)
        if numeric.size:
            raise ValueError(
                f"every live edge must be symbolic to write a formula; layer {l} still has numeric "
                f"edges {[tuple(map(int, e)) for e in numeric[:10]]} (use fix_symbolic or auto_symbolic)")
        outputs = []
        for j in range(layer.n_out):
            total = sympy.Integer(0)
            for i in range(layer.n_in):
                if layer.sym_mask[i, j]:
                    a, b, c, d = (sympy.Float(v) for v in layer.affine[i, j])
                    f = get_function(layer.sym_funs[i, j])
                    total += sympy.Float(layer.sym_mask[i, j]) * (c * f.sympy(a * values[i] + b) + d)
            if layer.bias is not None:
                total += sympy.Float(layer.bias[j])
            outputs.append(total)
        values = model.multiply_subnodes(l, outputs)  # product nodes multiply their subnodes
    if n_digits is not None:
        n_digits = as_int(n_digits, "n_digits", 0)
        values = [_round(e, n_digits) for e in values]
    func_raw = sympy.lambdify(symbols, values, modules="numpy")

    def func(X):
        X = as_matrix(X, "X", n0)
        out = func_raw(*X.T)
        return np.column_stack([np.broadcast_to(np.asarray(o, dtype=np.float64), (X.shape[0],)) for o in out])

    return values, func, [sympy.latex(e) for e in values]


def _round(expr, n_digits):
    """Round every float in ``expr`` to ``n_digits`` decimals.

    Products and powers inside function arguments are expanded first, so that, e.g.,
    ``0.0104 (-9.788 x)^2`` becomes ``1.0 x^2`` before rounding instead of ``0.01 (-9.79 x)^2``;
    ``exp(u + v)`` is not split. Rounding repeats until nothing changes (sympy may fold numbers
    into new floats while rounding).
    """
    expr = sympy.expand(expr, deep=True, power_exp=False, power_base=False, log=False)
    for _ in range(10):
        new = expr.xreplace({f: sympy.Float(round(float(f), n_digits)) for f in expr.atoms(sympy.Float)})
        if new == expr:
            break
        expr = new
    return expr
