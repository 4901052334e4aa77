"""API fuzzing: every public entry point, fed valid, extreme and wrong arguments.

For every call the contract is:

* valid arguments (including finite values up to 1e308, float32/int input, read-only,
  non-contiguous and Fortran-ordered arrays) are accepted and give results of the documented shape;
* wrong arguments raise ``ValueError`` or ``TypeError`` whose message names one of them (any
  other exception is a crash and fails the test);
* a wrong value that no reading of the argument's documented domain allows (``junk_real``,
  ``junk_int``, ``junk_flag``, ``junk_interval``: wrong types, non-finite values, values outside the
  bounds) must be refused even where the call would not use the argument (``lr`` with L-BFGS,
  ``grid_update_num`` without grid updates, ``normalize`` without ``X``); a call that accepts it
  fails the test. Junk that may happen to be valid (a random string for a choice) is only
  required not to crash;
* no input array or list is changed, and methods that return a new model leave ``self`` alone;
* nothing is written outside the paths the test gives (the tests run in an empty folder).

Sizes (``G``, ``k``, ``steps``, widths, ``history_size``) are capped only at int64 (``G`` and ``k``
at 2**31) by minikan: a huge value costs the memory and time it asks for. The strategies keep them
small so that no example hangs. The file fuzzing (``test_load_refuses_corrupted_files``) also
plants huge integers, deep nesting and lying member sizes.

Each test's number of examples scales with the Hypothesis profile (tests/conftest.py): a few
hundred in total under "ci", over 10,000 under "fuzz" (``HYPOTHESIS_PROFILE=fuzz`` or
``--hypothesis-profile=fuzz``).
"""
import copy
import io
import os
import re
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib.figure import Figure

from minikan import KAN, LAN, MLP, load
from minikan.interpret.symbolic import LIBRARY, SymbolicFunction, library


def budget(weight):
    """Examples for one test: ``weight`` times the profile's max_examples (60 in "ci")."""
    return settings(max_examples=max(1, int(settings.default.max_examples * weight)))


OMIT = object()  # an argument left at its default
REFUSED = object()  # what attempt() returns for a documented refusal


class Sure:
    """A junk value that every reading of the argument's documented domain refuses: a call that
    accepts it fails the test (other junk, e.g. a random string for a choice, may be valid)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class JunkNames(set):
    """The names of the junk arguments of a call; ``sure`` holds those drawn as :class:`Sure`."""

    sure = frozenset()


# ---------------------------------------------------------------------------------- checking
# error messages may name an argument by a longer phrase or by the quantity it sets
ALIASES = {
    "grid": ("grid", "G"),
    "k": ("k",),
    "G_new": ("G_new", "G"),
    "lamb_l1": ("lamb_l1",),
    "X_test": ("X_test", "y_test"),
    "y_test": ("X_test", "y_test"),
    "grid_update_num": ("grid_update_num", "stop_grid_update_step"),
    "stop_grid_update_step": ("grid_update_num", "stop_grid_update_step"),
    "loss": ("loss", "y"),
    "fun": ("fun", "function"),
    "lib": ("lib", "function"),
    "l": ("l", "layer"),
    "i": ("i", "edge", "node"),
    "j": ("j", "edge"),
    "width": ("width",),
}


def names_in(message, names):
    words = {alias for name in names for alias in ALIASES.get(name, (name,))}
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])", message) for w in words)


def attempt(call, junk):
    """``call()``; a ValueError/TypeError is allowed only when some argument was junk, and must
    name one of those arguments. Returns the result or REFUSED."""
    try:
        with warnings.catch_warnings():
            # overflow notices and the out-of-grid warning are expected on extreme inputs
            warnings.simplefilter("ignore")
            result = call()
    except (ValueError, TypeError) as err:
        if not junk:
            raise AssertionError(f"valid arguments were refused: {type(err).__name__}: {err}") from err
        if not names_in(str(err), junk):
            raise AssertionError(f"{type(err).__name__} does not name any of {sorted(junk)}: {err}") from err
        return REFUSED
    accepted = set(getattr(junk, "sure", ())) & set(junk)
    if accepted:
        raise AssertionError(f"junk for {sorted(accepted)} was accepted")
    return result


def fingerprint(value):
    """A comparable picture of an argument, to check that calls do not change their inputs."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return ("object", value.shape, repr(value.tolist()))
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple, dict)):
        return repr(value)
    return id(value)


