"""Saving and loading models: one ``.npz`` file holding the arrays and a JSON description.

``save(model, path)`` writes a KAN, MLP or LAN to exactly ``path`` (no suffix is added, nothing else
is written); ``load(path)`` rebuilds it. The file is a plain NumPy ``.npz`` archive:

* ``"config"``: a 0-d unicode array holding a JSON object (format name and version, the minikan
  version that wrote it, the model kind, the structure and every setting that is not an array);
* one float64 array per parameter, knot vector or mask, named ``"layer{l}.{name}"`` (KAN layers
  and the affine maps of MLPs and LANs) or ``"hidden{l}.{name}"`` (the node functions of a LAN).

Every key is listed in ``docs/reliability.md``. The round trip is exact: the loaded model holds
bit-identical arrays and settings, so ``predict``, ``symbolic_formula`` and further training give
the same numbers as on the original.

Loading is safe on untrusted files: the archive is read with ``allow_pickle=False``, the JSON text
is parsed (never evaluated), and every array is checked for dtype, shape and finiteness before a
model is built. Symbolic edges are stored by function name. Names of :data:`minikan.symbolic.LIBRARY`
resolve by themselves; a user-defined :class:`~minikan.symbolic.SymbolicFunction` (one that is not
the library's entry of that name) is saved by name only, and ``load`` needs ``lib={name: function}``
to restore it. Files of another format version are refused with a ``ValueError``.
"""
import json
import os
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np

# what a damaged archive can raise while NumPy and zipfile read it (unsupported or encrypted
# members raise NotImplementedError and RuntimeError)
_READ_ERRORS = (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)

FORMAT = "minikan"
FORMAT_VERSION = 1
KINDS = ("KAN", "MLP", "LAN")


# ---------------------------------------------------------------------------------- saving
def save(model, path):
    """Write ``model`` (a :class:`minikan.KAN`, :class:`minikan.MLP` or :class:`minikan.LAN`) to ``path``.

    Parameters
    ----------
    model : KAN, MLP or LAN
    path : str, os.PathLike or binary file object
        The file written; used exactly as given (no ``.npz`` suffix is appended). An existing
        file is replaced.

    Raises
    ------
    TypeError
        For another kind of model, a ``path`` that is neither a path nor a writable binary file,
        or a symbolic edge holding something other than a function name or a SymbolicFunction.
    """
    kind = _kind(model)
    config, arrays = _ENCODERS[kind](model)
    from . import __version__

    config = {"format": FORMAT, "format_version": FORMAT_VERSION, "minikan_version": __version__,
              "kind": kind, **config}
    # the JSON text goes in as a 0-d unicode array: readable without pickle
    arrays = {"config": np.array(json.dumps(config, allow_nan=False)), **arrays}
    if hasattr(path, "write"):
        np.savez(path, **arrays)
        return
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, an os.PathLike or a binary file, got {type(path).__name__}")
    # np.savez appends ".npz" to a bare file name; an open file keeps the name the caller chose
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _kind(model):
    from .lan import LAN
    from .mlp import MLP
    from .model import KAN

    # exact types: a subclass may carry state this format does not know about
    for cls in (KAN, MLP, LAN):
        if type(model) is cls:
            return cls.__name__
    raise TypeError(f"model must be a minikan KAN, MLP or LAN, got {type(model).__name__}")


def _function_entry(fun):
    """``(name, source)`` of one entry of ``layer.sym_funs``: ``source`` is ``"name"`` for a plain
    name, ``"library"`` for the LIBRARY's own SymbolicFunction, ``"user"`` for any other."""
    from .symbolic import LIBRARY, SymbolicFunction, get_function

    if isinstance(fun, str):
        get_function(fun)  # a name the layer could not evaluate is refused here, not at load time
        return fun, "name"
    if isinstance(fun, SymbolicFunction):
        return fun.name, "library" if LIBRARY.get(fun.name) is fun else "user"
    raise TypeError(f"symbolic edges must hold a function name or a SymbolicFunction, got {type(fun).__name__}")


