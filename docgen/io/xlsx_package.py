"""A workbook file as a zip package, checked before openpyxl reads it: size, encryption, bombs, merges.

openpyxl trusts what a file claims: a stray cell at XFD1048576 makes a loop run a billion times, a
zip bomb inflates to gigabytes, an encrypted workbook (an OLE compound file) comes back as
`BadZipFile`. This module refuses such files with a Chinese message before anything else opens them,
and reads the few structural facts the importer needs straight from the sheet XML, streamed and
bounded: merged ranges and numbers too large to be amounts.

It is the one place that reads raw SpreadsheetML; everything above it sees plain Python values.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from docgen.io.filekind import special_file

MAX_FILE_BYTES = 20 * 1024 * 1024  # the workbook file itself
MAX_PART_BYTES = 16 * 1024 * 1024  # one uncompressed part (a sheet's XML, the shared strings)
MAX_TOTAL_BYTES = 48 * 1024 * 1024  # every part uncompressed
MAX_PARTS = 400
MAX_MERGES = 20_000  # merged ranges per sheet
MAX_NUMBER_DIGITS = 15  # digits before the point: Excel itself keeps 15 significant digits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: encrypted OOXML, or legacy .xls
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted OOXML package holds
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


class WorkbookRefused(Exception):
    """The file is not a workbook docgen will open; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'D5' → (5, 4); None for anything that is not a plain cell reference."""
    m = _REF.match(ref.upper())
    return (int(m.group(2)), column_number(m.group(1))) if m else None


def check_file(path: Path) -> None:
    """Raise WorkbookRefused unless `path` is a plain .xlsx package of a sane size."""
    name = path.name
    what = special_file(path)
    if what:
        raise WorkbookRefused(f"{name}: 这是一个{what}，不是工作簿文件；请选择 .xlsx 文件")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise WorkbookRefused(f"{name}: 无法读取文件（{exc.strerror or exc}）") from None
    if size > MAX_FILE_BYTES:
        raise WorkbookRefused(
            f"{name}: 文件 {_mb(size)}，超过工作簿上限 {_mb(MAX_FILE_BYTES)}；征集表不会这么大，请检查是否选错了文件"
        )
    if head == OLE_MAGIC:
        data = path.read_bytes()
        if _ENCRYPTION_INFO in data:
            raise WorkbookRefused(
                f"{name}: 工作簿设置了打开密码（已加密），docgen 无法读取；请在 Excel/WPS 中"
                "“文件→信息→保护工作簿”取消密码后另存为 .xlsx 再导入"
            )
        raise WorkbookRefused(f"{name}: 这是旧版 Excel 97-2003（.xls）文件；请在 Excel/WPS 中另存为 .xlsx 再导入")
    if not zipfile.is_zipfile(path):
        raise WorkbookRefused(
            f"{name}: 不是 .xlsx 工作簿（文件内容不是 Office Open XML 压缩包）；请在 Excel/WPS 中另存为 .xlsx"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(f"{name}: 工作簿已损坏，无法打开（{exc}）；请在 Excel/WPS 中另存为 .xlsx") from None
    if len(infos) > MAX_PARTS:
        raise WorkbookRefused(f"{name}: 工作簿内含 {len(infos)} 个部件，超过上限 {MAX_PARTS}；请另存为普通 .xlsx")
    # zipfile never inflates a member beyond the size its header declares, so checking the declared
    # sizes bounds what openpyxl can ever read, whatever the compressed data really holds.
    total = 0
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise WorkbookRefused(
                f"{name}: 部件 {info.filename} 解压后 {_mb(info.file_size)}，超过上限 "
                f"{_mb(MAX_PART_BYTES)}（可能是压缩炸弹或大量空白单元格）；请只保留征集表的内容后另存"
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise WorkbookRefused(
            f"{name}: 工作簿解压后共 {_mb(total)}，超过上限 {_mb(MAX_TOTAL_BYTES)}；请只保留征集表的内容后另存"
        )
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise WorkbookRefused(f"{name}: 压缩包中没有 xl/workbook.xml，不是 Excel 工作簿；请在 Excel/WPS 中另存为 .xlsx")


@dataclass
class SheetFacts:
    """What the importer needs from one sheet's XML beyond its cell values."""

    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_row, min_col, max_row, max_col)
    huge_numbers: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → digits as stored
    unreadable: bool = False  # openpyxl cannot read this sheet (an integer beyond Python's digit limit)
    comments: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → the note's text


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part name, from xl/workbook.xml and its relationships."""
    targets: dict[str, str] = {}
    with zf.open("xl/_rels/workbook.xml.rels") as fh:
        for _, el in iterparse(fh):
            if el.tag == f"{{{_PKG_REL}}}Relationship":
                target = el.get("Target", "")
                part = (
                    target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                )
                targets[el.get("Id", "")] = part
    out: dict[str, str] = {}
    with zf.open("xl/workbook.xml") as fh:
        for _, el in iterparse(fh):
            if el.tag == f"{{{_MAIN}}}sheet":
                found = targets.get(el.get(f"{{{_REL}}}id", ""))
                if found:
                    part = found
                    out[el.get("name", "")] = part
    return out


def _part_target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _comments(zf: zipfile.ZipFile, part: str, names: set[str], facts: SheetFacts) -> None:
    """The sheet's notes (openpyxl's read-only mode does not load them)."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels not in names:
        return
    with zf.open(rels) as fh:
        targets = [
            _part_target(part, el.get("Target", ""))
            for _, el in iterparse(fh)
            if el.tag == f"{{{_PKG_REL}}}Relationship" and el.get("Type", "").endswith("/comments")
        ]
    for target in targets:
        if target not in names:
            continue
        with zf.open(target) as fh:
            for _, el in iterparse(fh):
                if el.tag == f"{{{_MAIN}}}comment":
                    pos = parse_ref(el.get("ref", ""))
                    if pos:
                        facts.comments[pos] = "".join(t.text or "" for t in el.iter(f"{{{_MAIN}}}t"))
                    el.clear()


