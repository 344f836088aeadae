"""The libyaml-backed reader reads exactly what the pure-Python one reads: same data, lines, problems, messages."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import yaml

from docgen.io import yaml_reader
from docgen.io.yaml_reader import CoreLoader, ReadError, _compose_with, compose

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [p for p in (ROOT / "tests" / "fixtures").rglob("*") if p.suffix in (".yaml", ".yml", ".json")]
    + sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
)

if os.environ.get("CI") == "true":
    assert yaml.__with_libyaml__, "setup installs PyYAML with libyaml: the C parser must be there in CI"
needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")


def _outcome(loader: type | None, text: str) -> object:
    """(data, lines, problems) pickled, or the ReadError's line and message; loader None = the public compose."""
    try:
        result = compose(text) if loader is None else _compose_with(loader, text)
    except ReadError as exc:
        return ("error", exc.line, exc.message)
    return pickle.dumps(result)


def test_fixture_set_is_there() -> None:
    assert len(FILES) > 50 and any(p.name == "guangzhou.yaml" for p in FILES)


# the files the pre-pass refuses before any loader runs have nothing to compare
COMPOSED = [p for p in FILES if yaml_reader._flow_too_deep(p.read_text(encoding="utf-8")) is None]


def test_only_the_deep_fixtures_are_left_to_the_pre_pass() -> None:
    assert {p.name for p in FILES if p not in COMPOSED} <= {
        "deep-flow.yaml",
        "deep-flow.json",
        "deep.json",
        "deep.yaml",
    }


@needs_libyaml
@pytest.mark.parametrize("path", COMPOSED, ids=lambda p: str(p.relative_to(ROOT)))
def test_compose_matches_pure_python_reader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _outcome(None, text) == _outcome(CoreLoader, text)


@needs_libyaml
def test_valid_filing_is_read_by_libyaml() -> None:
    # Not just falling back every time: the C parser itself builds guangzhou.yaml, with values' source text.
    text = (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8")
    assert yaml_reader.FastCoreLoader is not None
    assert _outcome(yaml_reader.FastCoreLoader, text) == _outcome(CoreLoader, text)


@needs_libyaml
def test_libyaml_errors_are_explained_as_before() -> None:
    # libyaml words a tab differently ("found character that cannot start any token"); the clerk still reads
    # the Tab explanation, because errors are re-read by the pure-Python loader.
    text = "form: 2024\nunit: 广州\n\tunit_kind: city\n"
    line, message = _outcome(None, text)[1:]  # type: ignore[index]
    assert line == 3 and "Tab" in message


@needs_libyaml
def test_depth_limit_holds_for_block_nesting() -> None:
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "v\n"
    # The Python composer (depth count) runs on libyaml's events too, and stops at the same line.
    with pytest.raises(ReadError) as err:
        _compose_with(yaml_reader.FastCoreLoader, text)  # type: ignore[arg-type]
    assert "嵌套层数过深" in err.value.message and err.value.line == 32
    assert _outcome(CoreLoader, text) == ("error", err.value.line, err.value.message)
