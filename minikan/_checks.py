"""Input validation at the public boundary: clear errors, no silent broadcasting or casting of bad data."""
import numpy as np


def as_matrix(a, name, n_cols=None, *, allow_empty=False):
    """Return ``a`` as a float64 array of shape ``(N, n_cols)`` or raise a specific error.

    Integers and float32 are cast to float64; bool, complex, object and string arrays raise
    ``TypeError``; a wrong number of dimensions or columns, NaN/inf, or no rows raise
    ``ValueError`` naming the expected shape.
    """
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"{name} must be a numeric array of shape (N, {n_cols or 'n'}), got {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of shape (N, {n_cols or 'n'}); "
                         "its rows have different lengths") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must hold real numbers (int or float), got dtype {arr.dtype}"
        )
    expected = f"(N, {n_cols})" if n_cols is not None else "(N, n)"
    if arr.ndim != 2:
        hint = _one_dimensional_hint(arr, name, n_cols) if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with shape {expected}, got shape {arr.shape}{hint}")
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(f"{name} must have shape {expected}, got shape {arr.shape}")
    if arr.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one row is needed")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.all(np.isfinite(arr), axis=1))
        raise ValueError(f"{name} contains NaN or inf in rows {bad[:10].tolist()}{' ...' if bad.size > 10 else ''}")
    return arr


def _one_dimensional_hint(arr, name, n_cols):
    """The reshape that makes a 1-D array of ``n`` values a valid ``(N, n_cols)`` matrix, if one does:
    ``reshape(-1, 1)`` (``n`` samples) for one column, ``reshape(1, -1)`` (one sample) when ``n``
    equals ``n_cols``, both when the number of columns is not fixed, none otherwise (then
    neither reshape would pass, and the message says how many values one sample has)."""
    if n_cols is None:
        return (f"; for one sample use {name}.reshape(1, -1), "
                f"for {arr.size} samples of one value {name}.reshape(-1, 1)")
    if n_cols == 1:
        return f"; for {arr.size} samples of one value use {name}.reshape(-1, 1)"
    if arr.size == n_cols:
        return f"; for one sample use {name}.reshape(1, -1)"
    return f"; one sample has {n_cols} values, this array has {arr.size}"


def as_xy(X, y, n_in, n_out, names=("X", "y")):
    """Validate a data pair: ``X`` of shape (N, n_in) and ``y`` of shape (N, n_out)."""
    X = as_matrix(X, names[0], n_in)
    y = as_matrix(y, names[1], n_out)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of rows, got {X.shape[0]} and {y.shape[0]}"
        )
    return X, y


INT_MAX = 2 ** 63 - 1  # sizes, counts and seeds beyond int64 overflow NumPy and SciPy further on


def as_int(value, name, low=None):
    """An integer argument (not bool) that is at least ``low`` and fits in int64."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {brief(value)}")
    if value > INT_MAX:
        raise ValueError(f"{name} must be at most 2**63 - 1, got {brief(value)}")
    return int(value)


def brief(value):
    """A number for an error message, without printing all digits of a huge int."""
    if abs(value) < 10 ** 30:
        return str(value)
    # from the bit length: str() of an int past 4300 digits raises in Python >= 3.11
    return f"an int of about {int(int(value).bit_length() * 0.30103) + 1} digits"


def as_float(value, name, low=None, high=None, *, low_open=False):
    """A finite real scalar argument inside the given bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # a Python int beyond float64's range
        raise ValueError(f"{name} must be a finite real number, got {brief(value)}") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def as_choice(value, name, choices):
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_width(width):
    """A network's layer sizes as a list of ints >= 1, at least two of them (input and output)."""
    if isinstance(width, (str, bytes)) or not hasattr(width, "__len__"):
        raise TypeError(f"width must be a list of ints like [2, 5, 1], got {type(width).__name__}")
    width = [as_int(w, "each width entry", 1) for w in width]
    if len(width) < 2:
        raise ValueError(f"width needs at least an input and an output size, got {width}")
    return width


def as_bool(value, name):
    """A flag: ``True`` or ``False`` (NumPy booleans too); anything else raises ``TypeError``
    rather than being read by its truth value (the string ``"False"`` is true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def as_interval(value, name):
    """A pair ``(a, b)`` of finite reals with ``a < b``, returned as two floats."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise TypeError(f"{name} must be a pair (a, b) of numbers, got {value!r}")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair (a, b), got {len(value)} values")
    a, b = (as_float(v, name) for v in value)
    if not a < b:
        raise ValueError(f"{name} must have a < b, got ({a}, {b})")
    return a, b


def as_rng(seed, name="seed", *, allow_none=True):
    """``numpy.random.default_rng(seed)`` for a non-negative int, a sequence of them, a Generator
    (used as given) or None; other values raise with the argument's name. ``allow_none=False``
    refuses None (the data sets must be reproducible from their arguments)."""
    if isinstance(seed, (bool, np.bool_)) or (seed is None and not allow_none):
        raise TypeError(f"{name} must be a non-negative int or a numpy.random.Generator, got {type(seed).__name__}")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{name} must be a non-negative int or a numpy.random.Generator, got {seed!r}") from None
