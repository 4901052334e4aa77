"""Calls written the pykan way: ``fit(dataset)`` with pykan's dict, option names in pykan's case.

docs/pykan_calls.md has the call-by-call table; these tests pin the calls it says work.
"""
import numpy as np
import pytest

from minikan import KAN, MLP
from minikan.datasets import make_dataset

# small models on little data: hidden-layer samples often leave the grid, which is not the point here
pytestmark = pytest.mark.filterwarnings("ignore::minikan.core.grid_update.OutOfGridWarning")


def toy(seed=0):
    return make_dataset(lambda X: np.exp(np.sin(np.pi * X[:, [0]]) + X[:, [1]] ** 2), n_var=2,
                        n_train=60, n_test=40, seed=seed)


def same_history(a, b):
    for key in ("step", "train_loss", "train_rmse", "test_loss", "test_rmse", "n_evals"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("kind", ["dict", "Dataset"])
def test_fit_takes_pykans_dataset_dict(kind):
    ds = toy()
    dataset = ds.as_dict() if kind == "dict" else ds
    model, reference = KAN([2, 3, 1], grid=3, seed=0), KAN([2, 3, 1], grid=3, seed=0)
    history = model.fit(dataset, steps=15)
    expected = reference.fit(ds.train_input, ds.train_label, ds.test_input, ds.test_label, steps=15)
    same_history(history, expected)
    np.testing.assert_array_equal(model.get_flat(), reference.get_flat())
    assert np.all(np.isfinite(history["test_rmse"]))


def test_a_dataset_without_test_keys_trains_without_test_numbers():
    ds = toy()
    history = MLP([2, 4, 1], seed=0).fit({"train_input": ds.train_input, "train_label": ds.train_label}, steps=5)
    assert len(history["step"]) == 5 and np.all(np.isnan(history["test_rmse"]))


def test_dataset_mistakes_are_refused_with_a_clear_error():
    ds = toy().as_dict()
    model = KAN([2, 1], grid=3, seed=0)
    with pytest.raises(TypeError, match="do not also pass y"):
        model.fit(ds, ds["train_label"])
    with pytest.raises(TypeError, match="do not also pass X_test, y_test"):
        model.fit(ds, None, ds["test_input"], ds["test_label"])
    with pytest.raises(ValueError, match=r"keys \['train_id'\] that fit does not use"):
        model.fit(dict(ds, train_id=np.arange(3)))
    with pytest.raises(ValueError, match=r"lacks \['train_label'\]"):
        model.fit({"train_input": ds["train_input"]})
    with pytest.raises(ValueError, match="both 'test_input' and 'test_label'"):
        model.fit({k: ds[k] for k in ("train_input", "train_label", "test_input")})
    with pytest.raises(TypeError, match="fit needs the targets y"):
        model.fit(ds["train_input"])
    with pytest.raises(ValueError, match="must have the same number of rows"):  # the arrays are still checked
        model.fit(dict(ds, train_label=ds["train_label"][:5]))


@pytest.mark.parametrize("spelling, canonical", [("LBFGS", "lbfgs"), ("Adam", "adam"), ("ADAM", "adam")])
def test_optimizer_names_in_any_case(spelling, canonical):
    ds = toy()
    a, b = KAN([2, 2, 1], grid=3, seed=0), KAN([2, 2, 1], grid=3, seed=0)
    same_history(a.fit(ds, opt=spelling, steps=6), b.fit(ds, opt=canonical, steps=6))
    np.testing.assert_array_equal(a.get_flat(), b.get_flat())


def test_an_unknown_optimizer_names_the_canonical_choices():
    with pytest.raises(ValueError, match=r"opt must be one of \['adam', 'lbfgs'\], got 'SGD'"):
        KAN([2, 1], grid=3, seed=0).fit(toy(), opt="SGD", steps=2)


def test_loss_names_in_any_case():
    ds = toy()
    a, b = MLP([2, 3, 1], seed=0), MLP([2, 3, 1], seed=0)
    same_history(a.fit(ds, loss="MSE", steps=4), b.fit(ds, loss="mse", steps=4))
    X = ds.train_input
    labels = (X[:, 0] > 0).astype(int)
    h = KAN([2, 2], grid=3, seed=0).fit(X, labels, loss="Cross_Entropy", steps=3)
    assert "train_acc" in h
