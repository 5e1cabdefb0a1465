"""The local folder store: atomic, exclusive writes with files only, paths kept inside."""

import os

import pytest

from seg_widget.io.storage import ConditionalWritesError, LocalStore, ObjectExistsError


def _files(folder):
    return sorted(
        os.path.relpath(os.path.join(path, name), folder)
        for path, _, names in os.walk(folder)
        for name in names
    )


def test_create_leaves_only_the_object_behind(tmp_path):
    store = LocalStore(tmp_path)
    store.create("versions/cat/v1.png", b"\x89PNG...")
    with pytest.raises(ObjectExistsError):
        store.create("versions/cat/v1.png", b"other")
    assert _files(tmp_path) == [os.path.join("versions", "cat", "v1.png")]


def test_replace_keeps_the_store_lock_file_only(tmp_path):
    store = LocalStore(tmp_path)
    etag = store.create("leases/a.json", b"1").etag
    store.replace("leases/a.json", b"2", etag=etag)
    assert _files(tmp_path) == [".seg-widget.lock", os.path.join("leases", "a.json")]
    assert store.list() == [store.stat("leases/a.json")]


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    masks = tmp_path / "masks"
    masks.mkdir()
    (masks / "current").symlink_to(outside, target_is_directory=True)
    store = LocalStore(masks)
    with pytest.raises(ValueError, match="resolves to"):
        store.put("current/a.json", b"x")
    assert list(outside.iterdir()) == []


def test_a_file_system_without_hard_links_refuses_team_mode(tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    store = LocalStore(tmp_path)
    assert not store.conditional_writes
    with pytest.raises(ConditionalWritesError, match="refused a hard link"):
        store.require_conditional_writes()
    with pytest.raises(ConditionalWritesError, match="exclusive create needs hard links"):
        store.create("leases/a.json", b"x")
    assert store.stat("leases/a.json") is None
    assert _files(tmp_path) == []


def test_the_folder_clock_follows_the_files_it_stamps(tmp_path):
    store = LocalStore(tmp_path)
    written = store.put("a.json", b"x")
    assert written.modified <= store.now() <= written.modified + 5
