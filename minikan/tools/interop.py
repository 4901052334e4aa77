"""Parameter exchange with pykan 0.2.8 and efficient-kan (NumPy arrays in, NumPy arrays out).

All three implementations compute the same edge function (paper Eq. 2.10–2.12)

.. math::
    \\phi_{ij}(x) = m_{ij} \\left( w_{b,ij}\\, b(x) + w_{s,ij} \\sum_m c_{ijm} B_m(x) \\right),
    \\qquad y_j = \\sum_i \\phi_{ij}(x_i) \\quad (Eq. 2.5)

and store the same numbers in different layouts. The functions here only move arrays between
those layouts and check their names and shapes; they never import torch. A torch user converts a
state dict with ``{k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}`` and back
with ``{k: torch.tensor(v) for k, v in state.items()}``.

Per layer ``l`` (minikan name and shape: pykan 0.2.8 key; efficient-kan key):

* ``grid (in, G+2k+1)``: ``act_fun.l.grid``, same shape; ``layers.l.grid``, same shape.
* ``coef (in, out, G+k)``: ``act_fun.l.coef``, same shape; ``layers.l.spline_weight (out, in, G+k)``.
* ``w_b (in, out)``: ``act_fun.l.scale_base``, same shape; ``layers.l.base_weight (out, in)``.
* ``w_s (in, out)``: ``act_fun.l.scale_sp``, same shape; ``layers.l.spline_scaler (out, in)``.
* ``mask (in, out)``: ``act_fun.l.mask``, same shape; none (multiplied into the weights on export).
* ``bias (out,)``: ``node_scale_l * subnode_bias_l + node_bias_l``; none.
* ``model.symbolic[l].mask (in, out)``, ``.affine (in, out, 4)``: ``symbolic_fun.l.mask (out, in)``,
  ``symbolic_fun.l.affine (out, in, 4)``; none.

Multiplication nodes (pykan's ``[n_sum, n_mult]`` widths and ``mult_arity``; see
:mod:`minikan.core.multiply`): ``out`` above is then the subnode count. pykan's ``node_scale_l``,
``node_bias_l`` have one entry per node and ``subnode_scale_l``, ``subnode_bias_l`` one per
subnode; minikan's bias is per subnode, so in a row with product nodes ``bias = subnode_bias``
(plus ``node_bias`` on the sum nodes), and the scales must be 1 and a product node's
``node_bias`` 0 (pykan's untrained defaults); other values are refused.

``docs/interop.md`` lists what each library computes differently.
"""
import re

import numpy as np

from .._checks import as_float
from ..core.activations import BASE_FUNCTIONS
from ..core.layer import KANLayer
from ..core.model import KAN
from ..core.multiply import check_arity, n_subnodes, refuse_mult
from ..core.spline import check_G_k
from ..interpret.symbolic import LIBRARY, SymbolicFunction, get_function
from ..interpret.symbolic_edges import SymbolicEdges

# pykan 0.2.8's SYMBOLIC_LIB names (kan/utils.py); a symbolic edge exported to pykan must use one
PYKAN_LIBRARY = ("x", "x^2", "x^3", "x^4", "x^5", "1/x", "1/x^2", "1/x^3", "1/x^4", "1/x^5", "sqrt",
                 "x^0.5", "x^1.5", "1/sqrt(x)", "1/x^0.5", "exp", "log", "abs", "sin", "cos", "tan",
                 "tanh", "sgn", "arcsin", "arccos", "arctan", "arctanh", "0", "gaussian")

# pykan constructor arguments and checkpoint entries that do not affect the computed function
_PYKAN_IGNORED = {"grid_range", "noise_scale", "scale_base_mu", "scale_base_sigma", "seed",
                  "save_act", "sparse_init", "auto_save", "first_init", "ckpt_path", "state_id", "round",
                  "device"}
_PYKAN_USED = {"width", "mult_arity", "grid", "k", "base_fun", "base_fun_name", "symbolic_funs", "symbolic_enabled",
               "sp_trainable", "sb_trainable", "affine_trainable", "grid_eps"}
