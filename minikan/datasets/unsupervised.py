"""The unsupervised toy of Section 4.2 (Figure 4.2): six variables with two hidden dependency groups.

Real rows: x1, x2, x4, x6 ~ U(-1, 1) independently (x5 too, see below), and

* x3 = exp(sin(pi x1) + x2^2)  (the paper's text writes sin(x1); pi follows the worked example of
  Section 2.5.2 and paper-era pykan's version of this task; ``with_pi=False`` gives the text's form);
* x4 = x5^3  (the paper writes x5 = x4^3; only the naming of the pair differs);
* x6 independent of the rest.

Fake rows ("negative samples") permute every column of the real rows independently, which keeps each
variable's distribution and destroys the dependencies. Labels are 1 (real) and 0 (fake).
"""
import numpy as np

from .sampling import Dataset, check_count, check_seed


def dependent_rows(n, rng, with_pi=True):
    """n real rows with the two dependency groups; shape (n, 6)."""
    x = rng.uniform(-1.0, 1.0, size=(n, 6))
    w = np.pi if with_pi else 1.0
    x[:, 2] = np.exp(np.sin(w * x[:, 0]) + x[:, 1] ** 2)
    x[:, 3] = x[:, 4] ** 3
    return x


def permute_columns(x, rng):
    """Shuffle each column of x (N, d) independently (feature corruption); returns a new (N, d) array."""
    return np.column_stack([rng.permutation(col) for col in x.T])


def _half(n, rng, with_pi):
    real = dependent_rows(n, rng, with_pi)
    fake = permute_columns(real, rng)
    X = np.concatenate([real, fake])
    y = np.concatenate([np.ones((n, 1)), np.zeros((n, 1))])
    return X, y


def make_unsupervised_toy(n_train=500, n_test=500, seed=0, with_pi=True):
    """Contrastive data for the [6, 1, 1] KAN of Figure 4.2.

    Returns a ``Dataset`` with train inputs (2 n_train, 6) and labels (2 n_train, 1): the first
    n_train rows real (label 1), the next n_train their column-permuted copies (label 0); the test
    set likewise from fresh draws. One ``default_rng(seed)`` stream: train real, train permutation,
    test real, test permutation.
    """
    n_train = check_count(n_train, "n_train")
    n_test = check_count(n_test, "n_test")
    rng = check_seed(seed)
    Xtr, ytr = _half(n_train, rng, with_pi)
    Xte, yte = _half(n_test, rng, with_pi)
    return Dataset(Xtr, ytr, Xte, yte)
