"""Imports point one way: widget -> render, io -> core; core, render and io never touch widgets."""

import ast
import sys
from pathlib import Path

import pytest

import seg_widget

PACKAGE = Path(seg_widget.__file__).parent
# Beside the standard library, only these (scipy comes with scikit-image; scikit-learn is
# optional, imported lazily by the scribble classifier only; pycocotools is optional, imported
# lazily to decode COCO polygons exactly as training code does; fsspec opens stores, and
# botocore comes with the optional s3fs, imported only when an s3:// store is opened).
THIRD_PARTY = {"numpy", "PIL", "skimage", "scipy", "sklearn", "pycocotools", "fsspec", "botocore"}
# layer -> the seg_widget layers it may import
RULES = {
    "core": ("seg_widget.core",),
    "render": ("seg_widget.core", "seg_widget.render"),
    "io": ("seg_widget.core", "seg_widget.io"),
}


def _imported_modules(path: Path, layer: str) -> set[str]:
    # The module's package, for relative imports: seg_widget.<layer>[.<subpackage>...]
    package = ["seg_widget", *path.relative_to(PACKAGE).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module or "")
        elif isinstance(node, ast.ImportFrom):  # relative: resolve against the package
            base = package[: len(package) + 1 - node.level]
            names.add(".".join([*base, *([node.module] if node.module else [])]))
    return names


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_only_what_the_architecture_allows(layer):
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imported_modules(path, layer):
            top = name.split(".")[0]
            if top == "seg_widget":
                assert name.startswith(RULES[layer]), f"{layer}/{path.name} imports {name}"
            else:
                allowed = top in sys.stdlib_module_names or top in THIRD_PARTY
                assert allowed, f"{layer}/{path.name} imports {name}"


# -- inside the widget layer -------------------------------------------------------------------

WIDGET = PACKAGE / "widget"
FACADE = "seg_widget.widget.segmentation_widget"
# Modules holding state and rules only: no ipywidgets or ipycanvas, testable without a kernel.
PURE_WIDGET_MODULES = (
    "editor",
    "proposals",
    "prompt_runner",
    "signals",
    "display_image",
    "pointer",
    "selection",
)


def _module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def _imports_with_packages(path: Path, module: str) -> set[str]:
    """Every module ``path`` imports (type-checking imports included), with parent packages."""
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names.add(target)
            # `from .tools import brush` may name a submodule.
            names |= {f"{target}.{alias.name}" for alias in node.names}
    # Importing a.b.c runs the package a.b first; the packages holding `module` itself are
    # not dependencies of it (Python runs them before it anyway).
    own_packages = {".".join(module.split(".")[:k]) for k in range(1, module.count(".") + 1)}
    with_parents = set()
    for name in names:
        parts = name.split(".")
        with_parents |= {".".join(parts[:k]) for k in range(1, len(parts) + 1)}
    return with_parents - own_packages


def _import_graph(root: Path, package: str, *, scripts: bool = False) -> dict[str, set[str]]:
    """Module -> the modules of ``root`` it imports. ``scripts``: a folder of scripts that
    import each other by bare name (``import run``)."""
    modules = {
        _module_name(path, root, package): path
        for path in root.rglob("*.py")
        if "node_modules" not in path.parts
    }
    graph = {}
    for name, path in modules.items():
        targets = _imports_with_packages(path, name)
        if scripts:
            targets |= {f"{package}.{target}" for target in targets}
        graph[name] = {target for target in targets if target in modules} - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (a list of modules), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circle_inside_the_widget_layer_type_level_imports_included():
    cycle = _cycle(_import_graph(WIDGET, "seg_widget.widget"))
    assert cycle is None, " -> ".join(cycle)


def test_no_import_circle_among_the_benchmarks():
    cycle = _cycle(_import_graph(PACKAGE.parent / "benchmarks", "benchmarks", scripts=True))
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("folder", ["tools", "panels"])
def test_tools_and_panels_never_import_the_widget_facade(folder):
    graph = _import_graph(WIDGET, "seg_widget.widget")
    for module, targets in graph.items():
        if module.startswith(f"seg_widget.widget.{folder}"):
            assert FACADE not in targets, f"{module} imports the facade module"


@pytest.mark.parametrize("name", PURE_WIDGET_MODULES)
def test_editor_and_proposals_import_no_ipywidgets_or_ipycanvas(name):
    path = WIDGET / f"{name}.py"
    imported = _imports_with_packages(path, f"seg_widget.widget.{name}")
    assert not {"ipywidgets", "ipycanvas", "anywidget"} & imported, f"{name} imports widgets"
    # Nor through the widget modules it imports.
    graph = _import_graph(WIDGET, "seg_widget.widget")
    for target in graph[f"seg_widget.widget.{name}"]:
        assert target.removeprefix("seg_widget.widget.") in PURE_WIDGET_MODULES, (
            f"{name} imports {target}"
        )
