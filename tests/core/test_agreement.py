import math

import numpy as np
import pytest

from seg_widget.core.agreement import (
    AgreementReport,
    class_scores,
    cohen_kappa,
    compare_masks,
    disagreement,
    match_instances,
)


def test_per_class_iou_and_dice_count_pixels_exactly():
    a = np.array([[0, 1, 1, 1], [2, 2, 0, 0]])
    b = np.array([[0, 1, 1, 2], [2, 0, 0, 0]])
    iou, dice = class_scores(a, b, n_classes=4)
    # class 0: A 3 px, B 4, both 3; class 1: A 3, B 2, both 2; class 2: A 2, B 2, both 1.
    np.testing.assert_allclose(iou[:3], [3 / 4, 2 / 3, 1 / 3])
    np.testing.assert_allclose(dice[:3], [6 / 7, 4 / 5, 1 / 2])
    assert math.isnan(iou[3]) and math.isnan(dice[3])  # nobody used class 3


def test_kappa_matches_its_definition():
    a = np.array([[0, 0, 1, 1, 1, 2]])
    b = np.array([[0, 1, 1, 1, 2, 2]])
    observed = 4 / 6
    expected = (2 * 1 + 3 * 3 + 1 * 2) / 36
    assert cohen_kappa(a, b) == pytest.approx((observed - expected) / (1 - expected))


def test_identical_masks_agree_perfectly_even_with_a_single_class():
    mask = np.array([[1, 2], [2, 0]])
    assert cohen_kappa(mask, mask) == 1.0
    assert cohen_kappa(np.ones((3, 3), int), np.ones((3, 3), int)) == 1.0
    iou, dice = class_scores(mask, mask)
    np.testing.assert_array_equal(iou, [1, 1, 1])
    np.testing.assert_array_equal(dice, [1, 1, 1])


def test_kappa_is_zero_for_chance_agreement():
    a = np.array([[1, 1, 2, 2]])
    b = np.array([[1, 2, 1, 2]])
    assert cohen_kappa(a, b) == pytest.approx(0.0)


def test_disagreement_marks_exactly_the_differing_pixels():
    a = np.array([[0, 1], [2, 2]])
    b = np.array([[0, 2], [2, 1]])
    np.testing.assert_array_equal(disagreement(a, b), [[False, True], [False, True]])


def test_instances_match_one_to_one_at_iou_half():
    a = np.zeros((4, 8), np.uint32)
    b = np.zeros((4, 8), np.uint32)
    a[:, 0:4] = 1  # 16 px
    b[:, 0:3] = 10  # 12 px inside 1: IoU 0.75
    a[:, 5:7] = 2  # 8 px
    b[:, 6:8] = 20  # overlaps 2 by 4 px: IoU 4/12 < 0.5
    match = match_instances(a, b)
    assert match.pairs == ((1, 10, 0.75),)
    assert (match.unmatched_a, match.unmatched_b) == ((2,), (20,))
    assert match.f1 == pytest.approx(2 / 4)
    assert match.mean_iou == 0.75


def test_an_iou_of_exactly_one_half_matches_and_ties_go_to_lower_ids():
    a = np.array([[1, 1, 1, 1]], np.uint32)
    b = np.array([[7, 7, 3, 3]], np.uint32)  # 1 overlaps 7 and 3 with IoU 0.5 each
    assert match_instances(a, b).pairs == ((1, 3, 0.5),)


def test_huge_instance_ids_are_matched_exactly():
    big = np.array([[2**32 - 1, 2**32 - 1, 0]], np.uint64)
    other = np.array([[2**40, 2**40, 0]], np.uint64)
    assert match_instances(big, other).pairs == ((2**32 - 1, 2**40, 1.0),)


def test_no_instances_on_either_side_is_perfect_agreement():
    empty = np.zeros((3, 3), np.uint32)
    match = match_instances(empty, empty)
    assert match.pairs == () and match.f1 == 1.0 and math.isnan(match.mean_iou)


@pytest.mark.parametrize(
    ("a", "b", "error", "message"),
    [
        (np.zeros((2, 2)), np.zeros((2, 2), int), TypeError, "mask_a: expected an integer"),
        (np.zeros((2, 2), int), np.zeros((3, 2), int), ValueError, r"mask_b: expected the shape"),
        (np.zeros(4, int), np.zeros(4, int), ValueError, "mask_a: expected a non-empty 2-D"),
        (np.full((2, 2), -1), np.zeros((2, 2), int), ValueError, "mask_a: expected ids >= 0"),
    ],
)
def test_bad_masks_are_refused(a, b, error, message):
    with pytest.raises(error, match=message):
        cohen_kappa(a, b)


def test_n_classes_must_cover_the_ids():
    with pytest.raises(ValueError, match="n_classes: expected an int > the largest id 2"):
        class_scores(np.array([[2]]), np.array([[0]]), n_classes=2)


def test_the_report_table_escapes_every_name():
    row = compare_masks(
        np.array([[1, 0]]),
        np.array([[1, 1]]),
        n_classes=2,
        image="<img src=x onerror=alert(1)>",
        annotators=("<b>alice</b>", "bob & co"),
    )
    report = AgreementReport(("unlabelled", "<script>cat</script>"), (row,))
    page = report._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>alice" not in page
    assert "&lt;script&gt;cat&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "bob &amp; co" in page
    assert "<td>0.500</td>" in page  # IoU of class 1


def test_the_report_rows_are_plain_dicts():
    row = compare_masks(np.array([[1, 0, 2]]), np.array([[1, 0, 0]]), n_classes=3, image="x")
    report = AgreementReport(("bg", "cat", "dog"), (row,))
    (entry,) = report.as_rows()
    assert entry["image"] == "x"
    assert entry["iou[cat]"] == 1.0
    assert entry["iou[dog]"] == 0.0
    assert entry["mean_iou"] == 0.5
    assert math.isnan(entry["instance_f1"])
    assert report.mean_kappa == pytest.approx(row.kappa)
