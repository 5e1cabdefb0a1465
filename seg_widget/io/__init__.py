"""Data in and out: mask files, the label schema, COCO JSON, YOLO-seg folders, atomic writes.

Depends on `seg_widget.core` only (no ipywidgets). Every write is atomic: a crash leaves the
previous file or the new one, never a partial file. Every reader checks what a file declares
against the bounds of `seg_widget.io.limits` before allocating.

>>> import seg_widget.io as sio
>>> sio.save_mask("mask.png", mask, classes)  # doctest: +SKIP
>>> mask = sio.load_mask("mask.png")  # doctest: +SKIP
"""

from seg_widget.io import limits
from seg_widget.io.annotation_files import (
    ANNOTATION_EXTENSIONS,
    LoadedAnnotation,
    load_annotation_file,
    save_annotation_file,
)
from seg_widget.io.atomic import atomic_write_bytes, atomic_writer, remove_stale_temporaries
from seg_widget.io.coco import (
    coco_annotations,
    coco_categories,
    coco_document,
    coco_image,
    save_coco,
)
from seg_widget.io.coco_import import CocoImage, decode_coco_image, load_coco, mask_from_coco
from seg_widget.io.dataset_files import ConflictError
from seg_widget.io.instance_files import Annotation, load_annotation, save_annotation
from seg_widget.io.masks import (
    MASK_EXTENSIONS,
    load_instance_mask,
    load_mask,
    save_instance_mask,
    save_mask,
)
from seg_widget.io.polygons import mask_to_polygons
from seg_widget.io.rle import rle_decode, rle_encode
from seg_widget.io.schema import load_schema, save_schema, schema_from_dict, schema_to_dict
from seg_widget.io.yolo import YoloDataset, YoloItem, export_yolo, read_yolo_dataset
from seg_widget.io.yolo_labels import load_yolo_labels, read_yolo_labels, yolo_label_lines

__all__ = [
    "ANNOTATION_EXTENSIONS",
    "MASK_EXTENSIONS",
    "Annotation",
    "CocoImage",
    "ConflictError",
    "LoadedAnnotation",
    "YoloDataset",
    "YoloItem",
    "atomic_write_bytes",
    "atomic_writer",
    "coco_annotations",
    "coco_categories",
    "coco_document",
    "coco_image",
    "decode_coco_image",
    "export_yolo",
    "limits",
    "load_annotation",
    "load_annotation_file",
    "load_coco",
    "load_instance_mask",
    "load_mask",
    "load_schema",
    "load_yolo_labels",
    "mask_from_coco",
    "mask_to_polygons",
    "read_yolo_dataset",
    "read_yolo_labels",
    "remove_stale_temporaries",
    "rle_decode",
    "rle_encode",
    "save_annotation",
    "save_annotation_file",
    "save_coco",
    "save_instance_mask",
    "save_mask",
    "save_schema",
    "schema_from_dict",
    "schema_to_dict",
    "yolo_label_lines",
]