def _encode_kan(model):
    layers, arrays = [], {}
    for l, layer in enumerate(model.layers):
        entries = [[_function_entry(f) for f in row] for row in layer.sym_funs]
        layers.append({
            "n_in": layer.n_in, "n_out": layer.n_out, "G": layer.G, "k": layer.k,
            "base": layer.base, "basis": layer.basis, "bias": layer.bias is not None,
            "sym_funs": [[name for name, _ in row] for row in entries],
            "sym_sources": [[source for _, source in row] for row in entries],
        })
        for name in ("grid", "coef", "w_b", "w_s", "mask", "sym_mask", "affine"):
            arrays[f"layer{l}.{name}"] = getattr(layer, name)
        if layer.bias is not None:
            arrays[f"layer{l}.bias"] = layer.bias
    config = {"width": model.width, "grid_eps": model.grid_eps, "grid_margin": model.grid_margin,
              "trainable": dict(model.trainable), "layers": layers}
    return config, arrays


def _encode_affine(model):
    arrays = {}
    for l, (W, b) in enumerate(zip(model.weights, model.biases)):
        arrays[f"layer{l}.W"], arrays[f"layer{l}.b"] = W, b
    return {"width": model.width, "trainable": dict(model.trainable)}, arrays


def _encode_mlp(model):
    config, arrays = _encode_affine(model)
    config.update(activation=model.activation, init=model.init, omega0=model.omega0)
    return config, arrays


def _encode_lan(model):
    config, arrays = _encode_affine(model)
    config.update(k=model.k, G=[c.shape[1] - model.k for c in model.coefs], base=model.base,
                  omega0=model.omega0, grid_eps=model.grid_eps, grid_margin=model.grid_margin)
    for l in range(len(model.coefs)):
        for name, values in (("grid", model.grids), ("coef", model.coefs), ("w_b", model.w_b), ("w_s", model.w_s)):
            arrays[f"hidden{l}.{name}"] = values[l]
    return config, arrays


_ENCODERS = {"KAN": _encode_kan, "MLP": _encode_mlp, "LAN": _encode_lan}


