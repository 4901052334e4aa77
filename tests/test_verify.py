"""Reference outputs (minikan.tools.verify): reproducible golden files, checks in both directions, errors."""
import json

import numpy as np
import pytest
from scipy.interpolate import BSpline

from minikan.tools import verify
from minikan.tools.gradcheck import numerical_gradient

GOLDEN = verify.GOLDEN_DIR


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """The golden set written afresh by the documented command's function."""
    directory = tmp_path_factory.mktemp("golden")
    verify.write(directory)
    return directory


def _copy_with(tmp_path, name, **changes):
    """A copy of a committed golden file with some arrays replaced (or removed when None)."""
    data = verify.load(GOLDEN / f"{name}.npz")
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    path = tmp_path / f"{name}.npz"
    np.savez(path, **data)
    return path


# ------------------------------------------------------------------ the committed files
def test_committed_golden_files_are_regenerated(regenerated, tmp_path):
    """Every committed array equals the regenerated one (dtype, shape, and values to 1e-13 of the
    array's scale), and the manifest text is identical; a second regeneration on the same machine
    is bit-identical. Across machines the bits differ in the last places: OpenBLAS picks its
    kernels by CPU (measured: at most 8 ulps of the array's largest entry, e.g. 7.5e-15 on
    coefficients of size 4.4). After an intended change, regenerate with
    ``python -m minikan.tools.verify --write minikan/data/golden``."""
    committed = sorted(p.name for p in GOLDEN.iterdir() if p.suffix in (".npz", ".json"))
    assert committed == sorted(p.name for p in regenerated.iterdir())
    verify.write(tmp_path)
    for name in committed:
        if name.endswith(".json"):
            assert (GOLDEN / name).read_text() == (regenerated / name).read_text(), name
            continue
        old, new, again = (verify.load(d / name) for d in (GOLDEN, regenerated, tmp_path))
        assert old.keys() == new.keys(), name
        for key in old:
            assert old[key].dtype == new[key].dtype and old[key].shape == new[key].shape, (name, key)
            assert new[key].tobytes() == again[key].tobytes(), f"{name}: {key} is not reproducible"
            if old[key].dtype.kind == "f":
                scale = max(1.0, float(np.max(np.abs(old[key]), initial=0.0)))
                assert np.max(np.abs(old[key] - new[key]), initial=0.0) <= 1e-13 * scale, f"{name}: {key} differs"
            else:
                assert old[key].tobytes() == new[key].tobytes(), f"{name}: {key} differs"


def test_golden_set_is_small_and_complete():
    files = list(GOLDEN.iterdir())
    assert sum(p.stat().st_size for p in files) < 200_000
    manifest = json.loads((GOLDEN / "manifest.json").read_text())
    assert manifest["format_version"] == verify.FORMAT_VERSION
    assert set(manifest["quantities"]) == set(verify.QUANTITIES)
    for name, entry in manifest["quantities"].items():
        data = verify.load(GOLDEN / entry["file"])
        assert str(data["quantity"]) == name
        meta = {"format_version", "minikan_version", "quantity"}
        assert set(entry["inputs"]) | set(entry["outputs"]) | meta == set(data)
        for key, spec in {**entry["inputs"], **entry["outputs"]}.items():
            assert list(data[key].shape) == spec["shape"], (name, key)
        for key in entry["outputs"]:
            assert data[key].dtype == np.float64


def test_committed_golden_set_passes_its_own_check():
    """minikan against its own golden files: equal up to the last bits that OpenBLAS's choice of
    kernels by CPU moves (see the regeneration test)."""
    results = verify.check(GOLDEN)
    assert results and all(r.passed and r.max_abs <= 1e-13 for r in results)
    assert {r.quantity for r in results} == set(verify.QUANTITIES)


