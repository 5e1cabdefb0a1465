"""The layer's node tests compare against committed kernel answers: they must be current."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_layer_fixtures.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_layer_fixtures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_layer_fixtures_are_what_the_kernel_computes_now():
    generator = _generator()
    committed = generator.OUTPUT.read_text(encoding="utf-8")
    assert committed == generator.render(), (
        "js/unit/fixtures/layer.json is stale: run python scripts/make_layer_fixtures.py"
    )