def model_state(model):
    """Every array and setting of a model, as bytes and strings."""
    if isinstance(model, KAN):
        parts = [model.grid_eps, model.grid_margin, sorted(model.trainable.items())]
        for layer, sym in zip(model.layers, model.symbolic):
            for name in ("grid", "coef", "w_b", "w_s", "mask"):
                parts.append(getattr(layer, name).tobytes())
            parts += [sym.mask.tobytes(), sym.affine.tobytes()]
            parts.append(None if layer.bias is None else layer.bias.tobytes())
            parts.append([str(getattr(f, "name", f)) for f in sym.funs.ravel()])
        return parts
    arrays = list(model.weights) + list(model.biases)
    if isinstance(model, LAN):
        arrays += model.grids + model.coefs + model.w_b + model.w_s
    return [a.tobytes() for a in arrays] + [sorted(model.trainable.items())]


def run(call, kwargs, junk, args=()):
    """attempt() plus the check that no argument was changed by the call."""
    before = {key: fingerprint(v) for key, v in kwargs.items()}
    before_args = [fingerprint(a) for a in args]
    result = attempt(lambda: call(*args, **kwargs), junk)
    assert {key: fingerprint(v) for key, v in kwargs.items()} == before, "an argument was changed"
    assert [fingerprint(a) for a in args] == before_args, "an argument was changed"
    return result


def drop_omitted(kwargs):
    return {key: value for key, value in kwargs.items() if value is not OMIT}


# ---------------------------------------------------------------------------------- strategies
SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 1e300, -1e300, 1.7e308, -1.7e308, 5.0, 1e8]
small = st.floats(-2.0, 2.0, allow_nan=False)
finite = st.one_of(small, small, small, st.sampled_from(SPECIAL))


@st.composite
def valid_matrix(draw, n_rows, n_cols):
    """A valid (N, n_cols) input: float64/float32/int, any layout, possibly read-only or a list."""
    dtype = draw(st.sampled_from([np.float64, np.float64, np.float32, np.int64]))
    if dtype == np.int64:
        arr = draw(hnp.arrays(dtype, (n_rows, n_cols), elements=st.integers(-3, 3)))
    elif dtype == np.float32:
        arr = draw(hnp.arrays(dtype, (n_rows, n_cols), elements=st.floats(-2, 2, width=32)))
    else:
        arr = draw(hnp.arrays(dtype, (n_rows, n_cols), elements=finite))
    layout = draw(st.sampled_from(["c", "c", "fortran", "strided", "readonly", "list"]))
    if layout == "fortran":
        arr = np.asfortranarray(arr)
    elif layout == "strided":
        wide = np.zeros((n_rows, 2 * n_cols), dtype=arr.dtype)
        wide[:, ::2] = arr
        arr = wide[:, ::2]
    elif layout == "readonly":
        arr.flags.writeable = False
    elif layout == "list":
        return arr.tolist()
    return arr


JUNK_OBJECTS = [None, "abc", "", 3, 2.5, True, 1j, [], [[1.0, 2.0], [3.0]], {"a": 1}, object(),
                np.float64(1.0), (1, 2), b"xy", np.array(1.5), Ellipsis]


@st.composite
def junk_matrix(draw, n_rows, n_cols):
    """Something that is not a valid (n_rows, n_cols) real matrix."""
    kind = draw(st.sampled_from(["dtype", "shape", "nonfinite", "empty", "object"]))
    if kind == "dtype":
        dtype = draw(st.sampled_from([np.bool_, np.complex128, "U3", "M8[s]", object]))
        if dtype is object:
            elements = st.one_of(st.none(), st.floats(-2, 2), st.integers(-3, 3), st.text(max_size=2))
            return draw(hnp.arrays(object, (n_rows, n_cols), elements=elements))
        return draw(hnp.arrays(np.dtype(dtype), (n_rows, n_cols)))
    if kind == "shape":
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
        assume(shape != (n_rows, n_cols) and not (len(shape) == 2 and shape[1] == n_cols and shape[0] > 0))
        return draw(hnp.arrays(np.float64, shape, elements=small))
    if kind == "nonfinite":
        arr = draw(hnp.arrays(np.float64, (n_rows, n_cols), elements=small))
        arr[draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf]))
        return arr
    if kind == "empty":
        return np.zeros(draw(st.sampled_from([(0, n_cols), (0,), (n_rows, 0), (0, 0)])))
    return draw(st.sampled_from(JUNK_OBJECTS))


