"""The marks the label-repetition passes put on a table's rows: typed values, never parsed strings.

A ``Split(row, mark)`` says one thing about body row ``row`` of a table:

- ``mark`` = a column index: the row opens a page inside a merged group, so the label of that
  column (类型, 主要工作内容, 经费安排) is printed again there, starting a new merge;
- ``mark`` = ``"tall"``: the row is taller than a page and may break inside;
- ``mark`` = ``"break"``: the row starts a new page (so the 合计 row never ends a table alone).

``TableSplits`` holds one table's marks; templates/html/_tables.html.j2 asks it through
``repeats(row, col)``, ``tall(row)`` and ``breaks(row)``. docgen.writers.pdf.packet.settle
computes them from a layout, per table id ("t0".."t3").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

TALL: Literal["tall"] = "tall"
BREAK: Literal["break"] = "break"


@dataclass(frozen=True)
class Split:
    """One mark on body row ``row``: a column index (repeat its label), TALL or BREAK."""

    row: int
    mark: int | Literal["tall", "break"]


@dataclass(frozen=True)
class TableSplits:
    """One table's marks, a set of Split that templates query by meaning."""

    marks: frozenset[Split] = frozenset()

    @classmethod
    def of(cls, marks: Iterable[Split]) -> TableSplits:
        return cls(frozenset(marks))

    def repeats(self, row: int, col: int) -> bool:
        """Whether the merged label of column ``col`` is printed again at row ``row``."""
        return Split(row, col) in self.marks

    def tall(self, row: int) -> bool:
        """Whether row ``row`` is taller than a page (it may break inside)."""
        return Split(row, TALL) in self.marks

    def breaks(self, row: int) -> bool:
        """Whether row ``row`` starts a new page (a forced break)."""
        return Split(row, BREAK) in self.marks

    def __or__(self, other: TableSplits) -> TableSplits:
        return TableSplits(self.marks | other.marks)

    def __le__(self, other: TableSplits) -> bool:
        return self.marks <= other.marks

    def __iter__(self) -> Iterator[Split]:
        return iter(self.marks)

    def __len__(self) -> int:
        return len(self.marks)


EMPTY = TableSplits()
Splits = dict[str, TableSplits]  # table id ("t<i>") → its marks

__all__ = ["BREAK", "EMPTY", "TALL", "Split", "Splits", "TableSplits"]
