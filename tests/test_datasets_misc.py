"""Continual-learning peaks (Fig 3.4), unsupervised toy (Fig 4.2), image (Fig B.3), knot loader (4.3)."""
import importlib.util

import numpy as np
import pytest

from minikan.datasets import (continual_peaks, image_to_xy, load_image, load_knots,
                              make_unsupervised_toy, peak_centers, psnr, round_to_even,
                              signature_classes, slope, synthetic_image)
from minikan.datasets.knots import FEATURES


def test_peak_data():
    d = continual_peaks()
    np.testing.assert_allclose(d.centers, [-0.8, -0.4, 0.0, 0.4, 0.8], atol=1e-15)
    assert len(d.inputs) == 5 and all(x.shape == (100, 1) for x in d.inputs)
    np.testing.assert_allclose(d.inputs[1][[0, -1], 0], [-0.6, -0.2], atol=1e-15)
    # each phase's window holds its own peak (value ~1 at the centre, small at the window ends)
    for x, y, c in zip(d.inputs, d.labels, d.centers):
        assert y.max() == pytest.approx(1.0, abs=2e-3) and abs(x[y.argmax(), 0] - c) < 0.01
        assert y[0, 0] < 2e-5 and y[-1, 0] < 2e-5  # exp(-12) from this peak and a neighbour
    assert d.grid.shape == d.grid_label.shape == (500, 1)
    assert peak_centers(2).tolist() == [-0.5, 0.5]


def test_unsupervised_toy_relations_hold_only_on_real_rows():
    ds = make_unsupervised_toy(n_train=300, n_test=200, seed=4)
    X, y = ds.train_input, ds.train_label
    assert X.shape == (600, 6) and y.shape == (600, 1) and ds.test_input.shape == (400, 6)
    real, fake = X[:300], X[300:]
    assert np.all(y[:300] == 1) and np.all(y[300:] == 0)
    np.testing.assert_allclose(real[:, 2], np.exp(np.sin(np.pi * real[:, 0]) + real[:, 1] ** 2))
    np.testing.assert_allclose(real[:, 3], real[:, 4] ** 3)
    # permuting columns keeps every marginal but breaks the relation on (almost) every row
    for j in range(6):
        np.testing.assert_array_equal(np.sort(real[:, j]), np.sort(fake[:, j]))
    assert np.mean(np.isclose(fake[:, 3], fake[:, 4] ** 3)) < 0.02
    again = make_unsupervised_toy(n_train=300, n_test=200, seed=4)
    assert np.array_equal(again.test_input, ds.test_input)


def test_synthetic_image_and_coordinates():
    img = load_image()
    assert img.shape == (64, 64) and img.min() >= 0 and img.max() <= 1 and img.std() > 0.1
    assert np.array_equal(img, synthetic_image(64))
    X, y = image_to_xy(img)
    assert X.shape == (4096, 2) and y.shape == (4096, 1)
    np.testing.assert_array_equal(y.reshape(64, 64), img)
    assert X[:, 0].min() == -1 and X[:, 1].max() == 1
    assert psnr(img, img) == np.inf
    assert psnr(np.zeros(4), np.full(4, 0.1)) == pytest.approx(20.0)


def test_camera_needs_scikit_image():
    if importlib.util.find_spec("skimage") is None:
        with pytest.raises(ImportError, match="scikit-image"):
            load_image("camera")
    else:
        img = load_image("camera", size=128)
        assert img.shape == (128, 128) and 0 <= img.min() and img.max() <= 1
    with pytest.raises(ValueError):
        load_image("lena")


def _write_csv(path, rows):
    cols = ["name", "crossings"] + list(FEATURES) + ["symmetry_group", "signature"]
    lines = [",".join(f'"{c}"' if "," in c else c for c in cols)]
    for r in rows:
        lines.append(",".join(str(r.get(c, "0")) for c in cols))
    path.write_text("\n".join(lines) + "\n")


def test_load_knots_on_a_synthetic_table(tmp_path):
    # cusp shapes mu = a + ib, lambda > 0; signature = even rounding of slope/2 (the A-formula rule)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        a, b, lam = rng.uniform(-1, 1), rng.uniform(0.5, 1.5), rng.uniform(5, 25)
        s = lam * a / (a * a + b * b)
        rows.append({"name": f"K12n{i}", "meridinal_translation_real": a,
                     "meridinal_translation_imag": b, "longitudinal_translation": lam,
                     "short_geodesic_real_part": "" if i == 3 else 1.0,
                     "symmetry_group": "Z/2", "signature": int(2 * np.round(s / 4))})
    path = tmp_path / "k.csv"
    _write_csv(path, rows)
    data = load_knots(path)
    assert data.inputs.shape == (40, 15) and data.signature.shape == (40,)
    assert np.isnan(data.inputs[3, FEATURES.index("short_geodesic_real_part")])
    assert data.names[5] == "K12n5" and data.symmetry_group[0] == "Z/2"
    assert np.array_equal(round_to_even(slope(data) / 2), data.signature)
    clean = load_knots(path, drop_nan=True)
    assert clean.inputs.shape == (39, 15) and "K12n3" not in clean.names
    labels, values = signature_classes(data.signature)
    assert np.array_equal(values[labels], data.signature)
    with pytest.raises(ValueError, match="missing columns"):
        load_knots(path, features=("volume", "jones_degree"))


def test_round_to_even():
    assert round_to_even([-1.25, 0.9, 1.1, 2.9, -3.2]).tolist() == [-2, 0, 2, 2, -4]


KNOTS_CSV = __import__("pathlib").Path(__file__).resolve().parents[1] / "paper_figures/data/knots.csv"


@pytest.mark.skipif(not KNOTS_CSV.exists(), reason="paper_figures/data/knots.csv not generated")
def test_committed_knot_table_is_consistent():
    data = load_knots(KNOTS_CSV)
    n = len(data.names)
    assert n >= 100 and len(set(data.names)) == n
    assert np.all(data.signature % 2 == 0)
    col = {f: data.inputs[:, i] for i, f in enumerate(data.features)}
    assert np.all(col["meridinal_translation_imag"] > 0) and np.all(col["longitudinal_translation"] > 0)
    np.testing.assert_allclose(col["cusp_volume"],
                               col["longitudinal_translation"] * col["meridinal_translation_imag"] / 2,
                               rtol=1e-12)
    # DeepMind's relation: signature ~ slope / 2 (the paper's formula A); the sign convention is
    # the one that makes the correlation positive
    s = slope(data)
    assert np.corrcoef(s, data.signature)[0, 1] > 0.9
    assert np.mean(round_to_even(s / 2) == data.signature) > 0.7


def test_load_knots_rejects_bad_fields(tmp_path):
    path = tmp_path / "bad.csv"
    _write_csv(path, [{"name": "K1", "volume": "abc", "signature": 0}])
    with pytest.raises(ValueError, match="not a number"):
        load_knots(path)
    path.write_text(path.read_text().splitlines()[0] + "\nK2,3\n")
    with pytest.raises(ValueError, match="no value"):
        load_knots(path)
