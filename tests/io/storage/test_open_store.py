"""Opening stores from paths and URLs; stores without conditional writes refuse team mode."""

import pytest

from seg_widget.io.storage import ConditionalWritesError, LocalStore, open_store
from seg_widget.io.team import Claims, Reviews, Versions


def test_a_plain_path_a_pathlike_and_a_file_url_open_the_same_folder(tmp_path):
    folder = tmp_path / "masks"
    open_store(str(folder)).put("a/b.json", b"1")
    assert (folder / "a" / "b.json").read_bytes() == b"1"
    for url in (folder, folder.as_uri()):
        store = open_store(url)
        assert isinstance(store, LocalStore)
        assert store.read("a/b.json").data == b"1"


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    (tmp_path / "masks").write_text("not a folder")
    with pytest.raises(ValueError, match="url: expected a folder; got the file"):
        open_store(tmp_path / "masks")


def test_a_store_without_conditional_writes_refuses_team_mode_and_says_why():
    store = open_store("memory://team-test/masks")
    store.put("notes.txt", b"single-user writes work")
    assert not store.conditional_writes
    for make in (
        lambda: Claims(store, "alice"),
        lambda: Versions(store, "alice", ["bg", "cat"]),
        lambda: Reviews(store, "alice"),
    ):
        with pytest.raises(ConditionalWritesError, match=r"memory:// stores; use an S3 bucket"):
            make()
    assert [stat.key for stat in store.list()] == ["notes.txt"]


def test_a_protocol_whose_package_is_missing_is_named():
    with pytest.raises(ValueError, match=r"url: 'oci://bucket/masks' needs a package"):
        open_store("oci://bucket/masks")


def test_an_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="url: expected a folder or an fsspec URL"):
        open_store("nosuch://bucket/masks")


@pytest.mark.parametrize(("url", "error"), [(3, TypeError), ("", ValueError)])
def test_bad_urls_are_refused(url, error):
    with pytest.raises(error, match="url: expected"):
        open_store(url)
