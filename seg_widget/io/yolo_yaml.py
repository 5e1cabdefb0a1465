r"""The ``data.yaml`` of a YOLO dataset: written and read without a YAML library.

Written (`data_yaml_text`): comments, ``train``/``val`` folders, ``nc`` and ``names`` as a
block mapping ``index: "name"``. Every name is a YAML double-quoted scalar, so quotes,
colons, ``#``, leading spaces, newlines and any Unicode survive: ``\`` and ``"`` are
escaped, as are characters YAML does not allow raw or would fold (C0/C1 controls, DEL,
``\x85``, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF); other characters are written as UTF-8.
A name that is not valid Unicode text (a lone surrogate, from undecodable bytes) cannot be
represented and is an error.

Read (`read_data_yaml`): the ``names`` and ``nc`` keys of the subset of YAML that YOLO
datasets use — ``names`` as a block mapping (``0: person``), a block sequence (``- person``)
or a flow sequence (``[person, 'traffic light']``); scalars plain, single- or double-quoted.
Other keys are skipped; anything else under ``names`` is an error naming the file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from seg_widget.io._paths import as_path, require_file

__all__ = ["data_yaml_text", "read_data_yaml", "yaml_quote"]

#: Largest data.yaml read (bytes): thousands of class names fit in far less.
MAX_YAML_BYTES = 8 << 20

_NAMED_ESCAPES = {
    "\\": "\\\\", '"': '\\"', "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t",
    "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e", "\x85": "\\N",
    "\u2028": "\\L", "\u2029": "\\P",
}  # fmt: skip
_UNESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
# Characters escaped beyond the named ones: controls, DEL, C1, BOM and non-characters.
_NEEDS_ESCAPE = re.compile('[\x00-\x1f\x7f-\x9f\ufeff\ufffe\uffff\u2028\u2029\\\\"]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def yaml_quote(name: str) -> str:
    r"""Return ``name`` as a YAML double-quoted scalar.

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If ``name`` holds a lone surrogate (not representable in UTF-8 YAML).

    Examples
    --------
    >>> print(yaml_quote('say "hi": now\n'))
    "say \"hi\": now\n"

    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str; got {type(name).__name__}")
    bad = _SURROGATE.search(name)
    if bad:
        raise ValueError(
            f"name: {name!r} holds the lone surrogate U+{ord(bad.group()):04X} at position "
            f"{bad.start()}, which no YAML file can hold; rename the class"
        )
    return '"' + _NEEDS_ESCAPE.sub(_escape, name) + '"'


def data_yaml_text(names: Sequence[str]) -> str:
    """Return the text of a ``data.yaml`` for YOLO classes ``names`` (index 0 first).

    There is no ``path:`` key, so Ultralytics takes the folder of ``data.yaml`` as the
    dataset root; ``train`` and ``val`` are both ``images`` (split them yourself).

    Examples
    --------
    >>> print(data_yaml_text(["cat", "dog: big"]), end="")  # doctest: +NORMALIZE_WHITESPACE
    # YOLO segmentation dataset written by seg-widget.
    # YOLO class index = seg-widget class id - 1 (class 0, unlabelled, has no index).
    train: images
    val: images
    nc: 2
    names:
      0: "cat"
      1: "dog: big"

    """
    lines = [
        "# YOLO segmentation dataset written by seg-widget.",
        "# YOLO class index = seg-widget class id - 1 (class 0, unlabelled, has no index).",
        "train: images",
        "val: images",
        f"nc: {len(names)}",
        "names:",
    ]
    for index, name in enumerate(names):
        try:
            lines.append(f"  {index}: {yaml_quote(name)}")
        except (TypeError, ValueError) as error:
            raise type(error)(f"classes[{index + 1}]: {error}") from None
    return "\n".join(lines) + "\n"


