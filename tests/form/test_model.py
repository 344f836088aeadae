"""The submission model generated from 2024's tree takes and refuses exactly what the hand-written one does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from docgen.check.aliases import canonical
from docgen.form.catalog import built
from docgen.form.model import submission_model
from docgen.io.source import SourceError, load
from tests.legacy_oracle.submission import Submission

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [
        *(ROOT / "data" / "submissions" / "2024").glob("*.yaml"),
        *(ROOT / "tests" / "fixtures" / "invalid").glob("*"),
        *(ROOT / "tests" / "fixtures" / "hostile").glob("*"),
        *(ROOT / "tests" / "data" / "examples").glob("*.yaml"),
    ]
)


def _readable(path: Path) -> bool:
    try:
        load(path)
    except SourceError:
        return False  # the reader's own error: no model is involved
    return True


READABLE = [p for p in FILES if _readable(p)]


def generated() -> type[BaseModel]:
    form = built(ROOT / "data" / "forms" / "2024.yaml").form
    assert form is not None
    return submission_model(form)


def outcome(model: type[BaseModel], data: Any) -> list[tuple[Any, ...]] | dict[str, Any]:
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        return [(e["type"], e["loc"], e["msg"]) for e in exc.errors(include_url=False)]


@pytest.mark.parametrize("path", READABLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_errors_and_same_values_as_the_hand_written_model(path: Path) -> None:
    data = canonical(load(path)).data
    assert outcome(generated(), data) == outcome(Submission, data)


def test_the_corpus_is_large() -> None:
    assert len(READABLE) > 60 and len(FILES) - len(READABLE) < 10


MUTATIONS = [
    ("retained", 0, "projects", 0, "quantity", "3×20"),
    ("retained", 0, "projects", 0, "quantity", "3 件"),
    ("retained", 0, "projects", 0, "count", "-1"),
    ("retained", 0, "projects", "x"),
    ("retained", 0, "budget", None),
    ("post_subsidy", "x"),
    ("delegated", 0, "name", "改过的名称"),
    ("delegated", 0, "amount", "1,5"),
    ("delegated", 1, "projects", []),
    ("support", None),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: ".".join(map(str, m[:-1])))
def test_same_on_mutated_filings(mutation: tuple[Any, ...]) -> None:
    data = canonical(load(ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml")).data
    *path, value = mutation
    node = data
    for part in path[:-1]:
        node = node[part] if not isinstance(node, list) or part < len(node) else node[-1]
    if isinstance(node, list):
        node.append(value)
    else:
        node[path[-1]] = value
    assert outcome(generated(), data) == outcome(Submission, data)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_todays_submission_from_the_generated_one_is_the_hand_validated_one(path: Path) -> None:
    from tests.legacy_oracle.adapter import legacy_submission

    try:
        data = canonical(load(path)).data
        checked = generated().model_validate(data)
    except (SourceError, ValidationError):
        return  # only accepted filings are handed on
    form = built(ROOT / "data" / "forms" / "2024.yaml").form
    assert form is not None
    mine, theirs = legacy_submission(form, checked), Submission.model_validate(data)
    assert mine == theirs and repr(mine) == repr(theirs)
    for table in ("retained", "post_subsidy", "support", "delegated"):
        assert [type(r) for r in getattr(mine, table)] == [type(r) for r in getattr(theirs, table)]
