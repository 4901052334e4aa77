"""minikan.tools.verify against hostile folders and files: links, FIFOs, oversized or malformed sizes."""
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from minikan.tools import verify

GOLDEN = verify.GOLDEN_DIR
POSIX = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "symlink"), reason="needs POSIX links and FIFOs")
ROOT = Path(__file__).resolve().parents[1]


def _copy_with(directory, name, **changes):
    """A copy of a committed golden file with some arrays replaced."""
    data = verify.load(GOLDEN / f"{name}.npz")
    data.update(changes)
    path = directory / f"{name}.npz"
    np.savez(path, **data)
    return path


def _cli(*args, timeout=20):
    """The command line in a fresh interpreter; a hang fails the test instead of the run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "minikan.tools.verify", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


# ------------------------------------------------------------------ what is read
@POSIX
def test_a_linked_npz_pointing_outside_the_folder_is_not_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = _copy_with(outside, "basis_uniform")
    folder = tmp_path / "checked"
    folder.mkdir()
    os.symlink(target, folder / "basis_uniform.npz")
    before = target.stat()
    with pytest.raises(ValueError, match="symbolic link"):
        verify.check(folder)
    with pytest.raises(ValueError, match="symbolic link"):
        verify.load(folder / "basis_uniform.npz")
    after = target.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    run = _cli(folder)
    assert run.returncode == 1 and "symbolic link" in run.stderr and "Traceback" not in run.stderr


@POSIX
def test_a_fifo_named_npz_does_not_hang_the_check(tmp_path):
    _copy_with(tmp_path, "basis_uniform")
    os.mkfifo(tmp_path / "x.npz")
    with pytest.raises(ValueError, match="FIFO"):
        verify.check(tmp_path)
    with pytest.raises(ValueError, match="FIFO"):
        verify.load(tmp_path / "x.npz")
    run = _cli(tmp_path)
    assert run.returncode == 1 and "FIFO" in run.stderr and "Traceback" not in run.stderr
    run = _cli(tmp_path / "x.npz")
    assert run.returncode == 1 and "FIFO" in run.stderr


@POSIX
def test_write_refuses_a_link_at_a_target_name(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "manifest.json")
    with pytest.raises(ValueError, match="symbolic link"):
        verify.write(out)
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]  # nothing half-written
    run = _cli("--write", out)
    assert run.returncode == 1 and "symbolic link" in run.stderr and "Traceback" not in run.stderr
    assert victim.read_text() == "keep me"


def test_write_replaces_regular_files_and_leaves_no_temporary_files(tmp_path):
    (tmp_path / "basis_uniform.npz").write_text("old")
    verify.write(tmp_path)
    verify.write(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{q}.npz" for q in verify.QUANTITIES] + ["manifest.json"])
    assert all(r.passed for r in verify.check(tmp_path))


def test_cli_reports_unwritable_target_without_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = _cli("--write", blocker / "sub")
    assert run.returncode == 1 and run.stderr.startswith("error:") and "Traceback" not in run.stderr


# ------------------------------------------------------------------ sizes a file controls
def test_a_huge_G_new_is_refused_before_any_allocation(tmp_path):
    path = _copy_with(tmp_path, "grid_extension", G_new=np.int64(10 ** 7))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="G_new"):
            verify.check_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2 ** 20


@pytest.mark.parametrize("name, key, value", [
    ("symbolic_fit", "grid_number", np.int64(10 ** 5)),
    ("symbolic_fit", "iterations", np.int64(10 ** 9)),
    ("symbolic_fit", "grid_number", np.int64(2)),
    ("basis_uniform", "k", np.int64(50)),
    ("grid_extension", "G_new", np.float64(1e300)),
    ("grid_extension", "G_new", np.int64(0)),
])
def test_sizes_beyond_the_limits_are_refused_naming_the_key(tmp_path, name, key, value):
    with pytest.raises(ValueError, match=f"{name}.*'{key}'"):
        verify.check_file(_copy_with(tmp_path, name, **{key: value}))


def test_a_long_search_is_refused_even_when_each_size_is_allowed(tmp_path):
    path = _copy_with(tmp_path, "symbolic_fit", grid_number=np.int64(1000), iterations=np.int64(100))
    with pytest.raises(ValueError, match="symbolic fit.*evaluations"):
        verify.check_file(path)


@pytest.mark.parametrize("name, key, value", [
    ("basis_uniform", "k", np.float64(3.7)),
    ("layer_forward", "k", np.float64(3.7)),
    ("grid_extension", "G_new", np.float64(10.5)),
    ("basis_uniform", "k", np.str_("3")),
    ("basis_uniform", "k", np.array([3, 3])),
    ("basis_uniform", "k", np.True_),
    ("model_forward", "width", np.array([3.0, 4.5, 2.0, 1.0])),
    ("regularizer", "mu1", np.str_("one")),
    ("grid_update", "grid_eps", np.float64(np.nan)),
    ("symbolic_fit", "function", np.float64(1.0)),
    ("symbolic_fit", "a_range", np.array([0.0, 1.0, 2.0])),
    ("layer_forward", "base_fun", np.array(["silu", "silu"])),
])
def test_malformed_inputs_name_the_file_and_key(tmp_path, name, key, value):
    path = _copy_with(tmp_path, name, **{key: value})
    with pytest.raises((ValueError, TypeError), match=f"{name}.npz.*'{key}"):
        verify.check_file(path)


def test_an_integral_float_size_is_read_as_that_integer(tmp_path):
    path = _copy_with(tmp_path, "basis_uniform", k=np.float64(3.0))
    assert all(r.passed for r in verify.check_file(path))


def test_a_width_that_disagrees_with_the_layers_is_refused(tmp_path):
    path = _copy_with(tmp_path, "model_forward", width=np.array([3, 5, 2, 1]))
    with pytest.raises(ValueError, match=r"input 'width' is \[3, 5, 2, 1\] but the layer arrays"):
        verify.check_file(path)


@pytest.mark.parametrize("value", [np.str_("one"), np.array([1, 1]), np.float64(1.5), np.True_])
def test_a_malformed_format_version_names_the_file_and_key(tmp_path, value):
    path = _copy_with(tmp_path, "basis_uniform", format_version=value)
    with pytest.raises(ValueError, match=r"basis_uniform\.npz.*'format_version'"):
        verify.check_file(path)
    run = _cli(path)
    assert run.returncode == 1 and "format_version" in run.stderr and "Traceback" not in run.stderr


def test_a_malformed_quantity_names_the_file_and_key(tmp_path):
    path = _copy_with(tmp_path, "basis_uniform", quantity=np.array(["basis_uniform", "x"]))
    with pytest.raises(ValueError, match=r"basis_uniform\.npz.*'quantity'"):
        verify.check_file(path)


def test_an_array_header_larger_than_its_data_is_refused(tmp_path):
    import zipfile
    path = tmp_path / "big.npz"
    header = {"descr": "<f8", "fortran_order": False, "shape": (10 ** 6, 10 ** 6)}
    with zipfile.ZipFile(path, "w") as archive, archive.open("x.npy", "w") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * 64)
    with pytest.raises(ValueError, match="big.npz.*'x'.*declares shape"):
        verify.load(path)


def test_non_array_members_are_refused(tmp_path):
    import zipfile
    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="odd.npz.*notes.txt"):
        verify.load(path)