_FUNS_KEY = re.compile(r"symbolic\.funs_name\.(\d+)$")


# ---------------------------------------------------------------------------------- checks
def _array(state, key, shape, what):
    """``state[key]`` as a float64 array of the expected ``shape`` (None entries match any size)."""
    if key not in state:
        raise ValueError(f"{what} has no entry {key!r}")
    expected = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    try:
        arr = np.asarray(state[key])
    except (ValueError, TypeError):  # ragged nested lists, objects NumPy cannot convert
        raise ValueError(f"{what}[{key!r}] must be a rectangular array of real numbers with shape {expected}; "
                         f"got a {type(state[key]).__name__} NumPy cannot convert to one") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}[{key!r}] must hold real numbers with shape {expected}, got dtype {arr.dtype}")
    if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
        raise ValueError(f"{what}[{key!r}] must have shape {expected}, got {arr.shape}")
    arr = arr.astype(np.float64)  # a copy: the model never shares memory with the caller's dict
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}[{key!r}] contains NaN or inf")
    return arr


def _check_keys(state, expected, what):
    if not hasattr(state, "keys"):
        raise TypeError(f"{what} must be a dict of arrays, got {type(state).__name__}")
    missing = [k for k in expected if k not in state]
    extra = sorted(str(k) for k in state if k not in expected)
    if missing or extra:
        raise ValueError(f"{what} does not match the model: missing keys {missing}, unexpected keys {extra}")


def _flag(value, name):
    """A yes/no setting: a Python or NumPy bool, the integers 0 and 1, or a 0-d array of those.

    Anything else is an error rather than Python's truthiness, under which the strings "False" and
    "no" would mean True.
    """
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "biu":
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{name} must be True or False (a bool, or the integer 0 or 1), got {value!r}")


def _per_layer(value, name, n_layers):
    """An int, or a list of one int per layer, as a list of ints."""
    values = list(value) if isinstance(value, (list, tuple)) else [value] * n_layers
    if len(values) != n_layers or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"config[{name!r}] must be an int or a list of {n_layers} ints, got {value!r}")
    return [int(v) for v in values]


def _pykan_width(width):
    """pykan's width (ints or [n_sum, n_mult] pairs) as node counts and product-node counts."""
    if isinstance(width, (str, bytes)) or not isinstance(width, (list, tuple)) or len(width) < 2:
        raise ValueError(f"config['width'] must be a list like [2, 5, 1] or [[2, 0], [5, 0], [1, 0]], got {width!r}")
    nodes, mults = [], []
    for pos, w in enumerate(width):
        n_mult = 0
        if isinstance(w, (list, tuple)):
            if len(w) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in w):
                raise ValueError(f"config['width'][{pos}] must be an int or a pair [n_sum, n_mult] of ints >= 0, "
                                 f"got {list(w)!r}")
            w, n_mult = w[0] + w[1], int(w[1])
            if n_mult and pos == 0:
                raise ValueError(f"config['width'][0] = {list(width[0])} puts multiplication nodes on the inputs")
        if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1:
            raise ValueError(f"config['width'][{pos}] must be a positive int, got {w!r}")
        nodes.append(int(w))
        mults.append(n_mult)
    return nodes, mults


def _base_name(name, what):
    if not isinstance(name, str) or name not in BASE_FUNCTIONS:
        raise ValueError(f"{what} must be one of {sorted(BASE_FUNCTIONS)} (a custom torch function cannot be "
                         f"converted), got {name!r}")
    return name


