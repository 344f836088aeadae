"""Read YAML or JSON into plain data, with the line of every key and value."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import yaml

Path_ = tuple[str | int, ...]


class SourceError(Exception):
    """The file cannot be read or parsed at all."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass
class Source:
    """A parsed document and where each of its parts stands in the file."""

    file: str
    data: Any
    text: str
    lines: dict[Path_, int] = field(default_factory=dict)  # path -> 1-based line

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one (a missing key → its parent)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


def _scalar(node: yaml.ScalarNode, loader: yaml.SafeLoader) -> Any:
    value = loader.construct_object(node, deep=True)
    # Amounts must never pass through binary floats: take the digits as written.
    if isinstance(value, float) and node.tag.endswith(":float"):
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return value
    return value


MAX_NODES = 200_000  # far beyond any real filing; stops alias bombs ("billion laughs")
MAX_DEPTH = 50  # a filing nests 5 levels; deeper data would exhaust recursion in every later step


class _TooBig(Exception):
    pass


class _TooDeep(Exception):
    pass


_TOO_DEEP = "文件嵌套层数过深（列表或键值对套了太多层），无法读取；请检查括号是否配对（nesting too deep）"


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer stops at MAX_DEPTH: it recurses once per level, and slowly."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _build(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    path: Path_,
    lines: dict[Path_, int],
    seen: tuple[int, ...] = (),
    count: list[int] | None = None,
) -> Any:
    count = count if count is not None else [0]
    count[0] += 1
    if count[0] > MAX_NODES or id(node) in seen:  # too large, or an alias that contains itself
        raise _TooBig(node.start_mark.line + 1)
    if len(path) > MAX_DEPTH:
        raise _TooDeep(node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    inner = (*seen, id(node))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, (str, int)) else str(key)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, loader, child, lines, inner, count)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loader, (*path, i), lines, inner, count) for i, item in enumerate(node.value)]
    return _scalar(cast(yaml.ScalarNode, node), loader)  # neither mapping nor sequence: a scalar


def _compose(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a raw control character: YAML forbids it
        line = text[: exc.position].count("\n") + 1
        raise SourceError(
            file,
            line,
            f"第{line}行含有不可见的控制字符（U+{exc.character:04X}），请删除它；"
            f"如确需该字符，请在双引号字符串中写成转义形式（control character not allowed in YAML）",
        ) from None
    try:
        root = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = None if root is None else _build(root, loader, (), lines)
    except _TooBig as exc:
        raise SourceError(
            file,
            exc.args[0],
            "文件内容过大，或含有引用自身的 YAML 别名（&/*），请展开后重试"
            "（document too large or self-referencing alias）",
        ) from None
    except _TooDeep as exc:
        raise SourceError(file, exc.args[0], _TOO_DEEP) from None
    except RecursionError:  # PyYAML's parser and composer recurse once per nesting level
        raise SourceError(file, 1, _TOO_DEEP) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SourceError(file, line, f"YAML 语法错误：{exc.problem or exc}（YAML syntax error）") from None
    except yaml.YAMLError as exc:
        raise SourceError(file, 1, f"YAML 语法错误：{exc}") from None
    finally:
        loader.dispose()
    return data, lines


def parse(text: str, file: str, fmt: str | None = None) -> Source:
    """Parse text as JSON (by extension or a leading brace) or YAML."""
    fmt = fmt or ("json" if file.lower().endswith(".json") else "yaml")
    if fmt == "json":
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise SourceError(file, exc.lineno, f"JSON 语法错误：{exc.msg}（第{exc.colno}列）") from None
        except RecursionError:
            raise SourceError(file, 1, _TOO_DEEP) from None
        if _depth(data) > MAX_DEPTH:
            raise SourceError(file, 1, _TOO_DEEP)
        try:
            # JSON is YAML: reuse the YAML composer for line numbers only.
            _, lines = _compose(text, file)
        except SourceError:
            lines = {}
        return Source(file, data, text, lines)
    data, lines = _compose(text, file)
    return Source(file, data, text, lines)


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest (without recursion: the data may be arbitrarily deep)."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
            stack.extend((child, depth + 1) for child in children)
    return deepest


def load(path: str | Path) -> Source:
    """Read a submission (or any docgen input) file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), 0, f"无法读取文件：{exc.strerror}（cannot read file）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(str(path), line, "文件不是 UTF-8 编码，请另存为 UTF-8（file is not UTF-8）") from None
    return parse(text, str(path))


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
