"""data.yaml: any class name survives a YAML parser; foreign files are read or refused clearly."""

from __future__ import annotations

import pytest
import yaml

from seg_widget.io.yolo_yaml import data_yaml_text, read_data_yaml, yaml_quote

HARD_NAMES = [
    'say "hi"',
    "key: value",
    "# not a comment",
    "- not a list",
    "  spaced  ",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "it's",
    "yes",
    "null",
    "",
    "猫",
    "🐈 cat",
    "é\u0301",
    "\x00\x07\x1b\x7f\x85\x9f",
    "\u2028\u2029\ufeff\ufffe\uffff",
    "{[&*!|>%@`]}",
]


def test_hard_names_survive_pyyaml_and_our_reader(tmp_path):
    text = data_yaml_text(HARD_NAMES)
    assert yaml.safe_load(text)["names"] == dict(enumerate(HARD_NAMES))
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_data_yaml(path) == HARD_NAMES


def test_a_lone_surrogate_cannot_be_written():
    with pytest.raises(ValueError, match=r"lone surrogate U\+D800 at position 3"):
        yaml_quote("cat\ud800")
    with pytest.raises(TypeError, match="name: expected a str; got int"):
        yaml_quote(3)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("train: ../train/images\nnc: 3\nnames: ['head', 'helmet', \"per,son\"]\n", None),
        ("names:\n  - head\n  - 'helmet'  # comment\n  - \"per,son\"\n", None),
        ("path: x\nnames:\n  0: head\n\n  # gap\n  1: helmet\n  2: per,son\ntest:\n", None),
        ("names: [a b, 'it''s', c]\n", ["a b", "it's", "c"]),
    ],
)
def test_names_are_read_from_the_forms_yolo_datasets_use(tmp_path, text, names):
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_data_yaml(path) == (names or ["head", "helmet", "per,son"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("train: images\n", "expected a 'names:' key"),
        ("names:\n  0: a\n  2: b\n", r"expected class indices 0\.\.1; got \[0, 2\]"),
        ("names:\n  0: a\n  0: b\n", "line 3: class index 0 appears twice"),
        ("nc: 3\nnames: [a, b]\n", r"'nc: 3' disagrees with the 2 names"),
        ("names: {0: a}\n", "line 1: expected a list"),
        ("names:\n  0: &anchor a\n", "line 2: unsupported YAML for a class name"),
        ('names:\n  0: "open\n', "line 2: unterminated double-quoted name"),
        ('names:\n  0: "bad \\q"\n', r"line 2: unknown escape '\\q'"),
        ("names:\n  zero: a\n", r"line 2: expected '<index>: <name>' or '- <name>'"),
    ],
)
def test_unsupported_or_broken_files_are_refused_naming_the_line(tmp_path, text, message):
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_data_yaml(path)
