"""Saving and loading under hostile conditions: interrupted writes and files built to do harm.

A save that fails or is killed must leave the previous file loadable; a load of a crafted file must
answer with a ValueError naming the file and the entry, quickly and without allocating what the
file merely claims to hold.
"""
import io
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import minikan
import minikan.tools.io
from minikan import KAN, LAN, MLP, load

POSIX = os.name == "posix"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(minikan.__file__)))


# ---------------------------------------------------------------------------------- crafting files
def members_of(raw):
    """The archive's members as ``{name: bytes of the .npy file}``, in order."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def zip_of(members, deflated=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data, zipfile.ZIP_DEFLATED if name in deflated else zipfile.ZIP_STORED)
    return buffer.getvalue()


def npy_header(descr, shape):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def central_entry(raw, name):
    """Offset of ``name``'s record in the zip's central directory (sizes at +20 and +24, the name at +46)."""
    name = name.encode()
    at = raw.index(b"PK\x01\x02")
    while raw[at + 46:at + 46 + len(name)] != name:
        at = raw.index(b"PK\x01\x02", at + 4)
    return at


def saved(model):
    buffer = io.BytesIO()
    model.save(buffer)
    return buffer.getvalue()


def config_of(raw):
    return json.loads(str(np.load(io.BytesIO(members_of(raw)["config.npy"]))))


def with_config(raw, config_text):
    members = members_of(raw)
    members["config.npy"] = _npy(np.array(config_text))
    return zip_of(members)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def write(tmp_path, raw, name="hostile.npz"):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def refused(path, *fragments):
    """load(path) raises a ValueError whose message names the file and every fragment."""
    with pytest.raises(ValueError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def refused_cheaply(path, *fragments, limit=20e6):
    """Like :func:`refused`, and the refusal allocates less than ``limit`` bytes at its peak
    (NumPy reports its array buffers to tracemalloc, so a buffer of the claimed size would count)."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak / 1e6:.1f} MB"
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message


SMALL = KAN([2, 2], grid=3, seed=0)
SMALL_RAW = saved(SMALL)


# ---------------------------------------------------------------------------------- oversized members
def test_a_member_declaring_a_huge_size_in_the_zip_directory_is_refused_before_reading(tmp_path):
    raw = bytearray(SMALL_RAW)
    at = central_entry(raw, "layer0.coef.npy")
    raw[at + 24:at + 28] = struct.pack("<I", 0xFFFFFFF0)  # the uncompressed size
    refused(write(tmp_path, bytes(raw)), "'layer0.coef'", "declares 4294967280 bytes")


