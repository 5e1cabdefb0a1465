import numpy as np
import pytest

from seg_widget.core import BBox, History, RegionDiff


def _edit(mask: np.ndarray, bbox: BBox, value: int) -> RegionDiff:
    """Fill ``bbox`` of ``mask`` with ``value`` and return the matching diff."""
    before = mask[bbox.slices].copy()
    mask[bbox.slices] = value
    return RegionDiff(bbox, before, mask[bbox.slices].copy())


def test_region_diff_nbytes_counts_both_patches():
    diff = RegionDiff(BBox(0, 2, 0, 3), np.zeros((2, 3), np.uint16), np.zeros((2, 3), np.uint16))
    assert diff.nbytes == 24


def test_region_diff_rejects_a_patch_of_the_wrong_shape():
    expected = r"^after: expected one value \(0-d\) or an array of shape \(2, 3\); got \(3, 2\)$"
    with pytest.raises(ValueError, match=expected):
        RegionDiff(BBox(0, 2, 0, 3), np.zeros((2, 3)), np.zeros((3, 2)))


def test_max_bytes_must_be_positive():
    with pytest.raises(
        ValueError, match=r"^max_bytes: expected a positive number of bytes; got 0$"
    ):
        History(max_bytes=0)


def test_undo_writes_the_before_patch_and_returns_its_bbox():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.record(_edit(mask, BBox(1, 3, 0, 2), 5))
    assert history.undo(mask) == BBox(1, 3, 0, 2)
    np.testing.assert_array_equal(mask, 0)


def test_redo_writes_the_after_patch():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.record(_edit(mask, BBox(1, 3, 0, 2), 5))
    expected = mask.copy()
    history.undo(mask)
    assert history.redo(mask) == BBox(1, 3, 0, 2)
    np.testing.assert_array_equal(mask, expected)


def test_undo_and_redo_with_empty_stacks_return_none():
    history = History()
    mask = np.zeros((2, 2), np.uint8)
    assert history.undo(mask) is None
    assert history.redo(mask) is None
    assert not history.can_undo and not history.can_redo


def test_diffs_of_one_step_are_undone_together_in_reverse_order():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.begin_step("stroke")
    history.record(_edit(mask, BBox(0, 2, 0, 2), 1))
    history.record(_edit(mask, BBox(1, 3, 1, 3), 2))  # overlaps the first: order matters
    history.end_step()
    assert history.undo(mask) == BBox(0, 3, 0, 3)
    np.testing.assert_array_equal(mask, 0)
    assert not history.can_undo


def test_redo_of_a_step_reapplies_its_diffs_in_order():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.begin_step("stroke")
    history.record(_edit(mask, BBox(0, 2, 0, 2), 1))
    history.record(_edit(mask, BBox(1, 3, 1, 3), 2))
    history.end_step()
    expected = mask.copy()
    history.undo(mask)
    history.redo(mask)
    np.testing.assert_array_equal(mask, expected)


def test_each_diff_outside_a_step_is_its_own_step():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.record(_edit(mask, BBox(0, 1, 0, 1), 1))
    history.record(_edit(mask, BBox(3, 4, 3, 4), 2))
    history.undo(mask)
    assert mask[0, 0] == 1 and mask[3, 3] == 0


def test_nested_steps_close_only_at_the_outermost_end():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.begin_step("outer")
    history.begin_step("inner")
    history.record(_edit(mask, BBox(0, 1, 0, 1), 1))
    history.end_step()
    assert not history.can_undo
    history.record(_edit(mask, BBox(3, 4, 3, 4), 2))
    history.end_step()
    assert history.undo_name == "outer"
    history.undo(mask)
    np.testing.assert_array_equal(mask, 0)
    assert not history.can_undo


def test_an_empty_step_records_nothing():
    history = History()
    history.begin_step("nothing")
    history.end_step()
    assert not history.can_undo


def test_end_step_without_begin_step_is_an_error():
    with pytest.raises(RuntimeError, match="end_step: no step is open"):
        History().end_step()


def test_undo_while_a_step_is_open_is_an_error():
    history = History()
    history.begin_step("stroke")
    with pytest.raises(RuntimeError, match="undo: a step is still open"):
        history.undo(np.zeros((1, 1), np.uint8))


def test_recording_clears_the_redo_stack():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    history.record(_edit(mask, BBox(0, 1, 0, 1), 1))
    history.undo(mask)
    assert history.can_redo
    history.record(_edit(mask, BBox(2, 3, 2, 3), 3))
    assert not history.can_redo
    assert history.redo(mask) is None


def test_undo_and_redo_names_follow_the_stacks():
    mask = np.zeros((4, 4), np.uint8)
    history = History()
    with_step = [("paint", BBox(0, 1, 0, 1)), ("fill", BBox(1, 2, 1, 2))]
    for name, bbox in with_step:
        history.begin_step(name)
        history.record(_edit(mask, bbox, 1))
        history.end_step()
    assert (history.undo_name, history.redo_name) == ("fill", None)
    history.undo(mask)
    assert (history.undo_name, history.redo_name) == ("paint", "fill")


def test_nbytes_counts_undo_and_redo_stacks():
    mask = np.zeros((8, 8), np.uint8)
    history = History()
    history.record(_edit(mask, BBox(0, 2, 0, 2), 1))  # 2 patches x 4 bytes
    history.record(_edit(mask, BBox(0, 3, 0, 3), 2))  # 2 patches x 9 bytes
    history.undo(mask)
    assert history.nbytes == 8 + 18


def test_bound_drops_the_oldest_steps_first():
    mask = np.zeros((1, 5), np.uint8)
    history = History(max_bytes=6)  # three single-pixel uint8 steps (2 bytes each)
    for col in range(5):
        history.record(_edit(mask, BBox(0, 1, col, col + 1), col + 1))
    assert history.nbytes == 6
    while history.can_undo:
        history.undo(mask)
    np.testing.assert_array_equal(mask, [[1, 2, 0, 0, 0]])


def test_bound_keeps_the_newest_step_even_if_it_alone_exceeds_it():
    mask = np.zeros((4, 4), np.uint8)
    history = History(max_bytes=4)
    history.record(_edit(mask, BBox(0, 1, 0, 1), 1))
    history.record(_edit(mask, BBox(0, 4, 0, 4), 2))  # 32 bytes
    assert history.nbytes == 32
    history.undo(mask)
    np.testing.assert_array_equal(mask[1:], 0)
    assert mask[0, 0] == 1
    assert not history.can_undo


def test_lowering_max_bytes_trims_at_once():
    mask = np.zeros((1, 4), np.uint8)
    history = History()
    for col in range(4):
        history.record(_edit(mask, BBox(0, 1, col, col + 1), 1))
    history.max_bytes = 4
    assert history.max_bytes == 4
    assert history.nbytes == 4


def test_clear_forgets_everything():
    mask = np.zeros((2, 2), np.uint8)
    history = History()
    history.record(_edit(mask, BBox(0, 1, 0, 1), 1))
    history.record(_edit(mask, BBox(1, 2, 1, 2), 1))
    history.undo(mask)
    history.clear()
    assert (history.can_undo, history.can_redo, history.nbytes) == (False, False, 0)