def _pykan_config(config):
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    unknown = sorted(str(k) for k in config if k not in _PYKAN_USED | _PYKAN_IGNORED and not _FUNS_KEY.match(str(k)))
    if unknown:
        raise ValueError(f"config has unknown keys {unknown}; expected some of {sorted(_PYKAN_USED)}")
    for key in ("width", "grid", "k"):
        if key not in config:
            raise ValueError(f"config needs {key!r} (as passed to pykan's MultKAN)")
    for key in ("base_fun", "base_fun_name"):
        if key in config:
            _base_name(config[key], f"config[{key!r}]")  # a name, so the set below can hold it
    names = {config[k] for k in ("base_fun", "base_fun_name") if k in config}
    if len(names) != 1:
        raise ValueError("config needs exactly one base function name, as 'base_fun' or 'base_fun_name' "
                         f"(the two must agree), got {sorted(map(repr, names))}")
    width, n_mult = _pykan_width(config["width"])
    arity = check_arity(config.get("mult_arity", 2))
    n_layers = len(width) - 1
    funs = config.get("symbolic_funs")
    if funs is None and any(_FUNS_KEY.match(str(k)) for k in config):  # pykan's checkpoint spelling
        funs = [config.get(f"symbolic.funs_name.{l}") for l in range(n_layers)]
    if funs is not None and (not isinstance(funs, (list, tuple)) or len(funs) != n_layers):
        raise ValueError(f"config['symbolic_funs'] must be a list of {n_layers} layers of names, got {funs!r}")
    return dict(width=width, n_mult=n_mult, arity=arity,
                sub=[n_subnodes(n, m, arity) for n, m in zip(width, n_mult)], G=_per_layer(config["grid"], "grid", n_layers), k=_per_layer(config["k"], "k", n_layers),
                base=_base_name(names.pop(), "config['base_fun']"), funs=funs,
                symbolic=_flag(config.get("symbolic_enabled", True), "config['symbolic_enabled']"),
                grid_eps=as_float(config.get("grid_eps", 0.02), "config['grid_eps']", 0.0, 1.0),
                trainable={group: _flag(config.get(key, default), f"config[{key!r}]") for group, key, default in
                           (("w_b", "sb_trainable", True), ("w_s", "sp_trainable", True),
                            ("bias", "affine_trainable", False))})


def _symbolic_names(funs, l, n_in, n_out, sym_mask):
    """Names of layer ``l``'s symbolic functions as an (n_in, n_out) object array (pykan's are [out][in])."""
    names = np.full((n_in, n_out), "0", dtype=object)
    if funs is None or funs[l] is None:
        if sym_mask.any():
            raise ValueError(f"layer {l} has symbolic edges (symbolic_fun.{l}.mask is on at (i, j) = "
                             f"{[tuple(map(int, e)) for e in np.argwhere(sym_mask)]}) but config gives no function "
                             f"names: pass config['symbolic_funs'][{l}] = model.symbolic_fun[{l}].funs_name")
        return names
    rows = funs[l]
    if (not isinstance(rows, (list, tuple)) or len(rows) != n_out
            or any(not isinstance(row, (list, tuple)) or len(row) != n_in for row in rows)):
        raise ValueError(f"symbolic function names of layer {l} must be a list of {n_out} lists of {n_in} names "
                         "(pykan's funs_name, indexed [out][in])")
    for j, row in enumerate(rows):
        for i, name in enumerate(row):
            known = isinstance(name, str) and (name in LIBRARY or _resolves(name))
            if sym_mask[i, j] and not known:
                raise ValueError(f"symbolic edge (l, i, j) = ({l}, {i}, {j}) uses {name!r}, which minikan's "
                                 f"function library does not define")
            names[i, j] = name if known else "0"  # an unknown name on an inactive edge is never evaluated
    return names


def _resolves(name):
    try:
        get_function(name)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------- pykan
def pykan_keys(n_layers):
    """Every key of a pykan 0.2.8 ``MultKAN`` state dict with ``n_layers`` layers, in pykan's order."""
    keys = [f"{p}_{l}" for l in range(n_layers) for p in ("node_bias", "node_scale", "subnode_bias", "subnode_scale")]
    keys += [f"act_fun.{l}.{p}" for l in range(n_layers) for p in ("grid", "coef", "mask", "scale_base", "scale_sp")]
    keys += [f"symbolic_fun.{l}.{p}" for l in range(n_layers) for p in ("mask", "affine")]
    return keys


