"""Data losses: values by hand, gradients by finite differences, classification through ``fit``."""
import numpy as np
import pytest

from minikan import KAN, numerical_gradient
from minikan.core.losses import accuracy, cross_entropy, log_softmax, mse
from minikan.core.objective import evaluate


def test_mse_value_and_gradient():
    rng = np.random.default_rng(0)
    pred, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    value, dpred = mse(pred, y)
    assert abs(value - np.sum((pred - y) ** 2) / 15) <= 1e-15
    num = numerical_gradient(lambda p: mse(p, y)[0], pred)
    np.testing.assert_allclose(dpred, num, rtol=0, atol=1e-10)


def test_cross_entropy_matches_a_hand_computation_and_finite_differences():
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    labels = np.array([0, 1])
    p0 = np.exp(2.0) / (np.exp(2.0) + 1.0 + np.exp(-1.0))
    p1 = np.exp(0.5) / (2 * np.exp(0.5) + np.exp(3.0))
    value, dlogits = cross_entropy(logits, labels)
    assert abs(value - (-(np.log(p0) + np.log(p1)) / 2)) <= 1e-15
    num = numerical_gradient(lambda z: cross_entropy(z, labels)[0], logits)
    np.testing.assert_allclose(dlogits, num, rtol=0, atol=1e-10)
    assert accuracy(logits, labels) == 0.5


def test_cross_entropy_is_finite_for_huge_logits():
    logits = np.array([[1e300, -1e300], [-800.0, 800.0]])
    value, grad = cross_entropy(logits, np.array([0, 0]))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert abs(value - 800.0) <= 1e-9  # the second row costs 1600, the first 0
    np.testing.assert_allclose(np.exp(log_softmax(logits)).sum(axis=1), 1.0)


def test_kan_classifier_learns_intervals_and_reports_accuracy():
    # class = which third of [-1, 1] the input falls in (Figure 4.1(c) in small)
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(300, 1))
    labels = np.digitize(X[:, 0], [-1 / 3, 1 / 3])
    X_test = rng.uniform(-1, 1, size=(300, 1))
    labels_test = np.digitize(X_test[:, 0], [-1 / 3, 1 / 3])
    model = KAN([1, 3], grid=5, k=3, seed=0)
    h = model.fit(X, labels, X_test, labels_test, loss="cross_entropy", steps=100)
    assert set(h) >= {"train_loss", "test_loss", "train_acc", "test_acc", "reg"}
    assert "train_rmse" not in h
    assert h["train_loss"][-1] < 0.5 * h["train_loss"][0]
    assert h["test_acc"][-1] >= 0.95, h["test_acc"][-1]
    assert abs(h["test_acc"][-1] - accuracy(model.predict(X_test), labels_test)) == 0.0


def test_cross_entropy_gradient_through_a_kan():
    rng = np.random.default_rng(2)
    model = KAN([2, 3, 4], grid=4, seed=1)
    X = rng.uniform(-1, 1, size=(10, 2))
    labels = rng.integers(0, 4, size=10)
    theta = model.get_flat()
    grad = evaluate(model, theta, X, labels, loss=cross_entropy)[1]
    num = numerical_gradient(lambda t: evaluate(model, t, X, labels, loss=cross_entropy)[0], theta, eps=1e-6)
    assert np.abs(num - grad).max() <= 1e-7 * np.abs(grad).max()


@pytest.mark.parametrize("labels, match", [
    (np.zeros((5, 1), dtype=int), "shape"),
    (np.zeros(5), "integer"),
    (np.array([0, 1, 2, 3, 1]), "0..2"),
    (np.array([0, -1, 2, 1, 1]), "0..2"),
])
def test_cross_entropy_labels_are_checked(labels, match):
    model = KAN([2, 3], grid=3, seed=0)
    with pytest.raises(ValueError, match=match):
        model.fit(np.zeros((5, 2)), labels, loss="cross_entropy", steps=1)


def test_unknown_loss_and_custom_loss():
    model = KAN([1, 1], grid=3, seed=0)
    X, y = np.linspace(-1, 1, 20)[:, None], np.linspace(-1, 1, 20)[:, None] ** 2
    with pytest.raises(ValueError, match="loss"):
        model.fit(X, y, loss="hinge", steps=1)

    def mean_abs(pred, target):  # a user's own loss: (value, dpred)
        r = pred - target
        return float(np.mean(np.abs(r))), np.sign(r) / r.size

    h = model.fit(X, y, loss=mean_abs, steps=30)
    assert set(h) >= {"train_loss", "test_loss"} and "train_rmse" not in h
    assert h["train_loss"][-1] < h["train_loss"][0]
