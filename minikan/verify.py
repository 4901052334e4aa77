"""Reference outputs for checking KAN implementations number by number.

A *golden set* is a folder of ``.npz`` files, one per quantity (basis values, a layer forward, a deep
model's forward and gradients, grid extension, grid update, the regulariser, the symbolic affine
fit), plus a ``manifest.json`` that describes every key. Each ``.npz`` holds the exact inputs of its
computation (knots, coefficients, ``w_b``, ``w_s``, samples, ...) and minikan's float64 outputs, so
any implementation can load the inputs, compute the same quantities, and save its own outputs under
the same keys. :func:`check` then recomputes every quantity with minikan from the inputs *in the
checked file* and compares::

    python -m minikan.verify --write DIR       # write the golden set (the committed copy lives in
                                               # minikan/data/golden/ and is made by this command)
    python -m minikan.verify FILE_OR_DIR       # check another implementation's files
    python -m minikan.verify                   # check the packaged golden set against this minikan

The format, key by key, is in ``docs/verify.md``. Files are written only where a path is given.
"""
import argparse
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, grid as gridops, spline
from .layer import KANLayer
from .model import KAN
from .regularize import layer_penalty, layer_penalty_pykan
from .symbolic import fit_affine

FORMAT_VERSION = 1
GOLDEN_DIR = Path(__file__).parent / "data" / "golden"


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
def _get(inputs, key, ndim=None):
    """An input array by key, with a clear error when it is missing or has the wrong rank."""
    if key not in inputs:
        raise ValueError(f"missing input key {key!r}")
    value = inputs[key]
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"input {key!r} must have {ndim} dimension(s), got shape {value.shape}")
    return value


def _layer(inputs, suffix=""):
    grid = _get(inputs, "grid" + suffix, 2)
    coef = _get(inputs, "coef" + suffix, 3)
    w_b, w_s = _get(inputs, "w_b" + suffix, 2), _get(inputs, "w_s" + suffix, 2)
    base = str(inputs["base_fun"]) if "base_fun" in inputs else "silu"
    return KANLayer(grid, coef, w_b, w_s, k=int(_get(inputs, "k", 0)), base=base)


def _model(inputs):
    width = _get(inputs, "width", 1)
    return KAN.from_layers([_layer(inputs, f"_{l}") for l in range(len(width) - 1)])


def _compute_basis(inputs):
    x, knots, k = _get(inputs, "x", 1), _get(inputs, "knots", 1), int(_get(inputs, "k", 0))
    B = spline.basis(x, knots, k, deriv=(0, 1, 2))  # (3, N, M-k-1): values, first, second derivative
    return {"B": B[0], "dB": B[1], "d2B": B[2]}


def _compute_layer_forward(inputs):
    layer, x = _layer(inputs), _get(inputs, "x", 2)
    return {"y": layer.forward(x, with_cache=False)[0], "phi": layer.edge_functions(x),
            "spline": layer.spline_part(x)}


def _compute_model_forward(inputs):
    model = _model(inputs)
    xs = model.layer_inputs(_get(inputs, "X", 2))
    return {"y": model.predict(inputs["X"]), **{f"hidden_{l}": xs[l] for l in range(1, len(xs))}}


def _compute_model_gradients(inputs):
    model = _model(inputs)
    pred, caches = model.forward(_get(inputs, "X", 2))
    residual = pred - _get(inputs, "y", 2)
    if residual.shape != pred.shape:
        raise ValueError(f"input 'y' must have shape {pred.shape}, got {inputs['y'].shape}")
    dX, grads = model.backward(2.0 * residual / residual.size, caches)  # d mean(r^2) / d pred
    out = {"loss": np.float64(np.mean(residual ** 2)), "grad_X": dX}
    for l, g in enumerate(grads):
        out.update({f"grad_{name}_{l}": g[name] for name in ("coef", "w_b", "w_s")})
    return out


