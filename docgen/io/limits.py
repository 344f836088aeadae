"""The stated limits of what docgen reads: file size, nesting, rows, text length, amounts (one place for all)."""

from __future__ import annotations

from decimal import Decimal

# A real filing is 5–30 KB; the 1,000-project benchmark unit is about 1 MB. Anything bigger is refused unread.
MAX_FILE_BYTES = 8 * 1024 * 1024

# Nesting of mappings and lists: a submission needs 5 levels (top → table → item → projects → project).
MAX_DEPTH = 32

# Nodes (keys, values, list items) in one document, after aliases are expanded: stops alias bombs.
MAX_NODES = 200_000

# Rows of one table: work items (or subsidy rows) per table, and projects per work item.
MAX_ROWS = 1_000

# One text field: an XLSX cell holds at most 32,767 characters, so nothing longer can be in every format.
MAX_TEXT_CHARS = 32_767

# Digits in a number as written; Python refuses int('…') beyond 4,300 digits, we stop far earlier.
MAX_NUMBER_DIGITS = 100

# Amounts in 万元, at most 10^9 with 2 decimals; 项目数 at most 10^5. A budget check sums at most
# MAX_ROWS × MAX_ROWS products count × unit_amount ≤ 10^14, i.e. < 10^20 with 2 decimals: 22 digits, well inside
# Decimal's default 28 significant digits, so no budget check is ever rounded.
MAX_AMOUNT = Decimal("1000000000")
MAX_COUNT = 100_000


def describe() -> dict[str, str]:
    """The limits as a clerk reads them (README, help, messages)."""
    return {
        "文件大小": f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
        "嵌套层数": str(MAX_DEPTH),
        "每张表的行数、每项工作的项目数": f"{MAX_ROWS:,}",
        "单个文字项": f"{MAX_TEXT_CHARS:,} 个字符",
        "金额": f"0 至 {MAX_AMOUNT:,} 万元，最多两位小数",
        "项目数": f"1 至 {MAX_COUNT:,}",
    }
