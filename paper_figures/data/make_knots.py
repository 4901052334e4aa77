"""Regenerate a knot-invariant table for Section 4.3 of the KAN paper from the SnapPy census.

The paper trains on DeepMind's ``knot_theory_invariants.csv``, which cannot be downloaded here. This
script recomputes the same kind of invariants for the hyperbolic knots of SnapPy's
``HTLinkExteriors`` census (knots up to 14 crossings) and appends them, one row per knot, to a CSV.
The columns are described in ``README.md`` next to this file; ``minikan.datasets.load_knots`` reads
the result with NumPy only.

Requires the optional package ``snappy`` (``pip install snappy``; it pulls in spherogram). It is
never imported by ``minikan`` itself.

Usage::

    python paper_figures/data/make_knots.py --out paper_figures/data/knots.csv --limit 10000

The run is resumable: knots whose name is already in the output file are skipped, and every row is
flushed as soon as it is computed, so an interrupted run loses at most one knot. ``--start`` skips
the first entries of the (seeded, shuffled) visiting order, ``--limit`` caps how many new rows are
written, ``--order census`` walks the census in its own order (small crossing numbers first).
"""
import argparse
import csv
import math
import os
import re
import sys

import numpy as np

# Column order of the output file. DeepMind's 17 inputs minus the two torsion degrees (they need
# Sage), with the meridian split explicitly into SnapPy's real and imaginary parts (the paper's
# mu_r / mu_i labels are ambiguous, see README.md), plus provenance columns.
SYMMETRY_CLASSES = ("0", "D3", "D4", "D6", "D8", "Z/2 + Z/2")
COLUMNS = (
    ["name", "crossings", "volume", "chern_simons", "cusp_volume",
     "meridinal_translation_real", "meridinal_translation_imag", "longitudinal_translation",
     "short_geodesic_real_part", "short_geodesic_imag_part", "injectivity_radius",
     "symmetry_group"]
    + ["Symmetry_" + s for s in SYMMETRY_CLASSES]
    + ["signature"]
)
GEOMETRIC = "all tetrahedra positively oriented"
EXACT_CUSP = False  # set by --exact-cusp


def seifert_signature(link):
    """Signature of a knot from its Seifert matrix V: sign count of the eigenvalues of V + V^T.

    Spherogram's Seifert matrix gives the opposite sign to the convention of DeepMind's data (where
    signature correlates positively with the slope Re(lambda/mu)), so the count is negated here.
    """
    V = np.asarray(link.seifert_matrix(), dtype=float)
    if V.size == 0:
        return 0
    eig = np.linalg.eigvalsh(V + V.T)
    tol = 1e-9 * max(1.0, float(np.abs(eig).max()))
    return -int(np.sum(eig > tol) - np.sum(eig < -tol))


def shortest_geodesic(manifold, max_tries=30):
    """Complex length of the shortest closed geodesic, or None.

    SnapPy's Dirichlet-domain construction fails on many census manifolds for a given
    triangulation; retriangulating (``randomize``) and relaxing the construction's options usually
    makes it succeed after a few cheap attempts.
    """
    options = ({}, {"maximize_injectivity_radius": False}, {"centroid_at_origin": False},
               {"vertex_epsilon": 1e-6, "centroid_at_origin": False,
                "maximize_injectivity_radius": False})
    M = manifold.copy()
    for _ in range(max_tries):
        for opts in options:
            try:
                domain = M.dirichlet_domain(**opts)
            except Exception:  # RuntimeError, or SnapPeaFatalError from the kernel's own checks
                continue
            # The census systoles are below 2. Longer cutoffs make the enumeration explode, and an
            # empty list at 3 means a bad domain: retriangulate instead.
            for cutoff in (2.0, 3.0):
                spectrum = domain.length_spectrum_dicts(cutoff)
                if len(spectrum):
                    return complex(spectrum[0].length)
        M.randomize()
    return None


