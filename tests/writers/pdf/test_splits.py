"""The label-repetition marks as the template reads them (docgen.writers.pdf.splits)."""

from __future__ import annotations

from docgen.writers.pdf.splits import BREAK, TALL, Split, TableSplits


def test_marks_answer_by_meaning() -> None:
    marks = TableSplits.of({Split(3, 2), Split(5, TALL), Split(7, BREAK)})
    assert marks.repeats(3, 2) and not marks.repeats(3, 1) and not marks.repeats(2, 3)
    assert marks.tall(5) and not marks.tall(3) and not marks.tall(7)
    assert marks.breaks(7) and not marks.breaks(5)
    assert not TableSplits() and marks and len(marks) == 3


def test_union_and_subset() -> None:
    a, b = TableSplits.of({Split(1, 0)}), TableSplits.of({Split(1, TALL)})
    assert a | b == TableSplits.of({Split(1, 0), Split(1, TALL)})
    assert a <= a | b and not (a | b) <= a
    assert hash(a) == hash(TableSplits.of([Split(1, 0)]))  # frozen: usable as a cache key


def test_form_table_macro_reads_the_marks() -> None:
    """The shared macro prints the repeated label, the tall and the break classes from the marks."""
    from docgen.form.loading import load as load_form
    from docgen.io.paths import TEMPLATES_DIR
    from docgen.views.form import blank_view
    from docgen.writers.pdf import engine

    view = blank_view(load_form(2024))
    ti, table = next((i, t) for i, t in enumerate(view.tables) if any(c.covered for r in t.rows for c in r.cells))
    ri, ci = next((r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row.cells) if cell.covered)
    macro = engine.jinja_env(TEMPLATES_DIR).get_template("html/_tables.html.j2").module.form_table
    plain = str(macro(table, tid=f"t{ti}"))
    marked = str(macro(table, tid=f"t{ti}", splits=TableSplits.of({Split(ri, ci), Split(0, TALL), Split(ri, BREAK)})))
    assert "repeat" not in plain and " tall" not in plain and " break" not in plain
    assert marked.count(" repeat") == 1
    assert f'class="{table.rows[0].kind} tall"' in marked
    assert f'break" data-row="t{ti}-{ri}"' in marked