def _compute_regularizer(inputs):
    model, mu1, mu2 = _model(inputs), float(_get(inputs, "mu1", 0)), float(_get(inputs, "mu2", 0))
    _, caches = model.forward(_get(inputs, "X", 2))
    out, paper, pykan = {}, [], []
    for l, (layer, cache) in enumerate(zip(model.layers, caches)):
        phi = layer.edge_values(cache)  # (N, n_in, n_out)
        out[f"edge_l1_{l}"] = np.mean(np.abs(phi), axis=0)  # Eq. 2.17
        paper.append(layer_penalty(phi, mu1, mu2)[0])
        pykan.append(layer_penalty_pykan(phi, cache["x"], mu1, mu2)[0])
    return {"reg_paper": np.float64(sum(paper)), "reg_pykan": np.float64(sum(pykan)),
            "reg_paper_layers": np.array(paper), "reg_pykan_layers": np.array(pykan), **out}


def _compute_grid_extension(inputs):
    new = gridops.refine(_layer(inputs), _get(inputs, "x", 2), int(_get(inputs, "G_new", 0)))
    return {"grid_new": new.grid, "coef_new": new.coef}


def _compute_grid_update(inputs):
    new = gridops.update_grid(_layer(inputs), _get(inputs, "x", 2), float(_get(inputs, "grid_eps", 0)),
                              float(_get(inputs, "margin", 0)))
    return {"grid_new": new.grid, "coef_new": new.coef}


def _compute_symbolic_fit(inputs):
    params, r2 = fit_affine(_get(inputs, "x", 1), _get(inputs, "y", 1), str(_get(inputs, "function", 0)),
                            tuple(_get(inputs, "a_range", 1)), tuple(_get(inputs, "b_range", 1)),
                            int(_get(inputs, "grid_number", 0)), int(_get(inputs, "iterations", 0)))
    return {"params": params, "r2": np.float64(r2)}


