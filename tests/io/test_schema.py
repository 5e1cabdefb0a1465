import json
import re

import pytest

from seg_widget.core import DEFAULT_PALETTE, LabelClass, normalize_classes
from seg_widget.io import load_schema, save_schema, schema_from_dict, schema_to_dict


def _write(path, schema):
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def _schema(*classes):
    return {"format": "seg-widget-schema", "version": 1, "classes": list(classes)}


def test_round_trip_keeps_names_colours_and_parents(tmp_path):
    classes = [
        "background",
        LabelClass("car", "#123456", parent="vehicle"),
        LabelClass("sedan", (1, 2, 3), parent="car"),
        LabelClass("chat noir é", "red"),
        "no colour",
    ]
    path = tmp_path / "classes.json"
    save_schema(path, classes)
    assert load_schema(path) == normalize_classes(classes)


def test_file_is_readable_json_with_hex_colours_and_a_version(tmp_path):
    path = tmp_path / "classes.json"
    save_schema(path, ["background", LabelClass("cat", (255, 128, 0), parent="animal")])
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == {
        "format": "seg-widget-schema",
        "version": 1,
        "classes": [
            {"id": 0, "name": "background", "color": "#000000", "parent": None},
            {"id": 1, "name": "cat", "color": "#ff8000", "parent": "animal"},
        ],
    }


def test_missing_colour_gets_the_default_palette_colour():
    classes = schema_from_dict(_schema({"name": "bg"}, {"name": "cat"}))
    assert classes[1].color == DEFAULT_PALETTE[0]


def test_parent_may_be_a_group_name_that_is_not_a_class():
    assert schema_to_dict(["bg", LabelClass("car", parent="vehicle")])["classes"][1]["parent"] == (
        "vehicle"
    )


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ([], "schema: expected a JSON object; got list"),
        ({"format": "other", "version": 1, "classes": []}, r"schema\['format'\]: expected"),
        ({"format": "seg-widget-schema", "version": 2, "classes": []}, "newer seg-widget"),
        ({"format": "seg-widget-schema", "version": "1"}, r"schema\['version'\]: expected an int"),
        (_schema(), r"schema\['classes'\]: expected a non-empty list; got an empty list"),
        (_schema({"name": 3}), r"schema\['classes'\]\[0\]\['name'\]: expected a string"),
        (_schema({"name": "a", "colour": "red"}), r"got unknown keys \['colour'\]"),
        (_schema({"name": "a", "id": 1}), r"\['id'\]: expected 0 \(the position\); got 1"),
        (_schema({"name": "a", "color": [1, 2, 3]}), r"\['color'\]: expected a colour string"),
        (_schema({"name": "a"}, {"name": "b", "color": "nope"}), r"classes\[1\]\.color"),
        (_schema({"name": "a"}, {"name": "a"}), "expected a unique name"),
        (_schema({"name": "a", "parent": ""}), r"\['parent'\]: expected a class or group name"),
        (
            _schema({"name": "bg"}, {"name": "a", "parent": "b"}, {"name": "b", "parent": "a"}),
            "expected a hierarchy without cycles",
        ),
        (_schema({"name": "bg"}, {"name": "a", "parent": "a"}), "'a', the class itself"),
        (_schema({"name": "bg", "parent": "x"}, {"name": "a"}), "class 0 is 'unlabelled'"),
    ],
)
def test_invalid_schemas_are_refused_naming_the_entry(schema, message):
    with pytest.raises(ValueError, match=message):
        schema_from_dict(schema)


def test_cycle_is_refused_on_save_too(tmp_path):
    with pytest.raises(ValueError, match="without cycles"):
        save_schema(
            tmp_path / "s.json",
            [LabelClass("bg"), LabelClass("a", "red", "b"), LabelClass("b", None, "a")],
        )
    assert not (tmp_path / "s.json").exists()


def test_load_errors_name_the_file(tmp_path):
    path = _write(tmp_path / "bad.json", _schema({"name": "a", "colour": "red"}))
    with pytest.raises(ValueError, match=re.escape(f"schema in {str(path)!r}['classes'][0]")):
        load_schema(path)


def test_not_json_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"path: cannot read .*bad\.json.* as JSON"):
        load_schema(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="path: file not found"):
        load_schema(tmp_path / "missing.json")
