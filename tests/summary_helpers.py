"""The provincial summary of the 23 example filings, built as the batch builds it (views → collect)."""

from __future__ import annotations

from functools import lru_cache

from docgen.check.submission import check_file
from docgen.io.paths import DATA_DIR
from docgen.views.form import build_view
from docgen.views.summary import SummaryView, collect, unit_filing

EXAMPLES = sorted((DATA_DIR / "submissions" / "2024").glob("*.yaml"))


@lru_cache(maxsize=1)
def examples_summary() -> SummaryView:
    filings, form = [], None
    for path in EXAMPLES:
        result = check_file(path)
        assert result.submission is not None, path
        form = result.form
        filings.append(unit_filing(build_view(result.form, result.submission, path.name, path.read_bytes())))
    assert form is not None and len(filings) == 23
    return collect(form, filings, [])