def _bomb(name, shape, prefix_members):
    """An archive whose member ``name`` is a deflated .npy of zeros with the given shape: a few
    kilobytes on disk, ``8 * prod(shape)`` bytes once read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data in prefix_members.items():
            zf.writestr(member, data)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as f:
            f.write(npy_header("<f8", shape))
            zeros = bytes(1 << 20)
            for _ in range(8 * int(np.prod(shape)) >> 20):
                f.write(zeros)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["junk.npy", "layer0.coef.npy"])
def test_a_deflate_bomb_is_refused_without_being_inflated(member, tmp_path):
    # 64 MiB of zeros in about 64 KiB: an unexpected extra member, and a needed one of the wrong shape
    others = {name: data for name, data in members_of(SMALL_RAW).items() if name != member}
    raw = _bomb(member, (2, 2, 2 << 20), others)
    assert len(raw) < 200_000
    path = write(tmp_path, raw)
    start = time.perf_counter()
    refused_cheaply(path, repr(member[:-4]))
    assert time.perf_counter() - start < 5


def test_an_array_header_claiming_1e13_elements_is_refused_naming_the_entry(tmp_path):
    members = members_of(SMALL_RAW)
    members["layer0.coef.npy"] = npy_header("<f8", (10**13,)) + bytes(64)
    path = write(tmp_path, zip_of(members))
    refused_cheaply(path, "'layer0.coef'", "must have shape")


def test_a_description_implying_huge_arrays_is_refused_before_allocating_them(tmp_path):
    # the header agrees with the description, but the member holds almost nothing: allocating
    # what both claim (10^6 x 10^6 edges) must not happen
    config = config_of(SMALL_RAW)
    n = 10**6
    config["width"] = [n, n]
    config["layers"][0].update(n_in=n, n_out=n)
    members = members_of(SMALL_RAW)
    members["config.npy"] = _npy(np.array(json.dumps(config)))
    members["layer0.grid.npy"] = npy_header("<f8", (n, 3 + 2 * 3 + 1)) + bytes(64)
    path = write(tmp_path, zip_of(members))
    refused_cheaply(path, "'layer0.grid'", "declares")


def test_sizes_in_the_zip_directory_that_deflate_cannot_produce_are_refused(tmp_path):
    raw = zip_of(members_of(SMALL_RAW), deflated={"layer0.coef.npy"})
    raw = bytearray(raw)
    at = central_entry(raw, "layer0.coef.npy")
    compressed = struct.unpack("<I", raw[at + 20:at + 24])[0]
    raw[at + 24:at + 28] = struct.pack("<I", 2000 * compressed)
    refused(write(tmp_path, bytes(raw)), "'layer0.coef'")


# ---------------------------------------------------------------------------------- the JSON description
def test_deeply_nested_json_is_refused(tmp_path):
    path = write(tmp_path, with_config(SMALL_RAW, "[" * 100_000))
    refused(path, "'config'", "nests deeper")
    path = write(tmp_path, with_config(SMALL_RAW, '{"a": ' * 100_000 + "1" + "}" * 100_000))
    refused(path, "nests deeper")
    # brackets inside strings are text, not nesting
    config = config_of(SMALL_RAW)
    config["minikan_version"] = "[" * 1000
    assert load(write(tmp_path, with_config(SMALL_RAW, json.dumps(config)))).width == [2, 2]


@pytest.mark.parametrize("key", ["grid_eps", "grid_margin"])
def test_an_integer_too_large_for_a_float_is_refused(key, tmp_path):
    config = config_of(SMALL_RAW)
    config[key] = 10**400
    refused(write(tmp_path, with_config(SMALL_RAW, json.dumps(config))), "integer of 401 digits")
    text = json.dumps(config_of(SMALL_RAW)).replace('"grid_eps": 1.0', '"grid_eps": 1e400')
    refused(write(tmp_path, with_config(SMALL_RAW, text)), "out of range")


@pytest.mark.parametrize("where, key", [
    (lambda c: c.update(width=[2, 10**40]), "'width'"),
    (lambda c: c["layers"][0].update(G=10**40), "'G'"),
    (lambda c: c["layers"][0].update(k=10**40), "'k'"),
    (lambda c: c["layers"][0].update(n_in=-(10**40)), "'n_in'"),
])
def test_sizes_out_of_range_are_refused_naming_the_setting(where, key, tmp_path):
    config = config_of(SMALL_RAW)
    where(config)
    refused(write(tmp_path, with_config(SMALL_RAW, json.dumps(config))), key, "from 1 to 2147483647"
            if key != "'k'" else "from 0 to 2147483647")


@pytest.mark.parametrize("model", [MLP([2, 3, 1], seed=0), LAN([2, 3, 1], grid=3, seed=0)])
def test_mlp_and_lan_sizes_and_numbers_are_range_checked(model, tmp_path):
    raw = saved(model)
    config = config_of(raw)
    config["width"][1] = 10**40
    refused(write(tmp_path, with_config(raw, json.dumps(config))), "'width'")
    config = config_of(raw)
    config["omega0"] = 10**400
    refused(write(tmp_path, with_config(raw, json.dumps(config))), "401 digits")


def test_an_oversized_description_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(minikan.tools.io, "MAX_CONFIG_CHARS", 200)
    refused(write(tmp_path, SMALL_RAW), "'config'", "more than the 200 allowed")


# ---------------------------------------------------------------------------------- entries
def test_missing_extra_duplicate_and_foreign_entries_are_named(tmp_path):
    members = members_of(SMALL_RAW)
    del members["layer0.mask.npy"]
    refused(write(tmp_path, zip_of(members)), "no array 'layer0.mask'")
    members = members_of(SMALL_RAW)
    members["layer7.coef.npy"] = _npy(np.zeros(3))
    refused(write(tmp_path, zip_of(members)), "does not use", "'layer7.coef'")
    members = members_of(SMALL_RAW)
    members["notes.txt"] = b"hello"
    refused(write(tmp_path, zip_of(members)), "'notes.txt'", "not a NumPy array")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf, pytest.warns(UserWarning, match="Duplicate"):
        for name, data in members_of(SMALL_RAW).items():
            zf.writestr(name, data)
        zf.writestr("layer0.coef.npy", members_of(SMALL_RAW)["layer0.coef.npy"])
    refused(write(tmp_path, buffer.getvalue()), "'layer0.coef'", "twice")


def test_truncated_files_are_refused_naming_the_file(tmp_path):
    for size in (0, 10, 100, len(SMALL_RAW) // 2, len(SMALL_RAW) - 30, len(SMALL_RAW) - 1):
        refused(write(tmp_path, SMALL_RAW[:size]))


def test_an_array_whose_data_is_cut_short_is_refused(tmp_path):
    members = members_of(SMALL_RAW)
    members["layer0.coef.npy"] = members["layer0.coef.npy"][:-8]
    refused(write(tmp_path, zip_of(members)), "'layer0.coef'")


def test_object_arrays_in_needed_entries_are_refused_unread(tmp_path):
    members = members_of(SMALL_RAW)
    members["layer0.w_b.npy"] = npy_header("|O", (2, 2)) + b"\x80\x04not a pickle at all"
    refused(write(tmp_path, zip_of(members)), "'layer0.w_b'", "float64")


def test_fortran_ordered_and_deflated_members_still_load_exactly(tmp_path):
    members = members_of(SMALL_RAW)
    coef = np.load(io.BytesIO(members["layer0.coef.npy"]))
    members["layer0.coef.npy"] = _npy(np.asfortranarray(coef))
    path = write(tmp_path, zip_of(members, deflated=set(members)))
    copy = load(path)
    assert np.array_equal(copy.layers[0].coef, SMALL.layers[0].coef)
    X = np.linspace(-1, 1, 10).reshape(5, 2)
    assert np.array_equal(copy.predict(X), SMALL.predict(X))


# ---------------------------------------------------------------------------------- interrupted saves
def test_a_failing_save_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    SMALL.save(path)
    before = path.read_bytes()

    def fail_midway(f, **arrays):
        f.write(b"PK\x03\x04 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", fail_midway)
    with pytest.raises(OSError, match="No space"):
        KAN([2, 3, 1], seed=1).save(path)

    def interrupted(f, **arrays):
        f.write(b"PK\x03\x04 partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        KAN([2, 3, 1], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]
    assert np.array_equal(load(path).layers[0].coef, SMALL.layers[0].coef)


@pytest.mark.skipif(not POSIX, reason="file-size limits and SIGXFSZ are POSIX")
def test_a_save_stopped_by_a_file_size_limit_keeps_the_previous_file(tmp_path):
    path = tmp_path / "model.npz"
    SMALL.save(path)
    before = path.read_bytes()
    # a child process with a 64 KiB limit on file size saves a model of about 1 MB; with SIGXFSZ
    # ignored, the write fails with EFBIG (as on a full disk) instead of killing the process
    child = (
        "import resource, signal, sys\n"
        "from minikan import MLP\n"
        "model = MLP([300, 400, 1], seed=0)\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))\n"
        "try:\n"
        "    model.save(sys.argv[1])\n"
        "except OSError as err:\n"
        "    print('refused', err.errno)\n"
        "else:\n"
        "    print('saved')\n"
    )
    env = dict(os.environ, PYTHONPATH=REPO, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run([sys.executable, "-c", child, str(path)], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.stdout.startswith("refused"), result.stdout + result.stderr
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]
    assert np.array_equal(load(path).layers[0].coef, SMALL.layers[0].coef)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork and SIGKILL")
def test_a_save_killed_at_any_moment_leaves_a_loadable_file(tmp_path):
    path = tmp_path / "model.npz"
    old, new = MLP([400, 400, 1], seed=1), MLP([400, 400, 1], seed=2)  # about 1.3 MB each
    old.save(path)
    # a child saves the two models in turn until it is killed with SIGKILL (no cleanup runs) at
    # delays spread over a few save durations; every time, the file holds one complete model
    for delay in np.linspace(0.001, 0.04, 25):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns to the test runner
            try:
                while True:
                    new.save(path)
                    old.save(path)
            finally:
                os._exit(0)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        loaded = load(path)
        assert any(np.array_equal(loaded.weights[0], m.weights[0]) for m in (old, new))
    # a killed save can leave its temporary file, named after the target, and nothing else
    assert all(name == "model.npz" or (name.startswith(".model.npz.") and name.endswith(".tmp"))
               for name in os.listdir(tmp_path))


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits and symbolic links")
def test_replacing_keeps_the_file_mode_and_writes_through_symbolic_links(tmp_path):
    path = tmp_path / "model.npz"
    SMALL.save(path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # as open(path, "wb") would give
    path.chmod(0o640)
    SMALL.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    link = tmp_path / "link.npz"
    link.symlink_to(path)
    KAN([2, 3, 1], seed=1).save(link)
    assert link.is_symlink() and load(path).width == [2, 3, 1]


def test_a_large_compressed_description_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    # JSON costs the parser far more memory than its text, and deflate packs it a thousandfold:
    # past a modest size the description must be stored as save writes it
    monkeypatch.setattr(minikan.tools.io, "MAX_DEFLATED_CONFIG_CHARS", 100)
    refused(write(tmp_path, zip_of(members_of(SMALL_RAW), deflated={"config.npy"})), "'config'",
            "stored uncompressed")
    assert load(write(tmp_path, SMALL_RAW)).width == [2, 2]  # stored, as save writes it: fine
