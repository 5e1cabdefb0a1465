import ast
from pathlib import Path

import seg_widget.io

IO = Path(seg_widget.io.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_io_imports_neither_widgets_nor_rendering():
    for path in sorted(IO.glob("*.py")):
        for name in _imported_modules(path):
            top = name.split(".")[0]
            assert top not in {"ipywidgets", "ipycanvas", "IPython"}, f"{path.name} imports {name}"
            if top == "seg_widget":
                assert name.startswith(("seg_widget.core", "seg_widget.io")), (
                    f"{path.name} imports {name}"
                )