# wrong whatever the argument's domain: no numeric scalar argument accepts these
TYPE_JUNK = ["1", "abc", True, False, 1j, [1], (0.5,), {"a": 1}, np.array([1.0, 2.0]), object(),
             np.float32(np.nan), np.nan, np.inf, -np.inf]


def junk_real(low=None, high=None, *, low_open=False, none_ok=False):
    """Values that a real argument with domain ``[low, high]`` (``(low, high]`` with ``low_open``)
    refuses: wrong types, non-finite values, and values outside the domain."""
    options = [st.sampled_from(TYPE_JUNK + ([] if none_ok else [None]))]
    if low is not None:
        options.append(st.floats(min_value=-1e300, max_value=low, exclude_max=not low_open))
    if high is not None:
        options.append(st.floats(min_value=high, max_value=1e300, exclude_min=True))
    return st.one_of(*options).map(Sure)


def junk_int(low=None, high=None, *, none_ok=False):
    """Values that an integer argument with domain ``[low, high]`` refuses (floats included, even
    integral ones: an int is asked for)."""
    options = [st.sampled_from(TYPE_JUNK + [2.5, 1.0, np.float64(3.0)] + ([] if none_ok else [None]))]
    if low is not None:
        options.append(st.integers(low - 50, low - 1))
    if high is not None:
        options.append(st.integers(high + 1, high + 50))
    return st.one_of(*options).map(Sure)


def junk_choice():
    return st.one_of(st.text(max_size=6), st.sampled_from([None, 0, 1.5, True, ["paper"], ("silu",), b"silu"]))


def junk_flag():
    return st.sampled_from([None, "yes", "False", 0.5, 2, np.array([True, False]), [], [True]]).map(Sure)


def junk_interval():
    return st.one_of(
        st.sampled_from([None, 3, "ab", (1.0,), (1.0, 2.0, 3.0), (1.0, 1.0), (2.0, -1.0), (np.nan, 1.0),
                         (0.0, np.inf), ("a", "b"), [None, 1], np.array([[0.0, 1.0]]), {0: 1, 1: 2}]),
        st.tuples(st.floats(), st.floats()).map(lambda t: (max(t), min(t)))).map(Sure)  # a >= b


@st.composite
def call_args(draw, spec):
    """Keyword arguments from ``spec = {name: (valid, junk)}``: usually none or one junk argument.

    Returns ``(kwargs, junk_names)``; arguments drawn as OMIT are left out of ``kwargs``.
    """
    names = list(spec)
    n_junk = draw(st.sampled_from([0, 0, 1, 1, 1, 2]))
    junk = set(draw(st.lists(st.sampled_from(names), min_size=n_junk, max_size=n_junk, unique=True)))
    kwargs = {name: draw(spec[name][1] if name in junk else spec[name][0]) for name in names}
    sure = {name for name, value in kwargs.items() if isinstance(value, Sure)}
    kwargs = {name: value.value if isinstance(value, Sure) else value for name, value in kwargs.items()}
    names = JunkNames(name for name in junk if name in kwargs or spec[name][0] is not None)
    names.sure = frozenset(sure)
    return drop_omitted(kwargs), names


def valid(*values):
    return st.sampled_from([OMIT, *values])