def from_pykan(state, config, *, fold_scales=False, basis="local"):
    """A minikan :class:`~minikan.KAN` with the parameters of a pykan 0.2.8 ``MultKAN``.

    Parameters
    ----------
    state : dict of str -> ndarray
        ``model.state_dict()`` with every tensor converted to NumPy; all keys of
        :func:`pykan_keys` are required, no others are accepted. Per layer ``l``:
        ``act_fun.l.grid (n_in, G+2k+1)``, ``act_fun.l.coef (n_in, n_out, G+k)``,
        ``act_fun.l.scale_base``, ``.scale_sp``, ``.mask (n_in, n_out)``;
        ``node_bias_l``, ``node_scale_l``, ``subnode_bias_l``, ``subnode_scale_l (n_out,)``;
        ``symbolic_fun.l.mask (n_out, n_in)``, ``symbolic_fun.l.affine (n_out, n_in, 4)``.
    config : dict
        Required: ``width`` (``[2, 5, 1]`` or pykan's ``[[2, 0], [5, 0], [1, 0]]``; pairs
        ``[n_sum, n_mult]`` with ``n_mult > 0`` give multiplication nodes, of arity
        ``mult_arity``, default 2, one int for all), ``grid`` and
        ``k`` (int or one per layer; checked against the array shapes), and the base function name
        as ``base_fun`` or ``base_fun_name`` (``"silu"``, ``"identity"``, ``"zero"``).
        Optional: ``symbolic_funs`` (per layer, pykan's ``symbolic_fun[l].funs_name``, indexed
        ``[out][in]``; needed when a symbolic mask is on; pykan's checkpoint keys
        ``symbolic.funs_name.{l}`` are read too), ``symbolic_enabled`` (default True; False drops
        the symbolic branch, as pykan's forward does), ``sb_trainable``, ``sp_trainable``
        (default True), ``affine_trainable`` (default False) and ``grid_eps`` (default 0.02).
        The other entries of pykan's checkpoint ``*_config.yml`` are accepted and ignored, so
        ``yaml.safe_load`` of that file can be passed as is.
    fold_scales : bool
        minikan has no node scale. When a ``node_scale`` or ``subnode_scale`` differs from 1,
        False raises ``ValueError``; True multiplies it into ``w_b``, ``w_s`` and the symbolic
        ``(c, d)`` of the node's incoming edges, which gives the same forward pass (up to
        rounding) but not the same pykan-metric penalty (pykan reads the unscaled activations).
    basis : {"local", "dense"}
        Spline evaluation of the new layers.

    Returns
    -------
    KAN
        ``bias`` is ``node_scale * subnode_bias + node_bias`` (a layer gets one when it is non-zero
        or when ``affine_trainable``); trainable flags follow ``sb_trainable``, ``sp_trainable``
        and ``affine_trainable``; grid updates use ``grid_eps`` with margin 0, pykan 0.2.8's rule.
    """
    fold_scales = _flag(fold_scales, "fold_scales")
    cfg = _pykan_config(config)
    width, n_layers = cfg["width"], len(cfg["width"]) - 1
    _check_keys(state, pykan_keys(n_layers), "pykan state")
    layers, symbolic = [], []
    for l in range(n_layers):
        n_in, n_out, G, k = width[l], cfg["sub"][l + 1], cfg["G"][l], cfg["k"][l]
        coef = _array(state, f"act_fun.{l}.coef", (n_in, n_out, None), "pykan state")
        if coef.shape[2] != G + k:
            raise ValueError(f"act_fun.{l}.coef has {coef.shape[2]} basis functions, but grid={G}, k={k} in config "
                             f"means G+k = {G + k}")
        grid = _array(state, f"act_fun.{l}.grid", (n_in, G + 2 * k + 1), "pykan state")
        w_b, w_s, mask = (_array(state, f"act_fun.{l}.{p}", (n_in, n_out), "pykan state")
                          for p in ("scale_base", "scale_sp", "mask"))
        nb, ns = (_array(state, f"{p}_{l}", (width[l + 1],), "pykan state") for p in ("node_bias", "node_scale"))
        sb, ss = (_array(state, f"{p}_{l}", (n_out,), "pykan state") for p in ("subnode_bias", "subnode_scale"))
        if cfg["n_mult"][l + 1]:  # node and subnode vectors differ in length: no folding
            nb, ns = _node_affine_to_subnodes(l, nb, ns, ss, width[l + 1] - cfg["n_mult"][l + 1], n_out)
        sym_mask = _array(state, f"symbolic_fun.{l}.mask", (n_out, n_in), "pykan state").T
        affine = _array(state, f"symbolic_fun.{l}.affine", (n_out, n_in, 4), "pykan state").transpose(1, 0, 2)
        if not cfg["symbolic"]:
            sym_mask = np.zeros_like(sym_mask)
        names = _symbolic_names(cfg["funs"], l, n_in, n_out, sym_mask)
        # pykan: y -> node_scale * (subnode_scale * y + subnode_bias) + node_bias
        scale = ns * ss
        if np.any(scale != 1.0):
            if not fold_scales:
                raise ValueError(f"layer {l}: node_scale_{l} * subnode_scale_{l} differs from 1 at nodes "
                                 f"{np.flatnonzero(scale != 1.0).tolist()}; minikan has no node scale. Pass "
                                 "fold_scales=True to multiply it into w_b, w_s and the symbolic (c, d) of the "
                                 "incoming edges (same forward pass, different pykan-metric penalty)")
            w_b, w_s = w_b * scale, w_s * scale
            affine[..., 2:] *= scale[None, :, None]
        bias = ns * sb + nb
        keep_bias = cfg["trainable"]["bias"] or np.any(bias != 0.0)
        layers.append(KANLayer(grid, coef, w_b, w_s, mask, bias if keep_bias else None, k=k, base=cfg["base"],
                               basis=basis))
        symbolic.append(SymbolicEdges(n_in, n_out, sym_mask, affine, names))
    return KAN.from_layers(layers, grid_eps=cfg["grid_eps"], grid_margin=0.0, trainable=cfg["trainable"],
                           n_mult=cfg["n_mult"], mult_arity=cfg["arity"], symbolic=symbolic)


