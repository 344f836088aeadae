"""The command line in Chinese: Typer's and Click's own help and error words, translated where they are printed."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# Typer (with its own copy of Click) writes most of these with f-strings, not gettext, so no message catalogue
# can reach them: the help text and the error message are translated after Typer has composed them.
# docgen's argument names as a clerk reads them (Typer prints the Python parameter name).
_ARGUMENTS = {"files": "填报文件", "workbook": "工作簿", "folder": "目录", "unit": "单位"}
_HELP_RULES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^Usage: ", re.M), "用法："),
    (re.compile(r"^Arguments:$", re.M), "参数："),
    (re.compile(r"^Options:$", re.M), "选项："),
    (re.compile(r"^Commands:$", re.M), "命令："),
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"\{(files|workbook|folder|unit)\}"), lambda m: _ARGUMENTS[m[1]]),
    (re.compile(r"^  (files|workbook|folder|unit)(?=\.\.\.| )", re.M), lambda m: "  " + _ARGUMENTS[m[1]]),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "命令 [参数]..."),
    (re.compile(r"Show this message and exit\."), "显示本帮助并退出。"),
    (re.compile(r"\[default:\s*([^\]]*)\]"), r"[默认：\1]"),
    (re.compile(r"\[env var: ([^\]]*)\]"), r"[环境变量：\1]"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\(deprecated\) "), "（已弃用）"),
    (re.compile(r"<list\[Path\]>"), "<路径>..."),
    (re.compile(r"<list\[str\]>"), "<文本>..."),
    (re.compile(r"<(?:path|Path)>"), "<路径>"),
    (re.compile(r"<(?:int|integer)>"), "<整数>"),
    (re.compile(r"<(?:str|text)>"), "<文本>"),
    (re.compile(r"<(?:float)>"), "<数字>"),
    (re.compile(r"(?<=[\s=])(PATH|FILE|DIRECTORY)(?=\s|$|\.\.\.)", re.M), "路径"),
    (re.compile(r"(?<=[\s=])TEXT(?=\s|$|\.\.\.)", re.M), "文本"),
    (re.compile(r"(?<=[\s=])INTEGER(?=\s|$|\.\.\.)", re.M), "整数"),
    (re.compile(r"(?<=[\s=])FLOAT(?=\s|$|\.\.\.)", re.M), "数字"),
]

_LABELS = {"file": "文件", "directory": "文件夹", "path": "路径"}
_VALUE_WORDS = [
    (re.compile(r"^Input should be a valid integer.*$", re.S), "应为整数"),
    # pydantic's words for more digits than Python turns into an int (4,300)
    (
        re.compile(r"^Unable to parse input string as an integer, exceeded maximum size.*$", re.S),
        "数字过长，不是有效的整数",
    ),
    (re.compile(r"^Input should be a valid (number|decimal|float).*$", re.S), "应为数字"),
    (re.compile(r"^Input should be a valid boolean.*$", re.S), "应为 true 或 false"),
    (re.compile(r"^Input should be (.*)$", re.S), r"应为 \1"),
]


def _value_words(message: str) -> str:
    for pattern, repl in _VALUE_WORDS:
        if pattern.match(message):
            return pattern.sub(repl, message)
    return message


_ERROR_RULES: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^Invalid value for (.+?): (?i:(File|Directory|Path)) '(.*)' does not exist\.$", re.S),
        lambda m: f"{_LABELS[m[2].lower()]}不存在：{m[3]}（{_hint(m[1])}）",
    ),
    (
        re.compile(r"^Invalid value for (.+?): (?i:(File|Directory|Path)) '(.*)' is a directory\.$", re.S),
        lambda m: f"“{m[3]}”是文件夹，这里需要文件（{_hint(m[1])}）",
    ),
    (
        re.compile(r"^Invalid value for (.+?): (?i:(File|Directory|Path)) '(.*)' is a file\.$", re.S),
        lambda m: f"“{m[3]}”是文件，这里需要文件夹（{_hint(m[1])}）",
    ),
    (
        re.compile(r"^Invalid value for (.+?): (?i:(File|Directory|Path)) '(.*)' is not readable\.$", re.S),
        lambda m: f"无法读取“{m[3]}”（{_hint(m[1])}）",
    ),
    (
        re.compile(r"^Invalid value for (.+?): (?i:(File|Directory|Path)) '(.*)' is not writable\.$", re.S),
        lambda m: f"无法写入“{m[3]}”（{_hint(m[1])}）",
    ),
    (
        re.compile(r"^Invalid value for (.+?): '?(.*?)'? is not a valid integer(?: range)?\.?$", re.S),
        lambda m: f"{_hint(m[1])} 应为整数，现为“{m[2]}”",
    ),
    (re.compile(r"^Invalid value for (.+?): (.*)$", re.S), lambda m: f"{_hint(m[1])} 的值无效：{_value_words(m[2])}"),
    (
        re.compile(r"^Missing (argument|option|parameter) (.+?)\.(?: (.*))?$", re.S),
        lambda m: f"缺少{'参数' if m[1] == 'argument' else '选项'} {_hint(m[2])}。" + (f"{m[3]}" if m[3] else ""),
    ),
    (
        re.compile(r"^No such option: (\S+)(?: \(Possible options: (.*)\))?$", re.S),
        lambda m: f"没有选项 {m[1]}。" + (f"是否应为 {m[2].replace(', ', ' 或 ')}？" if m[2] else ""),
    ),
    (
        re.compile(r"^No such command '(.*)'\.(?: Did you mean (.*)\?)?$", re.S),
        lambda m: f"没有命令“{m[1]}”。" + (f"是否应为“{m[2].strip(chr(39))}”？" if m[2] else ""),
    ),
    (re.compile(r"^Option '(.*)' requires an argument\.$", re.S), lambda m: f"选项 {m[1]} 后面需要一个值。"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$", re.S), lambda m: f"选项 {m[1]} 后面需要 {m[2]} 个值。"),
    (re.compile(r"^Option '(.*)' does not take a value\.$", re.S), lambda m: f"选项 {m[1]} 不带值。"),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)$", re.S), lambda m: f"多余的参数：{m[1]}"),
    (re.compile(r"^Value '(.*)' is not a valid (.*)\.$", re.S), lambda m: f"“{m[1]}”不是有效的{m[2]}"),
]


def _hint(param: str) -> str:
    """ "'-o' / '--outdir'" → "-o/--outdir", "'FILES...'" → "FILES"."""
    name = re.sub(r"'([^']*)'", r"\1", param).replace(" / ", "/").removesuffix("...").replace("...", "")
    return _ARGUMENTS.get(name.lower(), name)


def translate_help(text: str) -> str:
    """Typer's help page with its English headings, metavars and notes in Chinese."""
    for pattern, repl in _HELP_RULES:
        text = pattern.sub(repl, text)
    return text


