"""Reference outputs for checking KAN implementations number by number.

A *golden set* is a folder of ``.npz`` files, one per quantity (basis values, a layer forward, a deep
model's forward and gradients, grid extension, grid update, the regulariser, the symbolic affine
fit), plus a ``manifest.json`` that describes every key. Each ``.npz`` holds the exact inputs of its
computation (knots, coefficients, ``w_b``, ``w_s``, samples, ...) and minikan's float64 outputs, so
any implementation can load the inputs, compute the same quantities, and save its own outputs under
the same keys. :func:`check` then recomputes every quantity with minikan from the inputs *in the
checked file* and compares::

    python -m minikan.tools.verify --write DIR       # write the golden set (the committed copy lives in
                                               # minikan/data/golden/ and is made by this command)
    python -m minikan.tools.verify FILE_OR_DIR       # check another implementation's files
    python -m minikan.tools.verify                   # check the packaged golden set against this minikan

Files are written only where a path is given.

**The format.** Every ``.npz`` holds ``format_version`` (int, :data:`FORMAT_VERSION`), ``quantity``
(str, a key of :data:`QUANTITIES`) and ``minikan_version`` (str), may hold ``implementation``
(str, printed by the checker), and holds the quantity's inputs and outputs. The packaged
``manifest.json`` in :data:`GOLDEN_DIR` lists every key of every quantity with its shape, layout,
dtype, meaning and default tolerance; ``QUANTITIES`` holds the same in code. Outputs must have the
listed shapes and real dtypes; scalars are 0-d arrays, strings 0-d unicode arrays. The source
repository's ``docs/verify.md`` adds the conventions an implementation must share and how pykan
and efficient-kan map onto the keys.

**The report.** An output passes when ``|theirs - minikan| <= atol + rtol |minikan|`` holds
elementwise. The command prints one row per output (max abs error, normwise max rel error,
tolerance, pass/FAIL) and, for each failing output, how many elements fail out of how many, the
worst element's index, minikan's and the checked value there, and, when the output's first axis
runs over samples, that sample's inputs from the checked file (:func:`describe`); it exits 1 when
any output fails or a file is malformed.
"""
import argparse
import json
import os
import re
import stat
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._version import __version__

from ..core import grid_update

from ..core import spline
from ..core.layer import KANLayer
from ..core.model import KAN
from ..core.regularize import layer_penalty, layer_penalty_pykan
from ..interpret.symbolic import fit_affine

FORMAT_VERSION = 1
GOLDEN_DIR = Path(__file__).parent.parent / "data" / "golden"

# Bounds on every size a checked file controls. A file comes from another implementation and may be
# malformed or hostile; without bounds a single integer (G_new = 10**7) makes the checker allocate
# gigabytes or run for hours. Each bound is far above what the golden set uses (in brackets).
LIMITS = {
    "k": 10,                    # spline degree [3]
    "G": 10_000,                # grid intervals, G_new, and knots per row minus 2k+1 [5, 10]
    "width": 1_000,             # nodes per layer [4]
    "layers": 100,              # layers of a model [3]
    "N": 1_000_000,             # samples (rows of x, X, y) and any other array dimension [200]
    "grid_number": 1_000,       # symbolic fit grid points per axis [101]
    "iterations": 100,          # symbolic fit zoom steps [3]
    "elements": 100_000_000,    # largest intermediate array of one computation (800 MB of float64) [~10^4]
    "search": 1_000_000_000,    # symbolic fit evaluations iterations * grid_number^2 * N [3 * 10^6]
    "file_bytes": 1 << 30,      # uncompressed arrays in one .npz (1 GiB) [~50 KB]
}


# ---------------------------------------------------------------------------------------- inputs
def _basis_inputs(knots, x_range, n_points):
    """Points spread over (and beyond) a 1-D knot vector, every knot included exactly."""
    x = np.sort(np.concatenate([np.linspace(*x_range, n_points), knots]))
    return {"knots": knots, "k": np.int64(3), "x": x}


def _inputs_basis_uniform():
    return _basis_inputs(spline.uniform_grid(5, 3), (-2.5, 2.5), 41)


def _inputs_basis_nonuniform():
    base = np.array([-1.0, -0.8, -0.35, -0.3, 0.1, 0.55, 1.0])  # G = 6, one close pair of knots
    return _basis_inputs(spline.extend_grid(base, 3), (-2.25, 2.25), 37)


def _layer_params(rng, grid, n_out):
    n_in, M = grid.shape
    k = 3
    return {"grid": grid, "k": np.int64(k), "coef": rng.normal(0.0, 0.5, (n_in, n_out, M - k - 1)),
            "w_b": rng.uniform(-1.0, 1.0, (n_in, n_out)), "w_s": rng.uniform(0.5, 1.5, (n_in, n_out))}


def _inputs_layer_forward():
    rng = np.random.default_rng(101)
    grid = np.stack([spline.uniform_grid(5, 3, -1.0, 1.0), spline.uniform_grid(5, 3, -0.5, 2.0),
                     spline.extend_grid(np.array([-1.0, -0.6, -0.5, 0.2, 0.3, 1.0]), 3)])
    inputs = _layer_params(rng, grid, n_out=2)
    # each input sweeps its whole knot vector and a little beyond (outer intervals, outside)
    lo, hi = grid[:, 0] - 0.3, grid[:, -1] + 0.3
    inputs.update(base_fun=np.str_("silu"), x=lo + (hi - lo) * rng.random((40, 3)))
    return inputs


