"""Saving and loading (minikan.tools.io): exact round trips, safe loading, clear refusals."""
import io
import json
import pickle

import numpy as np
import pytest
import scipy.special
import sympy

import minikan
from minikan import KAN, LAN, MLP, load
from minikan.tools.io import FORMAT_VERSION
from minikan.interpret.symbolic import SymbolicFunction, library


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (80, 2))
    y = np.exp(np.sin(np.pi * X[:, :1]) + X[:, 1:] ** 2)
    return X, y


def roundtrip(model, tmp_path, name="model.npz", **load_options):
    path = tmp_path / name
    model.save(path)
    return load(path, **load_options)


def history_equal(h1, h2):
    """Everything but the wall-clock time is identical."""
    assert set(h1) == set(h2)
    for key in h1:
        if key == "seconds":
            continue
        if isinstance(h1[key], np.ndarray):
            assert np.array_equal(h1[key], h2[key], equal_nan=True), key
        else:
            assert h1[key] == h2[key], key


def kan_state_equal(a, b):
    assert type(a) is type(b) and a.width == b.width
    assert (a.grid_eps, a.grid_margin, a.trainable) == (b.grid_eps, b.grid_margin, b.trainable)
    for sa, sb in zip(a.symbolic, b.symbolic):
        assert np.array_equal(sa.mask, sb.mask) and np.array_equal(sa.affine, sb.affine)
        assert [str(getattr(f, "name", f)) for f in sa.funs.ravel()] == \
               [str(getattr(f, "name", f)) for f in sb.funs.ravel()]
    for la, lb in zip(a.layers, b.layers):
        for name in ("grid", "coef", "w_b", "w_s", "mask"):
            assert np.array_equal(getattr(la, name), getattr(lb, name)), name
        assert (la.bias is None) == (lb.bias is None)
        if la.bias is not None:
            assert np.array_equal(la.bias, lb.bias)
        assert (la.k, la.base, la.basis) == (lb.k, lb.base, lb.basis)


# ---------------------------------------------------------------------------------- round trips
def test_kan_roundtrip_is_exact_for_predict_and_continued_training(data, tmp_path):
    X, y = data
    model = KAN([2, 3, 1], grid=5, k=3, seed=1, bias=True, grid_eps=0.5, grid_margin=0.02,
                trainable={"w_s": False})
    model.fit(X, y, steps=10)
    model.fix_symbolic(0, 1, 2, "x^2", X)  # one symbolic edge, with fitted affine parameters
    copy = roundtrip(model, tmp_path)
    kan_state_equal(model, copy)
    assert np.array_equal(model.predict(X), copy.predict(X))
    # the next L-BFGS iterates (with a grid update at step 0) are identical
    h1, h2 = model.fit(X, y, steps=5), copy.fit(X, y, steps=5)
    history_equal(h1, h2)
    assert h1["grid_updates"].tolist() == [0]
    kan_state_equal(model, copy)
    assert np.array_equal(model.get_flat(), copy.get_flat())


def test_kan_dense_basis_identity_base_and_unbiased_layers_roundtrip(data, tmp_path):
    X, y = data
    model = KAN([2, 2, 2, 1], grid=3, k=2, seed=4, base="identity", basis="dense", init="pykan")
    copy = roundtrip(model, tmp_path)
    kan_state_equal(model, copy)
    assert np.array_equal(model.predict(X), copy.predict(X))
    history_equal(model.fit(X, y, opt="adam", steps=6, lr=0.01, batch_size=16, seed=3),
                  copy.fit(X, y, opt="adam", steps=6, lr=0.01, batch_size=16, seed=3))