# ------------------------------------------------------------------ golden values against independent oracles
@pytest.mark.parametrize("name", ["basis_uniform", "basis_nonuniform"])
def test_golden_basis_matches_scipy_basis_elements(name):
    """Each B_m and its derivatives from SciPy's single basis elements over their whole support
    (``extrapolate=False``, 0 off the support)."""
    data = verify.load(GOLDEN / f"{name}.npz")
    t, k, x = data["knots"], int(data["k"]), data["x"]
    for key, nu in (("B", 0), ("dB", 1), ("d2B", 2)):
        expected = np.empty(data[key].shape)
        for m in range(expected.shape[1]):
            element = BSpline.basis_element(t[m: m + k + 2], extrapolate=False)
            expected[:, m] = np.nan_to_num((element.derivative(nu) if nu else element)(x))
        scale = np.abs(expected).max()
        np.testing.assert_allclose(data[key], expected, rtol=0, atol=1e-13 * scale, err_msg=key)


def test_golden_gradients_match_finite_differences():
    data = verify.load(GOLDEN / "model_gradients.npz")
    compute = verify.QUANTITIES["model_gradients"].compute
    rng = np.random.default_rng(0)
    for key in ["X", "coef_0", "w_b_0", "w_s_1", "coef_2", "w_b_2"]:
        def loss(value, key=key):
            return float(compute({**data, key: value})["loss"])

        idx = rng.choice(data[key].size, size=min(12, data[key].size), replace=False)
        numeric = numerical_gradient(loss, data[key], indices=idx)
        analytic = data[f"grad_{key}"].ravel()[idx]
        np.testing.assert_allclose(analytic, numeric, rtol=0, atol=1e-8, err_msg=key)


def test_golden_regularizer_totals_are_the_layer_sums():
    data = verify.load(GOLDEN / "regularizer.npz")
    assert data["reg_paper"] == pytest.approx(data["reg_paper_layers"].sum(), rel=1e-15)
    assert data["reg_pykan"] == pytest.approx(data["reg_pykan_layers"].sum(), rel=1e-15)
    # Eq. 2.18-2.19 with mu1 = mu2 = 1, recomputed from the stored edge norms
    for l in range(3):
        A = data[f"edge_l1_{l}"]
        p = A / A.sum()
        assert data["reg_paper_layers"][l] == pytest.approx(A.sum() - np.sum(p * np.log(p)), rel=1e-12)


# ------------------------------------------------------------------ checking another implementation's files
def test_an_independent_implementation_passes(tmp_path, capsys):
    """Basis values computed with SciPy (not minikan), saved under the same keys, pass."""
    data = verify.load(GOLDEN / "basis_uniform.npz")
    t, k, x = data["knots"], int(data["k"]), data["x"]
    n = t.size - k - 1
    for key, nu in (("B", 0), ("dB", 1), ("d2B", 2)):
        data[key] = np.stack([np.nan_to_num(BSpline.basis_element(t[m: m + k + 2], extrapolate=False)
                                            .derivative(nu)(x) if nu else
                                            BSpline.basis_element(t[m: m + k + 2], extrapolate=False)(x))
                              for m in range(n)], axis=1)
    data["implementation"] = np.str_("scipy basis elements")
    path = tmp_path / "basis_uniform.npz"
    np.savez(path, **data)
    results = verify.check(path)
    assert [r.name for r in results] == ["basis_uniform.B", "basis_uniform.dB", "basis_uniform.d2B"]
    assert all(r.passed for r in results)
    assert verify.main([str(path)]) == 0
    assert "scipy basis elements" in capsys.readouterr().out


