"""Every notebook in notebooks/ runs top to bottom in a real kernel."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_opens_unmodified_in_jupyterlab(path):
    """JupyterLab writes the kernel's kernelspec and language_info into a notebook it opens;
    a notebook that already holds them is not marked as modified."""
    from ipykernel.ipkernel import IPythonKernel

    metadata = nbformat.read(path, as_version=4).metadata
    assert metadata["kernelspec"] == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    expected = {k: v for k, v in IPythonKernel.language_info.items() if k != "version"}
    info = {k: v for k, v in metadata["language_info"].items() if k != "version"}
    assert info == expected


def test_instances_notebook_runs_without_warnings(tmp_path):
    notebook = nbformat.read(NOTEBOOKS[0].with_name("instances.ipynb"), as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    streams = [
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]
    assert streams == []
