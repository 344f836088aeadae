"""Forms by id for every consumer: load one (every problem raised at once), list the good ones, pick the one inputs name.

A form's id is its file's stem (``2024``, ``2025-fuwu-jigou``); a path is accepted wherever an id is.
Broken forms are left out of ``available`` (``catalog().broken()`` lists them with their problems), so
the service, the batch and every command go on with the good ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from docgen.form.catalog import built, catalog
from docgen.form.errors import FormProblem
from docgen.form.tree import Form
from docgen.io.paths import DATA_DIR


class FormInvalid(ValueError):
    """A form definition with problems, every one of them (file, line, Chinese message)."""

    def __init__(self, problems: list[FormProblem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def form_path(form_id: int | str, data_dir: Path | None = None) -> Path:
    """The file of a form id: the province's folder first, then the built-in one (data/forms/ID.yaml)."""
    found = catalog(data_dir).path(str(form_id))
    return found if found is not None else (data_dir or DATA_DIR) / "forms" / f"{form_id}.yaml"


def load(form_id: int | str | Path, data_dir: Path | None = None) -> Form:
    """A form by id (``2024``, ``"2025-fuwu-jigou"``) or by path; FormInvalid with every problem."""
    if isinstance(form_id, Path) or (isinstance(form_id, str) and catalog(data_dir).path(form_id) is None):
        path = Path(form_id).resolve()
    else:
        path = form_path(form_id, data_dir).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no form {path}")
    result = built(path)  # the id is the file's stem
    if result.form is None or result.problems:
        raise FormInvalid(result.problems)
    return result.form


def _order(form_id: str, form: Form) -> tuple[int, str]:
    return (form.year, form_id)


def available(data_dir: Path | None = None) -> list[str]:
    """The ids of the forms that build without problems, oldest year first (ties by id)."""
    good = catalog(data_dir).good()
    return sorted(good, key=lambda i: _order(i, good[i].form))  # type: ignore[arg-type]


def latest(data_dir: Path | None = None) -> str | None:
    """The newest good form's id (the highest year; among equal years the last id), None when there is none."""
    ids = available(data_dir)
    return ids[-1] if ids else None


def form_for(ids: Iterable[int | str | None] = (), data_dir: Path | None = None) -> Form:
    """The form a set of inputs names (the most named id, the newest on a tie), else the newest form."""
    known = available(data_dir)
    counts = Counter(str(i) for i in ids if i is not None and str(i) in known)
    if counts:
        chosen = max(counts, key=lambda i: (counts[i], known.index(i)))
    else:
        newest = latest(data_dir)
        if newest is None:
            raise FileNotFoundError(f"no published form in {(data_dir or DATA_DIR) / 'forms'}")
        chosen = newest
    return load(chosen, data_dir)