def read_data_yaml(path: str | os.PathLike) -> list[str]:
    """Return the class names of a YOLO ``data.yaml``, index 0 first.

    Raises
    ------
    ValueError
        Naming the file (and line): missing, too large, not UTF-8, no ``names``, indices
        not 0..n-1, ``nc`` disagreeing with ``names``, or YAML outside the subset above.

    """
    name = as_path(path)
    require_file(name)
    with open(name, "rb") as file:
        data = file.read(MAX_YAML_BYTES + 1)
    if len(data) > MAX_YAML_BYTES:
        raise ValueError(f"{name}: expected at most {MAX_YAML_BYTES} bytes; the file is larger")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name}: expected UTF-8 text; {error}") from None
    lines = text.splitlines()
    names: list[str] | None = None
    count = None
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        key_match = re.match(r"(names|nc)\s*:(.*)$", line)
        if key_match is None:
            continue
        key, rest = key_match.group(1), _without_comment(key_match.group(2)).strip()
        if key == "nc":
            if not re.fullmatch(r"\d+", rest):
                raise ValueError(f"{name}, line {number}: expected 'nc: <count>'; got {line!r}")
            count = int(rest)
        elif rest:
            names = _flow_sequence(rest, name, number)
        else:
            names, number = _block(lines, number, name)
    if names is None:
        raise ValueError(f"{name}: expected a 'names:' key listing the classes; found none")
    if count is not None and count != len(names):
        raise ValueError(f"{name}: 'nc: {count}' disagrees with the {len(names)} names")
    return names


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _block(lines: list[str], number: int, file: str) -> tuple[list[str], int]:
    """Read the indented lines after ``names:``; return the names and the next line."""
    by_index: dict[int, str] = {}
    sequence: list[str] = []
    while number < len(lines):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            number += 1
            continue
        if not line[0].isspace():
            break
        number += 1
        entry = line.strip()
        item = re.fullmatch(r"-\s+(.*)", entry) or (entry == "-" and re.match(r"-()", entry))
        pair = re.fullmatch(r"(\d+)\s*:\s+(.*)|(\d+)\s*:()", entry)
        if item and not by_index:
            sequence.append(_scalar(item.group(1), file, number))
        elif pair and not sequence:
            index = int(pair.group(1) or pair.group(3))
            if index in by_index:
                raise ValueError(f"{file}, line {number}: class index {index} appears twice")
            by_index[index] = _scalar(pair.group(2) or "", file, number)
        else:
            raise ValueError(
                f"{file}, line {number}: expected '<index>: <name>' or '- <name>' under "
                f"'names:'; got {line!r}"
            )
    if by_index:
        if sorted(by_index) != list(range(len(by_index))):
            raise ValueError(
                f"{file}: expected class indices 0..{len(by_index) - 1}; got {sorted(by_index)}"
            )
        return [by_index[index] for index in range(len(by_index))], number
    return sequence, number


def _flow_sequence(text: str, file: str, number: int) -> list[str]:
    if not (text.startswith("[") and text.endswith("]")):
        raise ValueError(
            f"{file}, line {number}: expected a list '[a, b]' or indented entries after "
            f"'names:'; got {text!r}"
        )
    body, names, position = text[1:-1], [], 0
    token = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^,\"'\[\]{}]*?)\s*(,|$)")
    while position < len(body):
        match = token.match(body, position)
        if match is None or match.end() == position:
            raise ValueError(f"{file}, line {number}: cannot read the names list {text!r}")
        names.append(_scalar(match.group(1), file, number))
        position = match.end()
    return names


def _scalar(text: str, file: str, number: int) -> str:
    text = text.strip()
    if text.startswith('"'):
        match = re.fullmatch(r'"((?:[^"\\]|\\.)*)"\s*(#.*)?', text)
        if match is None:
            raise ValueError(f"{file}, line {number}: unterminated double-quoted name {text!r}")
        return _unescape(match.group(1), file, number)
    if text.startswith("'"):
        match = re.fullmatch(r"'((?:[^']|'')*)'\s*(#.*)?", text)
        if match is None:
            raise ValueError(f"{file}, line {number}: unterminated single-quoted name {text!r}")
        return match.group(1).replace("''", "'")
    plain = _without_comment(text).strip()
    if plain[:1] in ("[", "{", "&", "*", "!", "|", ">", "%", "@", "`"):
        raise ValueError(f"{file}, line {number}: unsupported YAML for a class name: {text!r}")
    return plain


def _unescape(body: str, file: str, number: int) -> str:
    out, position = [], 0
    while position < len(body):
        char = body[position]
        if char != "\\":
            out.append(char)
            position += 1
            continue
        code = body[position + 1]
        if code in _UNESCAPES:
            out.append(_UNESCAPES[code])
            position += 2
        elif code in _HEX_ESCAPES:
            digits = body[position + 2 : position + 2 + _HEX_ESCAPES[code]]
            if not re.fullmatch(r"[0-9A-Fa-f]+", digits) or len(digits) < _HEX_ESCAPES[code]:
                raise ValueError(f"{file}, line {number}: bad escape '\\{code}{digits}'")
            out.append(chr(int(digits, 16)))
            position += 2 + len(digits)
        else:
            raise ValueError(f"{file}, line {number}: unknown escape '\\{code}'")
    return "".join(out)


def _without_comment(text: str) -> str:
    """Drop a `` #`` comment from a plain (unquoted) YAML value."""
    match = re.search(r"(^|\s)#", text)
    return text if match is None else text[: match.start()]