def test_symbolic_formula_is_identical_after_loading(data, tmp_path):
    X, _ = data
    model = KAN([2, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "sin", X)
    model.fix_symbolic(0, 1, 0, "x^2", X)
    copy = roundtrip(model, tmp_path)
    exprs1, func1, latex1 = model.symbolic_formula()
    exprs2, func2, latex2 = copy.symbolic_formula()
    assert [sympy.srepr(e) for e in exprs1] == [sympy.srepr(e) for e in exprs2]
    assert latex1 == latex2
    assert np.array_equal(func1(X), func2(X))
    assert np.array_equal(model.predict(X), copy.predict(X))


def test_partially_symbolic_edges_keep_their_names_and_library_functions(tmp_path):
    model = KAN([2, 2], grid=3, seed=0)
    model.fix_symbolic(0, 0, 1, "exp")
    copy = roundtrip(model, tmp_path)
    fun = copy.symbolic[0].funs[0, 1]
    assert fun is minikan.interpret.symbolic.LIBRARY["exp"]  # resolved to the library's own entry
    assert copy.symbolic[0].funs[1, 1] == "0"  # plain names stay plain names


@pytest.mark.parametrize("kind", ["mlp", "lan"])
def test_mlp_and_lan_roundtrip_exactly(kind, data, tmp_path):
    X, y = data
    if kind == "mlp":
        model = MLP([2, 6, 4, 1], activation="sin", seed=2, omega0=3.0, trainable={"b": False})
    else:
        model = LAN([2, 4, 1], grid=4, k=2, seed=2, base="tanh", grid_eps=0.3, grid_margin=0.05)
    model.fit(X, y, steps=5)
    copy = roundtrip(model, tmp_path)
    assert type(copy) is type(model) and repr(copy) == repr(model)
    assert copy.trainable == model.trainable and copy.n_params() == model.n_params()
    assert np.array_equal(model.predict(X), copy.predict(X))
    assert np.array_equal(model.get_flat(), copy.get_flat())
    history_equal(model.fit(X, y, steps=5), copy.fit(X, y, steps=5))
    assert np.array_equal(model.get_flat(), copy.get_flat())
    if kind == "lan":
        for name in ("grids", "coefs"):
            for a, b in zip(getattr(model, name), getattr(copy, name)):
                assert np.array_equal(a, b)


def test_the_file_is_written_exactly_at_the_given_path_and_nowhere_else(tmp_path):
    model = KAN([1, 1], grid=3, seed=0)
    for name in ("model", "model.bin", "model.npz"):
        model.save(tmp_path / name)
    model.save(str(tmp_path / "as_str"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["as_str", "model", "model.bin", "model.npz"]
    for p in tmp_path.iterdir():
        assert load(p).width == [1, 1]


def test_file_objects_work_and_saving_leaves_the_model_unchanged(data):
    X, _ = data
    model = KAN([2, 2, 1], grid=3, seed=0)
    before = model.predict(X)
    buffer = io.BytesIO()
    model.save(buffer)
    assert np.array_equal(model.predict(X), before)
    buffer.seek(0)
    assert np.array_equal(load(buffer).predict(X), before)


def test_loaded_model_is_independent_of_the_original(tmp_path):
    model = KAN([1, 2], grid=3, seed=0)
    copy = roundtrip(model, tmp_path)
    copy.layers[0].coef[:] = 0.0
    assert np.any(model.layers[0].coef != 0)


# ---------------------------------------------------------------------------------- user functions
J0 = SymbolicFunction("J0", scipy.special.j0, lambda z: -scipy.special.j1(z), lambda z: sympy.besselj(0, z), 3)


def test_user_defined_functions_need_lib_at_load_time(data, tmp_path):
    X, _ = data
    lib = library(["x", "sin"], extra=[J0])
    model = KAN([2, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "J0", X, lib=lib)
    path = tmp_path / "j0.npz"
    model.save(path)
    with pytest.raises(ValueError, match=r"user-defined symbolic function 'J0'.*lib="):
        load(path)
    with pytest.raises(ValueError, match="J0"):
        load(path, lib=library(["x"]))  # a lib without it
    copy = load(path, lib=lib)
    assert copy.symbolic[0].funs[0, 0] is J0
    assert np.array_equal(model.predict(X), copy.predict(X))


def test_a_user_function_shadowing_a_library_name_is_not_confused_with_it(tmp_path):
    fake_sin = SymbolicFunction("sin", np.cos, lambda z: -np.sin(z), sympy.cos, 2)
    model = KAN([1, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, fake_sin)
    path = tmp_path / "m.npz"
    model.save(path)
    with pytest.raises(ValueError, match="user-defined"):
        load(path)
    assert load(path, lib={"sin": fake_sin}).symbolic[0].funs[0, 0] is fake_sin


# ---------------------------------------------------------------------------------- refusals
def read_raw(path):
    with np.load(path, allow_pickle=False) as f:
        arrays = {key: f[key] for key in f.files}
    return json.loads(str(arrays.pop("config"))), arrays


def write_raw(path, config, arrays):
    with open(path, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **arrays)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.npz"
    model = KAN([2, 2], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "sin")
    model.save(path)
    return path


def test_the_config_records_versions_and_structure(saved):
    config, arrays = read_raw(saved)
    assert config["format"] == "minikan" and config["format_version"] == FORMAT_VERSION
    assert config["minikan_version"] == minikan.__version__ and config["kind"] == "KAN"
    assert config["width"] == [2, 2] and config["layers"][0]["G"] == 3
    assert config["layers"][0]["sym_funs"][0][0] == "sin"
    assert config["layers"][0]["sym_sources"][0][0] == "library"
    assert all(a.dtype == np.float64 for a in arrays.values())


@pytest.mark.parametrize("version", [0, 2, "1", None, True])
def test_other_format_versions_are_refused(saved, version):
    config, arrays = read_raw(saved)
    config["format_version"] = version
    write_raw(saved, config, arrays)
    with pytest.raises(ValueError, match="format version"):
        load(saved)


@pytest.mark.parametrize("change, match", [
    (lambda c, a: c.update(kind="CNN"), "model kind"),
    (lambda c, a: c.update(format="other"), "not a minikan model"),
    (lambda c, a: c["layers"][0]["sym_funs"][0].__setitem__(0, "no_such_fn"), "unknown library function"),
    (lambda c, a: c["layers"][0]["sym_sources"][0].__setitem__(0, "name") or
     c["layers"][0]["sym_funs"][0].__setitem__(0, "__import__('os')"), "unknown symbolic function"),
    (lambda c, a: c["layers"][0]["sym_sources"][0].__setitem__(0, "eval"), "malformed"),
    (lambda c, a: c.update(width=[2, 3]), "does not match width"),
    (lambda c, a: c["layers"][0].update(G=4), "must have shape"),
    (lambda c, a: c["layers"][0].update(base="relu"), "base must be one of"),
    (lambda c, a: c["trainable"].pop("coef"), "trainable"),
    (lambda c, a: c.update(grid_eps="1.0"), "grid_eps"),
    (lambda c, a: a.update({"layer0.coef": a["layer0.coef"].astype(np.float32)}), "float64"),
    (lambda c, a: a.update({"layer0.w_b": np.full((2, 2), np.nan)}), "NaN"),
    (lambda c, a: a.update({"layer0.grid": a["layer0.grid"][:, ::-1].copy()}), "non-decreasing"),
    (lambda c, a: a.pop("layer0.mask"), "no array 'layer0.mask'"),
    (lambda c, a: a.update(extra=np.zeros(3)), "does not use"),
])
def test_malformed_files_are_refused_with_a_clear_error(saved, change, match):
    config, arrays = read_raw(saved)
    change(config, arrays)
    write_raw(saved, config, arrays)
    with pytest.raises(ValueError, match=match):
        load(saved)


def test_files_that_are_not_models_are_refused(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a minikan model file"):
        load(text)
    single = tmp_path / "a.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match="single array"):
        load(single)
    no_config = tmp_path / "b.npz"
    np.savez(no_config, x=np.zeros(3))
    with pytest.raises(ValueError, match="no 'config'"):
        load(no_config)
    bad_json = tmp_path / "c.npz"
    np.savez(bad_json, config=np.array("{not json"))
    with pytest.raises(ValueError, match="not valid JSON"):
        load(bad_json)
    truncated = tmp_path / "d.npz"
    KAN([1, 1], grid=3, seed=0).save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(ValueError, match="minikan model file"):
        load(truncated)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


class _Trap:
    """Unpickling this would create a file: loading must never get that far."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickled_content_is_never_executed(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.npz"
    payload = np.empty(1, dtype=object)
    payload[0] = _Trap(str(marker))
    with open(path, "wb") as f:
        np.savez(f, config=payload)
    with pytest.raises(ValueError):
        load(path)
    raw = tmp_path / "evil.pkl"
    raw.write_bytes(pickle.dumps(_Trap(str(marker))))
    with pytest.raises(ValueError):
        load(raw)
    assert not marker.exists()


def test_wrong_argument_types_raise_type_errors(tmp_path):
    with pytest.raises(TypeError, match="model must be"):
        minikan.tools.io.save("not a model", tmp_path / "x.npz")
    with pytest.raises(TypeError, match="model must be"):
        minikan.tools.io.save(KAN([1, 1]).layers[0], tmp_path / "x.npz")
    with pytest.raises(TypeError, match="path"):
        KAN([1, 1]).save(3)
    with pytest.raises(TypeError, match="path"):
        load(None)
    with pytest.raises(TypeError, match="lib"):
        load(tmp_path / "x.npz", lib=["sin"])
    assert list(tmp_path.iterdir()) == []
