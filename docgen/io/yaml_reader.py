"""YAML (and JSON, which is YAML) read by the YAML 1.2 core schema: text stays text, every problem with its line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import yaml

from docgen.io import limits

Path_ = tuple[str | int, ...]

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution). Unlike PyYAML's YAML 1.1 rules,
# 075526543210 is not octal, 10:30 is not 630, on/no are not booleans and 2023-05-26 is not a timestamp.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_TAG = "tag:yaml.org,2002:"
# Characters no format can hold: lone surrogates and the two non-characters XML forbids.
_BAD_CHAR = re.compile("[\ud800-\udfff\ufffe\uffff]")


class SourceInt(int):
    """An integer that remembers how it was written (075526543210 stays that text where text is wanted)."""

    source: str

    def __new__(cls, value: int, source: str | None = None) -> SourceInt:
        obj = super().__new__(cls, value)
        obj.source = str(value) if source is None else source
        return obj

    def __reduce__(self) -> tuple:
        return (SourceInt, (int(self), self.source))


class SourceDecimal(Decimal):
    """A decimal number as written: 60.50 stays 60.50 in text fields, and never passes through a float."""

    source: str

    def __new__(cls, value: str, source: str | None = None) -> SourceDecimal:
        obj = super().__new__(cls, value)
        obj.source = value if source is None else source
        return obj

    def __reduce__(self) -> tuple:
        return (SourceDecimal, (str(Decimal(self)), self.source))


class LongNumber(str):
    """A number with more digits than any amount or count may have: kept as its text, reported by the reader."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one value that the reader found; validation reports it with the other problems."""

    code: str
    path: Path_
    line: int
    message: str
    hint: str = ""


class ReadError(Exception):
    """The file cannot be read as YAML at all: the line and a Chinese explanation."""

    def __init__(self, line: int, message: str, original: str = ""):
        super().__init__(f"{line}: {message}")
        self.line, self.message = line, message
        self.original = original  # the parser's own English words, for --json; never in the message


class _TooDeep(Exception):
    pass


class _DepthLimit:
    """Composer hook shared by both loaders: refuse deep nesting at its line instead of a RecursionError."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # The composer is recursive: count its depth (PyYAML's Python composer runs for both loaders).
        self._depth += 1
        try:
            if self._depth > limits.MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class CoreLoader(_DepthLimit, yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core tag resolution and a nesting limit."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - our own table, not PyYAML's YAML 1.1 one


for _tag, _regex, _first in (
    ("null", _NULL, ["~", "n", "N", ""]),
    ("bool", _BOOL, list("tTfF")),
    ("int", _INT, list("-+0123456789")),
    ("float", _FLOAT, list("-+0123456789.")),
):
    CoreLoader.add_implicit_resolver(_TAG + _tag, _regex, _first)

FastCoreLoader: type | None = None
if yaml.__with_libyaml__:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # the stubs do not list libyaml's classes
    # libyaml scans and parses (about 80% of a check's time in pure Python); PyYAML's Python composer still
    # builds the nodes from libyaml's events, so the depth limit, anchors, tag resolution and marks are the
    # same code as CoreLoader's. Composer comes before CParser so its compose_* methods replace the C ones.

    class _FastCoreLoader(
        _DepthLimit,
        yaml.composer.Composer,
        CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """CoreLoader on libyaml's C parser: same resolution, same nodes; errors are re-read by CoreLoader."""

        yaml_implicit_resolvers = CoreLoader.yaml_implicit_resolvers

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    FastCoreLoader = _FastCoreLoader


def _number_text(text: str) -> str:
    return text.replace("_", "")