def _deep_model():
    """A [3, 4, 2, 1] model with data-adapted (non-uniform, per-input) knots, its X and y."""
    rng = np.random.default_rng(202)
    model = KAN([3, 4, 2, 1], grid=5, k=3, seed=rng)
    X = rng.uniform(-1.0, 1.0, (64, 3))
    for layer in model.layers:
        # larger coefficients than at initialisation, so the spline branch matters as much as the base
        layer.coef[...] = rng.normal(0.0, 0.5, layer.coef.shape)
        layer.w_s[...] = rng.uniform(0.5, 1.5, layer.w_s.shape)
    model.update_grid(X, grid_eps=0.02)  # knots follow the samples, as after training
    y = np.sin(np.pi * X[:, [0]]) * X[:, [1]] + X[:, [2]] ** 2
    return model, X, y


def _model_inputs(model):
    inputs = {"width": np.array(model.width, dtype=np.int64), "k": np.int64(model.k),
              "base_fun": np.str_("silu")}
    for l, layer in enumerate(model.layers):
        inputs.update({f"grid_{l}": layer.grid, f"coef_{l}": layer.coef, f"w_b_{l}": layer.w_b,
                       f"w_s_{l}": layer.w_s})
    return inputs


def _inputs_model_forward():
    model, X, _ = _deep_model()
    return {**_model_inputs(model), "X": X}


def _inputs_model_gradients():
    model, X, y = _deep_model()
    return {**_model_inputs(model), "X": X, "y": y}


def _inputs_regularizer():
    model, X, _ = _deep_model()
    return {**_model_inputs(model), "X": X, "mu1": np.float64(1.0), "mu2": np.float64(1.0)}


def _inputs_grid_extension():
    rng = np.random.default_rng(303)
    grid = np.stack([spline.uniform_grid(5, 3, -1.0, 1.0),
                     spline.extend_grid(np.array([-0.5, -0.2, 0.1, 0.6, 0.8, 1.5]), 3)])
    inputs = _layer_params(rng, grid, n_out=3)
    a, b = grid[:, 3], grid[:, -4]  # base interval [t_k, t_{G+k}] of each input
    inputs.update(G_new=np.int64(10), x=a + (b - a) * rng.random((200, 2)))
    return inputs


def _inputs_grid_update():
    rng = np.random.default_rng(404)
    inputs = _layer_params(rng, np.tile(spline.uniform_grid(5, 3), (2, 1)), n_out=3)
    x = np.stack([np.tanh(rng.normal(0.0, 0.6, 200)), 2.0 * rng.beta(2.0, 5.0, 200) - 1.0], axis=1)
    inputs.update(x=x, grid_eps=np.float64(0.02), margin=np.float64(0.0))
    return inputs


def _inputs_symbolic_fit():
    x = np.linspace(-1.0, 1.0, 101)
    return {"x": x, "y": 2.0 * np.sin(2.71 * x + 0.33) - 1.0, "function": np.str_("sin"),
            "a_range": np.array([0.0, 5.0]), "b_range": np.array([-1.0, 1.0]),
            "grid_number": np.int64(101), "iterations": np.int64(3)}


