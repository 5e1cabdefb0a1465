"""The public surface stays what users, docs and notebooks rely on.

A snapshot of every public name of the package, of ``SegmentationWidget`` (traits with their
type, default and read-only flag; methods and properties with their signatures), of
``DatasetAnnotator`` and of ``seg_widget.testing``. An accidental change fails here; a
deliberate one regenerates the snapshot:

    SEG_WIDGET_UPDATE_API_SNAPSHOT=1 python -m pytest tests/test_public_api.py
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path

import ipywidgets
import traitlets

import seg_widget as sw
import seg_widget.testing

SNAPSHOT = Path(__file__).with_name("public_api.json")


def _describe_class(cls: type, base: type) -> dict:
    inherited = set(dir(base))
    base_traits = base.class_traits() if issubclass(base, traitlets.HasTraits) else {}
    traits = {}
    if issubclass(cls, traitlets.HasTraits):
        for name, trait in sorted(cls.class_traits().items()):
            if name in base_traits or name.startswith("_"):
                continue
            default = trait.default_value
            traits[name] = {
                "type": type(trait).__name__,
                "default": None if default is traitlets.Undefined else repr(default),
                "read_only": bool(trait.read_only),
            }
    members = {}
    for name in sorted(dir(cls)):
        if name.startswith("_") or name in inherited or name in traits:
            continue
        value = inspect.getattr_static(cls, name)
        if isinstance(value, property):
            members[name] = "property" + (" (settable)" if value.fset else "")
        elif callable(value) or isinstance(value, staticmethod | classmethod):
            members[name] = f"method{inspect.signature(getattr(cls, name))}"
        else:
            members[name] = f"attribute {value!r}"
    init = str(inspect.signature(cls.__init__))
    return {"init": init, "traits": traits, "members": members}


def _describe_module(module) -> dict:
    described = {}
    for name in sorted(vars(module)):
        value = getattr(module, name)
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        described[name] = str(inspect.signature(value)) if callable(value) else repr(value)
    return described


def current_api() -> dict:
    """Describe the public API as it is now (what the snapshot holds)."""
    return {
        "seg_widget.__all__": sorted(sw.__all__),
        "SegmentationWidget": _describe_class(sw.SegmentationWidget, ipywidgets.VBox),
        "DatasetAnnotator": _describe_class(sw.DatasetAnnotator, ipywidgets.VBox),
        "seg_widget.testing": _describe_module(seg_widget.testing),
        "TOOLS": list(sw.TOOLS),
    }


def test_public_api_matches_the_snapshot():
    api = json.loads(json.dumps(current_api()))
    if os.environ.get("SEG_WIDGET_UPDATE_API_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(api, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    for section in expected:
        assert api[section] == expected[section], (
            f"the public API changed in {section}: if deliberate, regenerate the snapshot "
            "(see this module's docstring) and update README.md"
        )
    assert set(api) == set(expected)
