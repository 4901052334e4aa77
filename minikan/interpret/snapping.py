"""Symbolic snapping of a KAN's edges and the closed-form formula (paper Section 2.5.1–2.5.2).

An edge ``(l, i, j)`` is *fixed* to a library function ``f`` by fitting ``c f(a x + b) + d`` to
its current activation on the layer inputs produced by ``X`` (:func:`minikan.interpret.symbolic.fit_affine`,
by default on the inputs mapped onto [-1, 1], so the search ranges are relative to the data);
its numeric branch is then switched off and the symbolic branch on. The affine parameters stay
trainable, so ``fit`` can polish them afterwards. When every live edge is symbolic,
:func:`symbolic_formula` composes the layers into one sympy expression per output.

All functions here modify the model in place (like ``fit``), except the read-only ones
(``suggest_symbolic``, ``symbolic_formula``).
"""
import operator
import warnings

import numpy as np
import sympy
from sympy.core.add import _addsort
from sympy.core.mul import _mulsort

from .._checks import as_bool, as_float, as_int, as_interval, as_matrix
from ..core.multiply import multiply
from .symbolic import LIBRARY, NEAR, canonical_affine, fit_affine, get_function, simplest, suggest

_FIT_LIMIT = 1e150  # largest edge input or activation a symbolic fit accepts


def _live_edge(model, l, i, j, action):
    """The edge's layer and symbolic edges, refusing an edge whose numeric and symbolic branches
    are both off."""
    l, i, j = model.check_edge(l, i, j)
    layer, sym = model.layers[l], model.symbolic[l]
    if layer.mask[i, j] == 0 and sym.mask[i, j] == 0:
        raise ValueError(f"edge ({l}, {i}, {j}) was removed (both masks are 0); {action} does not "
                         "bring a removed edge back")
    return layer, sym, i, j


