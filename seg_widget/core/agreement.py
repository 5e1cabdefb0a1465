"""Agreement between two annotators' masks: per-class IoU and Dice, Cohen's κ, instance matching.

Pure numpy, O(pixels + classes) time and memory (no class-by-class confusion matrix, so
65,536 classes cost no more than a few). Definitions, for classes ``c`` and the pixel
counts ``A_c`` (annotator A says c), ``B_c`` and ``AB_c`` (both say c) over ``N`` pixels:

- IoU ``AB_c / (A_c + B_c - AB_c)``; Dice ``2 AB_c / (A_c + B_c)``; both NaN for a class
  neither annotator used. Means are over the classes from 1 up (0 is unlabelled) that at
  least one annotator used.
- Cohen's κ ``(p_o - p_e) / (1 - p_e)`` with ``p_o = Σ AB_c / N`` and
  ``p_e = Σ A_c B_c / N²``, every class counted, 0 included; 1.0 when both masks are one
  and the same single class (``p_e = 1``).
- Instances match one to one at IoU ≥ ``threshold`` (0.5 by default), greedily from the
  highest IoU (ties: lower ids first); at a threshold above 0.5 no instance can match two.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "AgreementReport",
    "ImageAgreement",
    "InstanceMatch",
    "class_scores",
    "cohen_kappa",
    "compare_masks",
    "disagreement",
    "match_instances",
]


@dataclass(frozen=True)
class InstanceMatch:
    """A one-to-one matching of two instance maps."""

    #: ``(id_a, id_b, iou)`` of every match, best first.
    pairs: tuple[tuple[int, int, float], ...]
    #: Instances of A (of B) left without a match.
    unmatched_a: tuple[int, ...]
    unmatched_b: tuple[int, ...]

    @property
    def f1(self) -> float:
        """``2 matches / (instances of A + instances of B)``; 1.0 when both have none."""
        total = 2 * len(self.pairs) + len(self.unmatched_a) + len(self.unmatched_b)
        return 1.0 if total == 0 else 2 * len(self.pairs) / total

    @property
    def mean_iou(self) -> float:
        """Mean IoU of the matched pairs (NaN without a match)."""
        return float(np.mean([iou for *_, iou in self.pairs])) if self.pairs else math.nan


@dataclass(frozen=True)
class ImageAgreement:
    """How two annotators agree on one image."""

    image: str
    annotator_a: str
    annotator_b: str
    #: Cohen's κ over every pixel.
    kappa: float
    #: IoU and Dice per class id (NaN where neither used the class).
    iou: tuple[float, ...]
    dice: tuple[float, ...]
    #: The instance matching, if instance maps were compared.
    instances: InstanceMatch | None = None

    @property
    def mean_iou(self) -> float:
        """Mean IoU over the labelled classes (1 up) either annotator used."""
        return _nanmean(self.iou[1:])

    @property
    def mean_dice(self) -> float:
        """Mean Dice over the labelled classes (1 up) either annotator used."""
        return _nanmean(self.dice[1:])


def _check_pair(mask_a: object, mask_b: object) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for argument, mask in (("mask_a", mask_a), ("mask_b", mask_b)):
        array = np.asarray(mask)
        if array.dtype.kind not in "biu":
            raise TypeError(f"{argument}: expected an integer array; got dtype {array.dtype}")
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"{argument}: expected a non-empty 2-D array; got shape {array.shape}")
        if array.dtype.kind == "i" and array.min() < 0:
            raise ValueError(f"{argument}: expected ids >= 0; got {int(array.min())}")
        arrays.append(array)
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(
            f"mask_b: expected the shape of mask_a {arrays[0].shape}; got {arrays[1].shape}"
        )
    return arrays[0], arrays[1]


def _counts(
    mask_a: np.ndarray, mask_b: np.ndarray, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A_c``, ``B_c`` and ``AB_c`` for every class (see the module docstring)."""
    a, b = _check_pair(mask_a, mask_b)
    largest = int(max(a.max(), b.max()))
    if n_classes is None:
        n_classes = largest + 1
    elif not isinstance(n_classes, (int, np.integer)) or n_classes <= largest:
        raise ValueError(
            f"n_classes: expected an int > the largest id {largest}; got {n_classes!r}"
        )
    a, b = a.ravel(), b.ravel()
    count_a = np.bincount(a, minlength=n_classes)
    count_b = np.bincount(b, minlength=n_classes)
    both = np.bincount(a[a == b], minlength=n_classes)
    return count_a, count_b, both


