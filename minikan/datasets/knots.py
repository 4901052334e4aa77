"""Load the knot-invariant table of Section 4.3 (written by ``paper_figures/data/make_knots.py``).

NumPy and the ``csv`` module only. The file has a header row; ``name`` and ``symmetry_group`` are
text, every other column numeric (an empty field or "nan" becomes NaN). The columns are described in
``paper_figures/data/README.md``.

Naming of the meridian. SnapPy gives the meridian translation mu as a complex number and the
longitude lambda as a real one. ``meridinal_translation_real`` is Re(mu) and
``meridinal_translation_imag`` is Im(mu), taken literally. With these, DeepMind's slope is
Re(lambda/mu) = lambda Re(mu)/|mu|^2 (``slope``), and the cusp volume is lambda Im(mu)/2.
"""
import csv
from typing import NamedTuple

import numpy as np

TEXT_COLUMNS = ("name", "symmetry_group")
# The inputs of the paper's [17, 1, 14] KAN that can be recomputed without Sage: DeepMind's 17
# minus the two torsion degrees, giving 15.
FEATURES = (
    "chern_simons", "cusp_volume", "injectivity_radius", "longitudinal_translation",
    "meridinal_translation_imag", "meridinal_translation_real", "short_geodesic_imag_part",
    "short_geodesic_real_part", "Symmetry_0", "Symmetry_D3", "Symmetry_D4", "Symmetry_D6",
    "Symmetry_D8", "Symmetry_Z/2 + Z/2", "volume",
)


class KnotData(NamedTuple):
    """Knot invariants, one row per knot.

    inputs : ndarray, shape (N, len(features)), float64 (NaN where the generator had no value)
    signature : ndarray, shape (N,), float64, even integers
    features : tuple of str, the column names of ``inputs``
    names : list of str, census names such as "K13n3588"
    symmetry_group : list of str, SnapPy's name of each knot's symmetry group ("" if unknown)
    """

    inputs: np.ndarray
    signature: np.ndarray
    features: tuple
    names: list
    symmetry_group: list


def load_knots(path, features=FEATURES, drop_nan=False):
    """Read the knot CSV at ``path``.

    ``features`` chooses and orders the input columns (any numeric columns of the file).
    ``drop_nan=True`` removes the rows where a chosen feature is NaN (the generator leaves the
    geodesic columns empty when SnapPy cannot compute them). Raises ``ValueError`` if a requested
    column or the ``signature`` column is absent, or a numeric field cannot be read.
    """
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in list(features) + ["signature", "name"] if c not in header]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}; found {header}")
        rows = list(reader)

    def number(text, col, line):
        if text is None:  # csv gives None for fields missing from a short (truncated) row
            raise ValueError(f"{path}, data row {line}: no value for column {col!r}")
        try:
            return float(text) if text.strip() else np.nan
        except ValueError:
            raise ValueError(f"{path}, data row {line}: column {col!r} is not a number: "
                             f"{text!r}") from None

    X = np.array([[number(r[c], c, i + 1) for c in features] for i, r in enumerate(rows)],
                 dtype=np.float64).reshape(len(rows), len(features))
    sig = np.array([number(r["signature"], "signature", i + 1) for i, r in enumerate(rows)],
                   dtype=np.float64)
    names = [r["name"] for r in rows]
    groups = [r.get("symmetry_group", "") for r in rows]
    if drop_nan:
        keep = np.all(np.isfinite(X), axis=1) & np.isfinite(sig)
        X, sig = X[keep], sig[keep]
        names = [n for n, k in zip(names, keep) if k]
        groups = [g for g, k in zip(groups, keep) if k]
    return KnotData(X, sig, tuple(features), names, groups)


def slope(data):
    """DeepMind's slope Re(lambda/mu) = lambda Re(mu)/|mu|^2 for each knot; shape (N,).

    Needs the columns longitudinal_translation, meridinal_translation_real and _imag in ``data``.
    """
    col = {f: data.inputs[:, i] for i, f in enumerate(data.features)}
    lam = col["longitudinal_translation"]
    re, im = col["meridinal_translation_real"], col["meridinal_translation_imag"]
    return lam * re / (re ** 2 + im ** 2)


def round_to_even(x):
    """Nearest even integer to each entry of x: 2 round(x/2)."""
    return 2.0 * np.round(np.asarray(x, dtype=np.float64) / 2.0)


def signature_classes(signature):
    """Integer class labels for the even signatures and the sorted class values.

    Returns (labels (N,) int, values (n_class,)) with ``values[labels] == signature``; the paper's
    14 classes are the distinct signatures present in DeepMind's data.
    """
    values, labels = np.unique(np.asarray(signature, dtype=np.float64), return_inverse=True)
    return labels, values