# ---------------------------------------------------------------------------------------- minikan
def _get(inputs, key, ndim=None, numeric=True):
    """An input array by key, with a clear error when it is missing, not real numbers, has the wrong
    rank, or has a dimension beyond ``LIMITS["N"]``."""
    if key not in inputs:
        raise ValueError(f"missing input key {key!r}")
    value = inputs[key]
    if not isinstance(value, np.ndarray):
        raise TypeError(f"input {key!r} must be an array, got {type(value).__name__}")
    if numeric and value.dtype.kind not in "iuf":
        raise TypeError(f"input {key!r} must hold real numbers, got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"input {key!r} must have {ndim} dimension(s), got shape {value.shape}")
    if any(n > LIMITS["N"] for n in value.shape):
        raise ValueError(f"input {key!r} has shape {value.shape}; verify accepts at most {LIMITS['N']:,} "
                         "entries along any axis")
    return value


def _int(inputs, key, low, high):
    """A 0-d integer input in ``[low, high]``. An integral float (3.0) is accepted, 3.7 is not: a
    silent truncation would check a different computation from the one the file describes."""
    value = _get(inputs, key, 0, numeric=False)
    kind = value.dtype.kind
    if kind not in "iuf" or (kind == "f" and not (np.isfinite(value) and float(value).is_integer())):
        raise ValueError(f"input {key!r} must be an integer, got {value.item()!r} (dtype {value.dtype})")
    n = int(value)
    if not low <= n <= high:
        raise ValueError(f"input {key!r} must be between {low} and {high:,}, got {n:,}")
    return n


def _real(inputs, key):
    """A 0-d finite real input as a float."""
    value = _get(inputs, key, 0, numeric=False)
    if value.dtype.kind not in "iuf" or not np.isfinite(value):
        raise ValueError(f"input {key!r} must be a finite real number, got {value.item()!r} (dtype {value.dtype})")
    return float(value)


def _text(inputs, key):
    """A 0-d string input."""
    value = _get(inputs, key, 0, numeric=False)
    if value.dtype.kind != "U":
        raise ValueError(f"input {key!r} must be a string, got dtype {value.dtype}")
    return str(value)


def _budget(what, count, limit="elements"):
    """Refuse a computation whose size, computed from shapes before anything is allocated, is beyond
    ``LIMITS[limit]``."""
    if count > LIMITS[limit]:
        raise ValueError(f"{what} would need {count:,} {'evaluations' if limit == 'search' else 'array elements'}; "
                         f"verify allows at most {LIMITS[limit]:,}")


def _layer(inputs, suffix="", n_samples=0):
    """A layer from the stored arrays; ``n_samples`` rows of input must fit the element budget."""
    k = _int(inputs, "k", 0, LIMITS["k"])
    grid = _get(inputs, "grid" + suffix, 2)
    coef = _get(inputs, "coef" + suffix, 3)
    w_b, w_s = _get(inputs, "w_b" + suffix, 2), _get(inputs, "w_s" + suffix, 2)
    n_in, M = grid.shape
    n_out = coef.shape[1]
    for key, n, limit in (("grid" + suffix, n_in, "width"), ("coef" + suffix, n_out, "width"),
                          ("grid" + suffix, M - 2 * k - 1, "G")):
        if n > LIMITS[limit]:
            raise ValueError(f"input {key!r} has shape {_get(inputs, key).shape}, beyond verify's limit of "
                             f"{LIMITS[limit]:,} {'intervals' if limit == 'G' else 'nodes'}")
    # the edge values (N, n_in, n_out) and the basis (N, n_in, M) are the largest arrays of a pass
    _budget(f"layer{suffix or ''} on {n_samples} samples", n_samples * n_in * max(n_out, M))
    base = _text(inputs, "base_fun") if "base_fun" in inputs else "silu"
    return KANLayer(grid, coef, w_b, w_s, k=k, base=base)


def _model(inputs, n_samples):
    width = _get(inputs, "width", 1)
    if not 2 <= len(width) <= LIMITS["layers"] + 1:
        raise ValueError(f"input 'width' must list between 2 and {LIMITS['layers'] + 1} widths, got {len(width)}")
    widths = [_int({f"width[{i}]": np.asarray(w)}, f"width[{i}]", 1, LIMITS["width"]) for i, w in enumerate(width)]
    model = KAN.from_layers([_layer(inputs, f"_{l}", n_samples) for l in range(len(widths) - 1)])
    if model.width != widths:
        raise ValueError(f"input 'width' is {widths} but the layer arrays have widths {model.width}")
    return model


def _rows(inputs, key, ndim=2):
    """A sample array and its number of rows (bounded by ``_get``)."""
    value = _get(inputs, key, ndim)
    return value, value.shape[0]


def _compute_basis(inputs):
    x, knots, k = _get(inputs, "x", 1), _get(inputs, "knots", 1), _int(inputs, "k", 0, LIMITS["k"])
    if knots.size - 2 * k - 1 > LIMITS["G"]:
        raise ValueError(f"input 'knots' has {knots.size} knots, beyond verify's limit of "
                         f"{LIMITS['G']:,} intervals plus 2k+1")
    _budget("the basis", 3 * x.size * knots.size)
    B = spline.basis(x, knots, k, deriv=(0, 1, 2))  # (3, N, M-k-1): values, first, second derivative
    return {"B": B[0], "dB": B[1], "d2B": B[2]}


def _compute_layer_forward(inputs):
    x, n = _rows(inputs, "x")
    layer = _layer(inputs, n_samples=n)
    return {"y": layer.forward(x, with_cache=False)[0], "phi": layer.edge_functions(x),
            "spline": layer.spline_part(x)}


def _compute_model_forward(inputs):
    X, n = _rows(inputs, "X")
    model = _model(inputs, n)
    xs = model.layer_inputs(X)
    return {"y": model.predict(X), **{f"hidden_{l}": xs[l] for l in range(1, len(xs))}}


def _compute_model_gradients(inputs):
    X, n = _rows(inputs, "X")
    model = _model(inputs, n)
    pred, caches = model.forward(X)
    y = _get(inputs, "y", 2)
    if y.shape != pred.shape:
        raise ValueError(f"input 'y' must have shape {pred.shape}, got {y.shape}")
    residual = pred - y
    dX, grads = model.backward(2.0 * residual / residual.size, caches)  # d mean(r^2) / d pred
    out = {"loss": np.float64(np.mean(residual ** 2)), "grad_X": dX}
    for l, g in enumerate(grads):
        out.update({f"grad_{name}_{l}": g[name] for name in ("coef", "w_b", "w_s")})
    return out


def _compute_regularizer(inputs):
    X, n = _rows(inputs, "X")
    model, mu1, mu2 = _model(inputs, n), _real(inputs, "mu1"), _real(inputs, "mu2")
    _, caches = model.forward(X)
    out, paper, pykan = {}, [], []
    for l, (layer, cache) in enumerate(zip(model.layers, caches)):
        phi = layer.edge_values(cache)  # (N, n_in, n_out)
        out[f"edge_l1_{l}"] = np.mean(np.abs(phi), axis=0)  # Eq. 2.17
        paper.append(layer_penalty(phi, mu1, mu2)[0])
        pykan.append(layer_penalty_pykan(phi, cache["x"], mu1, mu2)[0])
    return {"reg_paper": np.float64(sum(paper)), "reg_pykan": np.float64(sum(pykan)),
            "reg_paper_layers": np.array(paper), "reg_pykan_layers": np.array(pykan), **out}


def _compute_grid_extension(inputs):
    x, n = _rows(inputs, "x")
    G_new = _int(inputs, "G_new", 1, LIMITS["G"])  # read before anything of size G_new exists
    layer = _layer(inputs, n_samples=n)
    # the new basis (N, n_in, G_new+2k+1) and coefficients (n_in, n_out, G_new+k)
    _budget(f"grid extension to G_new={G_new}",
            max(n, layer.n_out) * layer.n_in * (G_new + 2 * layer.k + 1))
    grid_new, coef_new = grid_update.refine(layer.grid, layer.coef, x, G_new, layer.k)
    return {"grid_new": grid_new, "coef_new": coef_new}


def _compute_grid_update(inputs):
    x, n = _rows(inputs, "x")
    layer = _layer(inputs, n_samples=n)
    grid_new, coef_new = grid_update.update_grid(layer.grid, layer.coef, x, layer.k, _real(inputs, "grid_eps"),
                                             _real(inputs, "margin"))
    return {"grid_new": grid_new, "coef_new": coef_new}


def _compute_symbolic_fit(inputs):
    x, y = _get(inputs, "x", 1), _get(inputs, "y", 1)
    grid_number = _int(inputs, "grid_number", 3, LIMITS["grid_number"])
    iterations = _int(inputs, "iterations", 1, LIMITS["iterations"])
    _budget(f"the symbolic fit ({iterations} iterations of a {grid_number} x {grid_number} grid on "
            f"{x.size} points)", iterations * grid_number ** 2 * x.size, "search")
    ranges = []
    for key in ("a_range", "b_range"):
        r = _get(inputs, key, 1)
        if r.shape != (2,):
            raise ValueError(f"input {key!r} must have shape (2,), got {r.shape}")
        ranges.append(tuple(float(v) for v in r))
    params, r2 = fit_affine(x, y, _text(inputs, "function"), *ranges, grid_number, iterations)
    return {"params": params, "r2": np.float64(r2)}


# ---------------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Quantity:
    """One verifiable quantity: how to make its inputs, how minikan computes it, how close is close.

    ``inputs`` and ``outputs`` map key templates (``"grid_{l}"`` stands for ``grid_0, grid_1, ...``)
    to ``(shape, meaning)``. ``tol`` maps an output key template to ``(atol, rtol)``; an output
    passes when ``|theirs - minikan| <= atol + rtol |minikan|`` everywhere. ``samples`` maps an
    output key template whose first axis runs over the samples (``"*"``: every output) to the input
    keys indexed by the same axis, so a mismatch at ``y[n, j]`` can be reported with ``X[n]``.
    """

    name: str
    description: str
    equation: str
    make_inputs: object
    compute: object
    inputs: dict
    outputs: dict
    tol: dict
    samples: dict = field(default_factory=dict)


_MODEL_IN = {
    "width": ("(L+1,)", "layer widths [n_0, ..., n_L]"),
    "k": ("()", "spline degree (3 = cubic)"),
    "base_fun": ("()", "base function b(x) of Eq. 2.10; 'silu' = x / (1 + exp(-x))"),
    "grid_{l}": ("(n_l, G+2k+1)", "extended knots of layer l, one row per input"),
    "coef_{l}": ("(n_l, n_{l+1}, G+k)", "B-spline coefficients c of layer l (pykan's coef layout)"),
    "w_b_{l}": ("(n_l, n_{l+1})", "base weights of layer l (pykan scale_base)"),
    "w_s_{l}": ("(n_l, n_{l+1})", "spline weights of layer l (pykan scale_sp)"),
    "X": ("(N, n_0)", "network inputs"),
}
_LAYER_IN = {
    "grid": ("(n_in, G+2k+1)", "extended knots, one row per input"),
    "k": ("()", "spline degree"),
    "coef": ("(n_in, n_out, G+k)", "B-spline coefficients"),
    "w_b": ("(n_in, n_out)", "base weights"),
    "w_s": ("(n_in, n_out)", "spline weights"),
}
_BASIS_IN = {"knots": ("(M,)", "non-decreasing knot vector t_0..t_{M-1}, already extended"),
             "k": ("()", "spline degree"), "x": ("(N,)", "evaluation points, some outside [t_0, t_{M-1}]")}
_BASIS_OUT = {"B": ("(N, M-k-1)", "B_m(x_n) for all M-k-1 basis functions (0 outside [t_0, t_{M-1}])"),
              "dB": ("(N, M-k-1)", "first derivative d B_m / dx"),
              "d2B": ("(N, M-k-1)", "second derivative d^2 B_m / dx^2")}
_GRID_OUT = {"grid_new": ("(n_in, G'+2k+1)", "new extended knots"),
             "coef_new": ("(n_in, n_out, G'+k)", "least-squares coefficients on the new knots")}

QUANTITIES = {q.name: q for q in [
    Quantity("basis_uniform", "B-spline basis and its first two derivatives on a uniform knot vector "
             "(G=5, k=3 on [-1, 1], extended by k knots per side)", "Eq. 2.12; de Boor's recursion",
             _inputs_basis_uniform, _compute_basis, _BASIS_IN, _BASIS_OUT, {"*": (1e-12, 1e-10)},
             samples={"*": ("x",)}),
    Quantity("basis_nonuniform", "the same on a non-uniform knot vector (G=6, k=3)",
             "Eq. 2.12; de Boor's recursion", _inputs_basis_nonuniform, _compute_basis, _BASIS_IN,
             _BASIS_OUT, {"*": (1e-12, 1e-10)},
             samples={"*": ("x",)}),
    Quantity("layer_forward", "one KAN layer (3 inputs, 2 outputs, a different knot vector per input), "
             "at points inside, on the outer intervals of and outside each knot vector",
             "Eq. 2.5, 2.10-2.12", _inputs_layer_forward, _compute_layer_forward,
             {**_LAYER_IN, "base_fun": _MODEL_IN["base_fun"], "x": ("(N, n_in)", "layer inputs")},
             {"y": ("(N, n_out)", "y_j = sum_i phi_ij(x_i)"),
              "phi": ("(N, n_in, n_out)", "edge activations w_b b(x_i) + w_s spline_ij(x_i) "
                      "(pykan's postacts are [N, out, in])"),
              "spline": ("(N, n_in, n_out)",
                         "spline part sum_m c_ijm B_m(x_i) (pykan's postspline, transposed)")},
             {"*": (1e-10, 1e-8)}, samples={"*": ("x",)}),
    Quantity("model_forward", "a [3, 4, 2, 1] KAN with data-adapted knots", "Eq. 2.7",
             _inputs_model_forward, _compute_model_forward, _MODEL_IN,
             {"y": ("(N, n_L)", "network output"), "hidden_{l}": ("(N, n_l)", "input of layer l (l >= 1)")},
             {"*": (1e-10, 1e-8)}, samples={"*": ("X",)}),
    Quantity("model_gradients", "gradients of the MSE loss mean((f(X) - y)^2) (mean over N and n_L) of "
             "the same model, with respect to every parameter and to the inputs", "Eq. 2.7; MSE",
             _inputs_model_gradients, _compute_model_gradients,
             {**_MODEL_IN, "y": ("(N, n_L)", "targets")},
             {"loss": ("()", "the MSE"), "grad_coef_{l}": ("(n_l, n_{l+1}, G+k)", "dL/dcoef of layer l"),
              "grad_w_b_{l}": ("(n_l, n_{l+1})", "dL/dw_b of layer l"),
              "grad_w_s_{l}": ("(n_l, n_{l+1})", "dL/dw_s of layer l"), "grad_X": ("(N, n_0)", "dL/dX")},
             {"*": (1e-10, 1e-8)}, samples={"grad_X": ("X", "y")}),
    Quantity("grid_extension", "refine a layer from G=5 to G_new=10: new knots interpolate the old base "
             "knots (extended by their mean spacing), coefficients fit the old spline part by least "
             "squares on the samples x", "Eq. 2.16", _inputs_grid_extension, _compute_grid_extension,
             {**_LAYER_IN, "G_new": ("()", "new number of intervals"),
              "x": ("(N, n_in)", "samples of the layer inputs")}, _GRID_OUT,
             {"grid_new": (1e-12, 1e-10), "coef_new": (1e-9, 1e-7)}),
    Quantity("grid_update", "move a layer's knots to the samples (rank-floor(i N / G) quantiles mixed "
             "with a uniform grid by grid_eps) and refit the spline part by least squares",
             "Sec. 2.2, 'update of spline grids'", _inputs_grid_update, _compute_grid_update,
             {**_LAYER_IN, "x": ("(N, n_in)", "samples of the layer inputs"),
              "grid_eps": ("()", "uniform fraction of the new knots"),
              "margin": ("()", "the new knots span [min x - margin, max x + margin]")}, _GRID_OUT,
             {"grid_new": (1e-12, 1e-10), "coef_new": (1e-9, 1e-7)}),
    Quantity("regularizer", "sparsity penalty of the model on X: the paper's mu1 |Phi|_1 + mu2 S(Phi) "
             "(natural log) and pykan 0.2.8's reg_metric='edge_forward_spline_n', summed over layers",
             "Eq. 2.17-2.19", _inputs_regularizer, _compute_regularizer,
             {**_MODEL_IN, "mu1": ("()", "L1 weight"), "mu2": ("()", "entropy weight")},
             {"reg_paper": ("()", "sum_l mu1 |Phi_l|_1 + mu2 S(Phi_l)"),
              "reg_pykan": ("()", "pykan's std-based penalty (see docs/verify.md)"),
              "reg_paper_layers": ("(L,)", "per-layer terms of reg_paper"),
              "reg_pykan_layers": ("(L,)", "per-layer terms of reg_pykan"),
              "edge_l1_{l}": ("(n_l, n_{l+1})", "|phi_ij|_1 = mean_s |phi_ij(x_s)|, Eq. 2.17")},
             {"*": (1e-10, 1e-8)}),
    Quantity("symbolic_fit", "affine fit y ~ c f(a x + b) + d by a zooming grid search over (a, b) and "
             "least squares for (c, d)", "Sec. 2.5.1, symbolic snapping", _inputs_symbolic_fit,
             _compute_symbolic_fit,
             {"x": ("(N,)", "edge inputs"), "y": ("(N,)", "edge outputs"),
              "function": ("()", "library function name"), "a_range": ("(2,)", "initial search window of a"),
              "b_range": ("(2,)", "initial search window of b"),
              "grid_number": ("()", "grid points per axis"),
              "iterations": ("()", "zoom steps")},
             {"params": ("(4,)", "(a, b, c, d)"), "r2": ("()", "coefficient of determination of the fit")},
             {"params": (1e-3, 0.0), "r2": (1e-5, 0.0)}),
]}


def _template(key):
    return re.sub(r"_\d+$", "_{l}", key)


def _tolerance(quantity, key):
    tol = quantity.tol
    return tol.get(key, tol.get(_template(key), tol.get("*")))


# ---------------------------------------------------------------------------------------- files
def _write_npz(file, arrays):
    """An uncompressed ``.npz`` whose bytes depend only on the arrays (fixed zip timestamps), so
    regenerating an unchanged golden set leaves the files byte-identical."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w") as f:
                np.lib.format.write_array(f, np.asarray(value), allow_pickle=False)


def _kind(mode):
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def _open_regular(path):
    """A binary file object for ``path``, which must be a regular file and not a symbolic link.

    The type is checked with ``lstat`` before opening (opening a FIFO for reading would block until
    a writer appears), and again with ``fstat`` on the descriptor, since the name may have been
    swapped in between; ``O_NOFOLLOW`` and ``O_NONBLOCK`` make that swap harmless where they exist.
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError as err:
        raise ValueError(f"{path}: cannot read ({err.strerror})") from None
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path}: {_kind(mode)}; verify reads only regular files")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise ValueError(f"{path}: cannot open ({err.strerror}); verify reads only regular files") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ValueError(f"{path}: {_kind(mode)}; verify reads only regular files")
    return os.fdopen(fd, "rb")


