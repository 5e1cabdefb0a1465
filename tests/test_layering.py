"""Imports point one way: widget -> render, io -> core; core, render and io never touch widgets."""

import ast
import sys
from pathlib import Path

import pytest

import seg_widget

PACKAGE = Path(seg_widget.__file__).parent
# Beside the standard library, only these (scipy comes with scikit-image; scikit-learn is
# optional, imported lazily by the scribble classifier only).
THIRD_PARTY = {"numpy", "PIL", "skimage", "scipy", "sklearn"}
# layer -> the seg_widget layers it may import
RULES = {
    "core": ("seg_widget.core",),
    "render": ("seg_widget.core", "seg_widget.render"),
    "io": ("seg_widget.core", "seg_widget.io"),
}


def _imported_modules(path: Path, layer: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module or "")
        elif isinstance(node, ast.ImportFrom):  # relative: resolve against seg_widget.<layer>
            base = ["seg_widget", layer][: 3 - node.level]
            names.add(".".join([*base, *([node.module] if node.module else [])]))
    return names


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_only_what_the_architecture_allows(layer):
    for path in sorted((PACKAGE / layer).glob("*.py")):
        for name in _imported_modules(path, layer):
            top = name.split(".")[0]
            if top == "seg_widget":
                assert name.startswith(RULES[layer]), f"{layer}/{path.name} imports {name}"
            else:
                allowed = top in sys.stdlib_module_names or top in THIRD_PARTY
                assert allowed, f"{layer}/{path.name} imports {name}"
