"""Slow, obviously-correct reference implementations used only by the tests."""


def naive_bspline(x, t, j, k):
    """B_{j,k}(x) by the textbook Cox–de Boor recursion on a scalar, with 0/0 := 0.

    Degree-0 pieces are half-open [t_j, t_{j+1}), except the last non-empty piece, which is closed
    at the last knot (minikan's convention, the same as SciPy's).
    """
    if k == 0:
        if t[j] <= x < t[j + 1]:
            return 1.0
        last = max(i for i in range(len(t) - 1) if t[i] < t[i + 1])
        return 1.0 if (j == last and x == t[-1]) else 0.0
    value = 0.0
    if t[j + k] != t[j]:
        value += (x - t[j]) / (t[j + k] - t[j]) * naive_bspline(x, t, j, k - 1)
    if t[j + k + 1] != t[j + 1]:
        value += (t[j + k + 1] - x) / (t[j + k + 1] - t[j + 1]) * naive_bspline(x, t, j + 1, k - 1)
    return value