def _read_member(archive, info, path, key):
    """One ``.npy`` member, its declared size checked against the member's size before allocating."""
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        shape, _, dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                           else np.lib.format.read_array_header_2_0(f))
        if dtype.hasobject:
            raise ValueError(f"{path}: key {key!r} holds Python objects, which verify does not read")
        if int(np.prod(shape, dtype=object)) * dtype.itemsize > info.file_size:
            raise ValueError(f"{path}: key {key!r} declares shape {shape} of {dtype}, more data than its "
                             f"{info.file_size} bytes hold")
    with archive.open(info) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def load(path):
    """All arrays of one ``.npz`` file as a dict (strings and scalars as 0-d arrays).

    ``path`` must be a regular file, not a symbolic link; its arrays may hold at most
    ``LIMITS["file_bytes"]`` bytes in all, and each array's header must agree with its stored size.
    """
    path = Path(path)
    with _open_regular(path) as file:
        try:
            with zipfile.ZipFile(file) as archive:
                members = archive.infolist()
                total = sum(info.file_size for info in members)
                if total > LIMITS["file_bytes"]:
                    raise ValueError(f"{path}: arrays of {total:,} bytes; verify reads at most "
                                     f"{LIMITS['file_bytes']:,} bytes per file")
                data = {}
                for info in members:
                    if not info.filename.endswith(".npy"):
                        raise ValueError(f"{path}: member {info.filename!r} is not a .npy array")
                    key = info.filename[:-4]
                    data[key] = _read_member(archive, info, path, key)
                return data
        except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as err:
            raise ValueError(f"{path}: not a readable .npz file ({err})") from None
        except ValueError as err:
            if str(err).startswith(f"{path}: "):
                raise
            raise ValueError(f"{path}: not a readable .npz file ({err})") from None


