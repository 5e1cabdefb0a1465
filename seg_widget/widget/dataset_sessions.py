"""Which session a `DatasetAnnotator` runs: one annotator on a folder or bucket, or a team.

- no ``annotator=``, ``masks_dir`` a folder (or ``file://``): `FolderSession` over a
  `seg_widget.io.dataset_index.DatasetIndex`, exactly as before team mode existed;
- no ``annotator=``, ``masks_dir`` a store URL (``s3://``, ``gs://``...): `FolderSession`
  over a `seg_widget.io.store_dataset.StoreDataset` (the same layout in the bucket);
- ``annotator="alice"``: `TeamSession` over a `seg_widget.io.team.dataset.TeamDataset`,
  with its `TeamBar`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..core.classes import LabelClass
from ..io.dataset_index import DatasetIndex, ProgressCallback
from ..io.image_list import is_url, local_path
from ..io.store_dataset import StoreDataset
from ..io.team import check_annotator
from ..io.team.dataset import TeamDataset
from .folder_session import FolderSession
from .team_controls import TeamBar
from .team_session import TeamSession

__all__ = ["open_session"]


def open_session(
    images: Any,
    masks_dir: Any,
    classes: Sequence[LabelClass],
    *,
    mask_format: str,
    storage_options: object,
    annotator: object,
    reviewer: object,
    lease_seconds: float,
    progress: ProgressCallback,
    show_status: Callable[[str], None],
    show_warning: Callable[[str], None],
) -> tuple[FolderSession | TeamSession, TeamBar | None]:
    """Check the team arguments, open the dataset and return its session (and team bar)."""
    if storage_options is not None and not isinstance(storage_options, dict):
        raise TypeError(
            f"storage_options: expected a dict of fsspec options or None; got "
            f"{type(storage_options).__name__}"
        )
    if not isinstance(reviewer, bool):
        raise TypeError(f"reviewer: expected True or False; got {type(reviewer).__name__}")
    callbacks = {"show_status": show_status, "show_warning": show_warning}
    if annotator is None:
        if reviewer:
            raise ValueError("reviewer: expected annotator='<name>' with it (team mode); got none")
        if is_url(masks_dir):
            dataset: Any = StoreDataset(
                images,
                masks_dir,
                mask_format=mask_format,
                storage_options=storage_options,
                progress=progress,
            )
        else:
            if isinstance(masks_dir, str):
                masks_dir = local_path(masks_dir)
            elif not isinstance(masks_dir, os.PathLike):
                raise TypeError(
                    f"masks_dir: expected a folder, a URL or os.PathLike; got "
                    f"{type(masks_dir).__name__}"
                )
            dataset = DatasetIndex(
                images,
                masks_dir,
                mask_format=mask_format,
                progress=progress,
                storage_options=storage_options,
            )
        return FolderSession(dataset, classes, **callbacks), None
    name = check_annotator(annotator)
    team = TeamDataset(
        images,
        masks_dir,
        classes,
        annotator=name,
        storage_options=storage_options,
        lease_seconds=lease_seconds,
        mask_format=mask_format,
        progress=progress,
    )
    bar = TeamBar(annotator=name, reviewer=reviewer, filters=TeamSession.filters)
    try:
        return TeamSession(team, classes, reviewer=reviewer, bar=bar, **callbacks), bar
    except BaseException:
        bar.close()
        raise