# ---------------------------------------------------------------------------------- loading
def load(path, lib=None):
    """Read a model written by :func:`save` (or ``model.save``).

    Parameters
    ----------
    path : str, os.PathLike or binary file object
    lib : mapping name -> SymbolicFunction, optional
        Where the user-defined functions of symbolic edges are found (the same mapping used to
        fix them, e.g. ``minikan.symbolic.library(extra=[J0])``). Library functions need nothing.

    Returns
    -------
    KAN, MLP or LAN

    Raises
    ------
    ValueError
        If the file is not a minikan model, was written in another format version, is missing
        or has malformed arrays or settings, or names a symbolic function that is neither in the
        library nor in ``lib``.
    TypeError
        If ``path`` or ``lib`` has the wrong type.
    """
    if lib is not None and not isinstance(lib, Mapping):
        raise TypeError(f"lib must be a mapping name -> SymbolicFunction, got {type(lib).__name__}")
    if not hasattr(path, "read") and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, an os.PathLike or a binary file, got {type(path).__name__}")
    where = path if isinstance(path, (str, os.PathLike)) else "the file"
    try:
        archive = np.load(path, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise  # the file system's own answer
    except _READ_ERRORS as err:
        raise ValueError(f"{where} is not a minikan model file (.npz): {err}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{where} is not a minikan model file: it holds a single array, not an .npz archive")
    try:
        with archive:
            arrays = {key: _read(archive, key) for key in archive.files}
    except _READ_ERRORS as err:
        raise ValueError(f"{where} is not a readable minikan model file: {err}") from None
    config = _config(arrays.pop("config", None), where)
    reader = _Arrays(arrays)
    model = _DECODERS[config["kind"]](config, reader, lib)
    reader.check_all_used()
    return model


def _read(archive, key):
    try:
        arr = archive[key]
    except ValueError as err:  # e.g. an object array, which would need pickle
        raise ValueError(f"array {key!r}: {err}") from None
    if not isinstance(arr, np.ndarray):  # a zip member that is not an .npy file
        raise ValueError(f"entry {key!r} is not a NumPy array")
    return arr


def _reject_constant(name):
    raise ValueError(f"non-finite number {name} in the JSON description")


def _config(raw, where):
    """The parsed and version-checked JSON description."""
    if raw is None:
        raise ValueError(f"{where} is not a minikan model file: no 'config' entry")
    if raw.ndim != 0 or raw.dtype.kind != "U":
        raise ValueError(f"{where}: 'config' must be a 0-d text array, got dtype {raw.dtype} shape {raw.shape}")
    try:
        config = json.loads(str(raw[()]), parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: 'config' is not valid JSON ({err})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{where} is not a minikan model file (its config has no format {FORMAT!r})")
    version = config.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ValueError(
            f"{where} has format version {version!r} (written by minikan "
            f"{config.get('minikan_version', 'unknown')}); this minikan reads format version {FORMAT_VERSION}")
    if config.get("kind") not in KINDS:
        raise ValueError(f"{where}: model kind must be one of {list(KINDS)}, got {config.get('kind')!r}")
    return config


class _Arrays:
    """The archive's arrays, handed out one checked key at a time; leftovers are an error."""

    def __init__(self, arrays):
        self.arrays, self.used = arrays, set()

    def get(self, key, shape):
        if key not in self.arrays:
            raise ValueError(f"the file has no array {key!r}")
        arr = self.arrays[key]
        self.used.add(key)
        if arr.dtype != np.float64:
            raise ValueError(f"array {key!r} must be float64, got {arr.dtype}")
        if arr.shape != tuple(shape):
            raise ValueError(f"array {key!r} must have shape {tuple(shape)}, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"array {key!r} contains NaN or inf")
        return arr

    def check_all_used(self):
        extra = sorted(set(self.arrays) - self.used)
        if extra:
            raise ValueError(f"the file has arrays this model does not use: {extra[:10]}")


def _field(config, key, kinds, what=None):
    """``config[key]``, required to be an instance of ``kinds`` (bool is not an int here)."""
    if key not in config:
        raise ValueError(f"the config has no {key!r} entry")
    value = config[key]
    wrong_bool = isinstance(value, bool) and bool not in kinds  # JSON true is not the int 1 here
    if wrong_bool or not isinstance(value, kinds):
        raise ValueError(f"config entry {key!r} must be {what or ' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    return value


def _width(config):
    width = _field(config, "width", (list,), "a list of ints")
    if len(width) < 2 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in width):
        raise ValueError(f"config entry 'width' must list at least two ints >= 1, got {width!r}")
    return width


def _trainable(config, groups):
    flags = _field(config, "trainable", (dict,), "a dict group -> bool")
    if set(flags) != set(groups) or not all(isinstance(v, bool) for v in flags.values()):
        raise ValueError(f"config entry 'trainable' must map each of {list(groups)} to true/false, got {flags!r}")
    return flags


def _resolve_function(name, source, lib, where):
    from .symbolic import LIBRARY, SymbolicFunction, get_function

    if not isinstance(name, str) or source not in ("name", "library", "user"):
        raise ValueError(f"{where}: malformed symbolic function entry ({name!r}, {source!r})")
    if source == "name":
        get_function(name)  # ValueError naming the valid choices for an unknown name
        return name
    if source == "library":
        if name not in LIBRARY:
            raise ValueError(f"{where}: unknown library function {name!r}; valid names: {sorted(LIBRARY)}")
        return LIBRARY[name]
    fun = None if lib is None else lib.get(name)
    if not isinstance(fun, SymbolicFunction):
        raise ValueError(
            f"{where} uses the user-defined symbolic function {name!r}; pass lib={{{name!r}: "
            "SymbolicFunction(...)}} (e.g. the library it was fitted with) to load")
    return fun


def _decode_kan(config, arrays, lib):
    from ._checks import as_choice
    from .layer import BASE_FUNCTIONS, PARAM_GROUPS, KANLayer
    from .model import KAN
    from .spline import check_G_k, check_grid

    width = _width(config)
    specs = _field(config, "layers", (list,), "a list")
    if len(specs) != len(width) - 1:
        raise ValueError(f"config has {len(specs)} layers for width {width}")
    layers = []
    for l, (spec, n_in, n_out) in enumerate(zip(specs, width[:-1], width[1:])):
        if not isinstance(spec, dict):
            raise ValueError(f"config entry for layer {l} must be a dict, got {spec!r}")
        G, k = check_G_k(_field(spec, "G", (int,)), _field(spec, "k", (int,)))
        base = as_choice(_field(spec, "base", (str,)), "base", BASE_FUNCTIONS)
        basis = as_choice(_field(spec, "basis", (str,)), "basis", ("local", "dense"))
        if (_field(spec, "n_in", (int,)), _field(spec, "n_out", (int,))) != (n_in, n_out):
            raise ValueError(f"layer {l} shape in the config does not match width {width}")
        a = {name: arrays.get(f"layer{l}.{name}", shape) for name, shape in (
            ("grid", (n_in, G + 2 * k + 1)), ("coef", (n_in, n_out, G + k)), ("w_b", (n_in, n_out)),
            ("w_s", (n_in, n_out)), ("mask", (n_in, n_out)), ("sym_mask", (n_in, n_out)),
            ("affine", (n_in, n_out, 4)))}
        bias = arrays.get(f"layer{l}.bias", (n_out,)) if _field(spec, "bias", (bool,)) else None
        check_grid(a["grid"], k)  # knots must be non-decreasing
        names, sources = _field(spec, "sym_funs", (list,)), _field(spec, "sym_sources", (list,))
        for table in (names, sources):
            if len(table) != n_in or any(not isinstance(row, list) or len(row) != n_out for row in table):
                raise ValueError(f"layer {l}: sym_funs and sym_sources must be {n_in} lists of {n_out} entries")
        funs = np.empty((n_in, n_out), dtype=object)
        for i in range(n_in):
            for j in range(n_out):
                funs[i, j] = _resolve_function(names[i][j], sources[i][j], lib, f"edge ({l}, {i}, {j})")
        layers.append(KANLayer(a["grid"], a["coef"], a["w_b"], a["w_s"], a["mask"], bias, k=k, base=base,
                               basis=basis, sym_mask=a["sym_mask"], affine=a["affine"], sym_funs=funs))
    return KAN.from_layers(layers, _field(config, "grid_eps", (float, int)),
                           _field(config, "grid_margin", (float, int)), _trainable(config, PARAM_GROUPS))


def _affine_maps(config, arrays):
    width = _width(config)
    weights = [arrays.get(f"layer{l}.W", (a, b)) for l, (a, b) in enumerate(zip(width[:-1], width[1:]))]
    biases = [arrays.get(f"layer{l}.b", (b,)) for l, b in enumerate(width[1:])]
    return width, weights, biases


def _decode_mlp(config, arrays, lib):
    from ._checks import as_choice, as_float
    from .mlp import ACTIVATIONS, INITS, MLP

    _, weights, biases = _affine_maps(config, arrays)
    model = MLP.__new__(MLP)
    model.activation = as_choice(_field(config, "activation", (str,)), "activation", ACTIVATIONS)
    model.init = as_choice(_field(config, "init", (str,)), "init", INITS)
    model.omega0 = as_float(_field(config, "omega0", (float, int)), "omega0", 0.0, low_open=True)
    model.weights, model.biases = weights, biases
    model._set_trainable(_trainable(config, MLP.GROUPS))
    return model


def _decode_lan(config, arrays, lib):
    from ._checks import as_choice, as_float
    from .lan import LAN
    from .mlp import ACTIVATIONS
    from .spline import check_G_k, check_grid

    width, weights, biases = _affine_maps(config, arrays)
    hidden = width[1:-1]
    k = check_G_k(1, _field(config, "k", (int,)))[1]
    Gs = _field(config, "G", (list,), "a list of ints")
    if len(Gs) != len(hidden):
        raise ValueError(f"config entry 'G' must have one grid size per hidden layer ({len(hidden)}), got {Gs!r}")
    grids, coefs, w_b, w_s = [], [], [], []
    for l, (n, G) in enumerate(zip(hidden, Gs)):
        G = check_G_k(G, k)[0]
        grids.append(arrays.get(f"hidden{l}.grid", (n, G + 2 * k + 1)))
        check_grid(grids[-1], k)
        coefs.append(arrays.get(f"hidden{l}.coef", (n, G + k)))
        w_b.append(arrays.get(f"hidden{l}.w_b", (n,)))
        w_s.append(arrays.get(f"hidden{l}.w_s", (n,)))
    model = LAN.__new__(LAN)
    model._setup(weights, biases, grids, coefs, w_b, w_s, k,
                 as_choice(_field(config, "base", (str,)), "base", ACTIVATIONS),
                 as_float(_field(config, "omega0", (float, int)), "omega0", 0.0, low_open=True),
                 _field(config, "grid_eps", (float, int)), _field(config, "grid_margin", (float, int)),
                 _trainable(config, LAN.GROUPS))
    return model


_DECODERS = {"KAN": _decode_kan, "MLP": _decode_mlp, "LAN": _decode_lan}