def test_a_perturbed_output_fails_with_its_quantity_named(tmp_path, capsys):
    data = verify.load(GOLDEN / "model_gradients.npz")
    wrong = data["grad_w_s_1"].copy()
    wrong[0, 1] *= 1.0 + 1e-6
    path = _copy_with(tmp_path, "model_gradients", grad_w_s_1=wrong)
    results = verify.check(tmp_path)
    failed = [r for r in results if not r.passed]
    assert [r.name for r in failed] == ["model_gradients.grad_w_s_1"]
    assert failed[0].max_abs == pytest.approx(abs(wrong[0, 1]) * 1e-6 / (1 + 1e-6), rel=1e-6)
    assert verify.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "model_gradients.grad_w_s_1" in out and "FAIL" in out
    # a looser tolerance from the command line lets it pass
    assert verify.main([str(path), "--atol", "1e-4"]) == 0


# ------------------------------------------------------------------ where a failing output fails
def test_the_report_locates_a_planted_mismatch(tmp_path, capsys):
    """One element of the network output changed: the report counts 1 of N, names its index, both
    values, the tolerance and the sample's input row from the file."""
    data = verify.load(GOLDEN / "model_forward.npz")
    n, j = 17, 0
    y = data["y"].copy()
    y[n, j] += 3e-4
    path = _copy_with(tmp_path, "model_forward", y=y)
    results = {r.key: r for r in verify.check(path)}
    assert [key for key, r in results.items() if not r.passed] == ["y"]
    assert all(r.mismatch is None for r in results.values() if r.passed)
    m = results["y"].mismatch
    assert (m.count, m.size, m.non_finite) == (1, data["y"].size, 0)
    assert m.index == (n, j) and m.sample == n
    # "expected" is what this minikan computes there (the stored golden value may differ from it
    # in the last bits on another CPU, which the tolerance allows)
    ours = verify._compute_model_forward({key: data[key] for key in data if key != "y"})["y"][n, j]
    assert m.expected == ours and m.got == y[n, j]
    assert m.allowed == pytest.approx(1e-10 + 1e-8 * abs(ours), rel=1e-15)
    assert list(m.inputs) == ["X"]
    np.testing.assert_array_equal(m.inputs["X"], data["X"][n])

    text = verify.describe(results["y"])
    assert f"model_forward.y: 1 of {data['y'].size} elements" in text
    assert "<= 1e-10 + 1e-08 |minikan|" in text
    assert f"worst at y[{n}, {j}]: minikan {float(ours)!r}, theirs {float(y[n, j])!r}" in text
    assert f"X[{n}] = [" + ", ".join(repr(v) for v in data["X"][n].tolist()) + "]" in text
    assert verify.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert text in out and "2 of 3 outputs pass; failed: model_forward.y" in out


def test_the_worst_of_several_mismatches_and_non_finite_values(tmp_path):
    """The worst element is the one furthest beyond its own tolerance; a NaN is worse than any
    number and counted as not finite. Per-sample gradients name both inputs of the sample."""
    data = verify.load(GOLDEN / "model_gradients.npz")
    g = data["grad_X"].copy()
    g[3, 1] += 1e-6
    g[40, 2] += 1e-3
    g[7, 0] *= 1.0 + 1e-12  # within tolerance: not counted
    path = _copy_with(tmp_path, "model_gradients", grad_X=g)
    (result,) = [r for r in verify.check(path) if not r.passed]
    m = result.mismatch
    assert (result.key, m.count, m.size, m.index, m.sample) == ("grad_X", 2, g.size, (40, 2), 40)
    assert set(m.inputs) == {"X", "y"}
    np.testing.assert_array_equal(m.inputs["y"], data["y"][40])

    g[10, 0] = np.nan
    m = [r for r in verify.check(_copy_with(tmp_path, "model_gradients", grad_X=g)) if not r.passed][0].mismatch
    assert (m.count, m.non_finite, m.index) == (3, 1, (10, 0)) and np.isnan(m.got)
    assert "3 of 192 elements (1.56%)" in verify.describe(
        [r for r in verify.check(tmp_path / "model_gradients.npz") if not r.passed][0])


