"""Proposals that respect the user's work, and per-call arguments that stay per call.

- A whole-image proposal (from scribbles) keeps labelled pixels by default; the message line
  says how many it kept; ``keep_labelled = False`` replaces them, and says how many.
- The wand fills the holes of its region by default (``wand_fill_holes``).
- ``label``, ``brush_size``, ``tolerance`` and ``method`` given to a call apply to that call.
"""

import numpy as np
import pytest

import seg_widget as sw
from seg_widget.testing import click, mouse_drag, press_key

CLASSES = ["unlabelled", "coin", "background"]


def coins_scene():
    """A bright disc (radius 12) with a dark ring inside it (a 'lace' for the wand)."""
    rows, cols = np.mgrid[0:100, 0:100]
    distance = np.hypot(rows - 50, cols - 50)
    image = np.full((100, 100), 40, np.uint8)
    image[distance <= 20] = 200
    image[(distance >= 7.5) & (distance <= 9.5)] = 40  # a dark ring: a hole in the wand region
    return image, distance


def make(image, **kwargs):
    return sw.SegmentationWidget(image, CLASSES, width=400, height=400, **kwargs)


def test_a_scribble_proposal_keeps_the_coin_labelled_with_the_wand():
    image, distance = coins_scene()
    w = make(image, brush_size=3)
    w.propose_wand((50, 50))  # the coin's centre: the ring is a hole, filled
    w.accept_proposal()
    coin = w.mask == 1
    assert coin[distance <= 7].all()
    # Scribbles say "background" over most of the image, coin elsewhere.
    w.scribble([(5, 5), (5, 95), (95, 95)], label=2)
    w.scribble([(85, 10)], label=1)
    w.propose_from_scribbles()
    changed = w.accept_proposal()
    assert (w.mask[coin] == 1).all()  # the wand's coin is still a coin
    kept = "labelled px it would relabel (untick Keep labelled to replace them)"
    assert w.message.startswith(f"accepted the proposal: {changed:,} px changed; kept ")
    assert w.message.endswith(kept)
    assert (w.mask != 0).all()  # every unlabelled pixel took the proposal


def test_keep_labelled_off_replaces_and_says_how_many():
    image, _ = coins_scene()
    w = make(image, brush_size=3)
    w.propose_wand((50, 50))
    w.accept_proposal()
    coin = w.mask == 1
    w.keep_labelled = False
    w.scribble([(5, 5), (5, 95)], label=2)
    w.scribble([(50, 50)], label=2)  # the coin's centre scribbled as background
    w.scribble([(95, 95)], label=1)
    w.propose_from_scribbles()
    _, values, _ = w.proposal
    replaced = int((coin & (values != 1)).sum())
    assert replaced > 0
    w.accept_proposal()
    assert w.message.endswith(f", {replaced:,} of them labelled before")
    assert (w.mask[coin] != 1).sum() == replaced


def test_the_wand_fills_the_holes_of_its_region_unless_asked_not_to():
    image, distance = coins_scene()
    w = make(image)
    w.tool = "wand"
    click(w.canvas, 4 * 35 + 2, 4 * 50 + 2)  # pixel (50, 35): the bright annulus
    bbox, _, footprint = w.proposal
    inside = np.zeros((100, 100), bool)
    inside[bbox.slices] = footprint
    np.testing.assert_array_equal(inside, distance <= 20)  # the ring and what it holds, filled
    press_key(w.canvas, "Escape")
    w.wand_fill_holes = False
    click(w.canvas, 4 * 35 + 2, 4 * 50 + 2)
    bbox, _, footprint = w.proposal
    inside[:] = False
    inside[bbox.slices] = footprint
    assert not inside[distance <= 9.5].any()  # lace: the ring and the centre left out
    assert inside[(distance > 9.5) & (distance <= 19.5)].all()


@pytest.mark.parametrize(
    "call",
    [
        lambda w: w.paint_stroke([(10, 10), (10, 30)], label=2, brush_size=20),
        lambda w: w.fill_polygon([(10, 10), (10, 40), (40, 40)], label=2),
        lambda w: w.flood_fill((90, 90), label=2),
        lambda w: w.fill_unlabelled(sw.BBox(0, 10, 0, 10), label=2),
        lambda w: w.scribble([(10, 10)], label=2),
        lambda w: w.propose_wand((5, 5), tolerance=0.4),
        lambda w: (w.scribble([(5, 5)], label=2), w.propose_from_scribbles("random_walker")),
    ],
    ids=["paint", "polygon", "flood", "fill_unlabelled", "scribble", "wand", "scribbles"],
)
def test_per_call_arguments_leave_the_settings_alone(call):
    image, _ = coins_scene()
    w = make(image, brush_size=5)
    w.scribble([(50, 50)], label=1)  # scribbles of two classes for the last case
    before = (w.label, w.brush_size, w.wand_tolerance, w.scribble_method)
    call(w)
    assert (w.label, w.brush_size, w.wand_tolerance, w.scribble_method) == before


def test_a_per_call_label_paints_without_an_active_object_of_another_class():
    image, _ = coins_scene()
    w = make(image, brush_size=3)
    press_key(w.canvas, "m")  # coin 1, active
    w.paint_stroke([(20, 20)], label=2)
    assert w.mask[20, 20] == 2 and w.instance_mask[20, 20] == 0  # not written into coin 1
    assert w.instance == 1 and w.label == 1
    w.paint_stroke([(30, 30)])  # the object's own class joins it, as ever
    assert w.instance_mask[30, 30] == 1
    mouse_drag(w.canvas, [(160, 160), (170, 160)])
    assert w.instance_mask[40, 40] == 1