def generate(name):
    """The golden ``(inputs, outputs)`` of one quantity, as dicts of arrays (nothing written)."""
    if name not in QUANTITIES:
        raise ValueError(f"unknown quantity {name!r}; choose one of {sorted(QUANTITIES)}")
    q = QUANTITIES[name]
    inputs = {key: np.asarray(value) for key, value in q.make_inputs().items()}
    outputs = {key: np.asarray(value, dtype=np.float64) for key, value in q.compute(inputs).items()}
    return inputs, outputs


def _describe(arrays, spec):
    return {key: {"shape": list(value.shape), "layout": spec[_template(key)][0],
                  "dtype": value.dtype.name if value.dtype.kind != "U" else "str",
                  "meaning": spec[_template(key)][1]} for key, value in arrays.items()}


def write(directory):
    """Write the golden set into ``directory`` (created if needed); return the paths written.

    One ``<quantity>.npz`` per entry of :data:`QUANTITIES`, holding ``format_version``,
    ``minikan_version``, ``quantity``, every input and every output (float64), and a
    ``manifest.json`` that lists each key with its shape, dtype and meaning, the equation, and the
    default tolerances.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    targets = [directory / f"{name}.npz" for name in QUANTITIES] + [directory / "manifest.json"]
    for path in targets:  # refuse before anything is written, so a refused set is not half-replaced
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            raise ValueError(f"{path}: exists and is {_kind(mode)}; verify --write replaces only regular files "
                             "(remove it first)")
    manifest = {"format_version": FORMAT_VERSION, "minikan_version": __version__,
                "pass_rule": "|theirs - minikan| <= atol + rtol * |minikan| elementwise", "quantities": {}}
    for name, q in QUANTITIES.items():
        inputs, outputs = generate(name)
        meta = {"format_version": np.int64(FORMAT_VERSION), "minikan_version": np.str_(__version__),
                "quantity": np.str_(name)}
        path = directory / f"{name}.npz"
        _replace(path, lambda f, arrays={**meta, **inputs, **outputs}: _write_npz(f, arrays))
        manifest["quantities"][name] = {
            "file": path.name, "description": q.description, "equation": q.equation,
            "inputs": _describe(inputs, q.inputs), "outputs": _describe(outputs, q.outputs),
            "tolerance": {key: dict(zip(("atol", "rtol"), _tolerance(q, key))) for key in outputs},
        }
    text = json.dumps(manifest, indent=1)
    # shapes on one line: [53, 8] rather than one number per line
    text = re.sub(r"\[\s*([0-9,\s]*?)\s*\]", lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)
    _replace(directory / "manifest.json", lambda f: f.write((text + "\n").encode()))
    return targets


def _replace(path, fill):
    """Write ``path`` by filling a new file in the same folder and renaming it over ``path``.

    The rename replaces a directory entry rather than writing through it, so an existing link at
    ``path`` is never followed, and an interrupted write leaves the old file intact, not half a file.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; golden files are meant to be read by anyone
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------------------- checking
@dataclass(frozen=True)
class Mismatch:
    """Where one output misses its tolerance.

    ``count`` of the output's ``size`` elements fail ``|theirs - minikan| <= atol + rtol |minikan|``
    (a NaN or inf in theirs always fails; ``non_finite`` counts those). ``index`` is the worst
    element, the one furthest beyond its tolerance (largest ``|theirs - minikan| / (atol + rtol
    |minikan|)``, non-finite values first), as a tuple (``()`` for a 0-d output); ``expected`` is
    minikan's value there, ``got`` theirs, ``allowed`` its tolerance ``atol + rtol |expected|``.
    When the output's first axis runs over the samples, ``sample`` is that index ``n`` and
    ``inputs`` maps each per-sample input key (``"X"``, ``"x"``, ...) to its row ``n`` in the
    checked file; otherwise ``sample`` is None and ``inputs`` is empty.
    """

    count: int
    size: int
    non_finite: int
    index: tuple
    expected: float
    got: float
    allowed: float
    sample: object = None
    inputs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """The comparison of one output array: ``quantity.key``, errors, tolerance and verdict.

    ``max_rel`` is normwise, ``max_abs / max |minikan|`` (0 when both are all zero), so zeros in the
    reference (basis functions off their support) do not make it infinite. ``mismatch`` says where
    a failing output fails (a :class:`Mismatch`); it is None when the output passes.
    """

    file: str
    quantity: str
    key: str
    max_abs: float
    max_rel: float
    atol: float
    rtol: float
    passed: bool
    implementation: str = ""
    mismatch: Mismatch = None

    @property
    def name(self):
        return f"{self.quantity}.{self.key}"