def knot_row(manifold):
    """All columns for one census knot, or None when no geometric triangulation is found."""
    link = manifold.link()  # the census diagram; taken before any retriangulation
    M = manifold.copy()
    for _ in range(10):
        if M.solution_type() == GEOMETRIC:
            break
        M.randomize()
    else:
        return None  # torus knots (and the rare stubborn case) have no hyperbolic structure
    # Maximal cusp. The 'trigDependentTryCanonize' method is about 15x faster than SnapPy's
    # default; it matched the default to 1e-8 on every knot of a 40-knot check (see README.md).
    method = "maximal" if EXACT_CUSP else "trigDependentTryCanonize"
    mu, lam = M.cusp_translations(method=method)[0]
    mu, lam = complex(mu), float(lam)
    area = lam * abs(mu.imag)  # area of the cusp torus spanned by mu and the real lambda
    geo = shortest_geodesic(M)
    try:
        group = str(M.symmetry_group())
    except Exception:  # symmetry detection can fail numerically; record it as unknown
        group = ""
    name = manifold.name()
    row = {
        "name": name,
        "crossings": int(re.match(r"K(\d+)[an]", name).group(1)),
        "volume": float(M.volume()),
        "chern_simons": float(M.chern_simons()),
        "cusp_volume": area / 2.0,  # volume of the maximal cusp = area of its boundary torus / 2
        "meridinal_translation_real": mu.real,
        "meridinal_translation_imag": mu.imag,
        "longitudinal_translation": lam,
        "short_geodesic_real_part": geo.real if geo is not None else math.nan,
        "short_geodesic_imag_part": geo.imag if geo is not None else math.nan,
        # half the systole: the injectivity radius of the closed geodesics (see README.md)
        "injectivity_radius": geo.real / 2.0 if geo is not None else math.nan,
        "symmetry_group": group,
        "signature": seifert_signature(link),
    }
    for s in SYMMETRY_CLASSES:
        row["Symmetry_" + s] = int(group == s)
    return row


def _row_by_index(idx):
    import snappy

    return knot_row(snappy.HTLinkExteriors(knots_vs_links="knots")[idx])


def _init_worker(exact_cusp):
    global EXACT_CUSP
    EXACT_CUSP = exact_cusp


class _Worker:
    """Computes one knot at a time in a single child process, killed and replaced on a timeout.

    Some retriangulations send SnapPy's C code into a very long computation that no Python-level
    signal can interrupt; a separate process can always be stopped. Only one process computes at
    any moment (the parent just waits).
    """

    def __init__(self, exact_cusp, timeout=15.0):
        self.exact_cusp, self.timeout, self.pool = exact_cusp, timeout, None

    def _start(self):
        import multiprocessing

        self.pool = multiprocessing.get_context("fork").Pool(
            1, initializer=_init_worker, initargs=(self.exact_cusp,))

    def row(self, idx, attempts=2):
        """The row of census knot ``idx``; None if not hyperbolic or every attempt timed out.

        A typical knot takes about a second. The long computations depend on SnapPy's internal
        random retriangulations, not on the knot, so a fresh process usually finishes at once.
        """
        import multiprocessing

        for _ in range(attempts):
            if self.pool is None:
                self._start()
            try:
                return self.pool.apply_async(_row_by_index, (idx,)).get(self.timeout)
            except multiprocessing.TimeoutError:
                self.close()
            except Exception:  # a SnapPea kernel error: start from a clean process
                self.close()
        return None  # skipped; a later run retries it (its name is not in the file)

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def visiting_order(n, order, seed):
    if order == "census":
        return np.arange(n)
    return np.random.default_rng(seed).permutation(n)


def done_names(path):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return set()
    with open(path, newline="") as fh:
        return {r["name"] for r in csv.DictReader(fh)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "knots.csv"))
    parser.add_argument("--limit", type=int, default=None, help="new rows to write at most")
    parser.add_argument("--start", type=int, default=0, help="skip this many knots of the order")
    parser.add_argument("--order", choices=("shuffled", "census"), default="shuffled")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffled order")
    parser.add_argument("--exact-cusp", action="store_true",
                        help="use SnapPy's default (slower) maximal-cusp computation")
    args = parser.parse_args(argv)
    global EXACT_CUSP
    EXACT_CUSP = args.exact_cusp
    try:
        import snappy
    except ImportError:
        sys.exit("make_knots.py needs the optional package 'snappy' (pip install snappy)")

    census = snappy.HTLinkExteriors(knots_vs_links="knots")
    pool = _Worker(args.exact_cusp)
    seen = done_names(args.out)
    new_file = not seen and not (os.path.exists(args.out) and os.path.getsize(args.out) > 0)
    written = 0
    with open(args.out, "a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        if new_file:
            writer.writeheader()
        for idx in visiting_order(len(census), args.order, args.seed)[args.start:]:
            if args.limit is not None and written >= args.limit:
                break
            manifold = census[int(idx)]
            if manifold.name() in seen:
                continue
            row = pool.row(int(idx))
            if row is None:
                continue
            writer.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
            fh.flush()
            seen.add(row["name"])
            written += 1
    pool.close()


if __name__ == "__main__":
    main()
