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

Saving replaces an existing file atomically (a temporary file beside it, flushed, then renamed
over it), so a failed or interrupted save never leaves a damaged file where a good one was.

Loading is safe on untrusted files: the zip directory is read first and only the members the
model needs are opened; each member's declared size and its ``.npy`` header (dtype, shape) are
checked against what the JSON description implies before any data is read, so a file cannot make
``load`` allocate more than its own size or its description's arrays. Object arrays are never
unpickled, the JSON text is bounded in size and nesting depth and parsed (never evaluated), numbers
are range-checked, and every array is checked for finiteness before a model is built. Every
problem is a ``ValueError`` naming the file and the entry or setting. Symbolic edges are stored by function name. Names of :data:`minikan.interpret.symbolic.LIBRARY`
resolve by themselves; a user-defined :class:`~minikan.interpret.symbolic.SymbolicFunction` (one that is not
the library's entry of that name) is saved by name only, and ``load`` needs ``lib={name: function}``
to restore it. Files of another format version are refused with a ``ValueError``.

A KAN with multiplication nodes also records ``"n_mult"`` (one count per row) and
``"mult_arity"`` in its JSON description (``"width"`` holds the node counts, each layer entry its
subnode count as ``n_out``); a file without them describes a model without multiplication nodes.
"""
import io
import json
import re
import os
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np

# what zipfile can raise while it reads the directory of a damaged archive
_READ_ERRORS = (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)

from .._checks import as_choice, as_float
from ..baselines.lan import LAN
from ..baselines.mlp import ACTIVATIONS, INITS, MLP
from ..core.activations import BASE_FUNCTIONS
from ..core.layer import KANLayer
from ..core.model import KAN
from ..core.spline import check_G_k, check_grid
from ..interpret.symbolic import LIBRARY, SymbolicFunction, get_function
from ..interpret.symbolic_edges import SymbolicEdges
from .saving import FORMAT, FORMAT_VERSION, KINDS, save  # noqa: F401 (save is part of this module's API)


# ---------------------------------------------------------------------------------- loading
# Limits on what load accepts. A model's JSON description grows with its number of edges (about
# 13 characters per numeric edge); 16 Mi characters hold over a million edges, far beyond what this
# implementation trains, while bounding the memory a hostile description can make the parser use.
MAX_CONFIG_CHARS = 2**24
# Parsing JSON costs up to ~25 bytes per character (an empty list per three), and deflate packs
# such text a thousandfold; above this size the description must therefore be stored uncompressed
# (as save writes it), which keeps the parser's memory within a small factor of the file's size.
MAX_DEFLATED_CONFIG_CHARS = 2**20
MAX_CONFIG_DEPTH = 32  # a valid description nests 5 deep
MAX_SIZE = 2**31 - 1  # the largest width, grid size or degree a file may state
_MAX_INT_DIGITS = 100  # longer JSON integers are refused before Python converts them
_MAX_NPY_HEADER = 10000  # bytes before the data of one .npy member (NumPy writes 128)
_MAX_DEFLATE_RATIO = 1100  # deflate expands at most about 1032-fold
_CHUNK = 1 << 20
_NPY_MAGIC = b"\x93NUMPY"


def load(path, lib=None):
    """Read a model written by :func:`save` (or ``model.save``).

    Parameters
    ----------
    path : str, os.PathLike or binary file object
    lib : mapping name -> SymbolicFunction, optional
        Where the user-defined functions of symbolic edges are found (the same mapping used to
        fix them, e.g. ``minikan.interpret.symbolic.library(extra=[J0])``). Library functions need nothing.

    Returns
    -------
    KAN, MLP or LAN

    Raises
    ------
    ValueError
        If the file is not a minikan model, was written in another format version, is damaged,
        is missing or has malformed, extra or oversized entries or settings, or names a symbolic
        function that is neither in the library nor in ``lib``. The message names the file and
        the entry or setting.
    TypeError
        If ``path`` or ``lib`` has the wrong type.
    """
    if lib is not None and not isinstance(lib, Mapping):
        raise TypeError(f"lib must be a mapping name -> SymbolicFunction, got {type(lib).__name__}")
    if not hasattr(path, "read") and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, an os.PathLike or a binary file, got {type(path).__name__}")
    where = repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "the file object"
    try:
        if hasattr(path, "read"):
            return _load(path, lib)
        with open(path, "rb") as f:  # FileNotFoundError and the like are the file system's own answer
            return _load(f, lib)
    except (ValueError, TypeError) as err:
        # checks of settings raise TypeError for a wrong kind of value; in a file that is a
        # malformed file like any other
        raise ValueError(f"cannot load {where}: {err}") from None


def _load(f, lib):
    start = f.tell()
    magic = f.read(len(_NPY_MAGIC))
    if magic == _NPY_MAGIC:
        raise ValueError("not a minikan model file: it holds a single array, not an .npz archive")
    end = f.seek(0, io.SEEK_END)
    f.seek(start)
    try:
        zf = zipfile.ZipFile(f)
    except _READ_ERRORS as err:
        raise ValueError(f"not a minikan model file (.npz): {err}") from None
    with zf:
        archive = _Archive(zf, end)
        config = _config(archive)
        model = _DECODERS[config["kind"]](config, archive, lib)
        archive.check_all_used()
    return model


class _Counting:
    """A read-only view of a stream that counts the bytes handed out (the .npy header length)."""

    def __init__(self, stream):
        self.stream, self.count = stream, 0

    def read(self, n=-1):
        data = self.stream.read(n)
        self.count += len(data)
        return data


class _Archive:
    """The archive's members, each read only when the model asks for it and only after its
    declared size, .npy header, dtype and shape match what the description implies."""

    def __init__(self, zf, archive_end):
        self.zf, self.archive_end, self.members, self.used = zf, archive_end, {}, set()
        for info in zf.infolist():
            name = info.filename
            if not name.endswith(".npy"):
                raise ValueError(f"entry {name!r} is not a NumPy array (.npy)")
            key = name[:-4]
            if key in self.members:
                raise ValueError(f"entry {key!r} appears twice")
            self.members[key] = info

    def _open(self, key, max_data_bytes):
        """The member ``key``, its declared size checked against an upper bound before any
        byte of it is read or decompressed."""
        info = self.members[key]
        if info.flag_bits & 0x1:
            raise ValueError(f"entry {key!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(f"entry {key!r} uses an unsupported compression (method {info.compress_type})")
        limit = len(_NPY_MAGIC) + 6 + _MAX_NPY_HEADER + max_data_bytes
        if info.file_size > limit:
            raise ValueError(f"entry {key!r} declares {info.file_size} bytes, more than the {limit} "
                             "its description allows")
        # the stored bytes must lie inside the file, and deflate cannot expand beyond ~1032:1, so
        # the data read below is bounded by the file's own size as well
        stored = info.compress_type == zipfile.ZIP_STORED
        if (info.header_offset + info.compress_size > self.archive_end
                or (stored and info.compress_size != info.file_size)
                or (not stored and info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 64)):
            raise ValueError(f"entry {key!r} has inconsistent sizes in the zip directory (damaged file)")
        return info, self.zf.open(info)

    def _read(self, key, max_data_bytes, check):
        """Read member ``key``: ``check(dtype, shape)`` validates its header (raising ValueError)
        before the data is read; returns ``(data as a writable uint8 array, dtype, shape, fortran)``."""
        try:
            info, stream = self._open(key, max_data_bytes)
            with stream:
                counted = _Counting(stream)
                version = np.lib.format.read_magic(counted)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(counted)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(counted)
                else:
                    raise ValueError(f"unsupported .npy format version {version}")
                check(dtype, shape)
                nbytes = dtype.itemsize * _product(shape)
                if info.file_size != counted.count + nbytes:
                    raise ValueError(f"declares {info.file_size} bytes, but its header implies "
                                     f"{counted.count + nbytes}")
                data = np.empty(nbytes, dtype=np.uint8)
                done = 0
                while done < nbytes:  # chunks: memory grows only with the bytes that really arrive
                    chunk = stream.read(min(_CHUNK, nbytes - done))
                    if not chunk:
                        raise ValueError("truncated data")
                    data[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
                    done += len(chunk)
        except (EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError,
                SyntaxError, TypeError, KeyError, RecursionError, MemoryError) as err:
            # raised by zipfile and by NumPy's header parser on damaged or hostile bytes
            raise ValueError(f"entry {key!r} is damaged: {type(err).__name__}: {err}") from None
        except ValueError as err:
            raise ValueError(f"{'entry' if key == 'config' else 'array'} {key!r}: {err}") from None
        return data, dtype, shape, fortran

    def config_text(self):
        if "config" not in self.members:
            raise ValueError("not a minikan model file: no 'config' entry")
        self.used.add("config")
        compressed = self.members["config"].compress_type != zipfile.ZIP_STORED

        def check(dtype, shape):
            if shape != () or dtype.kind != "U":
                raise ValueError(f"must be a 0-d text array, got dtype {dtype} shape {_short(shape)}")
            if dtype.itemsize > 4 * MAX_CONFIG_CHARS:
                raise ValueError(f"the JSON description has {dtype.itemsize // 4} characters, more than "
                                 f"the {MAX_CONFIG_CHARS} allowed")
            if compressed and dtype.itemsize > 4 * MAX_DEFLATED_CONFIG_CHARS:
                raise ValueError(f"a compressed JSON description may hold at most {MAX_DEFLATED_CONFIG_CHARS} "
                                 f"characters, this one has {dtype.itemsize // 4}; larger ones must be "
                                 "stored uncompressed")

        data, dtype, _, _ = self._read("config", 4 * MAX_CONFIG_CHARS, check)
        return str(data.view(dtype)[0])

    def get(self, key, shape):
        """The float64 array ``key`` of the given shape, checked finite."""
        shape = tuple(shape)
        if key not in self.members:
            raise ValueError(f"the file has no array {key!r}")
        self.used.add(key)

        def check(dtype, found):
            if dtype != np.float64:
                raise ValueError(f"must be float64, got {dtype}")
            if tuple(found) != shape:
                raise ValueError(f"must have shape {shape}, got {_short(found)}")

        data, _, _, fortran = self._read(key, 8 * _product(shape), check)
        arr = data.view(np.float64).reshape(shape, order="F" if fortran else "C")
        if fortran:
            arr = np.ascontiguousarray(arr)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"array {key!r} contains NaN or inf")
        return arr

    def check_all_used(self):
        extra = sorted(set(self.members) - self.used)
        if extra:
            raise ValueError(f"the file has arrays this model does not use: {extra[:10]}")


def _product(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _reject_constant(name):
    raise ValueError(f"non-finite number {name} in the JSON description")


def _parse_int(text):
    # Python's own limit on int() of long strings varies by version; this one is fixed and small
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits in the JSON description")
    return int(text)


def _parse_float(text):
    value = float(text)
    if not np.isfinite(value):  # 1e400 parses to inf
        raise ValueError(f"the number {text[:40]} in the JSON description is out of range")
    return value


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _nesting_depth(text):
    """How deeply ``[`` and ``{`` nest in JSON text (strings ignored), found without recursion:
    ``json.loads`` recurses once per level and would raise RecursionError on deep input."""
    codes = np.frombuffer(_STRING.sub("", text).encode("utf-8"), dtype=np.uint8)
    depth = peak = 0
    for at in range(0, len(codes), _CHUNK):  # chunks keep the running sums small
        part = codes[at:at + _CHUNK]
        step = ((part == ord("[")) | (part == ord("{"))).astype(np.int32)
        step -= (part == ord("]")) | (part == ord("}"))
        if len(step):
            running = np.cumsum(step) + depth
            peak, depth = max(peak, int(running.max())), int(running[-1])
    return peak


def _config(archive):
    """The parsed and version-checked JSON description."""
    text = archive.config_text()
    if _nesting_depth(text) > MAX_CONFIG_DEPTH:
        raise ValueError(f"'config' nests deeper than {MAX_CONFIG_DEPTH} levels")
    try:
        config = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int,
                            parse_float=_parse_float)
    except ValueError as err:  # JSONDecodeError and the refusals of the hooks above
        raise ValueError(f"'config' is not valid JSON ({err})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"not a minikan model file (its config has no format {FORMAT!r})")
    version = config.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        minikan_version = config.get("minikan_version", "unknown")
        if not isinstance(minikan_version, str):
            minikan_version = "unknown"
        raise ValueError(
            f"the file has format version {_short(version)} (written by minikan "
            f"{minikan_version[:40]}); this minikan reads format version {FORMAT_VERSION}")
    if config.get("kind") not in KINDS:
        raise ValueError(f"model kind must be one of {list(KINDS)}, got {_short(config.get('kind'))}")
    return config


def _short(value):
    """``repr(value)`` cut to a readable length: a value from a file can be huge."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field(config, key, kinds, what=None):
    """``config[key]``, required to be an instance of ``kinds`` (bool is not an int here)."""
    if key not in config:
        raise ValueError(f"the config has no {key!r} entry")
    value = config[key]
    wrong_bool = isinstance(value, bool) and bool not in kinds  # JSON true is not the int 1 here
    if wrong_bool or not isinstance(value, kinds):
        raise ValueError(f"config entry {key!r} must be {what or ' or '.join(k.__name__ for k in kinds)}, "
                         f"got {_short(value)}")
    return value


def _check_size(value, name, low):
    """An int setting in ``[low, MAX_SIZE]``: larger ones could only describe arrays no file holds,
    and would overflow once they meet NumPy."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_SIZE:
        raise ValueError(f"config entry {name} must be an int from {low} to {MAX_SIZE}, got {_short(value)}")
    return value


def _size(config, key, low):
    return _check_size(_field(config, key, (int,)), repr(key), low)


def _real(config, key):
    """A number setting as a finite float (an int too large for a float is refused, not an
    OverflowError)."""
    value = _field(config, key, (float, int))
    try:
        value = float(value)
    except OverflowError:
        value = float("inf")
    if not np.isfinite(value):
        raise ValueError(f"config entry {key!r} must be a finite number, got {_short(config[key])}")
    return value


def _width(config):
    width = _field(config, "width", (list,), "a list of ints")
    if len(width) < 2:
        raise ValueError(f"config entry 'width' must list at least two ints >= 1, got {_short(width)}")
    for w in width:
        _check_size(w, "'width'", 1)
    return width


def _trainable(config, groups):
    flags = _field(config, "trainable", (dict,), "a dict group -> bool")
    if set(flags) != set(groups) or not all(isinstance(v, bool) for v in flags.values()):
        raise ValueError(f"config entry 'trainable' must map each of {list(groups)} to true/false, "
                         f"got {_short(flags)}")
    return flags


def _resolve_function(name, source, lib, where):
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
    width = _width(config)
    specs = _field(config, "layers", (list,), "a list")
    if len(specs) != len(width) - 1:
        raise ValueError(f"config has {len(specs)} layers for width {_short(width)}")
    mult = _mult_structure(config, width)
    subnodes = [n + (mult["mult_arity"] - 1) * m for n, m in zip(width, mult["n_mult"])]
    layers, symbolic = [], []
    for l, (spec, n_in, n_out) in enumerate(zip(specs, width[:-1], subnodes[1:])):
        if not isinstance(spec, dict):
            raise ValueError(f"config entry for layer {l} must be a dict, got {_short(spec)}")
        G, k = check_G_k(_size(spec, "G", 1), _size(spec, "k", 0))
        base = as_choice(_field(spec, "base", (str,)), "base", BASE_FUNCTIONS)
        basis = as_choice(_field(spec, "basis", (str,)), "basis", ("local", "dense"))
        if (_size(spec, "n_in", 1), _size(spec, "n_out", 1)) != (n_in, n_out):
            raise ValueError(f"layer {l} shape in the config does not match width {_short(width)}")
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
                               basis=basis))
        symbolic.append(SymbolicEdges(n_in, n_out, a["sym_mask"], a["affine"], funs))
    return KAN.from_layers(layers, _real(config, "grid_eps"), _real(config, "grid_margin"),
                           _trainable(config, KAN.GROUPS), **mult, symbolic=symbolic)


def _mult_structure(config, width):
    """``n_mult`` and ``mult_arity`` from the config; none (a plain model) when absent."""
    if "n_mult" not in config and "mult_arity" not in config:
        return {"n_mult": [0] * len(width), "mult_arity": 2}
    n_mult = _field(config, "n_mult", (list,), "a list of ints")
    if len(n_mult) != len(width):
        raise ValueError(f"config entry 'n_mult' must have one count per row of width {_short(width)}, "
                         f"got {_short(n_mult)}")
    n_mult = [_check_size(m, "'n_mult'", 0) for m in n_mult]
    if n_mult[0] or any(m > n for m, n in zip(n_mult, width)):
        raise ValueError(f"config entry 'n_mult' {_short(n_mult)} does not fit width {_short(width)} "
                         "(no product nodes on the inputs, at most one per node)")
    return {"n_mult": n_mult, "mult_arity": _size(config, "mult_arity", 2)}


def _affine_maps(config, arrays):
    width = _width(config)
    weights = [arrays.get(f"layer{l}.W", (a, b)) for l, (a, b) in enumerate(zip(width[:-1], width[1:]))]
    biases = [arrays.get(f"layer{l}.b", (b,)) for l, b in enumerate(width[1:])]
    return width, weights, biases


def _decode_mlp(config, arrays, lib):
    _, weights, biases = _affine_maps(config, arrays)
    model = MLP.__new__(MLP)
    model.activation = as_choice(_field(config, "activation", (str,)), "activation", ACTIVATIONS)
    model.init = as_choice(_field(config, "init", (str,)), "init", INITS)
    model.omega0 = as_float(_real(config, "omega0"), "omega0", 0.0, low_open=True)
    model.weights, model.biases = weights, biases
    model._set_trainable(_trainable(config, MLP.GROUPS))
    return model


def _decode_lan(config, arrays, lib):
    width, weights, biases = _affine_maps(config, arrays)
    hidden = width[1:-1]
    k = check_G_k(1, _size(config, "k", 0))[1]
    Gs = _field(config, "G", (list,), "a list of ints")
    if len(Gs) != len(hidden):
        raise ValueError(f"config entry 'G' must have one grid size per hidden layer ({len(hidden)}), got {_short(Gs)}")
    grids, coefs, w_b, w_s = [], [], [], []
    for l, (n, G) in enumerate(zip(hidden, Gs)):
        G = check_G_k(_check_size(G, "'G'", 1), k)[0]
        grids.append(arrays.get(f"hidden{l}.grid", (n, G + 2 * k + 1)))
        check_grid(grids[-1], k)
        coefs.append(arrays.get(f"hidden{l}.coef", (n, G + k)))
        w_b.append(arrays.get(f"hidden{l}.w_b", (n,)))
        w_s.append(arrays.get(f"hidden{l}.w_s", (n,)))
    model = LAN.__new__(LAN)
    model._setup(weights, biases, grids, coefs, w_b, w_s, k,
                 as_choice(_field(config, "base", (str,)), "base", ACTIVATIONS),
                 as_float(_real(config, "omega0"), "omega0", 0.0, low_open=True),
                 _real(config, "grid_eps"), _real(config, "grid_margin"),
                 _trainable(config, LAN.GROUPS))
    return model


_DECODERS = {"KAN": _decode_kan, "MLP": _decode_mlp, "LAN": _decode_lan}
