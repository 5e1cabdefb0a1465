import ast
from pathlib import Path

import seg_widget.core

CORE = Path(seg_widget.core.__file__).parent
ALLOWED = {"__future__", "collections", "contextlib", "dataclasses", "math", "numbers", "os"}
# scipy comes with scikit-image (one of its own dependencies).
ALLOWED |= {"typing", "numpy", "PIL", "skimage", "scipy", "seg_widget"}


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_core_imports_only_numpy_pillow_scikit_image_and_itself():
    for path in sorted(CORE.glob("*.py")):
        for name in _imported_modules(path):
            top = name.split(".")[0]
            assert top in ALLOWED, f"{path.name} imports {name}"
            if top == "seg_widget":
                assert name.startswith("seg_widget.core"), f"{path.name} imports {name}"
            assert not name.startswith("."), f"{path.name}: use absolute imports ({name})"