def _node_affine_to_subnodes(l, nb, ns, ss, n_sum, n_sub):
    """A row with product nodes: check pykan's node/subnode scales are 1 and a product node's
    ``node_bias`` is 0, and return ``node_bias`` and ``node_scale`` on the subnodes (a sum node's
    own bias; 0 and 1 for the factors), so the plain-row formula ``ns*sb + nb`` applies."""
    for name, values in ((f"node_scale_{l}", ns), (f"subnode_scale_{l}", ss)):
        if np.any(values != 1.0):
            raise ValueError(f"{name} differs from 1 at {np.flatnonzero(values != 1.0).tolist()} in a row with "
                             "multiplication nodes; minikan supports only pykan's default scale 1 there")
    if np.any(nb[n_sum:] != 0.0):
        raise ValueError(f"node_bias_{l} is non-zero on multiplication nodes "
                         f"{(n_sum + np.flatnonzero(nb[n_sum:] != 0.0)).tolist()}; minikan has no bias after "
                         "a product (only pykan's default 0 is supported)")
    return np.concatenate([nb[:n_sum], np.zeros(n_sub - n_sum)]), np.ones(n_sub)


def _single(values):
    """One value when all layers agree, else the per-layer list (pykan accepts both)."""
    return values[0] if len(set(values)) == 1 else list(values)


