"""Datasets for every experiment of the KAN paper (arXiv 2404.19756), all generated offline.

* ``make_dataset``: uniform samples of a function on a box (pykan's ``create_dataset``, seeded locally)
* ``TOY_FUNCTIONS`` / ``make_toy``: Sections 2.4, 3.1, 4.1
* ``SPECIAL_FUNCTIONS`` / ``make_special``: Table 2, Section 3.2
* ``FEYNMAN`` / ``make_feynman``: Table 3, Section 3.3
* ``continual_peaks``: Figure 3.4, Section 3.5
* ``make_unsupervised_toy``: Figure 4.2, Section 4.2
* ``load_knots``: Section 4.3 (the table is made by ``paper_figures/data/make_knots.py``)
* ``anderson_samples`` / ``make_anderson``: Section 4.4 (Mosaic, GAAM, MAAM)
* ``load_image`` / ``image_to_xy``: Figure B.3

Every function returns float64 arrays with inputs shaped (N, n_var) and labels (N, n_out), takes an
explicit ``seed`` where it samples, and writes no files.
"""
from .anderson import (AndersonSamples, anderson_samples, fractal_dimension, gaam_hamiltonian,
                       gaam_localized, maam_hamiltonian, maam_localized, make_anderson,
                       mosaic_hamiltonian, mosaic_localized)
from .categorical import first_digit, make_first_digit, one_hot
from .continual import continual_peaks, peak_centers, peaks
from .feynman import FEYNMAN, FeynmanEquation, feynman_equation, make_feynman
from .image import image_to_xy, load_image, psnr, synthetic_image
from .knots import KnotData, load_knots, round_to_even, signature_classes, slope
from .sampling import Dataset, make_dataset
from .special import SPECIAL_FUNCTIONS, SpecialFunction, make_special, special_function
from .toy import TOY_FUNCTIONS, ToyFunction, make_toy
from .unsupervised import make_unsupervised_toy, permute_columns

__all__ = [
    "AndersonSamples", "Dataset", "FEYNMAN", "FeynmanEquation", "KnotData", "SPECIAL_FUNCTIONS",
    "SpecialFunction", "TOY_FUNCTIONS", "ToyFunction", "anderson_samples", "continual_peaks",
    "feynman_equation", "first_digit", "fractal_dimension", "gaam_hamiltonian", "gaam_localized",
    "image_to_xy", "load_image", "load_knots", "maam_hamiltonian", "maam_localized",
    "make_anderson", "make_dataset", "make_feynman", "make_first_digit", "make_special", "make_toy",
    "make_unsupervised_toy", "mosaic_hamiltonian", "mosaic_localized", "one_hot", "peak_centers",
    "peaks", "permute_columns", "psnr", "round_to_even", "signature_classes", "slope",
    "special_function", "synthetic_image",
]