# ---------------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Quantity:
    """One verifiable quantity: how to make its inputs, how minikan computes it, how close is close.

    ``inputs`` and ``outputs`` map key templates (``"grid_{l}"`` stands for ``grid_0, grid_1, ...``)
    to ``(shape, meaning)``. ``tol`` maps an output key template to ``(atol, rtol)``; an output
    passes when ``|theirs - minikan| <= atol + rtol |minikan|`` everywhere.
    """

    name: str
    description: str
    equation: str
    make_inputs: object
    compute: object
    inputs: dict
    outputs: dict
    tol: dict


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
             _inputs_basis_uniform, _compute_basis, _BASIS_IN, _BASIS_OUT, {"*": (1e-12, 1e-10)}),
    Quantity("basis_nonuniform", "the same on a non-uniform knot vector (G=6, k=3)",
             "Eq. 2.12; de Boor's recursion", _inputs_basis_nonuniform, _compute_basis, _BASIS_IN,
             _BASIS_OUT, {"*": (1e-12, 1e-10)}),
    Quantity("layer_forward", "one KAN layer (3 inputs, 2 outputs, a different knot vector per input), "
             "at points inside, on the outer intervals of and outside each knot vector",
             "Eq. 2.5, 2.10-2.12", _inputs_layer_forward, _compute_layer_forward,
             {**_LAYER_IN, "base_fun": _MODEL_IN["base_fun"], "x": ("(N, n_in)", "layer inputs")},
             {"y": ("(N, n_out)", "y_j = sum_i phi_ij(x_i)"),
              "phi": ("(N, n_in, n_out)", "edge activations w_b b(x_i) + w_s spline_ij(x_i) "
                      "(pykan's postacts are [N, out, in])"),
              "spline": ("(N, n_in, n_out)",
                         "spline part sum_m c_ijm B_m(x_i) (pykan's postspline, transposed)")},
             {"*": (1e-10, 1e-8)}),
    Quantity("model_forward", "a [3, 4, 2, 1] KAN with data-adapted knots", "Eq. 2.7",
             _inputs_model_forward, _compute_model_forward, _MODEL_IN,
             {"y": ("(N, n_L)", "network output"), "hidden_{l}": ("(N, n_l)", "input of layer l (l >= 1)")},
             {"*": (1e-10, 1e-8)}),
    Quantity("model_gradients", "gradients of the MSE loss mean((f(X) - y)^2) (mean over N and n_L) of "
             "the same model, with respect to every parameter and to the inputs", "Eq. 2.7; MSE",
             _inputs_model_gradients, _compute_model_gradients,
             {**_MODEL_IN, "y": ("(N, n_L)", "targets")},
             {"loss": ("()", "the MSE"), "grad_coef_{l}": ("(n_l, n_{l+1}, G+k)", "dL/dcoef of layer l"),
              "grad_w_b_{l}": ("(n_l, n_{l+1})", "dL/dw_b of layer l"),
              "grad_w_s_{l}": ("(n_l, n_{l+1})", "dL/dw_s of layer l"), "grad_X": ("(N, n_0)", "dL/dX")},
             {"*": (1e-10, 1e-8)}),
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
def _write_npz(path, arrays):
    """An uncompressed ``.npz`` whose bytes depend only on the arrays (fixed zip timestamps), so
    regenerating an unchanged golden set leaves the files byte-identical."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w") as f:
                np.lib.format.write_array(f, np.asarray(value), allow_pickle=False)


def load(path):
    """All arrays of one ``.npz`` file as a dict (strings and scalars as 0-d arrays)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as err:
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
    manifest = {"format_version": FORMAT_VERSION, "minikan_version": __version__,
                "pass_rule": "|theirs - minikan| <= atol + rtol * |minikan| elementwise", "quantities": {}}
    paths = []
    for name, q in QUANTITIES.items():
        inputs, outputs = generate(name)
        meta = {"format_version": np.int64(FORMAT_VERSION), "minikan_version": np.str_(__version__),
                "quantity": np.str_(name)}
        path = directory / f"{name}.npz"
        _write_npz(path, {**meta, **inputs, **outputs})
        paths.append(path)
        manifest["quantities"][name] = {
            "file": path.name, "description": q.description, "equation": q.equation,
            "inputs": _describe(inputs, q.inputs), "outputs": _describe(outputs, q.outputs),
            "tolerance": {key: dict(zip(("atol", "rtol"), _tolerance(q, key))) for key in outputs},
        }
    path = directory / "manifest.json"
    text = json.dumps(manifest, indent=1)
    # shapes on one line: [53, 8] rather than one number per line
    text = re.sub(r"\[\s*([0-9,\s]*?)\s*\]", lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)
    path.write_text(text + "\n")
    return paths + [path]