def _pykan_name(fun, l, i, j):
    """The pykan library name of a minikan symbolic function (a name or a SymbolicFunction)."""
    name = fun.name if isinstance(fun, SymbolicFunction) else fun
    if isinstance(fun, SymbolicFunction) and LIBRARY.get(name) is not fun:
        raise ValueError(f"symbolic edge (l, i, j) = ({l}, {i}, {j}) uses a user-defined function {name!r}, "
                         "which pykan cannot load by name")
    if name not in PYKAN_LIBRARY:
        raise ValueError(f"symbolic edge (l, i, j) = ({l}, {i}, {j}) uses {name!r}, which is not in pykan "
                         f"0.2.8's library {list(PYKAN_LIBRARY)}")
    return name


def _check_model(model):
    if not isinstance(model, KAN):
        raise TypeError(f"model must be a minikan KAN, got {type(model).__name__}")


def to_pykan(model):
    """The parameters of ``model`` in pykan 0.2.8's layout, and the arguments to build that model.

    Returns
    -------
    state : dict of str -> ndarray
        Every key of :func:`pykan_keys`, float64, C-contiguous copies. ``node_bias_l`` holds the
        bias (zeros without one); ``node_scale_l``, ``subnode_scale_l`` are ones and
        ``subnode_bias_l`` zeros, pykan's defaults; in a row with multiplication nodes the bias
        (per subnode) goes to ``subnode_bias_l`` and ``node_bias_l`` is zero. Symbolic masks and affine parameters are
        transposed to pykan's ``[out, in]`` order.
    config : dict
        ``width`` (``[[n_sum, n_mult], ...]`` plus ``mult_arity`` when the model has
        multiplication nodes), ``grid``, ``k`` (an int, or a list when the layers differ), ``base_fun``,
        ``grid_eps``, ``sb_trainable``, ``sp_trainable``, ``affine_trainable`` — all keyword
        arguments of ``MultKAN`` — and ``symbolic_funs``, pykan's ``funs_name`` per layer
        (``[out][in]``). Build the pykan model with ``MultKAN(**kwargs, auto_save=False)`` where
        ``kwargs`` is ``config`` without ``symbolic_funs``, set the symbolic functions by name
        (see ``docs/interop.md``), then ``load_state_dict``.
    """
    _check_model(model)
    bases = {layer.base for layer in model.layers}
    if len(bases) != 1:
        raise ValueError(f"pykan uses one base function for all layers; this model has {sorted(bases)}")
    state, funs = {}, []
    n_layers = len(model.layers)
    for l, layer in enumerate(model.layers):
        bias = np.zeros(layer.n_out) if layer.bias is None else layer.bias
        state.update({f"node_bias_{l}": bias, f"node_scale_{l}": np.ones(layer.n_out),
                      f"subnode_bias_{l}": np.zeros(layer.n_out), f"subnode_scale_{l}": np.ones(layer.n_out)})
        if model.n_mult[l + 1]:  # the bias is per subnode: before the products
            n = model.width[l + 1]
            state.update({f"node_bias_{l}": np.zeros(n), f"node_scale_{l}": np.ones(n), f"subnode_bias_{l}": bias})
        names = [["0"] * layer.n_in for _ in range(layer.n_out)]
        sym = model.symbolic[l]
        for i, j in zip(*np.nonzero(sym.mask)):
            names[j][i] = _pykan_name(sym.funs[i, j], l, i, j)
        funs.append(names)
    for l, layer in enumerate(model.layers):
        state.update({f"act_fun.{l}.grid": layer.grid, f"act_fun.{l}.coef": layer.coef, f"act_fun.{l}.mask": layer.mask,
                      f"act_fun.{l}.scale_base": layer.w_b, f"act_fun.{l}.scale_sp": layer.w_s})
    for l, sym in enumerate(model.symbolic):
        state[f"symbolic_fun.{l}.mask"] = sym.mask.T
        state[f"symbolic_fun.{l}.affine"] = sym.affine.transpose(1, 0, 2)
    state = {key: np.array(state[key], dtype=np.float64, order="C") for key in pykan_keys(n_layers)}
    has_bias = any(layer.bias is not None for layer in model.layers)
    width = model.width
    if any(model.n_mult):
        width = [[n - m, m] for n, m in zip(width, model.n_mult)]
    config = dict(width=width, grid=_single([layer.G for layer in model.layers]),
                  k=_single([layer.k for layer in model.layers]), base_fun=bases.pop(),
                  grid_eps=model.grid_eps, sb_trainable=model.trainable["w_b"], sp_trainable=model.trainable["w_s"],
                  affine_trainable=bool(has_bias and model.trainable["bias"]), symbolic_funs=funs)
    if any(model.n_mult):
        config["mult_arity"] = model.mult_arity
    return state, config