def class_scores(
    mask_a: np.ndarray, mask_b: np.ndarray, *, n_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-class IoU and Dice of two class masks (NaN for classes neither used).

    Examples
    --------
    >>> iou, dice = class_scores(np.array([[1, 1, 0]]), np.array([[1, 0, 0]]))
    >>> iou.round(3).tolist(), dice.round(3).tolist()
    ([0.5, 0.5], [0.667, 0.667])

    """
    count_a, count_b, both = _counts(mask_a, mask_b, n_classes)
    union = count_a + count_b - both
    total = count_a + count_b
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, both / np.maximum(union, 1), np.nan)
        dice = np.where(total > 0, 2 * both / np.maximum(total, 1), np.nan)
    return iou, dice


def cohen_kappa(mask_a: np.ndarray, mask_b: np.ndarray, *, n_classes: int | None = None) -> float:
    """Pixel-level Cohen's κ of two class masks (every class, 0 included).

    Examples
    --------
    >>> round(cohen_kappa(np.array([[0, 1, 1, 0]]), np.array([[0, 1, 0, 0]])), 3)
    0.5

    """
    count_a, count_b, both = _counts(mask_a, mask_b, n_classes)
    pixels = float(count_a.sum())
    observed = both.sum() / pixels
    expected = float(np.dot(count_a / pixels, count_b / pixels))
    if expected >= 1.0:  # both masks one and the same class
        return 1.0
    return float((observed - expected) / (1.0 - expected))


def disagreement(mask_a: np.ndarray, mask_b: np.ndarray) -> np.ndarray:
    """Return a boolean map of the pixels where the two masks differ."""
    a, b = _check_pair(mask_a, mask_b)
    return a != b


def match_instances(
    instances_a: np.ndarray, instances_b: np.ndarray, *, threshold: float = 0.5
) -> InstanceMatch:
    """Match the instances of two instance-id maps (0 = none) one to one at IoU ≥ threshold.

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 2]])
    >>> b = np.array([[5, 5, 5, 0]])
    >>> match = match_instances(a, b)
    >>> match.pairs, match.unmatched_a, match.unmatched_b
    (((1, 5, 0.6666666666666666),), (2,), ())

    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold: expected a number; got {type(threshold).__name__}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold: expected 0 < threshold <= 1; got {threshold}")
    a, b = _check_pair(instances_a, instances_b)
    # Dense indices first, so that any ids (up to 2**64) make exact pair codes.
    ids_a, index_a = np.unique(a.ravel(), return_inverse=True)
    ids_b, index_b = np.unique(b.ravel(), return_inverse=True)
    area_a, area_b = np.bincount(index_a), np.bincount(index_b)
    codes, intersection = np.unique(
        index_a.astype(np.int64) * len(ids_b) + index_b, return_counts=True
    )
    pair_a, pair_b = codes // len(ids_b), codes % len(ids_b)
    keep = (ids_a[pair_a] != 0) & (ids_b[pair_b] != 0)
    pair_a, pair_b, intersection = pair_a[keep], pair_b[keep], intersection[keep]
    iou = intersection / (area_a[pair_a] + area_b[pair_b] - intersection)
    pair_a, pair_b = ids_a[pair_a], ids_b[pair_b]
    ids_a, ids_b = ids_a[ids_a != 0], ids_b[ids_b != 0]
    order = np.lexsort((pair_b, pair_a, -iou))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for index in order:
        if iou[index] < threshold:
            break
        id_a, id_b = int(pair_a[index]), int(pair_b[index])
        if id_a not in used_a and id_b not in used_b:
            used_a.add(id_a)
            used_b.add(id_b)
            pairs.append((id_a, id_b, float(iou[index])))
    return InstanceMatch(
        tuple(pairs),
        tuple(int(i) for i in ids_a if int(i) not in used_a),
        tuple(int(i) for i in ids_b if int(i) not in used_b),
    )