def test_outputs_without_a_sample_axis_report_the_index_only(tmp_path):
    data = verify.load(GOLDEN / "grid_update.npz")
    coef = data["coef_new"].copy()
    coef[1, 2, 3] -= 1e-3
    (result,) = [r for r in verify.check(_copy_with(tmp_path, "grid_update", coef_new=coef)) if not r.passed]
    m = result.mismatch
    assert (m.count, m.size, m.index, m.sample, m.inputs) == (1, coef.size, (1, 2, 3), None, {})
    assert "coef_new[1, 2, 3]" in verify.describe(result) and "sample" not in verify.describe(result)

    grads = verify.load(GOLDEN / "model_gradients.npz")
    path = _copy_with(tmp_path, "model_gradients", loss=grads["loss"] * 1.5)
    (result,) = [r for r in verify.check(path) if not r.passed]
    m = result.mismatch
    assert (result.key, m.count, m.size, m.index, m.sample) == ("loss", 1, 1, (), None)
    assert "model_gradients.loss: 1 of 1 element beyond" in verify.describe(result)
    assert "worst at loss: minikan" in verify.describe(result)


def test_tolerances_must_be_finite_and_non_negative(tmp_path, capsys):
    for bad in (-1e-9, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="atol must be a finite number >= 0"):
            verify.check(GOLDEN / "basis_uniform.npz", atol=bad)
    with pytest.raises(TypeError, match="rtol must be a real number"):
        verify.check(GOLDEN / "basis_uniform.npz", rtol="1e-6")
    assert verify.main([str(GOLDEN / "basis_uniform.npz"), "--rtol", "-1"]) == 1
    assert "rtol must be a finite number >= 0" in capsys.readouterr().err


def test_help_points_only_to_what_is_installed(capsys):
    """--help names the packaged manifest (which exists) and the module's own documentation, not a
    file of the source repository."""
    with pytest.raises(SystemExit) as exit_:
        verify.main(["--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    manifest = GOLDEN / "manifest.json"
    assert str(manifest) in text and manifest.is_file()
    assert "python -m pydoc minikan.tools.verify" in text
    assert "docs/" not in text
    assert "manifest.json" in verify.__doc__ and "format_version" in verify.__doc__


def test_the_documented_snippet_runs_and_passes(tmp_path, monkeypatch, capsys):
    """The Python snippet of docs/verify.md ("your own implementation"), run as written in an
    empty folder with a layer computed from the basis directly, writes its file and passes."""
    from pathlib import Path

    from minikan.core import spline

    doc = (Path(__file__).resolve().parents[1] / "docs" / "verify.md").read_text()
    section = doc[doc.index("## Checking efficient-kan or your own implementation"):]
    start = section.index("```python\n") + len("```python\n")
    snippet = section[start:section.index("\n```", start)]
    assert "np.savez(\"mine/layer_forward.npz\"" in snippet

    def my_layer(x, grid, coef, w_b, w_s, k):
        # Eq. 2.10-2.12 by hand: (N, n_in, G+k) basis, spline part, edge values, node sums
        B = np.stack([spline.basis(x[:, i], grid[i], k) for i in range(x.shape[1])], axis=1)
        spl = np.einsum("nim,iom->nio", B, coef)
        phi = w_b * (x / (1.0 + np.exp(-x)))[:, :, None] + w_s * spl
        return phi.sum(axis=1), phi, spl

    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "docs/verify.md", "exec"), {"my_layer": my_layer})
    assert (tmp_path / "mine" / "layer_forward.npz").is_file()
    assert verify.main(["mine/"]) == 0
    assert "mykan 0.3" in capsys.readouterr().out


def test_float32_outputs_need_a_looser_tolerance(tmp_path):
    data = verify.load(GOLDEN / "layer_forward.npz")
    single = {key: data[key].astype(np.float32) for key in ("y", "phi", "spline")}
    path = _copy_with(tmp_path, "layer_forward", **single)
    assert not all(r.passed for r in verify.check(path))
    assert all(r.passed for r in verify.check(path, atol=1e-6, rtol=1e-6))