def _compare(theirs, ref, atol, rtol):
    """``(max_abs, max_rel, passed, bad, excess)`` of two float64 arrays of one shape.

    ``bad`` marks the elements beyond ``atol + rtol |ref|`` (NaN and inf in ``theirs`` included),
    ``excess`` is ``|theirs - ref| / (atol + rtol |ref|)``, inf where ``theirs`` is not finite or
    the allowed error is 0, so its largest entry is the worst element.
    """
    with np.errstate(all="ignore"):
        diff = np.abs(theirs - ref)
        allowed = atol + rtol * np.abs(ref)
        bad = ~(diff <= allowed)  # NaN compares False, so a NaN anywhere is a mismatch
        excess = np.array(diff / allowed, dtype=np.float64)  # d / 0 = inf for d > 0; 0-d stays an array
    excess[diff == 0] = 0.0  # exact agreement is never beyond, even with a tolerance of 0
    excess[~np.isfinite(theirs) | np.isnan(diff)] = np.inf
    if not np.all(np.isfinite(theirs)):
        return np.inf, np.inf, False, bad, excess
    max_abs = float(diff.max(initial=0.0))
    scale = float(np.abs(ref).max(initial=0.0))
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else np.inf)
    return max_abs, max_rel, not bad.any(), bad, excess