# ---------------------------------------------------------------------------------- efficient-kan
_EFFKAN_KEY = re.compile(r"(?:layers\.(\d+)\.)?(base_weight|spline_weight|spline_scaler|grid)$")


def from_efficient_kan(state, grid_size, spline_order, *, base_activation="silu", grid_eps=0.02, grid_margin=0.01,
                       basis="local"):
    """A minikan :class:`~minikan.KAN` with the parameters of an efficient-kan ``KAN`` (or one ``KANLinear``).

    Parameters
    ----------
    state : dict of str -> ndarray
        ``state_dict()`` converted to NumPy. Per layer ``l``: ``layers.l.base_weight (out, in)``,
        ``layers.l.spline_weight (out, in, G+k)``, ``layers.l.grid (in, G+2k+1)`` and, when the
        layer was built with ``enable_standalone_scale_spline=True`` (the default),
        ``layers.l.spline_scaler (out, in)``; without it ``w_s = 1``. A single ``KANLinear``'s
        keys carry no ``layers.l.`` prefix.
    grid_size, spline_order : int
        efficient-kan's ``grid_size`` (G) and ``spline_order`` (the degree k; cubic = 3).
    base_activation : {"silu", "identity", "zero"}
        Name of the base activation (``torch.nn.SiLU`` is efficient-kan's default).
    grid_eps, grid_margin : float
        Used by later :meth:`KAN.update_grid` calls (efficient-kan's defaults; its knot rule
        differs in detail, see ``docs/interop.md``).

    Returns
    -------
    KAN
        ``w_b = base_weight.T``, ``coef = spline_weight`` with the first two axes swapped,
        ``w_s = spline_scaler.T``, all masks 1, no bias.
    """
    if not hasattr(state, "keys"):
        raise TypeError(f"efficient-kan state must be a dict of arrays, got {type(state).__name__}")
    G, k = check_G_k(grid_size, spline_order)
    base = _base_name(base_activation, "base_activation")
    matches = {key: _EFFKAN_KEY.match(key) if isinstance(key, str) else None for key in state}
    bad = sorted(str(key) for key, m in matches.items() if m is None)
    if bad:
        raise ValueError(f"efficient-kan state has unexpected keys {bad}; expected layers.<l>.base_weight, "
                         "layers.<l>.spline_weight, layers.<l>.grid and optionally layers.<l>.spline_scaler")
    ids = sorted({m.group(1) for m in matches.values()}, key=lambda i: -1 if i is None else int(i))
    if not ids:
        raise ValueError("efficient-kan state has no layers (a KAN needs at least one layer); expected "
                         "layers.<l>.base_weight, layers.<l>.spline_weight and layers.<l>.grid")
    if None in ids and len(ids) > 1:
        raise ValueError("efficient-kan state mixes KAN keys (layers.<l>.*) with bare KANLinear keys")
    if None not in ids and [int(i) for i in ids] != list(range(len(ids))):
        raise ValueError(f"efficient-kan layers must be numbered 0..L-1, got {[int(i) for i in ids]}")
    layers = []
    for l, i in enumerate(ids):
        p = "" if i is None else f"layers.{i}."
        missing = [p + name for name in ("base_weight", "spline_weight", "grid") if p + name not in state]
        if missing:
            raise ValueError(f"efficient-kan state has no entries {missing}")
        base_weight = _array(state, p + "base_weight", (None, None), "efficient-kan state")
        n_out, n_in = base_weight.shape
        if n_out < 1 or n_in < 1:
            raise ValueError(f"efficient-kan state[{p + 'base_weight'!r}] has shape {base_weight.shape}: layer {l} "
                             "needs at least one input and one output (every width >= 1)")
        if layers and layers[-1].n_out != n_in:
            raise ValueError(f"efficient-kan layer {l} has {n_in} inputs but layer {l - 1} has "
                             f"{layers[-1].n_out} outputs")
        spline_weight = _array(state, p + "spline_weight", (n_out, n_in, G + k), "efficient-kan state")
        grid = _array(state, p + "grid", (n_in, G + 2 * k + 1), "efficient-kan state")
        scaler = (_array(state, p + "spline_scaler", (n_out, n_in), "efficient-kan state")
                  if p + "spline_scaler" in state else np.ones((n_out, n_in)))
        layers.append(KANLayer(grid, spline_weight.transpose(1, 0, 2), base_weight.T, scaler.T, k=k, base=base,
                               basis=basis))
    return KAN.from_layers(layers, grid_eps=grid_eps, grid_margin=grid_margin)


