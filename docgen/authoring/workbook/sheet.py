"""One worksheet of a filled workbook, its merged ranges resolved: a covered cell reads its range's first cell."""

from __future__ import annotations

from typing import Any

from docgen.authoring.workbook.problems import At, Problem
from docgen.io.xlsx_grid import MAX_ROWS, Grid
from docgen.io.xlsx_package import MAX_NUMBER_DIGITS

MAX_COLUMNS = 24  # columns read per sheet (README): the widest 2024 table has 11, plus docgen's own ones


class Sheet:
    """A sheet's bounded grid; what cannot be read (huge numbers, formulas without a value) is reported once."""

    def __init__(self, grid: Grid, problems: list[Problem]):
        self.grid, self.name, self.problems = grid, grid.name, problems
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}
        self.ranges: dict[tuple[int, int], tuple[int, int, int, int]] = {}  # origin → (r0, c0, r1, c1)
        for r0, c0, r1, c1 in grid.facts.merges:
            if r0 > MAX_ROWS or c0 > MAX_COLUMNS:
                continue
            self.ranges[(r0, c0)] = (r0, c0, r1, c1)
            for r in range(r0, min(r1, MAX_ROWS) + 1):
                for c in range(c0, min(c1, MAX_COLUMNS) + 1):
                    self.origin[(r, c)] = (r0, c0)
        self.max_row = grid.max_row
        self.max_col = grid.max_col
        self.reported: set[tuple[int, int]] = set()
        for (r, c), digits in sorted(grid.facts.huge_numbers.items()):
            if r <= MAX_ROWS and c <= MAX_COLUMNS:
                shown = digits if len(digits) <= 24 else f"{digits[:12]}…（共 {len(digits)} 个字符）"
                self.problem(r, c, f"数字“{shown}”过大，不是有效的金额或项目数（最多 {MAX_NUMBER_DIGITS} 位整数）")
                self.reported.add((r, c))
        if grid.facts.unreadable:
            problems.append(
                Problem("含有过长的数字，本工作表其余内容未能读取；请改正上面的单元格后再导入", At(self.name))
            )
        if grid.truncated:
            problems.append(
                Problem(
                    f"超过 {MAX_ROWS} 行，超出部分未读取；征集表每张表最多 {MAX_ROWS} 行，"
                    "请删除多余的行（或检查是否误填了远处的单元格）",
                    At(self.name),
                )
            )

    def at(self, r: int, c: int) -> At:
        return At.of(self.name, r, c)

    def ref(self, r: int, c: int) -> str:
        """表一!F7."""
        return str(self.at(r, c))

    def range_at(self, r: int, c: int) -> At:
        """表二!D5:D6 for a merged range's origin, 表二!D5 otherwise."""
        r0, c0, r1, c1 = self.ranges.get((r, c), (r, c, r, c))
        return At.of(self.name, r0, c0, r1, c1)

    def problem(self, r: int, c: int, message: str) -> None:
        self.problems.append(Problem(message, self.at(r, c)))

    def own(self, r: int, c: int) -> Any:
        """The cell's own value (None for a cell covered by a merge, or one already reported as too large)."""
        if self.origin.get((r, c), (r, c)) != (r, c) or (r, c) in self.reported:
            return None
        value = self.grid.values.get((r, c))
        if value is None and (r, c) in self.grid.formulas:
            formula = self.grid.formulas.pop((r, c))  # report once
            self.problem(
                r, c, f"公式“{formula}”没有计算结果；请在 Excel/WPS/LibreOffice 中打开并保存后再导入，或直接填写数值"
            )
        return value

    def peek(self, r: int, c: int) -> Any:
        """The cell's own value, or a formula's text when it has no value (nothing reported: a look, not a read)."""
        if self.origin.get((r, c), (r, c)) != (r, c) or (r, c) in self.reported:
            return None
        value = self.grid.values.get((r, c))
        return self.grid.formulas.get((r, c)) if value is None else value

    def value(self, r: int, c: int) -> Any:
        """The value shown at (r, c): a merged range's value on every cell it covers."""
        r0, c0 = self.origin.get((r, c), (r, c))
        return self.own(r0, c0)

    def origin_of(self, r: int, c: int) -> tuple[int, int]:
        return self.origin.get((r, c), (r, c))

    def merged(self, r: int, c: int) -> bool:
        return (r, c) in self.origin

    def spans_rows(self, r: int, c: int) -> bool:
        rng = self.ranges.get(self.origin_of(r, c))
        return rng is not None and rng[2] > rng[0]

    def comment(self, r: int, c: int) -> str:
        return self.grid.facts.comments.get((r, c), "")

    def typed(self, r: int, c: int) -> Any:
        """A value the clerk typed (None for an empty cell and for a formula's result)."""
        return None if (r, c) in self.grid.formula_cells else self.grid.values.get((r, c))


__all__ = ["MAX_COLUMNS", "Sheet"]