def _mismatch(theirs, ref, bad, excess, atol, rtol, sample_inputs):
    """The :class:`Mismatch` of a failing output; ``sample_inputs`` maps input keys to arrays whose
    first axis is the output's sample axis (empty when the output has none)."""
    index = np.unravel_index(int(np.argmax(excess)), ref.shape) if ref.ndim else ()
    index = tuple(int(i) for i in index)
    expected, got = float(ref[index]), float(theirs[index])
    sample = index[0] if sample_inputs and index else None
    inputs = {key: value[sample] for key, value in sample_inputs.items()} if sample is not None else {}
    return Mismatch(int(bad.sum()), int(ref.size), int((~np.isfinite(theirs)).sum()), index, expected, got,
                    atol + rtol * abs(expected), sample, inputs)


def _sample_keys(quantity, key):
    samples = quantity.samples
    return samples.get(key, samples.get(_template(key), samples.get("*", ())))


def _tolerance_arg(value, name):
    """A tolerance given by the caller: a finite real >= 0 (a negative one would fail every
    element, a NaN one too, and neither says so)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def check_file(path, atol=None, rtol=None):
    """Recompute one file's quantity with minikan from the inputs stored in it and compare outputs.

    Parameters
    ----------
    path : str or Path
        A ``.npz`` in the golden format, with the other implementation's outputs.
    atol, rtol : float, optional
        Override the per-quantity tolerances for every output (finite, >= 0).

    Returns
    -------
    list of Result, one per output key of the quantity; a failing one says where it fails
    (``Result.mismatch``).

    Raises
    ------
    ValueError, TypeError
        When the file is not in the format: no ``format_version`` or ``quantity``, another format
        version, an unknown quantity, a missing input or output key, an output of the wrong shape
        or a non-numeric output. The message names the file, the quantity and the key. Also for
        a negative or non-finite ``atol`` or ``rtol``.
    """
    path = Path(path)
    atol, rtol = (None if t is None else _tolerance_arg(t, name) for t, name in ((atol, "atol"), (rtol, "rtol")))
    data = load(path)
    for key in ("format_version", "quantity"):
        if key not in data:
            raise ValueError(f"{path}: not a minikan verification file (no {key!r} key)")
    try:
        version = _int(data, "format_version", 0, 2 ** 31)
        name = _text(data, "quantity")
        implementation = _text(data, "implementation") if "implementation" in data else ""
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: {err}") from None
    if version != FORMAT_VERSION:
        raise ValueError(f"{path}: format_version {version}, this minikan reads {FORMAT_VERSION}")
    if name not in QUANTITIES:
        raise ValueError(f"{path}: unknown quantity {name!r}; known: {sorted(QUANTITIES)}")
    q = QUANTITIES[name]
    try:
        with np.errstate(all="ignore"):
            reference = q.compute(data)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{path}: quantity {name!r}: {err}") from err
    except (ArithmeticError, IndexError, KeyError, MemoryError) as err:
        # inputs that pass every check above yet break the computation are still the file's fault
        raise ValueError(f"{path}: quantity {name!r}: inputs cannot be computed with ({type(err).__name__}: "
                         f"{err})") from err
    results = []
    for key, ref in reference.items():
        ref = np.asarray(ref, dtype=np.float64)
        if key not in data:
            raise ValueError(f"{path}: quantity {name!r} lacks output key {key!r} (shape {ref.shape})")
        theirs = data[key]
        if theirs.dtype.kind not in "iuf":
            raise TypeError(f"{path}: output {name}.{key} must be real numbers, got dtype {theirs.dtype}")
        if theirs.shape != ref.shape:
            raise ValueError(f"{path}: output {name}.{key} must have shape {ref.shape}, got {theirs.shape}")
        a, r = _tolerance(q, key)
        a, r = (a if atol is None else atol), (r if rtol is None else rtol)
        theirs = theirs.astype(np.float64)
        max_abs, max_rel, passed, bad, excess = _compare(theirs, ref, a, r)
        mismatch = None
        if not passed:
            # the inputs the computation read (validated there), row by row along the sample axis
            mismatch = _mismatch(theirs, ref, bad, excess, a, r, {k: data[k] for k in _sample_keys(q, key)})
        results.append(Result(str(path), name, key, max_abs, max_rel, a, r, passed, implementation, mismatch))
    return results


def check(path, atol=None, rtol=None):
    """Check one ``.npz`` file, or every ``.npz`` in a folder; return a list of :class:`Result`.

    Files not in the format raise ``ValueError``/``TypeError`` naming the file and key (see
    :func:`check_file`); a folder without ``.npz`` files raises ``ValueError``.
    """
    path = Path(path)
    if path.is_dir():
        # every *.npz entry directly in the folder; links, FIFOs and devices among them are refused
        # by load() (an error, not a silent skip, so a check never passes on fewer files than given)
        try:
            files = sorted(Path(entry.path) for entry in os.scandir(path) if entry.name.endswith(".npz"))
        except OSError as err:
            raise ValueError(f"{path}: cannot list the folder ({err.strerror})") from None
        if not files:
            raise ValueError(f"{path}: no .npz files to check")
    elif os.path.lexists(path):
        files = [path]
    else:
        raise ValueError(f"{path}: no such file or folder")
    for f in files:  # refuse a hostile entry before spending time on the others
        mode = os.lstat(f).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"{f}: {_kind(mode)}; verify reads only regular files")
    return [result for f in files for result in check_file(f, atol, rtol)]


# ---------------------------------------------------------------------------------------- CLI
def _table(results):
    width = max(len("quantity"), *(len(r.name) for r in results))
    lines = [f"{'quantity':<{width}}  {'max abs err':>11}  {'max rel err':>11}  {'tolerance':<22}  result"]
    for r in results:
        lines.append(f"{r.name:<{width}}  {r.max_abs:11.2e}  {r.max_rel:11.2e}  {_tol_text(r):<22}  "
                     f"{'pass' if r.passed else 'FAIL'}")
    return "\n".join(lines)


def _tol_text(r):
    return f"{r.atol:.0e} + {r.rtol:.0e}|ref|" if r.rtol else f"{r.atol:.0e}"


def _number(value, most=8):
    """A float with all the digits that tell it apart (its repr); a 1-D row likewise, cut to its
    first and last ``most // 2`` entries when longer than ``most``."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return repr(float(value))
    flat = [repr(float(v)) for v in value.ravel()]
    if len(flat) > most:
        flat = flat[: most // 2] + [f"... ({len(flat) - most} more)"] + flat[-(most // 2):]
    text = "[" + ", ".join(flat) + "]"
    return text if value.ndim == 1 else f"{text} (shape {value.shape}, flattened)"


def describe(result):
    """Where one failing output fails, as text (empty for a passing one).

    One line with the count of elements beyond tolerance out of the output's size and the
    tolerance; one with the worst element's index, minikan's and the checked value there, their
    difference and what was allowed; and, for an output with a sample axis, the checked file's
    inputs of that sample. For example::

        model_forward.y: 1 of 64 elements (1.56%) beyond |theirs - minikan| <= 1e-10 + 1e-08 |minikan|
          worst at y[17, 0]: minikan 0.06999114176156745, theirs 0.07029114176156745, |diff| 3.00e-04, allowed 8.00e-10
          sample 17: X[17] = [0.4841629729262271, -0.8211811939394007, -0.7728216915249015]

    (the packaged ``model_forward`` file with ``y[17, 0]`` raised by 3e-4).
    """
    m = result.mismatch
    if m is None:
        return ""
    rule = (f"|theirs - minikan| <= {result.atol:.0e} + {result.rtol:.0e} |minikan|" if result.rtol
            else f"|theirs - minikan| <= {result.atol:.0e}")
    share = f" ({100.0 * m.count / m.size:.3g}%)" if m.size > 1 else ""
    lines = [f"{result.name}: {m.count} of {m.size} element{'s' if m.size != 1 else ''}{share} beyond {rule}"
             + (f"; {m.non_finite} not finite" if m.non_finite else "")]
    where = f"{result.key}[{', '.join(map(str, m.index))}]" if m.index else result.key
    with np.errstate(all="ignore"):
        diff = abs(m.got - m.expected)
    lines.append(f"  worst at {where}: minikan {_number(m.expected)}, theirs {_number(m.got)}, "
                 f"|diff| {diff:.2e}, allowed {m.allowed:.2e}")
    if m.sample is not None:
        rows = ", ".join(f"{key}[{m.sample}] = {_number(value)}" for key, value in m.inputs.items())
        lines.append(f"  sample {m.sample}: {rows}")
    return "\n".join(lines)


def report(results, header=""):
    """The command line's report: ``header``, the table, where each failing output fails
    (:func:`describe`), and a one-line summary."""
    failed = [r for r in results if not r.passed]
    parts = ([header] if header else []) + [_table(results)]
    if failed:
        parts += ["", "Where the failing outputs differ:"] + [describe(r) for r in failed] + [""]
    parts.append(f"{len(results) - len(failed)} of {len(results)} outputs pass"
                 + (f"; failed: {', '.join(r.name for r in failed)}" if failed else ""))
    return "\n".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m minikan.tools.verify",
        description="Write minikan's reference outputs, or check another KAN implementation's outputs "
                    "against minikan recomputing them from the stored inputs. A failing output is "
                    "reported with the number of elements beyond tolerance, the worst index, both "
                    "values there and the sample's inputs.",
        epilog=f"The format: every key's shape, layout and meaning is listed in the packaged "
               f"{GOLDEN_DIR / 'manifest.json'}; how files are checked is in the module's "
               f"documentation: python -m pydoc minikan.tools.verify")
    parser.add_argument("path", nargs="?", default=None,
                        help="a .npz file or a folder of them to check (default: the packaged golden set)")
    parser.add_argument("--write", metavar="DIR", help="write the golden set into DIR and exit")
    parser.add_argument("--atol", type=float, help="absolute tolerance for every output (overrides defaults)")
    parser.add_argument("--rtol", type=float, help="relative tolerance for every output (overrides defaults)")
    args = parser.parse_args(argv)
    if args.write:
        if args.path:
            parser.error("give either --write DIR or a path to check, not both")
        try:
            paths = write(args.write)
        except (ValueError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        for path in paths:
            print(path)
        return 0
    path = Path(args.path) if args.path else GOLDEN_DIR
    try:
        results = check(path, args.atol, args.rtol)
    except (ValueError, TypeError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    names = sorted({r.implementation for r in results if r.implementation})
    print(report(results, f"checking {path}{' (' + ', '.join(names) + ')' if names else ''} "
                          f"against minikan {__version__}, format {FORMAT_VERSION}"))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
