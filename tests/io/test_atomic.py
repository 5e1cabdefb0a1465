import os
import signal
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from seg_widget.io import atomic as atomic_module
from seg_widget.io import (
    atomic_write_bytes,
    atomic_writer,
    load_mask,
    save_annotation_file,
    save_mask,
)


def _leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_write_creates_the_file_with_the_bytes(tmp_path):
    target = tmp_path / "a.bin"
    atomic_write_bytes(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert _leftovers(tmp_path) == []


def test_write_replaces_an_existing_file(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    atomic_write_bytes(target, bytearray(b"new"))
    assert target.read_bytes() == b"new"


def test_text_mode_writes_utf8_with_newlines_untranslated(tmp_path):
    target = tmp_path / "a.txt"
    with atomic_writer(target, "w") as file:
        file.write("chat noir\nété\n")
    assert target.read_bytes() == "chat noir\nété\n".encode()


def test_crash_before_rename_keeps_the_previous_file_and_removes_the_temporary(
    tmp_path, monkeypatch
):
    target = tmp_path / "mask.png"
    previous = np.array([[0, 1], [2, 1]], np.uint8)
    save_mask(target, previous, classes=["bg", "a", "b"])
    before = target.read_bytes()

    def crash(source, destination):
        raise OSError("simulated crash between write and rename")

    monkeypatch.setattr(atomic_module.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        save_mask(target, np.zeros((2, 2), np.uint8))
    monkeypatch.undo()
    assert target.read_bytes() == before
    np.testing.assert_array_equal(load_mask(target), previous)
    assert _leftovers(tmp_path) == []


def test_exception_inside_the_block_leaves_the_target_untouched(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as file:
        file.write(b"partial")
        raise RuntimeError("stop")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_process_killed_between_write_and_rename_leaves_the_previous_file_loadable(tmp_path):
    target = tmp_path / "mask.npy"
    previous = np.arange(12, dtype=np.uint8).reshape(3, 4)
    save_mask(target, previous)
    script = textwrap.dedent(
        f"""
        import os, signal
        import numpy as np
        from seg_widget.io import atomic, save_mask

        def die(*args):
            os.kill(os.getpid(), signal.SIGKILL)

        atomic.os.replace = die
        save_mask({str(target)!r}, np.full((3, 4), 7, np.uint8))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    np.testing.assert_array_equal(load_mask(target), previous)
    # The killed process could not clean up: its complete temporary file is left, hidden.
    (leftover,) = _leftovers(tmp_path)
    assert leftover.startswith(".mask.npy.")
    np.testing.assert_array_equal(np.load(tmp_path / leftover), np.full((3, 4), 7))


def test_file_and_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(
        atomic_module.os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd)
    )
    monkeypatch.setattr(
        atomic_module.os, "replace", lambda a, b: events.append("replace") or real_replace(a, b)
    )
    atomic_write_bytes(tmp_path / "a.bin", b"x")
    assert events == ["fsync", "replace", "fsync"]


def test_permissions_of_a_replaced_file_are_kept(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_new_file_gets_default_permissions_not_private_ones(tmp_path):
    target = tmp_path / "a.bin"
    atomic_write_bytes(target, b"x")
    reference = tmp_path / "plain.bin"
    reference.write_bytes(b"x")
    assert stat.S_IMODE(os.stat(target).st_mode) == stat.S_IMODE(os.stat(reference).st_mode)


def test_writing_through_a_symlink_replaces_the_linked_file(tmp_path):
    real = tmp_path / "real.bin"
    real.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_missing_folder_is_a_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=r"path: expected the folder of .* to exist"):
        atomic_write_bytes(tmp_path / "missing" / "a.bin", b"x")


def test_folder_as_target_is_refused(tmp_path):
    with pytest.raises(ValueError, match="path: expected a file name; got the folder"):
        atomic_write_bytes(tmp_path, b"x")


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="mode: expected one of"):
        atomic_writer(tmp_path / "a", "ab").__enter__()
    assert list(tmp_path.iterdir()) == []


def test_non_bytes_data_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="data: expected bytes; got str"):
        atomic_write_bytes(tmp_path / "a", "text")


def test_non_path_is_a_type_error():
    with pytest.raises(TypeError, match=r"path: expected a str or os\.PathLike; got int"):
        atomic_write_bytes(3, b"x")


def test_a_symlink_leading_out_of_its_folder_is_refused_and_the_outside_file_kept(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"precious")
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "labelmap.txt").symlink_to(outside)
    with pytest.raises(ValueError, match=r"refusing to write through the symbolic link .*"):
        atomic_write_bytes(folder / "labelmap.txt", b"overwritten")
    assert outside.read_bytes() == b"precious"
    assert _leftovers(folder) == []


def test_a_symlink_to_a_file_inside_its_folder_is_written_through(tmp_path):
    (tmp_path / "sub").mkdir()
    real = tmp_path / "sub" / "real.bin"
    real.write_bytes(b"old")
    (tmp_path / "link.bin").symlink_to(real)
    atomic_write_bytes(tmp_path / "link.bin", b"new")
    assert real.read_bytes() == b"new"


def test_the_returned_stamp_is_the_written_files(tmp_path):
    target = tmp_path / "a.bin"
    stamp = atomic_write_bytes(target, b"abc")
    assert stamp == atomic_module.file_stamp(target)
    assert atomic_write_bytes(target, b"abc") != stamp  # a new file, even with equal bytes


def test_stale_temporaries_of_dead_writers_are_removed_and_nothing_else(tmp_path):
    dead = [".mask.png.0badc0de.tmp", ".other.json.12345678.tmp"]
    kept = ["mask.png", "notes.tmp", ".mask.png.tmp", ".mask.png.0BADC0DE.tmp", ".x.1234567.tmp"]
    for name in dead + kept:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".link.png.0badc0de.tmp").symlink_to(tmp_path / "mask.png")
    kept.append(".link.png.0badc0de.tmp")
    assert atomic_module.remove_stale_temporaries(tmp_path, target="mask.png") == [dead[0]]
    assert atomic_module.remove_stale_temporaries(tmp_path) == [dead[1]]
    assert sorted(os.listdir(tmp_path)) == sorted(kept)


def test_a_live_writers_temporary_is_left_alone(tmp_path):
    target = tmp_path / "mask.png"
    with atomic_writer(target, "wb") as file:
        file.write(b"being written")
        (temporary,) = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
        assert atomic_module.remove_stale_temporaries(tmp_path) == []
        assert (tmp_path / temporary).exists()
    assert target.read_bytes() == b"being written"
    assert _leftovers(tmp_path) == []


def test_a_killed_writers_temporary_is_removed_by_the_next_save_of_that_file(tmp_path):
    target = tmp_path / "mask.png"
    save_mask(target, np.ones((2, 2), np.uint8))
    script = textwrap.dedent(
        f"""
        import os, signal
        from seg_widget.io import atomic_writer
        with atomic_writer({str(target)!r}, "wb") as file:
            file.write(b"half")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    child = subprocess.run([sys.executable, "-c", script], check=False)
    assert child.returncode == -signal.SIGKILL
    assert len(_leftovers(tmp_path)) == 1
    save_annotation_file(target, np.zeros((2, 2), np.uint8), ["bg", "a"])
    assert _leftovers(tmp_path) == []
