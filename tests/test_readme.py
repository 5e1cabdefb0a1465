"""The README stays true: its keyboard table and commands match the code."""

from pathlib import Path

import seg_widget as sw

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_lists_every_shortcut_as_the_help_panel_does():
    for shortcut in sw.SHORTCUTS:
        assert f"| {shortcut.keys} | {shortcut.description} |" in README


def test_readme_lists_every_mouse_gesture_and_where_keys_go():
    from seg_widget.widget.keymap import GESTURES
    from seg_widget.widget.panels.help import KEYBOARD_NOTE

    for gesture, action in GESTURES:
        assert f"| {gesture} | {action} |" in README
    assert KEYBOARD_NOTE in README


def test_readme_names_every_tool():
    for tool in sw.TOOLS:
        assert f'"{tool}"' in README


def test_readme_commands_exist():
    makefile = (ROOT / "Makefile").read_text()
    assert "make demo" in README and "\ndemo:" in makefile
    assert "make test" in README and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert (ROOT / "docs" / "screenshot.png").exists()


def test_readme_says_how_to_install_jupyterlab_and_the_demo_installs_only_that():
    assert "pip install '.[lab]'" in README
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile[makefile.index("\ndemo:") :].split("\n\n")[0]
    assert "-e '.[lab]'" in demo and "[test]" not in demo and "setup" not in demo
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'lab = ["jupyterlab>=4.6,<5"]' in pyproject