def _scalar(node: yaml.ScalarNode, path: Path_, problems: list[Problem]) -> Any:
    """Construct a scalar ourselves: exact decimals, source text kept, explicit tags checked."""
    tag, text = node.tag, node.value
    line = node.start_mark.line + 1
    short = tag.removeprefix(_TAG)
    if tag == "!" or short == "str":
        return text
    if short == "null":
        if _NULL.match(text):
            return None
    elif short == "bool":
        if _BOOL.match(text):
            return text.lower() == "true"
    elif short in ("int", "float"):
        plain = _number_text(text.strip())
        digits = sum(ch.isdigit() for ch in plain)
        if digits > limits.MAX_NUMBER_DIGITS:
            problems.append(
                Problem(
                    "number-too-long",
                    path,
                    line,
                    f"数字过长（{digits:,} 位），金额和项目数最多 {limits.MAX_NUMBER_DIGITS} 位。",
                    "请检查是否多输入了数字。",
                )
            )
            return LongNumber(text)
        if short == "int" and _INT.match(plain):
            base = 16 if plain.startswith("0x") else 8 if plain.startswith("0o") else 10
            return SourceInt(int(plain[2:] if base != 10 else plain, base), text)
        if _FLOAT.match(plain) or _INT.match(plain):
            low = plain.lower().lstrip("+")
            if low in (".inf", "-.inf", ".nan"):
                return SourceDecimal({"-.inf": "-Infinity", ".inf": "Infinity"}.get(low, "NaN"), text)
            try:
                return SourceDecimal(plain, text)
            except InvalidOperation:
                pass
    elif short in ("map", "seq"):
        pass
    else:
        problems.append(
            Problem(
                "bad-tag",
                path,
                line,
                f"不支持 YAML 标签“{tag}”。",
                "请删除标签，直接写值（docgen 只读文本、数字、列表和键值对）。",
            )
        )
        return text
    problems.append(
        Problem("bad-tag", path, line, f"“{text}”不能按标签 !!{short} 读取。", f"请删除“!!{short}”，或改为正确的值。")
    )
    return text


def _key_text(value: Any) -> str | int:
    return value if isinstance(value, str) else getattr(value, "source", str(value))


def _pairs(text: str) -> str:
    """Join escaped surrogate pairs ("\\ud840\\udc00", as JSON writes 𠀀) into the character they stand for."""
    if not _BAD_CHAR.search(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:  # a lone surrogate: left for _check_text to report
        return text


def _check_text(text: str, path: Path_, line: int, problems: list[Problem]) -> None:
    bad = _BAD_CHAR.search(text)
    if bad:
        problems.append(
            Problem(
                "bad-character",
                path,
                line,
                f"含有无效字符 U+{ord(bad.group()):04X}（孤立的代理项或非字符），任何格式都无法保存。",
                "请删除该字符，或重新输入这段文字。",
            )
        )


def _build(
    loader: yaml.constructor.SafeConstructor,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    problems: list[Problem],
    seen: tuple[int, ...],
    count: list[int],
) -> Any:
    count[0] += 1
    if count[0] > limits.MAX_NODES or id(node) in seen:  # too large, or an alias that contains itself
        raise ReadError(
            node.start_mark.line + 1,
            "文件内容过大，或含有引用自身的 YAML 别名（&/*），请展开后重试"
            "（document too large or self-referencing alias）",
        )
    lines.setdefault(path, node.start_mark.line + 1)
    inner = (*seen, id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        loader.flatten_mapping(node)  # YAML merge keys (<<) expanded
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode):
                key = _key_text(_scalar(key_node, path, problems))
                key = _pairs(key) if isinstance(key, str) else key
            else:
                key = f"<{type(key_node).__name__}>"
            child = (*path, key)
            if key in out:
                problems.append(
                    Problem(
                        "duplicate-key",
                        child,
                        key_line,
                        (
                            f"键“{key}”重复：第{first_line[key]}行已经写过（第{key_line}行又写了一次）。"
                            if first_line[key] != key_line
                            else f"键“{key}”在第{key_line}行写了两次。"
                        ),
                        "请删除其中一个，或合并两处的内容。",
                    )
                )
                _build(loader, value_node, (*path, f"{key}#{key_line}"), {}, problems, inner, count)
                continue
            first_line[key] = key_line
            lines[child] = key_line
            if isinstance(key, str):
                _check_text(key, child, key_line, problems)
            out[key] = _build(loader, value_node, child, lines, problems, inner, count)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines, problems, inner, count) for i, item in enumerate(node.value)]
    value = _scalar(cast(yaml.ScalarNode, node), path, problems)  # aliases are resolved: a scalar is left
    if isinstance(value, str) and not isinstance(value, LongNumber):
        value = _pairs(value)
        _check_text(value, path, node.start_mark.line + 1, problems)
    return value