def compare_masks(
    mask_a: np.ndarray,
    mask_b: np.ndarray,
    *,
    n_classes: int | None = None,
    image: str = "",
    annotators: tuple[str, str] = ("a", "b"),
    instances: tuple[np.ndarray, np.ndarray] | None = None,
) -> ImageAgreement:
    """Every agreement measure of two annotators on one image (see `ImageAgreement`)."""
    iou, dice = class_scores(mask_a, mask_b, n_classes=n_classes)
    kappa = cohen_kappa(mask_a, mask_b, n_classes=len(iou))
    match = None if instances is None else match_instances(*instances)
    return ImageAgreement(
        str(image),
        str(annotators[0]),
        str(annotators[1]),
        kappa,
        tuple(float(v) for v in iou),
        tuple(float(v) for v in dice),
        match,
    )


@dataclass(frozen=True)
class AgreementReport:
    """Agreement over a dataset: one row per image and pair of annotators.

    ``rows`` is a plain tuple (no pandas); `as_rows` gives dicts; in a notebook the report
    shows as an HTML table in which every name is escaped.
    """

    class_names: tuple[str, ...]
    rows: tuple[ImageAgreement, ...]

    def as_rows(self) -> list[dict[str, object]]:
        """One dict per row: image, annotators, κ, mean IoU/Dice, per-class IoU, instance F1."""
        table = []
        for row in self.rows:
            entry: dict[str, object] = {
                "image": row.image,
                "annotator_a": row.annotator_a,
                "annotator_b": row.annotator_b,
                "kappa": row.kappa,
                "mean_iou": row.mean_iou,
                "mean_dice": row.mean_dice,
            }
            for class_id, name in enumerate(self.class_names):
                if class_id:
                    entry[f"iou[{name}]"] = (
                        row.iou[class_id] if class_id < len(row.iou) else math.nan
                    )
            entry["instance_f1"] = row.instances.f1 if row.instances else math.nan
            table.append(entry)
        return table

    @property
    def mean_kappa(self) -> float:
        """Mean κ over the rows (NaN for an empty report)."""
        return _nanmean([row.kappa for row in self.rows])

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """Return the report as an HTML table (every name escaped); notebooks show this."""
        names = [html.escape(name) for name in self.class_names[1:]]
        head = ["image", "annotators", "κ", "mean IoU", "mean Dice"]
        head += [f"IoU {name}" for name in names] + ["instance F1"]
        lines = [
            "<table class='seg-agreement'>",
            "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>",
        ]
        for row in self.rows:
            cells = [
                html.escape(row.image),
                f"{html.escape(row.annotator_a)} / {html.escape(row.annotator_b)}",
                _number(row.kappa),
                _number(row.mean_iou),
                _number(row.mean_dice),
            ]
            cells += [
                _number(row.iou[c] if c < len(row.iou) else math.nan)
                for c in range(1, len(self.class_names))
            ]
            cells.append(_number(row.instances.f1) if row.instances else "–")
            lines.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        lines.append("</tbody></table>")
        caption = f"{len(self.rows)} comparisons; mean κ {_number(self.mean_kappa)}"
        return f"<div><p>{caption}</p>{''.join(lines)}</div>"


def _nanmean(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"
