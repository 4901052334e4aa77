"""Strict reading in minikan.tools.interop: yes/no flags, empty models, arrays NumPy cannot convert."""
import numpy as np
import pytest

from minikan import KAN
from minikan.tools.interop import from_efficient_kan, from_pykan, to_efficient_kan, to_pykan
from minikan.core.layer import KANLayer

from test_interop import random_effkan_state, random_model

FLAGS = ["symbolic_enabled", "sb_trainable", "sp_trainable", "affine_trainable"]


def _pykan_plain():
    return to_pykan(random_model(bias=False, symbolic=False))


# ------------------------------------------------------------------ flags
@pytest.mark.parametrize("key", FLAGS)
@pytest.mark.parametrize("value", ["False", "no", "yes", "", 2, -1, 0.0, 1.5, None, [True], np.array([1, 0]),
                                   np.int64(2), np.float64(1.0)])
def test_non_boolean_flags_are_refused_naming_the_key(key, value):
    state, config = _pykan_plain()
    config[key] = value
    with pytest.raises(ValueError, match=rf"config\['{key}'\] must be True or False"):
        from_pykan(state, config)


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (1, True), (0, False),
                                             (np.True_, True), (np.False_, False), (np.int64(1), True),
                                             (np.uint8(0), False), (np.array(True), True), (np.array(0), False)])
def test_boolean_flags_are_read_as_such(value, expected):
    state, config = _pykan_plain()
    config.update(sb_trainable=value, sp_trainable=value)
    model = from_pykan(state, config)
    assert model.trainable["w_b"] is expected and model.trainable["w_s"] is expected


@pytest.mark.parametrize("value", ["no", 2, None])
def test_keyword_flags_are_strict_too(value):
    state, config = _pykan_plain()
    with pytest.raises(ValueError, match="fold_scales must be True or False"):
        from_pykan(state, config, fold_scales=value)
    with pytest.raises(ValueError, match="standalone_scale_spline must be True or False"):
        to_efficient_kan(random_model(bias=False, symbolic=False), standalone_scale_spline=value)


# ------------------------------------------------------------------ empty models
def test_an_empty_efficient_kan_state_is_refused():
    with pytest.raises(ValueError, match="at least one layer"):
        from_efficient_kan({}, 5, 3)


@pytest.mark.parametrize("shape", [(0, 2), (2, 0)])
def test_an_efficient_kan_layer_without_outputs_or_inputs_is_refused(shape):
    n_out, n_in = shape
    state = {"base_weight": np.zeros((n_out, n_in)), "spline_weight": np.zeros((n_out, n_in, 8)),
             "spline_scaler": np.ones((n_out, n_in)), "grid": np.tile(np.linspace(-2.2, 2.2, 12), (n_in, 1))}
    with pytest.raises(ValueError, match="width >= 1"):
        from_efficient_kan(state, 5, 3)


def test_from_layers_refuses_no_layers_and_empty_layers():
    with pytest.raises(ValueError, match="at least one layer"):
        KAN.from_layers([])
    grid = np.tile(np.linspace(-2.2, 2.2, 12), (2, 1))
    empty = KANLayer(grid, np.zeros((2, 0, 8)), np.zeros((2, 0)), np.zeros((2, 0)), k=3)
    with pytest.raises(ValueError, match="every width of a KAN must be >= 1"):
        KAN.from_layers([empty])


# ------------------------------------------------------------------ array conversion
def test_ragged_arrays_name_the_key_and_expected_shape():
    state, config = _pykan_plain()
    state["act_fun.0.scale_base"] = [[1.0, 2.0], [3.0]]
    with pytest.raises(ValueError, match=r"pykan state\['act_fun.0.scale_base'\] must be a rectangular array .*"
                                         r"shape \(3, 4\)"):
        from_pykan(state, config)
    effkan = random_effkan_state()
    effkan["layers.0.grid"] = [[0.0, 1.0], [2.0]]
    with pytest.raises(ValueError, match=r"efficient-kan state\['layers.0.grid'\] must be a rectangular array"):
        from_efficient_kan(effkan, 6, 3)


@pytest.mark.parametrize("key", ["base_fun", "base_fun_name"])
def test_an_unhashable_base_function_names_the_key(key):
    state, config = _pykan_plain()
    config.pop("base_fun", None)
    config[key] = ["silu"]
    with pytest.raises(ValueError, match=rf"config\['{key}'\] must be one of"):
        from_pykan(state, config)


def test_malformed_symbolic_names_are_a_clear_error():
    state, config = to_pykan(random_model(bias=False, symbolic=True))
    config["symbolic_funs"] = [5, config["symbolic_funs"][1]]
    with pytest.raises(ValueError, match="symbolic function names of layer 0"):
        from_pykan(state, config)