_OPENS_AFTER = set(":,[{-\n")


def _flow_too_deep(text: str) -> int | None:
    """The line where [ and { nest deeper than MAX_DEPTH, found in one pass before PyYAML's scanner.

    The scanner looks ahead to the end of a flow collection before the composer sees its first node, which
    makes a 100,000-bracket file take seconds; this cheap count refuses it at once. Brackets inside quotes,
    comments and plain text ("a[b") are not counted; the composer's own limit stays the authoritative one.
    """
    if text.count("[") + text.count("{") <= limits.MAX_DEPTH:  # depth only grows at a bracket: none can be too deep
        return None
    depth, line, quote, prev = 0, 1, "", "\n"
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'" and prev in _OPENS_AFTER:
            quote = ch
        elif ch == "#" and prev in " \t\n":
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif ch in "[{":
            if prev not in _OPENS_AFTER:  # inside plain text: not a collection, and neither is what follows
                prev = "a"
                i += 1
                continue
            depth += 1
            if depth > limits.MAX_DEPTH:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
        if not ch.isspace() or ch == "\n":
            prev = ch
        i += 1
    return None


def compose(text: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    """Parse YAML text: plain data, the line of every path, and the problems found in values."""
    deep = _flow_too_deep(text)
    if deep is not None:
        raise ReadError(
            deep,
            f"第{deep}行：嵌套层数过深（超过 {limits.MAX_DEPTH} 层），"
            "填报文件不需要这么深的列表或键值对，请检查括号和缩进（nesting too deep）",
        )
    if FastCoreLoader is not None:
        try:
            return _compose_with(FastCoreLoader, text)
        except Exception:  # noqa: BLE001 - any trouble: the pure-Python reader below gives the explained error
            pass  # libyaml words errors differently (and may refuse what PyYAML reads): CoreLoader is the reference
    return _compose_with(CoreLoader, text)


def _compose_with(loader_class: type, text: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    """Compose and build with one loader class; every failure becomes a ReadError worded for a clerk."""
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:  # a raw control character: YAML forbids it
        line = text[: exc.position].count("\n") + 1
        raise ReadError(
            line,
            f"第{line}行含有不可见的控制字符（U+{exc.character:04X}），请删除它；"
            f"如确需该字符，请在双引号字符串中写成转义形式（control character not allowed in YAML）",
        ) from None
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    try:
        root = loader.get_single_node()
        data = None if root is None else _build(loader, root, (), lines, problems, (), [0])
    except _TooDeep as exc:
        raise ReadError(
            exc.args[0],
            f"第{exc.args[0]}行：嵌套层数过深（超过 {limits.MAX_DEPTH} 层），"
            "填报文件不需要这么深的列表或键值对，请检查括号和缩进（nesting too deep）",
        ) from None
    except yaml.MarkedYAMLError as exc:
        line, message = explain(exc, text)
        raise ReadError(line, message, _original(exc)) from None
    except yaml.YAMLError as exc:
        raise ReadError(1, "YAML 语法错误：文件无法读取。", str(exc)) from None
    except RecursionError:
        raise ReadError(1, f"嵌套层数过深（超过 {limits.MAX_DEPTH} 层）（nesting too deep）") from None
    finally:
        loader.dispose()
    return data, lines, problems


# --- syntax errors a clerk makes, explained ------------------------------------------------------------

_KEY_FULLWIDTH = re.compile(r"^\s*(?:-\s+)?([^\s:：#\"'{}\[\],][^:：#\"'{}\[\],]*?)\s*：")
_EMPTY_FLOW = re.compile(r"^\s*(?:-\s+)?([^\s:#][^:#]*?):\s*(\[\]|\{\})\s*(?:#.*)?$")
_OPENERS = {"flow mapping": ("{", "}"), "flow sequence": ("[", "]")}


def _source_lines(text: str) -> list[str]:
    return text.splitlines()


def _prev_content_line(rows: list[str], before: int) -> int | None:
    """The 1-based number of the last line above `before` that holds something other than a comment."""
    for n in range(before - 1, 0, -1):
        stripped = rows[n - 1].strip()
        if stripped and not stripped.startswith("#"):
            return n
    return None


def _original(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's own sentence, kept beside the Chinese one (--json's ``original``), never inside it."""
    return f"{exc.context + ', ' if exc.context else ''}{exc.problem or ''}"


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(line, Chinese message) for a YAML syntax error: the likely mistake, where it started and where it
    broke. Chinese alone: a clerk cannot use PyYAML's English sentence (ReadError.original keeps it)."""
    rows = _source_lines(text)
    problem = exc.problem or ""
    context = exc.context or ""
    broke = exc.problem_mark.line + 1 if exc.problem_mark else (exc.context_mark.line + 1 if exc.context_mark else 1)
    opened = exc.context_mark.line + 1 if exc.context_mark else None

    # A full-width colon after a key: the commonest slip with a Chinese input method.
    candidates = [n for n in (opened, broke, broke - 1) if n and 1 <= n <= len(rows)]
    for n in candidates:
        m = _KEY_FULLWIDTH.match(rows[n - 1])
        if m and ": " not in rows[n - 1].split("：", 1)[0]:
            return n, (
                f"第{n}行用了全角冒号“：”（“{m.group(1)}：”）。键和值之间请改为半角冒号加空格“: ”，"
                f"例如“{m.group(1)}: …”。"
            )
    if "'\\t'" in problem or "\t" in problem:
        return broke, f"第{broke}行用 Tab 键缩进，YAML 只能用空格缩进。请改用空格（同一层的键左端对齐）。"
    for kind, (open_ch, close_ch) in _OPENERS.items():
        if kind in context and opened:
            return broke, (
                f"第{opened}行开始的“{open_ch}”没有闭合，到第{broke}行仍未找到“{close_ch}”。"
                f"请在第{opened}行这一项的末尾补上“{close_ch}”，或检查其中的逗号。"
            )
    if "quoted scalar" in context and opened:
        return broke, f"第{opened}行开始的引号没有闭合（到第{broke}行仍未结束）。请补上配对的引号。"
    if "expected <block end>" in problem or "mapping values are not allowed" in problem:
        prev = _prev_content_line(rows, broke)
        if prev is not None:
            m = _EMPTY_FLOW.match(rows[prev - 1])
            if m:
                return broke, (
                    f"第{prev}行的“{m.group(1)}: {m.group(2)}”已写成空列表，下面第{broke}行起的内容不属于它。"
                    f"请删除“{m.group(2)}”，只写“{m.group(1)}:”，再在下面逐行填写。"
                )
        start = f"（从第{opened}行开始的这一段）" if opened and opened != broke else ""
        return broke, f"第{broke}行的缩进与上文不一致{start}：同一层的键要左端对齐，列表项“- ”要比所属的键多缩进。"
    if "could not find expected ':'" in problem and opened:
        return broke, f"第{opened}行缺少“: ”（键和值之间要有半角冒号加空格），到第{broke}行仍未找到。"
    where = f"从第{opened}行开始，" if opened and opened != broke else ""
    return broke, f"YAML 语法错误：{where}第{broke}行无法读取。"
