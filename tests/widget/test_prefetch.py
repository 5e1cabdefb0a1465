"""Images decoded ahead for Next and Previous: the same pixels, never stale, same errors."""

import os
import threading

import numpy as np
import pytest
from PIL import Image

import seg_widget as sw
from seg_widget.core.image import load_image
from seg_widget.testing import find_control
from seg_widget.widget.dataset_controls import NavigationBar
from seg_widget.widget.prefetch import ImagePrefetch


def write(path, value, size=(20, 30)):
    Image.fromarray(np.full((*size, 3), value, np.uint8)).save(path)
    return str(path)


class CountingLoader:
    """load_image of a list of paths by position, counting calls and their threads."""

    def __init__(self, paths):
        self.paths = paths
        self.calls = []

    def __call__(self, position):
        self.calls.append((position, threading.current_thread().name))
        return load_image(self.paths[position])

    def prefetch(self):
        return ImagePrefetch(self, self.paths.__getitem__)


def test_an_image_decoded_ahead_is_decoded_once_in_the_background(tmp_path):
    loader = CountingLoader([write(tmp_path / "a.png", 70)])
    prefetch = loader.prefetch()
    prefetch.ahead([0])
    image = prefetch.take(0)
    np.testing.assert_array_equal(image, load_image(loader.paths[0]))
    assert len(loader.calls) == 1
    assert loader.calls[0][1].startswith("seg-widget-prefetch")
    prefetch.close()


def test_a_file_changed_since_is_decoded_again(tmp_path):
    loader = CountingLoader([write(tmp_path / "a.png", 70)])
    prefetch = loader.prefetch()
    prefetch.ahead([0])
    prefetch.take(0)  # wait for the background decode
    prefetch.ahead([0])
    os.utime(loader.paths[0], ns=(0, 0))  # a new version of the file (time)
    write(tmp_path / "a.png", 200, size=(21, 30))  # ... and size
    assert prefetch.take(0)[0, 0, 0] == 200
    prefetch.close()


def test_a_bad_file_raises_the_usual_error_when_it_is_opened(tmp_path):
    path = tmp_path / "bad.png"
    path.write_bytes(b"not a png")
    prefetch = CountingLoader([str(path)]).prefetch()
    prefetch.ahead([0])
    with pytest.raises(ValueError, match="image: cannot decode"):
        prefetch.take(0)
    prefetch.close()


def test_next_and_previous_show_the_images_as_they_are_on_disk(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    paths = [write(folder / f"img{k}.png", 40 * k) for k in range(4)]
    annotator = sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", "a"])
    write(paths[1], 123)  # changed on disk while image 0 is open (after it was decoded ahead)
    os.utime(paths[1], ns=(1, 1))
    assert annotator.next()
    np.testing.assert_array_equal(annotator.widget.image, load_image(paths[1]))
    assert annotator.next() and annotator.previous()
    np.testing.assert_array_equal(annotator.widget.image, load_image(paths[1]))
    annotator.close()


def test_the_header_keeps_the_file_name_apart_from_the_skip_box(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    write(folder / "astronaut.png", 10)
    annotator = sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", "a"])
    bar = find_control(annotator, NavigationBar)
    assert bar.name.value.endswith("<code>astronaut.png</code> · not labelled yet</span>")
    assert bar.only_unlabelled.description == "Previous / Next skip labelled images"
    assert bar.name in bar.box.children and bar.only_unlabelled not in bar.box.children
    assert bar.only_unlabelled in bar.figures.children
    annotator.widget.paint_stroke([(5, 5)])
    annotator.save()
    assert bar.name.value.endswith("<code>astronaut.png</code> · ✓ labelled</span>")
    annotator.close()


def test_the_annotator_decodes_the_next_image_in_the_background(tmp_path, monkeypatch):
    import seg_widget.io.image_list as image_list

    folder = tmp_path / "images"
    folder.mkdir()
    paths = [write(folder / f"img{k}.png", 40 * k) for k in range(3)]
    loads = []

    def counting_load(source):
        loads.append((os.path.basename(str(source)), threading.current_thread().name))
        return load_image(source)

    monkeypatch.setattr(image_list, "load_image", counting_load)
    annotator = sw.DatasetAnnotator(folder, tmp_path / "masks", ["u", "a"])
    assert annotator.next()
    np.testing.assert_array_equal(annotator.widget.image, load_image(paths[1]))
    threads = [thread for name, thread in loads if name == "img1.png"]
    assert len(threads) == 1 and threads[0].startswith("seg-widget-prefetch")
    annotator.close()