def test_inputs_are_read_from_the_checked_file(tmp_path):
    """The reference is recomputed from the file's own inputs: changing an input without changing
    the outputs fails, on the outputs that depend on it."""
    data = verify.load(GOLDEN / "layer_forward.npz")
    w_s = data["w_s"].copy()
    w_s[2, 0] += 0.1
    results = verify.check(_copy_with(tmp_path, "layer_forward", w_s=w_s))
    assert {r.key for r in results if not r.passed} == {"y", "phi"}  # the spline part has no w_s


# ------------------------------------------------------------------ malformed files
def test_missing_output_key_is_a_clear_error(tmp_path):
    path = _copy_with(tmp_path, "grid_update", coef_new=None)
    with pytest.raises(ValueError, match=r"grid_update.*lacks output key 'coef_new'.*\(2, 3, 8\)"):
        verify.check(path)
    assert verify.main([str(path)]) == 1


def test_missing_input_key_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"quantity 'model_forward': missing input key 'w_s_1'"):
        verify.check(_copy_with(tmp_path, "model_forward", w_s_1=None))


def test_wrong_output_shape_is_a_clear_error(tmp_path):
    data = verify.load(GOLDEN / "basis_nonuniform.npz")
    path = _copy_with(tmp_path, "basis_nonuniform", dB=data["dB"].T)
    with pytest.raises(ValueError, match=r"basis_nonuniform\.dB must have shape \(50, 9\), got \(9, 50\)"):
        verify.check(path)


def test_inconsistent_inputs_are_a_clear_error(tmp_path):
    data = verify.load(GOLDEN / "layer_forward.npz")
    with pytest.raises(ValueError, match=r"quantity 'layer_forward': grid must have shape"):
        verify.check(_copy_with(tmp_path, "layer_forward", grid=data["grid"][:, :-1]))


def test_non_numeric_output_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"symbolic_fit\.r2 must be real numbers"):
        verify.check(_copy_with(tmp_path, "symbolic_fit", r2=np.str_("1.0")))


def test_files_not_in_the_format_are_rejected(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not a minikan verification file"):
        verify.check(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="unknown quantity 'basis'"):
        verify.check(_copy_with(tmp_path, "basis_uniform", quantity=np.str_("basis")))
    with pytest.raises(ValueError, match="format_version 2"):
        verify.check(_copy_with(tmp_path, "basis_uniform", format_version=np.int64(2)))
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="not a readable .npz file"):
        verify.check(tmp_path / "text.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .npz files"):
        verify.check(tmp_path / "empty")
    with pytest.raises(ValueError, match="no such file"):
        verify.check(tmp_path / "missing")


def test_cli_writes_only_where_asked_and_checks_what_it_wrote(tmp_path, capsys):
    assert verify.main(["--write", str(tmp_path / "out")]) == 0
    written = capsys.readouterr().out.split()
    assert len(written) == len(verify.QUANTITIES) + 1
    assert verify.main([str(tmp_path / "out")]) == 0
    n_outputs = len(verify.check(tmp_path / "out"))
    assert f"{n_outputs} of {n_outputs} outputs pass" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown quantity"):
        verify.generate("nope")


@pytest.mark.slow
def test_pykan_outputs_pass(tmp_path):
    """pykan 0.2.8 computing every quantity from the golden inputs (with the adapter of
    benchmarks/compare_pykan.py) agrees with minikan within the default tolerances."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("kan")
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_pykan.py"
    spec = importlib.util.spec_from_file_location("compare_pykan", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    try:
        bench.Pykan(threads=1).write_golden_outputs(tmp_path)
    finally:  # the adapter switches torch to float64 for the whole process
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
    results = verify.check(tmp_path)
    assert len(results) == len(verify.check(GOLDEN))
    assert [r.name for r in results if not r.passed] == []