def _too_big(text: str) -> bool:
    digits = text.strip().lstrip("+-")
    mantissa, _, exponent = digits.lower().partition("e")
    whole = mantissa.split(".")[0].lstrip("0")
    if len(whole) > MAX_NUMBER_DIGITS:
        return True
    if exponent:
        try:
            return float(digits) >= 10**MAX_NUMBER_DIGITS or digits.lower() in ("inf", "nan")
        except ValueError:
            return True
    return False


def sheet_facts(path: Path) -> dict[str, SheetFacts]:
    """Sheet name → merged ranges and too-large numbers, read by streaming each sheet's XML once."""
    out: dict[str, SheetFacts] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for sheet, part in _sheet_parts(zf).items():
                facts = out[sheet] = SheetFacts()
                if part not in names:
                    continue
                with zf.open(part) as fh:
                    for _, el in iterparse(fh):
                        tag = el.tag
                        if tag == f"{{{_MAIN}}}mergeCell":
                            first, _, last = el.get("ref", "").partition(":")
                            a, b = parse_ref(first), parse_ref(last or first)
                            if a and b and len(facts.merges) < MAX_MERGES:
                                facts.merges.append(
                                    (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
                                )
                        elif tag == f"{{{_MAIN}}}c":
                            if el.get("t", "n") == "n":
                                v = el.find(f"{{{_MAIN}}}v")
                                pos = parse_ref(el.get("r", ""))
                                if v is not None and v.text and pos and _too_big(v.text):
                                    facts.huge_numbers[pos] = v.text.strip()
                                    if len(v.text.strip()) > 4000:  # int() of it raises in openpyxl
                                        facts.unreadable = True
                            el.clear()
                        elif tag == f"{{{_MAIN}}}row":
                            el.clear()
                _comments(zf, part, names, facts)
    except (ParseError, KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(
            f"{path.name}: 工作簿内容损坏，无法读取（{exc}）；请在 Excel/WPS 中另存为 .xlsx"
        ) from None
    return out


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PART_BYTES",
    "MAX_TOTAL_BYTES",
    "SheetFacts",
    "WorkbookRefused",
    "check_file",
    "column_number",
    "parse_ref",
    "sheet_facts",
]
