"""Agreement across a team's dataset: each annotator's latest version compared pairwise."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from seg_widget.core.agreement import AgreementReport, compare_masks
from seg_widget.io.team.layout import check_stem
from seg_widget.io.team.versions import Loaded, Version, Versions

__all__ = ["agreement_report", "latest_by_annotator"]


def latest_by_annotator(history: Iterable[Version]) -> dict[str, Version]:
    """Each annotator's newest version (by the store's clock) in ``history``, by name."""
    latest: dict[str, Version] = {}
    for version in sorted(history, key=lambda v: (v.modified, v.stamp, v.key)):
        latest[version.annotator] = version
    return dict(sorted(latest.items()))


def agreement_report(versions: Versions, stems: Iterable[str] | None = None) -> AgreementReport:
    """Compare the latest versions of each pair of annotators, image by image.

    Images of ``stems`` (default: every image of the store, from one listing of its
    versions) with versions by fewer than two annotators give no row; instances are
    compared too where both versions have objects.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from seg_widget.io.storage import open_store
    >>> store = open_store(tempfile.mkdtemp())
    >>> alice = Versions(store, "alice", ["bg", "cat"])
    >>> bob = Versions(store, "bob", ["bg", "cat"])
    >>> saved = alice.save("img", np.array([[1, 1], [0, 0]]), base=None)
    >>> _ = bob.save("img", np.array([[1, 0], [0, 0]]), base=saved.current)
    >>> row = agreement_report(alice, ["img"]).rows[0]
    >>> row.annotator_a, row.annotator_b, round(row.iou[1], 2)
    ('alice', 'bob', 0.5)

    """
    if not isinstance(versions, Versions):
        raise TypeError(f"versions: expected a Versions; got {type(versions).__name__}")
    histories = versions.histories()
    if stems is None:
        stems = sorted(stem for stem, found in histories.items() if len(found) > 1)
    rows = []
    for stem in stems:
        latest = latest_by_annotator(histories.get(check_stem(stem), ()))
        loaded: dict[str, Loaded] = {}
        for first, second in combinations(latest, 2):
            for name in (first, second):
                if name not in loaded:
                    result = versions.load(stem, version=latest[name].key)
                    assert result is not None  # a named version always loads or raises
                    loaded[name] = result
            a, b = loaded[first], loaded[second]
            instances = None
            if a.objects is not None and b.objects is not None:
                if a.objects.instance_map is not None and b.objects.instance_map is not None:
                    instances = (a.objects.instance_map, b.objects.instance_map)
            rows.append(
                compare_masks(
                    a.mask,
                    b.mask,
                    n_classes=len(versions.classes),
                    image=stem,
                    annotators=(first, second),
                    instances=instances,
                )
            )
    return AgreementReport(tuple(c.name for c in versions.classes), tuple(rows))
