"""Writing models: ``save(model, path)``, one ``.npz`` file (the format is described in
:mod:`minikan.tools.io`, which reads it back).

This module knows the model classes by their names only (``type(model).__name__``), so a model's
``save`` method can call it without an import cycle.
"""
import json
import os
import stat
import tempfile

import numpy as np

from .._version import __version__

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
        file is replaced atomically: the archive is written to a temporary file next to it,
        flushed to disk and then renamed over it, so a failed or interrupted save leaves the
        previous file intact (an interrupted one may leave the temporary file behind).

    Raises
    ------
    TypeError
        For another kind of model, a ``path`` that is neither a path nor a writable binary file,
        or a symbolic edge holding something other than a function name or a SymbolicFunction.
    """
    kind = _kind(model)
    config, arrays = _ENCODERS[kind](model)
    config = {"format": FORMAT, "format_version": FORMAT_VERSION, "minikan_version": __version__,
              "kind": kind, **config}
    # the JSON text goes in as a 0-d unicode array: readable without pickle
    arrays = {"config": np.array(json.dumps(config, allow_nan=False)), **arrays}
    if hasattr(path, "write"):
        np.savez(path, **arrays)
        return
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, an os.PathLike or a binary file, got {type(path).__name__}")
    _write_atomically(path, lambda f: np.savez(f, **arrays))


def _write_atomically(path, write):
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it onto ``path``.

    Writing in place would truncate the old file first; a full disk, a size limit or a killed
    process would then leave neither the old nor the new model. ``os.replace`` is atomic within
    one directory, so ``path`` always holds one complete archive.
    """
    # a symbolic link stays a link: the file it points to is the one replaced
    target = os.path.realpath(path)
    directory, name = os.path.split(target)
    mode = _new_file_mode(target)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            # mkstemp creates the file private (0600); the result should look like a plain open()
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:  # KeyboardInterrupt too: no temporary file is left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _new_file_mode(target):
    """The permission bits the saved file gets: those of the file it replaces, or what
    ``open(target, "w")`` would give a new file under the process umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        pass
    umask = None
    try:  # Linux reports the umask without changing it
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
                    break
    except (OSError, ValueError, IndexError):
        pass
    if umask is None:
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory):
    """Make the rename itself durable where the platform allows it (POSIX); best effort."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _kind(model):
    # exact types (by name and package): a subclass may carry state this format does not know about
    cls = type(model)
    if cls.__name__ in KINDS and cls.__module__.startswith("minikan."):
        return cls.__name__
    raise TypeError(f"model must be a minikan KAN, MLP or LAN, got {type(model).__name__}")


def _function_entry(fun):
    """``(name, source)`` of one entry of ``SymbolicEdges.funs``: ``source`` is ``"name"`` for a plain
    name, ``"library"`` for the LIBRARY's own SymbolicFunction, ``"user"`` for any other."""
    from ..interpret.symbolic import LIBRARY, SymbolicFunction, get_function

    if isinstance(fun, str):
        get_function(fun)  # a name the layer could not evaluate is refused here, not at load time
        return fun, "name"
    if isinstance(fun, SymbolicFunction):
        return fun.name, "library" if LIBRARY.get(fun.name) is fun else "user"
    raise TypeError(f"symbolic edges must hold a function name or a SymbolicFunction, got {type(fun).__name__}")


def _encode_kan(model):
    layers, arrays = [], {}
    for l, (layer, sym) in enumerate(zip(model.layers, model.symbolic)):
        entries = [[_function_entry(f) for f in row] for row in sym.funs]
        layers.append({
            "n_in": layer.n_in, "n_out": layer.n_out, "G": layer.G, "k": layer.k,
            "base": layer.base, "basis": layer.basis, "bias": layer.bias is not None,
            "sym_funs": [[name for name, _ in row] for row in entries],
            "sym_sources": [[source for _, source in row] for row in entries],
        })
        for name in ("grid", "coef", "w_b", "w_s", "mask"):
            arrays[f"layer{l}.{name}"] = getattr(layer, name)
        arrays[f"layer{l}.sym_mask"], arrays[f"layer{l}.affine"] = sym.mask, sym.affine  # names of format 1
        if layer.bias is not None:
            arrays[f"layer{l}.bias"] = layer.bias
    config = {"width": model.width, "grid_eps": model.grid_eps, "grid_margin": model.grid_margin,
              "trainable": dict(model.trainable), "layers": layers}
    if any(model.n_mult):  # only then: files of models without product nodes stay as they were
        config.update(model.mult_structure())
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