def translate_error(message: str) -> str:
    """One Typer/Click usage error in Chinese (messages docgen wrote itself pass unchanged)."""
    for pattern, repl in _ERROR_RULES:
        m = pattern.match(message.strip())
        if m:
            return repl(m)
    return message


def _run(
    main: Any, args: Any, prog_name: str | None, complete_var: str | None, standalone_mode: bool, extra: dict[str, Any]
) -> Any:
    """Run Typer's main without its standalone error printing, then print any usage error in Chinese."""
    try:
        rv = main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
    except typer.TyperException as exc:  # Typer's copy of click.ClickException and its usage errors
        if not standalone_mode:
            raise
        _show(exc)
        sys.exit(getattr(exc, "exit_code", 1))
    except typer.Abort:
        if not standalone_mode:
            raise
        typer.echo("已中止。", err=True)
        sys.exit(1)
    if not standalone_mode:
        return rv
    sys.exit(rv if isinstance(rv, int) else 0)


def _show(exc: Exception) -> None:
    """Print a usage error as Click would, in Chinese: usage line, where to find help, the error."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # the message is the (already Chinese) help page
        typer.echo(message, err=True)
        return
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        typer.echo(f"查看帮助：{ctx.command_path} --help", err=True)
    typer.echo(f"错误：{translate_error(message)}", err=True)


class _Chinese:
    """Chinese help pages and usage errors for a click command or group (mixed in before Typer's class)."""

    def get_usage(self, ctx: Any) -> str:
        return translate_help(super().get_usage(ctx))  # type: ignore[misc]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        super().format_help(ctx, formatter)  # type: ignore[misc]
        formatter.buffer[:] = [translate_help(formatter.getvalue())]

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        extra["windows_expand_args"] = windows_expand_args
        return _run(super().main, args, prog_name, complete_var, standalone_mode, extra)  # type: ignore[misc]


class ChineseCommand(_Chinese, TyperCommand):
    """A Typer command whose help and usage errors are Chinese."""


class ChineseGroup(_Chinese, TyperGroup):
    """The Typer group of all docgen commands, with Chinese help and usage errors."""
