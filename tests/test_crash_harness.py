"""kill -9 at random moments of every write path; after each kill the files open whole.

Write paths: a single save (``w.save`` of mask + objects), a dataset save with objects
(``DatasetAnnotator.save``), and the exports (COCO, VOC). After each kill the parent opens
the files as a user would and checks that they hold the last complete save (or the one in
flight, if it completed), never a mix of two saves, and that no temporary file survives
that open. Trials per path: ``SEG_WIDGET_CRASH_TRIALS`` (see tests/crash.py; 20 by
default, the nightly-size run uses 200).
"""

import json

import numpy as np
import pytest
from PIL import Image

import seg_widget as sw
from seg_widget.io import load_annotation_file, load_mask
from seg_widget.io.dataset_export import export_coco, export_voc
from seg_widget.io.dataset_index import DatasetIndex
from tests.crash import TRIALS, kill_trials

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

CLASSES = ["unlabelled", "cell", "debris"]
SHAPE = (24, 32)
VIEW = {"width": 128, "height": 96}


def _content(trial, number):
    """Save ``number`` of ``trial``: the object, a debris pixel more every other save, a name."""
    mask = np.zeros(SHAPE, np.uint8)
    mask[2:7, 2:7] = 1  # the object
    for step in range(number // 2 + 1):
        mask[_debris_pixel(trial, step)] = 2
    return mask, f"cell {trial}-{number}"


def _debris_pixel(trial, step):
    rng = np.random.default_rng([trial, step])
    return int(rng.integers(10, 24)), int(rng.integers(0, 32))


def _apply(w, trial, number):
    """Edit ``w`` from save ``number - 1`` of ``trial`` (or the start) to save ``number``."""
    w.instance = 0
    if number % 2 == 0:
        w.paint_stroke([_debris_pixel(trial, number // 2)], label=2, brush_size=1)
    w.rename_instance(1, _content(trial, number)[1])


def _with_object(w):
    w.instance = 0
    w.new_instance(1, name="start")
    w.fill_polygon([(2, 2), (2, 7), (7, 7), (7, 2)], label=1)


def _state(mask, instances, instance_mask):
    names = [instance.name for instance in instances]
    assert instance_mask is not None and (instance_mask[2:7, 2:7] == 1).all(), names
    assert instance_mask.sum() == 25, "the object has exactly its 25 pixels"
    return mask.tobytes(), tuple(names)


def _expected(trial, done, started, previous):
    """The states a kill may leave: the last complete save or the one that was running."""
    allowed = [previous if done < 0 else _content_state(trial, done)]
    if started:
        allowed.append(_content_state(trial, done + 1))
    return allowed


def _content_state(trial, number):
    mask, name = _content(trial, number)
    return mask.tobytes(), (name,)


def _temporaries(folder):
    return sorted(str(p) for p in folder.rglob(".*.tmp"))


def test_killed_single_saves_leave_the_last_complete_file(tmp_path):
    path = tmp_path / "cells.npz"
    w = sw.SegmentationWidget(np.zeros(SHAPE), CLASSES, **VIEW)
    _with_object(w)
    w.save(path)
    previous = [_state(w.mask, w.instances, w.instance_mask)]

    def work(trial, report):
        report("ready")
        for number in range(10_000):
            _apply(w, trial, number)
            report("start", number)
            w.save(path)
            report("done", number)

    def check(trial, done, started):
        # The next open, as w.load opens it: whole, and it clears dead temporaries.
        opened = load_annotation_file(path, SHAPE, CLASSES)
        state = _state(opened.mask, opened.instances, opened.instance_map)
        assert state in _expected(trial, done, started, previous[0]), (trial, done, started)
        assert _temporaries(tmp_path) == []
        previous[0] = state

    inside = kill_trials(work, check, max_delay=0.03, seed=1)
    assert inside >= TRIALS // 10, f"only {inside} of {TRIALS} kills landed inside a save"


def test_killed_dataset_saves_keep_mask_and_objects_one_unit(tmp_path):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    for number in range(2):
        Image.fromarray(np.full((*SHAPE, 3), 60 * number, np.uint8)).save(images / f"i{number}.png")

    annotator = sw.DatasetAnnotator(images, masks, CLASSES, autosave_seconds=None, **VIEW)
    _with_object(annotator.widget)
    annotator.save()
    w = annotator.widget
    previous = [_state(w.mask, w.instances, w.instance_mask)]

    def work(trial, report):
        report("ready")
        for number in range(10_000):
            _apply(w, trial, number)
            report("start", number)
            # The files changed since this copy of the annotator (forked before the
            # earlier trials) read them: overwrite, the save path is the same.
            assert annotator.save(overwrite=True)
            report("done", number)

    unsaved_trials = [0]

    def check(trial, done, started):
        # The next open, as the annotator opens an image: the index removes dead
        # temporaries, then the mask and the objects of its digest are read.
        left = _temporaries(masks)
        index = DatasetIndex(images, masks)
        assert sorted(str(masks / name) for name in index.removed_temporaries) == left
        stored = index.read(0, CLASSES)
        assert stored.problem is None
        state = _state(stored.mask, stored.instances, stored.instance_map)
        assert state in _expected(trial, done, started, previous[0]), (trial, done, started)
        assert _temporaries(masks) == []
        # The current objects file, plus at most one written for a mask that never made it
        # to disk per kill since the last complete save (the next save removes them).
        unsaved_trials[0] = 0 if done >= 0 else unsaved_trials[0] + 1
        assert len(list((masks / "objects").iterdir())) <= 2 + unsaved_trials[0]
        previous[0] = state

    inside = kill_trials(work, check, max_delay=0.06, seed=2)
    assert inside >= TRIALS // 10, f"only {inside} of {TRIALS} kills landed inside a save"


@pytest.fixture
def dataset(tmp_path):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for number in range(3):
        Image.fromarray(np.full((*SHAPE, 3), 60 * number, np.uint8)).save(images / f"i{number}.png")
        sw.io.save_mask(masks / f"i{number}.png", _content(number, 0)[0], CLASSES)
    return DatasetIndex(images, masks)


def test_killed_coco_exports_leave_a_whole_file(dataset, tmp_path):
    path = tmp_path / "out" / "all.json"
    path.parent.mkdir()
    versions = {}
    for polygons in (False, True):
        export_coco(dataset, path, CLASSES, polygons=polygons)
        versions[polygons] = path.read_bytes()
    assert versions[False] != versions[True]

    def work(trial, report):
        report("ready")
        for number in range(10_000):
            report("start", number)
            export_coco(dataset, path, CLASSES, polygons=bool(number % 2))
            report("done", number)

    def check(trial, done, started):
        data = path.read_bytes()
        allowed = {versions[True]} if done < 0 else {versions[bool(done % 2)]}
        if started or done < 0:
            allowed |= {versions[bool((done + 1) % 2)]}
        assert data in allowed, (trial, done, started)
        json.loads(data)
        export_coco(dataset, path, CLASSES, polygons=True)  # the next export cleans up
        assert _temporaries(path.parent) == []

    inside = kill_trials(work, check, max_delay=0.03, seed=3)
    assert inside >= TRIALS // 10, f"only {inside} of {TRIALS} kills landed inside an export"


def test_killed_voc_exports_leave_whole_files(dataset, tmp_path):
    folder = tmp_path / "voc"
    palettes = [CLASSES, ["unlabelled", sw.LabelClass("cell", "#00ff00"), "debris"]]
    versions = {}
    for index, classes in enumerate(palettes):
        export_voc(dataset, folder, classes)
        versions[index] = {
            p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }
    changed = [name for name in versions[0] if versions[0][name] != versions[1][name]]
    assert len(changed) == 4  # three palette masks and labelmap.txt

    def work(trial, report):
        report("ready")
        for number in range(10_000):
            report("start", number)
            export_voc(dataset, folder, palettes[number % 2])
            report("done", number)

    def check(trial, done, started):
        files = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        tmp = [name for name in files if name.name.endswith(".tmp")]
        assert sorted(set(files) - set(tmp)) == sorted(versions[0])
        for name, data in files.items():
            if name not in tmp:  # every file whole: one of the two versions
                assert data in (versions[0][name], versions[1][name]), (trial, name)
        for number in range(3):
            mask = load_mask(folder / "SegmentationClass" / f"i{number}.png")
            np.testing.assert_array_equal(mask, _content(number, 0)[0])
        export_voc(dataset, folder, palettes[1])  # the next export cleans up
        assert _temporaries(folder) == []

    inside = kill_trials(work, check, max_delay=0.03, seed=4)
    assert inside >= TRIALS // 10, f"only {inside} of {TRIALS} kills landed inside an export"