def to_efficient_kan(model, *, standalone_scale_spline=True):
    """The parameters of ``model`` in efficient-kan's layout.

    The mask is multiplied into ``base_weight`` and into ``spline_scaler`` (or, with
    ``standalone_scale_spline=False``, ``w_s`` and the mask into ``spline_weight``), which gives
    the same forward pass; efficient-kan has no mask, bias or symbolic branch, so a model with a
    non-zero bias or a symbolic edge raises ``ValueError``.

    Returns
    -------
    state : dict of str -> ndarray
        ``layers.l.base_weight (out, in)``, ``layers.l.spline_weight (out, in, G+k)``,
        ``layers.l.spline_scaler (out, in)`` (only with ``standalone_scale_spline``),
        ``layers.l.grid (in, G+2k+1)``.
    config : dict
        ``layers_hidden``, ``grid_size``, ``spline_order``, ``grid_eps`` (keyword arguments of
        efficient-kan's ``KAN``), ``base_activation`` (a name: ``"silu"`` is ``torch.nn.SiLU``,
        ``"identity"`` is ``torch.nn.Identity``) and ``enable_standalone_scale_spline``.
    """
    _check_model(model)
    refuse_mult(model, "to_efficient_kan")  # efficient-kan has no product nodes
    standalone_scale_spline = _flag(standalone_scale_spline, "standalone_scale_spline")
    Gs, ks = {layer.G for layer in model.layers}, {layer.k for layer in model.layers}
    bases = {layer.base for layer in model.layers}
    if len(Gs) != 1 or len(ks) != 1 or len(bases) != 1:
        raise ValueError("efficient-kan uses one grid_size, spline_order and base_activation for all layers; "
                         f"this model has G {sorted(Gs)}, k {sorted(ks)}, base {sorted(bases)}")
    state = {}
    for l, layer in enumerate(model.layers):
        if model.symbolic[l].active():
            raise ValueError(f"layer {l} has symbolic edges, which efficient-kan cannot represent")
        if layer.bias is not None and np.any(layer.bias != 0.0):
            raise ValueError(f"layer {l} has a non-zero bias, which efficient-kan cannot represent")
        w_s = layer.mask * layer.w_s
        coef = layer.coef if standalone_scale_spline else layer.coef * w_s[:, :, None]
        state[f"layers.{l}.base_weight"] = (layer.mask * layer.w_b).T
        state[f"layers.{l}.spline_weight"] = coef.transpose(1, 0, 2)
        if standalone_scale_spline:
            state[f"layers.{l}.spline_scaler"] = w_s.T
        state[f"layers.{l}.grid"] = layer.grid
    state = {key: np.array(v, dtype=np.float64, order="C") for key, v in state.items()}
    config = dict(layers_hidden=model.width, grid_size=Gs.pop(), spline_order=ks.pop(), grid_eps=model.grid_eps,
                  base_activation=bases.pop(), enable_standalone_scale_spline=bool(standalone_scale_spline))
    return state, config