# ---------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module", autouse=True)
def empty_cwd():
    """Run the module in an empty folder: any stray file written by a call shows up there."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(old)
        assert os.listdir(folder) == [], f"files written outside the given paths: {os.listdir(folder)}"


MODELS = {
    "kan": KAN([2, 1], grid=3, seed=0),
    "deep": KAN([2, 3, 1], grid=3, seed=0, bias=True),
    "mlp": MLP([2, 3, 1], seed=0),
    "lan": LAN([2, 3, 1], grid=3, seed=0),
}
SYMBOLIC = KAN([2, 1], grid=3, seed=0)
SYMBOLIC.fix_symbolic(0, 0, 0, "sin")
SYMBOLIC.fix_symbolic(0, 1, 0, "x^2")
SMALL_LIB = library(["x", "x^2", "sin"])
J0 = SymbolicFunction("J0", np.cos, lambda z: -np.sin(z), lambda z: z, 3)  # a stand-in user function


# ---------------------------------------------------------------------------------- constructors
CONSTRUCTOR_SPECS = {
    "KAN": {
        "width": (st.lists(st.integers(1, 4), min_size=2, max_size=4),
                  st.one_of(st.lists(st.integers(-2, 4), max_size=4), st.sampled_from(
                      [[2.0, 1], [True, 1], "21", 3, None, [[2], [1]], np.array([2.5, 1.0]), [2]]))),
        "grid": (valid(1, 3, 10), junk_int(1)),
        "k": (valid(0, 1, 3, 5), junk_int(0)),
        "seed": (valid(0, 7, 2**40, np.int64(3)), st.sampled_from([-1, 1.5, "a", [1.5], object(), True])),
        "grid_range": (valid((-1, 1), (0.0, 2.5), [-3, 3], np.array([-1.0, 1.0])), junk_interval()),
        "base": (valid("silu", "identity", "zero"), junk_choice()),
        "init": (valid("paper", "pykan-0.0", "pykan"), junk_choice()),
        "bias": (valid(True, False, np.bool_(True)), junk_flag()),
        "grid_eps": (valid(0.0, 0.02, 1.0), junk_real(0.0, 1.0)),
        "grid_margin": (valid(0.0, 0.01, 2), junk_real(0.0)),
        "basis": (valid("local", "dense"), junk_choice()),
        "trainable": (valid(None, {"w_s": False}, {"coef": True, "bias": False}),
                      st.sampled_from([{"nope": True}, ["coef"], "coef", 3, {"coef": "no"}, {"coef": None}])),
    },
    "MLP": {
        "width": (st.lists(st.integers(1, 4), min_size=2, max_size=4),
                  st.sampled_from([[0, 1], [2.0, 1], [2], "21", None, [-1, 2]])),
        "activation": (valid("silu", "tanh", "relu", "sin"), junk_choice()),
        "seed": (valid(0, 5), st.sampled_from([-1, 1.5, "a", object()])),
        "init": (valid("auto", "xavier", "siren", "pytorch"), junk_choice()),
        "omega0": (valid(1.0, 30), junk_real(0.0, low_open=True)),
        "trainable": (valid(None, {"W": False}), st.sampled_from([{"coef": True}, "W", 3, {"b": "no"}])),
    },
    "LAN": {
        "width": (st.lists(st.integers(1, 4), min_size=3, max_size=4),
                  st.sampled_from([[2, 1], [0, 2, 1], [2.0, 2, 1], "221", None])),
        "grid": (valid(1, 3, 7), junk_int(1)),
        "k": (valid(0, 2, 3), junk_int(0)),
        "seed": (valid(0, 5), st.sampled_from([-1, 1.5, "a", object()])),
        "base": (valid("silu", "tanh", "relu", "sin"), junk_choice()),
        "omega0": (valid(1.0, 30), junk_real(0.0, low_open=True)),
        "init": (valid("auto", "xavier", "siren", "pytorch"), junk_choice()),
        "grid_range": (valid((-1, 1), (0, 4)), junk_interval()),
        "noise_scale": (valid(0.0, 0.1, 3), junk_real(0.0)),
        "grid_eps": (valid(0.0, 1.0), junk_real(0.0, 1.0)),
        "grid_margin": (valid(0.0, 0.5), junk_real(0.0)),
        "trainable": (valid(None, {"coef": False}), st.sampled_from([{"nope": 1}, "coef", 3, {"w_b": []}])),
    },
}
CLASSES = {"KAN": KAN, "MLP": MLP, "LAN": LAN}


@budget(1.0)
@given(st.sampled_from(list(CONSTRUCTOR_SPECS)).flatmap(
    lambda kind: st.tuples(st.just(kind), call_args(CONSTRUCTOR_SPECS[kind]))))
def test_constructors(case):
    kind, (kwargs, junk) = case
    model = run(CLASSES[kind], kwargs, junk)
    if model is REFUSED:
        return
    width = kwargs.get("width", None)
    assert model.width == list(width)
    X = np.linspace(-1, 1, 3 * width[0]).reshape(3, width[0])
    with np.errstate(all="ignore"):
        out = model.predict(X)
    assert out.shape == (3, width[-1]) and out.dtype == np.float64
    if not junk:  # (an accepted absurd value, such as noise_scale=1e307, may overflow)
        assert np.all(np.isfinite(out))


# ---------------------------------------------------------------------------------- predict
@budget(1.0)
@given(st.sampled_from(list(MODELS)), st.integers(1, 6), st.data())
def test_predict(kind, n, data):
    model = MODELS[kind]
    junk = data.draw(st.booleans())
    X = data.draw(junk_matrix(n, 2) if junk else valid_matrix(n, 2))
    state = model_state(model)
    out = run(model.predict, {}, {"X"} if junk else set(), args=(X,))
    assert model_state(model) == state
    if out is not REFUSED:
        assert isinstance(out, np.ndarray) and out.shape == (n, 1) and out.dtype == np.float64


# ---------------------------------------------------------------------------------- fit
def fit_spec(kind, n):
    no_penalty = kind in ("mlp", "lan")
    lamb_valid = valid(0.0) if no_penalty else valid(0.0, 1e-3, 1.0)
    return {
        "X": (valid_matrix(n, 2), junk_matrix(n, 2)),
        "y": (valid_matrix(n, 1), junk_matrix(n, 1)),
        "X_test": (valid(None), st.one_of(junk_matrix(3, 2), valid_matrix(3, 2))),
        "loss": (valid("mse"), st.one_of(junk_choice(), st.just("cross_entropy"))),
        "opt": (valid("lbfgs", "adam"), junk_choice()),
        "steps": (valid(0, 1, 2, 3), junk_int(0)),
        "lr": (valid(1e-3, 0.5, 1e300), junk_real(0.0, low_open=True)),
        "batch_size": (valid(None, 1, 2, 100), junk_int(1, none_ok=True)),
        "lamb": (lamb_valid, junk_real(0.0)),
        "lamb_l1": (valid(0.0, 1.0), junk_real(0.0)),
        "lamb_entropy": (valid(0.0, 2.0), junk_real(0.0)),
        "reg_metric": (valid("paper", "pykan", "pykan-0.0"), junk_choice()),
        "lamb_coef": (valid(0.0, 1.0), junk_real(0.0)),
        "lamb_coefdiff": (valid(0.0, 1.0), junk_real(0.0)),
        "update_grid": (valid(True, False), junk_flag()),
        "grid_update_num": (valid(1, 2), junk_int(1)),
        "stop_grid_update_step": (valid(0, 10, 12), junk_int(0)),  # >= grid_update_num (default 10)
        "history_size": (valid(1, 5), junk_int(1)),
        "singularity_avoiding": (valid(True, False), junk_flag()),
        "seed": (valid(0, 3, np.random.default_rng(0)), st.sampled_from([-1, 1.5, "a", object()])),
        "verbose": (valid(False), junk_flag()),
    }


@budget(1.0)
@given(st.sampled_from(list(MODELS)), st.integers(1, 6), st.data())
def test_fit(kind, n, data):
    model = MODELS[kind].copy()
    kwargs, junk = data.draw(call_args(fit_spec(kind, n)))
    X, y = kwargs.pop("X", None), kwargs.pop("y", None)
    if X is None or y is None:  # drawn as OMIT: X and y are required, use valid ones
        X, y = np.zeros((n, 2)), np.zeros((n, 1))
        junk -= {"X", "y"}
    if kwargs.get("X_test") is not None:
        kwargs["y_test"] = np.zeros((3, 1))
    if kwargs.get("verbose") is not False and "verbose" in kwargs and "verbose" not in junk:
        kwargs["verbose"] = False
    history = run(model.fit, kwargs, junk, args=(X, y))
    if history is REFUSED:
        return
    steps = kwargs.get("steps", 100)
    assert len(history["step"]) <= steps and history["train_loss"].shape == history["step"].shape
    assert np.all(np.isfinite(model.get_flat())), "the NaN guard let non-finite parameters through"
    if history["stopped"] is not None:
        assert set(history["stopped"]) >= {"reason", "step", "groups", "samples"}


# ---------------------------------------------------------------------------------- prune, grids
INDEX = st.one_of(st.integers(-2, 4), st.sampled_from([1.0, "0", None, True, np.int64(0)]))


@budget(0.5)
@given(st.sampled_from(["prune", "prune_edges", "prune_inputs", "prune_node", "remove_edge"]),
       st.integers(1, 6), st.data())
def test_prune(method, n, data):
    model = MODELS["deep"]
    spec = {"X": (valid_matrix(n, 2), junk_matrix(n, 2)), "threshold": (valid(0.0, 1e-2, 10.0), junk_real(0.0)),
            "metric": (valid("paper", "pykan", "pykan-0.0"), junk_choice())}
    if method == "prune_edges" or method == "prune_inputs":
        spec.pop("metric")
    if method in ("prune_node", "remove_edge"):
        spec = {"l": (st.sampled_from([1] if method == "prune_node" else [0, 1]), INDEX),
                "i": (st.sampled_from([0, 1]), INDEX)}
        if method == "remove_edge":
            spec["j"] = (st.sampled_from([0]), INDEX)
    kwargs, junk = data.draw(call_args(spec))
    if method in ("prune", "prune_edges", "prune_inputs") and "X" not in kwargs:
        kwargs["X"], junk = np.zeros((n, 2)), junk - {"X"}
    if method in ("prune_node", "remove_edge"):
        for key in spec:  # positional indices are required
            if key not in kwargs:
                kwargs[key] = 0 if key != "l" else 1
                junk -= {key}
    state = model_state(model)
    out = run(getattr(model, method), kwargs, junk)
    assert model_state(model) == state, f"{method} changed the model it was called on"
    if out is REFUSED:
        return
    new = out[0] if method == "prune_inputs" else out
    assert isinstance(new, KAN) and new.width[-1] == 1
    assert new.predict(np.zeros((2, new.width[0]))).shape == (2, 1)


@budget(0.5)
@given(st.sampled_from(["refine", "update_grid"]), st.sampled_from(["deep", "lan"]), st.integers(1, 6), st.data())
def test_refine_and_update_grid(method, kind, n, data):
    model = MODELS[kind].copy() if method == "update_grid" else MODELS[kind]
    if method == "refine":
        spec = {"G_new": (st.sampled_from([1, 2, 5, 12]), junk_int(1)), "X": (valid_matrix(n, 2), junk_matrix(n, 2))}
    else:
        spec = {"X": (valid_matrix(n, 2), junk_matrix(n, 2)), "grid_eps": (valid(None, 0.0, 0.5, 1), junk_real(0.0, 1.0, none_ok=True))}
    kwargs, junk = data.draw(call_args(spec))
    for key in ("G_new", "X") if method == "refine" else ("X",):
        if key not in kwargs:
            kwargs[key], junk = (5 if key == "G_new" else np.zeros((n, 2))), junk - {key}
    if "X" not in junk and np.max(np.abs(np.asarray(kwargs["X"], dtype=float))) >= 1e300:
        junk = junk | {"X"}  # layer inputs may overflow: no grid can be placed (NonFiniteSamples)
    state = model_state(model)
    out = run(getattr(model, method), kwargs, junk)
    if method == "refine":
        assert model_state(model) == state
    if out is REFUSED:
        return
    assert np.all(np.isfinite(out.get_flat()))
    assert out.predict(np.zeros((2, 2))).shape == (2, 1)


# ---------------------------------------------------------------------------------- symbolic
LIB_VALID = valid(None, SMALL_LIB, library(["x", "exp"], extra=[J0]), ["x", "sin"])
LIB_JUNK = st.sampled_from([[3], "sin", 3, {"sin": np.sin}, {"x": "x"}, object(), ["nope"]])
FUN = st.sampled_from(["x", "sin", "x^2", "exp", "1/x", "log", "sqrt", "tan", "0", LIBRARY["cos"]])
FUN_JUNK = st.one_of(st.text(max_size=5), st.sampled_from([None, 3, np.sin, ["sin"], b"sin"]))
RANGE = (valid((-10, 10), (0.5, 2.0), [-1, 1]), junk_interval())


@budget(0.6)
@given(st.sampled_from(["fix_symbolic", "suggest_symbolic", "auto_symbolic", "symbolic_formula"]),
       st.integers(1, 6), st.data())
def test_symbolic_calls(method, n, data):
    X_pair = (valid_matrix(n, 2), junk_matrix(n, 2))
    if method == "symbolic_formula":
        model = SYMBOLIC
        spec = {"variables": (valid(None, ["a", "b"]), st.sampled_from(["ab", ["a"], 3, ["a", "b", "c"], [1, 2]])),
                "n_digits": (valid(None, 0, 3), junk_int(0, none_ok=True))}
    else:
        model = MODELS["kan"].copy() if method != "suggest_symbolic" else MODELS["kan"]
        spec = {"X": X_pair, "lib": (LIB_VALID if method == "fix_symbolic" else valid(SMALL_LIB), LIB_JUNK),
                "a_range": RANGE, "b_range": RANGE, "normalize": (valid(True, False), junk_flag())}
        if method != "auto_symbolic":
            spec.update(l=(st.just(0), INDEX), i=(st.sampled_from([0, 1]), INDEX), j=(st.just(0), INDEX))
        if method == "fix_symbolic":
            spec["fun"] = (FUN, FUN_JUNK)
            spec["X"] = (valid(None), X_pair[1]) if data.draw(st.booleans()) else X_pair
        if method == "suggest_symbolic":
            spec.update(topk=(valid(1, 3), junk_int(1)), weight_simple=(valid(0.0, 0.8), junk_real(0.0, 1.0)))
        if method == "auto_symbolic":
            spec.update(weight_simple=(valid(0.0, 0.8), junk_real(0.0, 1.0)),
                        r2_threshold=(valid(0.0, 0.9), junk_real(0.0, 1.0)), near=(valid(1.0, 10.0), junk_real(1.0)))
    kwargs, junk = data.draw(call_args(spec))
    X = kwargs.get("X")
    if X is not None and "X" not in junk and (n == 1 or np.max(np.abs(np.asarray(X, dtype=float))) > 1e150):
        junk = junk | {"X"}  # one sample cannot fix four parameters; the fit squares values > 1e150
    required = {"fix_symbolic": ("l", "i", "j", "fun"), "suggest_symbolic": ("l", "i", "j", "X"),
                "auto_symbolic": ("X",), "symbolic_formula": ()}[method]
    for key in required:
        if key not in kwargs:
            kwargs[key] = {"fun": "x", "X": np.zeros((n, 2))}.get(key, 0)
            junk -= {key}
    if method == "fix_symbolic" and "fun" not in junk and isinstance(kwargs.get("lib"), (dict, list)) \
            and isinstance(kwargs["fun"], str) and kwargs["fun"] not in kwargs["lib"]:
        junk = junk | {"fun"}  # a library name missing from the user's lib is a wrong fun
    state = model_state(model)
    out = run(getattr(model, method), kwargs, junk)
    if method in ("suggest_symbolic", "symbolic_formula"):
        assert model_state(model) == state
    if out is REFUSED:
        return
    if method == "suggest_symbolic":
        assert 0 < len(out) <= kwargs.get("topk", 5)
    if method == "symbolic_formula":
        exprs, func, latex = out
        assert len(exprs) == len(latex) == 1 and func(np.zeros((3, 2))).shape == (3, 1)
    if method in ("fix_symbolic", "auto_symbolic"):
        assert model.predict(np.zeros((2, 2))).shape == (2, 1)


# ---------------------------------------------------------------------------------- plot
class _Sink(io.BytesIO):
    """A file object for plot(path=...): nothing reaches the disk."""


@budget(0.25)
@given(st.integers(1, 5), st.data())
def test_plot(n, data):
    model = MODELS["deep"]
    spec = {"X": (valid_matrix(n, 2), junk_matrix(n, 2)),
            "in_vars": (valid(None, ["a", "b"], [1, 2]), st.sampled_from(["ab", ["a"], 3, ["a", "b", "c"]])),
            "out_vars": (valid(None, ["f"]), st.sampled_from(["f", [], 3, ["f", "g"]])),
            "beta": (valid(0.0, 3.0, 100), junk_real(0.0)),
            "path": (st.sampled_from([OMIT, None]) | st.builds(_Sink),
                     st.sampled_from([3, 0, 2.5, ["x.png"], object(), True])),
            "ax": (valid(None), st.sampled_from(["ax", 3, Figure(), object()])),
            "title": (valid(None, "t", ""), st.sampled_from([3, ["t"], object(), b"t"]))}
    kwargs, junk = data.draw(call_args(spec))
    if "X" not in kwargs:
        kwargs["X"], junk = np.zeros((n, 2)), junk - {"X"}
    state = model_state(model)
    fig = run(model.plot, kwargs, junk)
    assert model_state(model) == state
    if fig is not REFUSED:
        assert isinstance(fig, Figure)


# ---------------------------------------------------------------------------------- save / load
@budget(0.5)
@given(st.sampled_from(list(MODELS) + ["symbolic", "user"]), st.data())
def test_save_and_load(kind, data):
    model = {"symbolic": SYMBOLIC}.get(kind) or MODELS.get(kind)
    if kind == "user":
        model = MODELS["kan"].copy()
        model.fix_symbolic(0, 0, 0, J0)
    junk_path = data.draw(st.booleans())
    path = data.draw(st.sampled_from([3, None, 2.5, ["m"], object(), True])) if junk_path else io.BytesIO()
    state = model_state(model)
    if run(model.save, {"path": path}, {"path"} if junk_path else set()) is REFUSED:
        return
    assert model_state(model) == state
    path.seek(0)
    lib_junk = data.draw(st.booleans())
    lib = data.draw(LIB_JUNK) if lib_junk else ({"J0": J0} if kind == "user" else None)
    copy_ = run(load, {"path": path, "lib": lib}, {"lib"} if lib_junk else set())
    if copy_ is not REFUSED:
        X = np.linspace(-1, 1, 8).reshape(4, 2)
        assert np.array_equal(copy_.predict(X), model.predict(X))
        assert model_state(copy_) == state


def _saved_bytes(compressed=False):
    buffer = io.BytesIO()
    MODELS["deep"].save(buffer)
    if not compressed:
        return buffer.getvalue()
    # the same content deflated: damaged deflate streams fail differently
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as f:
        arrays = {key: f[key] for key in f.files}
    packed = io.BytesIO()
    np.savez_compressed(packed, **arrays)
    return packed.getvalue()


SAVED, SAVED_DEFLATED = _saved_bytes(), _saved_bytes(compressed=True)
# huge integers (beyond int64, beyond float64) are part of the leaves: a size field set to 10**40
# or 10**400 must give a ValueError, not an OverflowError or an allocation
JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**20, 10**20)
                    | st.sampled_from([2**63, 10**40, -10**40, 10**400]) | st.floats(allow_nan=False)
                    | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)


def _paths(tree, prefix=()):
    """Every place in a JSON tree that a mutation can replace."""
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _paths(value, prefix + (index,))


def _replace(tree, path, value):
    if not path:
        return value
    tree = copy.deepcopy(tree)
    node = tree
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return tree


@budget(0.5)
@given(st.data())
def test_load_refuses_corrupted_files(data):
    """Damaged bytes or a tampered JSON description: a ValueError, never another exception."""
    import json

    how = data.draw(st.sampled_from(["bytes", "flip", "truncate", "config", "deep", "declared"]))
    if how == "bytes":
        raw = data.draw(st.binary(max_size=300))
    elif how == "flip":
        raw = bytearray(data.draw(st.sampled_from([SAVED, SAVED_DEFLATED])))
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
        raw = bytes(raw)
    elif how == "truncate":
        raw = SAVED[:data.draw(st.integers(0, len(SAVED) - 1))]
    elif how == "deep":  # a config nested far deeper than any model's
        with np.load(io.BytesIO(SAVED), allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files if key != "config"}
        depth = data.draw(st.integers(100, 100_000))
        opener = data.draw(st.sampled_from(["[", '{"a":']))
        buffer = io.BytesIO()
        np.savez(buffer, config=np.array(opener * depth), **arrays)
        raw = buffer.getvalue()
    elif how == "declared":  # a member whose size in the zip directory is a lie, up to 4 GiB
        raw = bytearray(SAVED)
        size = data.draw(st.integers(1, 2**32 - 1))
        central = raw.rfind(b"PK\x01\x02")  # the last member's central directory entry
        raw[central + 24:central + 28] = size.to_bytes(4, "little")  # its uncompressed size
        raw = bytes(raw)
    else:
        with np.load(io.BytesIO(SAVED), allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files}
        config = json.loads(str(arrays.pop("config")))
        places = list(_paths(config))
        config = _replace(config, data.draw(st.sampled_from(places)), data.draw(JSON))
        buffer = io.BytesIO()
        np.savez(buffer, config=np.array(json.dumps(config)), **arrays)
        raw = buffer.getvalue()
    try:
        model = load(io.BytesIO(raw))
    except ValueError:
        return
    # a change that happens to leave a valid file (a flipped bit in padding, an equal value)
    assert model.predict(np.zeros((2, 2))).shape == (2, 1)