def _edge_samples(model, X, l, i, j):
    """The edge's input samples and its current activation on them, each shape (N,)."""
    X = as_matrix(X, "X", model.width[0])
    if X.shape[0] < 2:  # c f(a x + b) + d cannot be fitted to one point
        raise ValueError(f"X must have at least 2 rows to fit a symbolic function, got {X.shape[0]}")
    with np.errstate(over="ignore", invalid="ignore"):  # overflows are reported below, by sample
        x = model.layer_inputs(X)[l]
        phi = model.edge_functions(l, np.where(np.isfinite(x), x, 0.0))[:, i, j]
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
    (then brought to the canonical form of :func:`minikan.interpret.symbolic.canonical_affine`) and the
    fit's r² is returned; without it ``(a, b, c, d) = (1, 0, 1, 0)`` and None is returned.
    ``normalize=False`` searches ``a_range``, ``b_range`` on the raw inputs, as pykan does.
    A removed edge (both masks 0, see :func:`minikan.interpret.prune.remove_edge`) raises
    ``ValueError``: it is not brought back. The edge's spline is switched off and its symbolic
    branch (:class:`minikan.interpret.symbolic_edges.SymbolicEdges`, ``model.symbolic[l]``) on.
    """
    layer, sym, i, j = _live_edge(model, l, i, j, "fix_symbolic")
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
    sym.affine[i, j] = affine
    sym.funs[i, j] = f  # the function itself, so user libraries need no registry
    sym.mask[i, j] = 1.0
    layer.mask[i, j] = 0.0
    return r2


def unfix_symbolic(model, l, i, j):
    """Return edge ``(l, i, j)`` to its numeric (spline) branch.

    A removed edge (both masks 0) raises ``ValueError``: it is not brought back. A numeric edge
    stays as it is.
    """
    layer, sym, i, j = _live_edge(model, l, i, j, "unfix_symbolic")
    sym.mask[i, j] = 0.0
    layer.mask[i, j] = 1.0


def suggest_symbolic(model, l, i, j, X, topk=5, lib=None, weight_simple=0.0, a_range=(-10, 10),
                     b_range=(-10, 10), normalize=True):
    """Rank library functions for edge ``(l, i, j)`` on samples ``X``; the model is unchanged.

    Returns ``[(name, (a, b, c, d), r2, complexity, score), ...]``, best first. ``weight_simple = 0``
    ranks by r² alone (the paper); 0.8 is pykan 0.2.8's complexity weighting.
    """
    model.check_edge(l, i, j)
    x, y = _edge_samples(model, X, l, i, j)
    return suggest(x, y, lib=lib, topk=topk, weight_simple=weight_simple, a_range=a_range,
                   b_range=b_range, normalize=normalize)


def auto_symbolic(model, X, lib=None, weight_simple=0.0, r2_threshold=0.9, a_range=(-10, 10),
                  b_range=(-10, 10), normalize=True, near=NEAR):
    """Fix every live numeric edge to its chosen function, unless the fit is too poor.

    Edges are taken in layer order, each fitted on the activations of the model as it is at that
    moment. With ``weight_simple = 0`` the choice is the simplest among the near-equal best fits
    (:func:`minikan.interpret.symbolic.simplest` with ``near``: ``x^2`` rather than a ``cosh`` at small
    argument, ``x`` rather than an ``arctan`` near 0); with ``weight_simple > 0`` it is the best
    of pykan 0.2.8's score (r² mixed with complexity, :func:`minikan.interpret.symbolic.suggest`).

    An edge whose choice has ``r2 < r2_threshold`` keeps its spline; a ``UserWarning`` names these
    edges with their best function and r². The default 0.9 only refuses fits that explain
    almost nothing (a symbolic function there would change the network's output by more than a
    tenth of the edge's variance); :func:`minikan.interpret.simplify.snap` uses 0.999 and retrains between
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
    for l, (layer, sym) in enumerate(zip(model.layers, model.symbolic)):
        for i, j in zip(*np.nonzero(layer.mask)):
            if sym.mask[i, j]:
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
    """The network as closed-form expressions, once every live edge is symbolic (Section 2.5.1).

    Each output is Eq. 2.5 composed layer by layer, every edge written as its symbolic branch
    ``m (c f(a z + b) + d)`` (``m`` its symbolic mask, shown only when it is not 1) and every node
    adding its bias. A removed edge (both masks 0) is absent.

    The composition is kept as it is: a function is applied to its argument without sympy's
    automatic rewriting, which would turn ``exp(K + log(u))`` into the number ``e^K`` times ``u``
    (``e^K`` beyond float64 for ``K > 709`` even where the model is finite); sums and products of
    numbers are still collected (``2.0*(x + 1.0)`` reads ``2.0*x + 2.0``).

    Parameters
    ----------
    model : KAN
        Every edge symbolic or removed (no ``mask`` left non-zero).
    variables : list of str or sympy.Symbol, optional
        Input names (default ``x_1 .. x_n``).
    n_digits : int >= 0, optional
        Round the expressions for reading (off by default: nothing is rounded unless asked).
        Every number is rounded to ``n_digits`` decimals, relative to the largest coefficient of
        the sum it belongs to when that is below 1 (it keeps ``n_digits`` significant digits, at
        least one), so a formula of small constants keeps them and only a term negligible next to
        the others in its sum becomes 0. Before rounding, a power ``(alpha x + beta)^n`` of one
        input variable is multiplied out for integer ``2 <= n <= 5`` (at most ``n + 1`` terms), a
        power ``(alpha x)^n`` becomes ``alpha^n x^n`` and ``exp(u + K)`` becomes ``e^K exp(u)`` for
        ``|K| <= 20``; nothing else is expanded, so the size of the result is bounded by a fixed
        multiple of the unrounded expression (see :func:`_round`).
        Values beyond ``int64`` are refused; more digits than float64 holds change nothing.

    Returns
    -------
    exprs : list of sympy expressions, one per output
    func : callable
        ``func(X)`` with ``X`` (N, n_0) returns (N, n_L). Without ``n_digits``: the same
        composition evaluated in NumPy from the model's float64 parameters (taken now; later
        changes of the model do not reach it) and each edge's library function, adding the terms
        in the order ``predict`` does, so it equals ``predict`` wherever that is finite. With
        ``n_digits``: the rounded expressions through ``sympy.lambdify`` (what the rounded formula
        predicts).
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
    if n_digits is not None:
        n_digits = as_int(n_digits, "n_digits", 0)
    for l, layer in enumerate(model.layers):
        numeric = np.argwhere(layer.mask != 0)
        if numeric.size:
            raise ValueError(
                f"every live edge must be symbolic to write a formula; layer {l} still has numeric "
                f"edges {[tuple(map(int, e)) for e in numeric[:10]]} (use fix_symbolic or auto_symbolic)")
    values = _compose(model, symbols, _edge_expression, sympy.Float, _sum, sympy.Integer(0), _product)
    if n_digits is not None:
        values = [_round(e, n_digits) for e in values]
        func_raw = sympy.lambdify(symbols, values, modules="numpy")
    else:
        frozen = model.copy()  # the callable keeps the parameters of this moment, as the expressions do

        def func_raw(*columns):
            return _compose(frozen, columns, _edge_values, float, operator.add, 0.0, operator.mul)

    def func(X):
        X = as_matrix(X, "X", n0)
        out = func_raw(*X.T)
        return np.column_stack([np.broadcast_to(np.asarray(o, dtype=np.float64), (X.shape[0],)) for o in out])

    return values, func, [sympy.latex(e) for e in values]


def _compose(model, values, edge, number, add, zero, mul):
    """Eq. 2.5 layer by layer on the symbolic branches: ``values`` (one per input) -> one per output.

    ``edge(layer, i, j, v)`` gives edge ``(i, j)``'s value on its input ``v``, ``number`` turns a
    bias into a value, ``add`` adds and ``mul`` multiplies two values; with sympy expressions this
    writes the formula, with NumPy arrays it evaluates it. Terms are added in input order after
    ``zero``, then the bias, as :meth:`minikan.core.layer.KANLayer.forward` adds them; a multiplication
    node multiplies its subnodes from left to right, as :func:`minikan.core.multiply.multiply` does.
    """
    values = list(values)
    for l, (layer, sym) in enumerate(zip(model.layers, model.symbolic)):
        outputs = []
        for j in range(layer.n_out):
            total = zero
            for i in np.flatnonzero(sym.mask[:, j]):
                total = add(total, edge(sym, i, j, values[i]))
            if layer.bias is not None:
                total = add(total, number(layer.bias[j]))
            outputs.append(total)
        values = multiply(outputs, model.width[l + 1] - model.n_mult[l + 1], model.mult_arity, mul)
    return values


def _edge_values(sym, i, j, x):
    """``m (c f(a x + b) + d)`` in float64 with the library's NumPy ``f``, as the model computes it."""
    a, b, c, d = sym.affine[i, j]
    f = get_function(sym.funs[i, j])
    return sym.mask[i, j] * (c * f.f(a * x + b) + d)


def _edge_expression(sym, i, j, v):
    """``m (c f(a v + b) + d)`` as a sympy expression, ``f`` applied to its argument unevaluated."""
    a, b, c, d = (sympy.Float(float(p)) for p in sym.affine[i, j])
    t = sympy.Dummy("t")
    template = sympy.sympify(get_function(sym.funs[i, j]).sympy(t))
    term = _sum(_product(c, _substitute(template, t, _sum(_product(a, v), b))), d)
    m = float(sym.mask[i, j])
    return term if m == 1.0 else _product(sympy.Float(m), term)


def _substitute(expr, t, arg):
    """``expr`` with the symbol ``t`` replaced by ``arg``; the nodes above ``arg`` are rebuilt
    without automatic evaluation, so nothing is pulled out of ``arg`` (``subs`` would)."""
    if expr == t:
        return arg
    if not expr.has(t):
        return expr
    return _rebuild(expr, [_substitute(a, t, arg) for a in expr.args])


def _rebuild(expr, args):
    """``expr``'s head on new ``args``: sums and products collected (:func:`_sum`,
    :func:`_product`), every other head (functions, powers) unevaluated."""
    if expr.is_Add:
        return _sum(*args)
    if expr.is_Mul:
        return _product(*args)
    return _unevaluated(expr, args)


def _terms(args, head):
    """``args`` with nested ``head`` nodes (sums in a sum, products in a product) flattened."""
    for a in args:
        if isinstance(a, head):
            yield from _terms(a.args, head)
        else:
            yield a


def _sum(*terms):
    """The sum of ``terms``: numbers added into one constant, like terms combined, nothing else.

    sympy's own ``Add``/``Mul`` would also rewrite functions of their terms (``2.0*exp(x + 3.0)``
    becomes ``40.17*exp(x)``, and ``exp(x + 1052.0)`` a number beyond float64 times ``exp(x)``);
    here every function keeps its argument.
    """
    constant = sympy.Integer(0)
    coefficients = {}  # term without its numeric factor -> summed factor, in order of appearance
    for term in _terms(terms, sympy.Add):
        if term.is_Number:
            constant += term
        else:
            c, rest = term.as_coeff_Mul()
            coefficients[rest] = coefficients.get(rest, sympy.Integer(0)) + c
    out = [_product(c, rest) for rest, c in coefficients.items() if not c.is_zero]
    if not constant.is_zero:
        out.append(constant)
    if not out:
        return sympy.Integer(0)
    _addsort(out)  # sympy's canonical order, so that equal sums compare equal
    return out[0] if len(out) == 1 else sympy.Add(*out, evaluate=False)


def _product(*factors):
    """The product of ``factors``: numbers multiplied into one leading coefficient, which is
    distributed over a single sum (``2.0*(x + 1.0)`` is ``2.0*x + 2.0``); nothing else."""
    coefficient = sympy.Integer(1)
    rest = []
    for factor in _terms(factors, sympy.Mul):
        if factor.is_Number:
            coefficient *= factor
        else:
            rest.append(factor)
    if coefficient.is_zero:
        return sympy.Integer(0)
    if not rest:
        return coefficient
    unit = coefficient.is_Integer and coefficient == 1
    if len(rest) == 1 and rest[0].is_Add and not unit:
        return _sum(*(_product(coefficient, term) for term in rest[0].args))
    _mulsort(rest)
    if unit:
        return rest[0] if len(rest) == 1 else sympy.Mul(*rest, evaluate=False)
    return sympy.Mul(coefficient, *rest, evaluate=False)


def _unevaluated(expr, args):
    """``expr``'s head applied to ``args`` without evaluation (where the class allows it)."""
    try:
        return expr.func(*args, evaluate=False)
    except TypeError:  # a class without the option
        return expr.func(*args)


_MAX_EXPANDED_POWER = 5  # the largest power in the library
_MAX_EXP_SHIFT = 20.0  # a constant K moved out of exp(u + K) when |K| <= 20: e^K within [2e-9, 5e8]
_MAX_DECIMALS = 400  # beyond ~324 decimals Python's round leaves every float64 unchanged


def _round(expr, n_digits):
    """The formula for reading: affine powers multiplied out, every number rounded.

    1. Bounded expansion (:func:`_expand_affine_powers`): only ``(alpha x + beta)^n`` with ``x``
       one input variable and integer ``2 <= n <= 5`` is multiplied out (``n + 1`` terms of
       constant size), and ``(alpha x)^n`` for any integer ``n`` becomes ``alpha^n x^n`` (no
       growth). Products and powers of longer sums and function arguments stay as composed, so
       the result is at most a fixed multiple (6x) of the input's size. This is what turns
       ``0.0104 (-9.788 x)^2`` into ``1.0 x^2`` rather than ``0.01 (-9.79 x)^2``. A constant
       ``K`` of an exponential's argument with ``|K| <= 20`` is moved out as the factor ``e^K``
       (``2.01 exp(u - 0.7)`` reads ``1.0 exp(u)``); a larger one stays inside, where it cannot
       overflow.
    2. Rounding (:func:`_round_numbers`): each number is rounded to ``n_digits`` decimals on the
       scale of the sum it belongs to: with ``s`` the largest coefficient magnitude of that sum
       (a coefficient standing alone is its own sum), the grid is ``10^-n_digits`` for ``s >= 1``
       and ``10^(e + 1 - max(n_digits, 1))`` for ``s < 1``, ``e = floor(log10 s)``. So the largest
       coefficient of every sum stays non-zero, and only a number negligible next to it becomes
       0 (``sin(3.14159 x + 2e-6)`` reads ``sin(3.14 x)``, ``1e-5 exp(2e-3 x)`` stays). Only the
       coefficient of a monomial term (a number, ``x``, ``x^2 y``) is compared with the sum's
       largest: the coefficient of any other term (``1e-3 (1.2 y^2 + 4)^5``, ``0.01 exp(u)``) is
       rounded on its own scale, since the factor it multiplies may be large.
       Rounding repeats until nothing changes (sympy may fold numbers into new ones).
    """
    expr = _expand_affine_powers(expr)
    for _ in range(10):
        new = _round_numbers(expr, n_digits)
        if new == expr:
            break
        expr = new
    return expr


def _is_affine_in_one_variable(base):
    symbols = base.free_symbols
    if len(symbols) != 1:
        return False
    x = next(iter(symbols))
    return base.is_polynomial(x) and sympy.degree(base, x) == 1


def _expand_affine_powers(expr):
    """Step 1 of :func:`_round`; function applications stay unevaluated, sums and products are
    collected."""
    if not expr.args:
        return expr
    args = [_expand_affine_powers(a) for a in expr.args]
    if expr.is_Pow and args[1].is_Integer and _is_affine_in_one_variable(args[0]):
        base, n = args
        if 2 <= n <= _MAX_EXPANDED_POWER:
            return sympy.expand_multinomial(sympy.Pow(base, n))
        if base.is_Mul:
            return sympy.Pow(base, n)  # (alpha x)^n -> alpha^n x^n
    if isinstance(expr, sympy.exp):
        constant, rest = args[0].as_coeff_Add()
        if constant.is_Float and abs(float(constant)) <= _MAX_EXP_SHIFT:
            # c exp(u + K) = (c e^K) exp(u): the coefficient and the shift of exp are one degree
            # of freedom, and a trained edge may sit anywhere along it (2.01 exp(u - 0.7))
            return _product(sympy.Float(np.exp(float(constant))), _unevaluated(expr, [rest]))
    return _rebuild(expr, args)


def _round_numbers(expr, n_digits):
    """Step 2 of :func:`_round`: one pass over ``expr``."""
    if expr.is_Number:
        return _round_number(expr, abs(float(expr)), n_digits)
    if expr.is_Add:
        parts = [term.as_coeff_Mul() for term in expr.args]
        scale = max(abs(float(c)) for c, _ in parts)
        # a coefficient is compared with the sum's largest only when its term is a monomial (its
        # size is then that of the others on the data); 1e-3 (1.2 y^2 + 4)^5 is not small
        return _sum(*(_product(_round_number(c, scale if _is_monomial(rest) else abs(float(c)), n_digits),
                               _round_factors(rest, n_digits))
                      for c, rest in parts))
    if expr.is_Mul:
        c, rest = expr.as_coeff_Mul()
        return _product(_round_number(c, abs(float(c)), n_digits), _round_factors(rest, n_digits))
    if not expr.args:
        return expr
    return _unevaluated(expr, [_round_numbers(a, n_digits) for a in expr.args])


def _is_monomial(expr):
    """1, a variable, or a product of integer powers of variables."""
    return all(f.is_Symbol or (f.is_Pow and f.base.is_Symbol and f.exp.is_Integer) or f == 1
               for f in sympy.Mul.make_args(expr))


def _round_factors(expr, n_digits):
    """A product without its numeric coefficient, each factor rounded in its own context."""
    if expr.is_Mul:
        return _product(*(_round_numbers(f, n_digits) for f in expr.args))
    return _round_numbers(expr, n_digits)


def _round_number(number, scale, n_digits):
    """``number`` on the grid of a sum whose largest coefficient magnitude is ``scale``."""
    if not number.is_Float or not np.isfinite(float(number)):
        return number  # integers and rationals are exact already
    if scale >= 1.0 or scale == 0.0:
        decimals = n_digits
    else:
        decimals = max(n_digits, 1) - (int(np.floor(np.log10(scale))) + 1)
    return sympy.Float(round(float(number), min(decimals, _MAX_DECIMALS)))