# ---------------------------------------------------------------------------------------- checking
@dataclass(frozen=True)
class Result:
    """The comparison of one output array: ``quantity.key``, errors, tolerance and verdict.

    ``max_rel`` is normwise, ``max_abs / max |minikan|`` (0 when both are all zero), so zeros in the
    reference (basis functions off their support) do not make it infinite.
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

    @property
    def name(self):
        return f"{self.quantity}.{self.key}"


def _compare(theirs, ref, atol, rtol):
    if not np.all(np.isfinite(theirs)):
        return np.inf, np.inf, False
    diff = np.abs(theirs - ref)
    max_abs = float(diff.max(initial=0.0))
    scale = float(np.abs(ref).max(initial=0.0))
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else np.inf)
    return max_abs, max_rel, bool(np.all(diff <= atol + rtol * np.abs(ref)))


def check_file(path, atol=None, rtol=None):
    """Recompute one file's quantity with minikan from the inputs stored in it and compare outputs.

    Parameters
    ----------
    path : str or Path
        A ``.npz`` in the golden format, with the other implementation's outputs.
    atol, rtol : float, optional
        Override the per-quantity tolerances for every output.

    Returns
    -------
    list of Result, one per output key of the quantity.

    Raises
    ------
    ValueError, TypeError
        When the file is not in the format: no ``format_version`` or ``quantity``, another format
        version, an unknown quantity, a missing input or output key, an output of the wrong shape
        or a non-numeric output. The message names the file, the quantity and the key.
    """
    path = Path(path)
    data = load(path)
    for key in ("format_version", "quantity"):
        if key not in data:
            raise ValueError(f"{path}: not a minikan verification file (no {key!r} key)")
    if int(data["format_version"]) != FORMAT_VERSION:
        raise ValueError(f"{path}: format_version {int(data['format_version'])}, "
                         f"this minikan reads {FORMAT_VERSION}")
    name = str(data["quantity"])
    if name not in QUANTITIES:
        raise ValueError(f"{path}: unknown quantity {name!r}; known: {sorted(QUANTITIES)}")
    q = QUANTITIES[name]
    try:
        with np.errstate(all="ignore"):
            reference = q.compute(data)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{path}: quantity {name!r}: {err}") from err
    implementation = str(data.get("implementation", ""))
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
        a, r = (a if atol is None else float(atol)), (r if rtol is None else float(rtol))
        max_abs, max_rel, passed = _compare(theirs.astype(np.float64), ref, a, r)
        results.append(Result(str(path), name, key, max_abs, max_rel, a, r, passed, implementation))
    return results


def check(path, atol=None, rtol=None):
    """Check one ``.npz`` file, or every ``.npz`` in a folder; return a list of :class:`Result`.

    Files not in the format raise ``ValueError``/``TypeError`` naming the file and key (see
    :func:`check_file`); a folder without ``.npz`` files raises ``ValueError``.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.npz"))
        if not files:
            raise ValueError(f"{path}: no .npz files to check")
    elif path.exists():
        files = [path]
    else:
        raise ValueError(f"{path}: no such file or folder")
    return [result for f in files for result in check_file(f, atol, rtol)]


# ---------------------------------------------------------------------------------------- CLI
def _table(results):
    width = max(len("quantity"), *(len(r.name) for r in results))
    lines = [f"{'quantity':<{width}}  {'max abs err':>11}  {'max rel err':>11}  {'tolerance':<22}  result"]
    for r in results:
        tol = f"{r.atol:.0e} + {r.rtol:.0e}|ref|" if r.rtol else f"{r.atol:.0e}"
        lines.append(f"{r.name:<{width}}  {r.max_abs:11.2e}  {r.max_rel:11.2e}  {tol:<22}  "
                     f"{'pass' if r.passed else 'FAIL'}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m minikan.verify",
        description="Write minikan's reference outputs, or check another KAN implementation's outputs "
                    "against minikan recomputing them from the stored inputs (format: docs/verify.md).")
    parser.add_argument("path", nargs="?", default=None,
                        help="a .npz file or a folder of them to check (default: the packaged golden set)")
    parser.add_argument("--write", metavar="DIR", help="write the golden set into DIR and exit")
    parser.add_argument("--atol", type=float, help="absolute tolerance for every output (overrides defaults)")
    parser.add_argument("--rtol", type=float, help="relative tolerance for every output (overrides defaults)")
    args = parser.parse_args(argv)
    if args.write:
        if args.path:
            parser.error("give either --write DIR or a path to check, not both")
        for path in write(args.write):
            print(path)
        return 0
    path = Path(args.path) if args.path else GOLDEN_DIR
    try:
        results = check(path, args.atol, args.rtol)
    except (ValueError, TypeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    names = sorted({r.implementation for r in results if r.implementation})
    print(f"checking {path}{' (' + ', '.join(names) + ')' if names else ''} "
          f"against minikan {__version__}, format {FORMAT_VERSION}")
    print(_table(results))
    failed = [r.name for r in results if not r.passed]
    print(f"{len(results) - len(failed)} of {len(results)} outputs pass"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
