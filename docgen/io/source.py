"""Read YAML or JSON into plain data, with the line of every key and value."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen.io import limits
from docgen.io.filekind import special_file
from docgen.io.yaml_reader import LongNumber, Path_, Problem, ReadError, SourceDecimal, SourceInt, compose


class SourceError(Exception):
    """The file cannot be read or parsed at all."""

    def __init__(self, file: str, line: int, message: str, original: str = ""):
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message
        self.original = original  # the parser's own English words (PyYAML's, json's): --json only


@dataclass
class Source:
    """A parsed document and where each of its parts stands in the file."""

    file: str
    data: Any
    text: str
    lines: dict[Path_, int] = field(default_factory=dict)  # path -> 1-based line
    problems: list[Problem] = field(default_factory=list)  # values the reader found wrong (duplicate keys, tags …)

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one (a missing key → its parent)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


def _compose(text: str, file: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    try:
        return compose(text)
    except ReadError as exc:
        raise SourceError(file, exc.line, exc.message, exc.original) from None


def _json_number(text: str) -> Any:
    if sum(ch.isdigit() for ch in text) > limits.MAX_NUMBER_DIGITS:
        return LongNumber(text)  # reported with its line by the YAML pass
    return SourceDecimal(text) if any(ch in text for ch in ".eE") else SourceInt(int(text), text)


def _json_constant(name: str) -> Any:
    return SourceDecimal(name, name)  # NaN, Infinity, -Infinity: refused as amounts by the model


def parse(text: str, file: str, fmt: str | None = None) -> Source:
    """Parse text as JSON (by extension) or YAML; problems in values (duplicate keys, bad tags …) are kept."""
    fmt = fmt or ("json" if file.lower().endswith(".json") else "yaml")
    if fmt == "json":
        try:
            data = json.loads(text, parse_float=_json_number, parse_int=_json_number, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise SourceError(
                file,
                exc.lineno,
                f"JSON 语法错误：{_json_reason(exc.msg)}（第{exc.lineno}行第{exc.colno}列）",
                exc.msg,
            ) from None
        except RecursionError:
            data = None  # nested too deep: the YAML pass below says where
        try:
            # JSON is YAML: the YAML composer gives the lines, duplicate keys and bad characters.
            _, lines, problems = _compose(text, file)
        except SourceError as exc:
            if data is None or "嵌套层数" in exc.message:
                raise
            lines, problems = {}, []
        return Source(file, data, text, lines, problems)
    data, lines, problems = _compose(text, file)
    return Source(file, data, text, lines, problems)


_JSON_REASONS = {
    "Expecting ',' delimiter": "缺少逗号“,”",
    "Expecting ':' delimiter": "缺少冒号“:”",
    "Expecting value": "缺少值，或多了一个逗号",
    "Expecting property name enclosed in double quotes": "键名要用双引号括起来（或多了一个逗号）",
    "Unterminated string starting at": "字符串的引号没有闭合",
    "Extra data": "JSON 内容结束后还有多余的内容",
    "Invalid control character at": "字符串中有控制字符（换行请写成 \\n）",
}


def _json_reason(msg: str) -> str:
    return next((zh for en, zh in _JSON_REASONS.items() if msg.startswith(en)), "无法读取")


def load(path: str | Path) -> Source:
    """Read a submission (or any docgen input) file."""
    p = Path(path)
    try:
        what = special_file(p)
        if what == "文件夹":
            raise SourceError(str(path), 0, "这是一个文件夹，不是填报文件（is a directory）")
        if what:
            raise SourceError(str(path), 0, f"这是一个{what}，不是普通文件，不能作为填报文件（not a regular file）")
        with p.open("rb") as fh:  # never read more than the limit (a device such as /dev/zero never ends)
            raw = fh.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceError(str(path), 0, f"无法读取文件：{exc.strerror}（cannot read file）") from None
    return parse_bytes(raw, str(path))


def parse_bytes(raw: bytes, file: str) -> Source:
    """Parse a file's bytes (read or uploaded under the name `file`): size limit, UTF-8, then `parse`."""
    if len(raw) > limits.MAX_FILE_BYTES:
        raise SourceError(
            file, 0, f"文件过大：填报文件最大 {limits.MAX_FILE_BYTES // (1024 * 1024)} MB（file too large）"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(file, line, "文件不是 UTF-8 编码，请另存为 UTF-8（file is not UTF-8）") from None
    return parse(text, file)


def value_at(data: Any, path: Path_) -> Any:
    """The value at a path of parsed data (keys and list indexes), None where the path leads nowhere."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for data read by `parse` (Decimal → str keeps exact amounts)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
