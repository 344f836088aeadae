"""The `docgen` command line: thin wrappers around library functions."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import typer

from docgen import __version__
from docgen.cli_zh import ChineseCommand, ChineseGroup
from docgen.io.paths import BUILD_DIR, TEMPLATES_DIR
from docgen.models.diagnostics import InvalidInput, printable

_TYPER: dict = {
    "cls": ChineseGroup,
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # plain help, so that docgen.cli_zh can put every heading in Chinese
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(
    help="docgen：把各单位的项目需求填报（YAML/JSON）生成为符合 GB/T 9704-2012 的公文表格（DOCX、XLSX、PDF）。",
    **_TYPER,
)
OUTPUT_SUFFIXES = (".pdf", ".docx", ".xlsx", ".yaml", ".yml", ".json", ".zip")

Files = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="填报文件（.yaml/.yml/.json）")


def _err(text: str) -> None:
    typer.echo(printable(text), err=True)


def _usage_error(text: str) -> None:
    _err(f"错误：{text}")
    raise typer.Exit(2)


def prepare_outdir(outdir: Path, option: str = "-o") -> Path:
    """Make sure the output folder can be written, before any work: a folder, creatable, writable."""
    if outdir.exists() and not outdir.is_dir():
        _usage_error(f"{option} 应为输出目录，但“{outdir}”是一个文件。请另选一个目录（文件名由填报文件名决定）。")
    if not outdir.exists() and outdir.suffix.lower() in OUTPUT_SUFFIXES:
        _usage_error(
            f"{option} 应为输出目录，不是文件名：“{outdir}”。输出文件按填报文件命名（如 shenzhen.pdf），"
            f"请写 {option} {outdir.parent if str(outdir.parent) != '.' else 'build'}。"
        )
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=outdir):
            pass
    except OSError as exc:
        _usage_error(f"无法创建输出目录“{outdir}”：{_os_reason(exc)}。")
    return outdir


def _os_reason(exc: OSError) -> str:
    reasons = {
        errno.ENOSPC: "磁盘空间不足",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "所在磁盘是只读的",
        errno.ENOTDIR: "路径中有一段是文件而不是目录",
        errno.ENOENT: "路径不存在，且无法创建",
        errno.EEXIST: "已有同名文件",
        errno.EDQUOT: "超出磁盘配额",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def _write_file(path: Path, text: str) -> None:
    """Write one output file (schema, starter, imported YAML) or say in Chinese why not."""
    from docgen.io.atomic import write_text

    if path.is_dir():
        _usage_error(f"-o 应为文件名，但“{path}”是一个目录。")
    try:
        write_text(path, text)
    except OSError as exc:
        _err(f"错误：未能写入“{path}”：{_os_reason(exc)}。")
        raise typer.Exit(1) from None


def _same_stems(files: list[Path]) -> None:
    by_stem: dict[str, list[Path]] = {}
    for f in files:
        by_stem.setdefault(f.stem, []).append(f)
    for stem, group in by_stem.items():
        if len(group) > 1:
            _usage_error(
                f"有 {len(group)} 个输入文件同名（{stem}）：{'、'.join(map(str, group))}。"
                f"它们的输出都叫 {stem}.docx/.xlsx/.pdf，会互相覆盖；请改名，或分别生成到不同的目录。"
            )


def _fail_internal(exc: BaseException) -> None:
    # A bug in docgen, not in the user's file: one clear line; the traceback only on request.
    if os.environ.get("DOCGEN_DEBUG"):
        raise exc
    _err(f"docgen 内部错误：{type(exc).__name__}: {exc}（设置 DOCGEN_DEBUG=1 可查看详细信息）")
    raise typer.Exit(3)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"docgen {__version__}")
        raise typer.Exit()


def _forms_dir(value: Path | None) -> Path | None:
    if value is not None:
        if not value.is_dir():
            _usage_error(f"--forms 应为存放征集表定义的目录，但“{value}”不是目录。")
        from docgen.form.catalog import use_forms_dir

        use_forms_dir(value)
    return value


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本号"),
    forms: Path | None = typer.Option(
        None,
        "--forms",
        callback=_forms_dir,
        is_eager=True,
        envvar="DOCGEN_FORMS",
        help="省局自己的征集表定义目录（与内置的 data/forms/ 并用，同编号的以此为准）；也可设 DOCGEN_FORMS",
    ),
) -> None:
    """docgen：填报文件 → 公文表格与 PDF 文件包。"""


form_app = typer.Typer(help="征集表定义（data/forms/*.yaml）：检查、由旧表生成新一年的表、JSON Schema。", **_TYPER)
app.add_typer(form_app, name="form")

FormFiles = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="征集表定义文件（.yaml/.json）")


@form_app.command("check", cls=ChineseCommand)
def form_check(
    files: list[Path] = FormFiles,
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果，供程序读取"),
) -> None:
    """检查征集表定义，一次列出所有问题（文件、行号、中文说明）。退出码：0 通过，1 有问题，2 用法错误。"""
    from docgen.authoring.formdef import check_form_files

    results = check_form_files(files)
    if as_json:
        out = [
            {"file": printable(r.file), "id": r.id, "valid": r.ok, "problems": [vars(p) for p in r.problems]}
            for r in results
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in results:
            for p in r.problems:
                typer.echo(printable(str(p)))
            status = "通过" if r.ok else f"未通过（{len(r.problems)} 个问题）"
            typer.echo(printable(f"{r.file}: {status}"))
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


@form_app.command("new", cls=ChineseCommand)
def form_new(
    new_id: str = typer.Argument(..., help="新征集表的编号（文件名），以年度开头，如 2025 或 2025-fuwu-jigou"),
    old_id: str = typer.Option(..., "--from", help="以哪一份征集表为底（编号，如 2024）"),
    output: Path = typer.Option(..., "-o", "--output", help="写入的文件（如 forms/2025.yaml）"),
    force: bool = typer.Option(False, "--force", help="覆盖已有文件"),
) -> None:
    """由旧的征集表复制出新一年的征集表：年度、标题和截止日期顺延，注释和顺序不变。"""
    from docgen.authoring.formdef import NewFormError, check_form_text, new_form_text

    if output.stem != new_id:
        _usage_error(f"征集表的编号就是文件名：-o 应为 {new_id}.yaml（现为“{output.name}”）。")
    if output.exists() and not force:
        _err(f"{output} 已存在；如需覆盖请加 --force")
        raise typer.Exit(1)
    try:
        text, before, after = new_form_text(new_id, old_id)
    except NewFormError as exc:
        _usage_error(str(exc))
        return
    result = check_form_text(text, str(output), new_id)
    if not result.ok:  # never write a form that does not build
        for p in result.problems:
            _err(str(p))
        raise typer.Exit(1)
    _write_file(output, text)
    typer.echo(
        f"已生成 {output}（由 {old_id} 复制，年度 {before} → {after}）。"
        f"请核对文号、截止日期、预设项目和填写说明，再运行：docgen form check {output}"
    )


@form_app.command("schema", cls=ChineseCommand)
def form_schema(
    output: Path | None = typer.Option(None, "-o", "--output", help="写入文件（默认输出到屏幕）"),
) -> None:
    """输出征集表定义的 JSON Schema（契约的键，以及标有 x-docgen 的 docgen 自己的键）。"""
    from docgen.authoring.formdef import form_schema_json

    text = form_schema_json()
    if output:
        _write_file(output, text)
        _err(f"已写入 {output}")
    else:
        typer.echo(text, nl=False)


@app.command(cls=ChineseCommand)
def validate(
    files: list[Path] = Files,
    strict: bool = typer.Option(False, "--strict", help="把警告也当作错误（退出码 1）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果，供程序读取"),
) -> None:
    """检查填报文件，一次列出所有错误和警告。退出码：0 通过（可能有警告），1 有错误，2 用法错误。"""
    from docgen.registry import check_file

    results = [check_file(f) for f in files]
    if as_json:
        out = [
            {
                "file": printable(r.file),
                "valid": r.ok(strict),
                "errors": len(r.errors),
                "warnings": len(r.warnings),
                "diagnostics": [d.as_dict() for d in r.diagnostics],
            }
            for r in results
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in results:
            for d in r.diagnostics:
                typer.echo(str(d))
            status = "通过" if r.ok(strict) else "未通过"
            typer.echo(printable(f"{r.file}: {status}（{len(r.errors)} 个错误，{len(r.warnings)} 个警告）"))
    raise typer.Exit(0 if all(r.ok(strict) for r in results) else 1)


def _published_form(form_id: str | None) -> Any:
    """The form ``--form`` names by its id (2024, 2025-fuwu-jigou), else the newest; an id no good form has
    is a usage error in Chinese (never a traceback, nor a file name too long for 300 digits)."""
    from docgen.form.loading import available, form_for, load
    from docgen.models.year import is_form_year

    if form_id is None:
        return form_for()
    ids = available()
    wanted = form_id.strip()
    if wanted in ids:
        return load(wanted)
    if is_form_year(wanted):
        wrong = f"没有 {wanted} 年度的征集表"
    elif wanted.isdigit() or not wanted:
        wrong = "--form 应为四位数的年份，例如 2024"
    else:
        wrong = f"没有编号为“{wanted[:40]}”的征集表"
    _err(f"错误：{wrong}；可用的征集表：{'、'.join(ids)}。")
    raise typer.Exit(2)


@app.command(cls=ChineseCommand)
def schema(
    output: Path | None = typer.Option(None, "-o", "--output", help="写入文件（默认输出到屏幕）"),
    form: str | None = typer.Option(
        None, "--form", help="征集表编号（如 2024）；写 --form definition 则输出征集表定义本身的 Schema"
    ),
) -> None:
    """输出填报文件的 JSON Schema（供编辑器自动补全和检查）；--form definition：征集表定义的 Schema。"""
    from docgen.authoring.formdef import form_schema_json
    from docgen.authoring.schema import schema_json

    if form == "definition":
        text = form_schema_json()
    else:
        text = schema_json(_published_form(form))
    if output:
        _write_file(output, text)
        _err(f"已写入 {output}")
    else:
        typer.echo(text, nl=False)


@app.command(cls=ChineseCommand)
def init(
    unit: str = typer.Argument(..., help="单位：编号（如 guangzhou）、全称或地市名（如 广州市）"),
    output: Path | None = typer.Option(None, "-o", "--output", help="输出文件（默认 UNIT编号.yaml）"),
    form: str | None = typer.Option(None, "--form", help="征集表编号，如 2024（默认：最新的征集表）"),
    force: bool = typer.Option(False, "--force", help="覆盖已有文件"),
) -> None:
    """为某个单位生成一份填报文件模板，注释中列出可引用的预设项目。"""
    from docgen.authoring.starter import UnknownUnit, find_unit, starter_yaml

    f = _published_form(form)
    try:
        u = find_unit(f, unit)
    except UnknownUnit as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    path = output or Path(f"{u.id}.yaml")
    if path.exists() and not force:
        _err(f"{path} 已存在；如需覆盖请加 --force")
        raise typer.Exit(1)
    _write_file(path, starter_yaml(f, u))
    typer.echo(f"已生成 {path}（{u.name}）。填写后运行：docgen validate {path}")


@app.command(cls=ChineseCommand)
def render(
    files: list[Path] = Files,
    outdir: Path = typer.Option(BUILD_DIR, "-o", "--outdir", help="输出目录"),
    formats: str = typer.Option(
        "docx,xlsx,pdf", "-f", "--format", help="输出格式，逗号分隔：docx,xlsx,pdf,ofd（ofd：GB/T 33190 版式文件）"
    ),
    strict: bool = typer.Option(False, "--strict", help="有警告也不生成"),
    templates: Path = typer.Option(TEMPLATES_DIR, "--templates", help="模板目录（可复制 templates/ 后修改）"),
    require_official_fonts: bool = typer.Option(
        False, "--require-official-fonts", help="缺少仿宋_GB2312 等规范字体时报错，而不是使用替代字体"
    ),
) -> None:
    """生成填报表格（DOCX、XLSX）和 PDF 文件包；也可渲染空白征集表（data/forms/*.yaml）和通知（data/notices/*.yaml）。"""
    from docgen.registry import KNOWN_FORMATS, Options, render_file, write_outputs

    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    bad = [f for f in wanted if f not in KNOWN_FORMATS]
    if bad or not wanted:
        _err(f"未知的输出格式：{'、'.join(bad) or '（空）'}；可用：{','.join(KNOWN_FORMATS)}")
        raise typer.Exit(2)
    _same_stems(files)
    prepare_outdir(outdir)
    from docgen.options import RenderOptions

    render = RenderOptions(require_official_fonts=require_official_fonts)
    options = Options(formats=wanted, templates=templates, strict=strict, render=render)
    failed = 0
    for f in files:
        try:
            rendered = render_file(f, options)
        except InvalidInput as exc:
            for d in exc.diagnostics:
                _err(str(d))
            _err(f"{f}: 未生成（请先修改以上问题）")
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 - reported per file, the others go on
            if _font_error(exc):
                failed += 1
                continue
            _fail_internal(exc)
        for d in rendered.warnings:
            _err(str(d))
        try:
            written = write_outputs(rendered, outdir)
        except OSError as exc:
            _err(f"{f}: 未能写入“{exc.filename or outdir}”：{_os_reason(exc)}（未留下不完整的文件）。")
            failed += 1
            continue
        except InvalidInput as exc:
            for d in exc.diagnostics:
                _err(str(d))
            failed += 1
            continue
        for path in written:
            typer.echo(f"已生成 {path}")
    raise typer.Exit(1 if failed else 0)


def _font_error(exc: Exception) -> bool:
    from docgen.standard.fonts import OfficialFontMissing

    if isinstance(exc, OfficialFontMissing):
        _err(str(exc))
        return True
    return False


@app.command("import", cls=ChineseCommand)
def import_xlsx(
    workbook: Path = typer.Argument(..., exists=True, dir_okay=False, help="填好的征集表（.xlsx）"),
    output: Path = typer.Option(..., "-o", "--output", help="输出的填报文件（.yaml）"),
    force: bool = typer.Option(False, "--force", help="覆盖已有文件"),
) -> None:
    """读取在 Excel、WPS 或 LibreOffice 中填好的征集表，转换为填报文件（YAML）。"""
    from docgen.authoring.importer import ImportError_, import_workbook

    if output.exists() and not force:
        _err(f"{output} 已存在；如需覆盖请加 --force")
        raise typer.Exit(1)
    try:
        text, warnings = import_workbook(workbook)
    except ImportError_ as exc:
        for line in exc.problems:
            _err(line)
        raise typer.Exit(1) from None
    for w in warnings:
        _err(w)
    _write_file(output, text)
    typer.echo(f"已生成 {output}。请运行：docgen validate {output}")


@app.command(cls=ChineseCommand)
def batch(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="存放各单位填报文件的目录"),
    outdir: Path = typer.Option(..., "-o", "--outdir", help="输出目录，如 build/2024"),
    jobs: int = typer.Option(0, "-j", "--jobs", help="并行进程数（默认按本机 CPU 数）"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask 集群地址，如 tcp://127.0.0.1:8786"),
    notice: Path | None = typer.Option(None, "--notice", help="通知文件（放在归档卷卷首）"),
    strict: bool = typer.Option(False, "--strict", help="有警告的单位也算失败"),
    templates: Path = typer.Option(TEMPLATES_DIR, "--templates", help="模板目录"),
    force: bool = typer.Option(False, "--force", help="忽略清单，全部重新生成"),
    ofd: bool = typer.Option(False, "--ofd", help="另生成 OFD-A 版式的归档卷（归档卷.ofd，GB/T 33190、GB/T 42133）"),
    form: str | None = typer.Option(
        None,
        "--form",
        help="本次批处理的征集表编号（如 2024、2025-fuwu-jigou；默认：多数填报文件所填的征集表）；"
        "填报其他征集表的文件不纳入，并逐个列出",
    ),
) -> None:
    """并行生成所有单位的文件包、全省汇总表和年度归档卷；未变化的单位不重复生成。"""
    from docgen.batch.runner import run_batch

    code = run_batch(
        folder,
        outdir,
        jobs=jobs or None,
        scheduler=scheduler,
        notice=notice,
        strict=strict,
        templates=templates,
        force=force,
        ofd=ofd,
        form=form,
    )
    raise typer.Exit(code)


@app.command(cls=ChineseCommand)
def fonts(
    require_official_fonts: bool = typer.Option(
        False, "--require-official-fonts", help="缺少规范字体时以退出码 1 结束"
    ),
) -> None:
    """报告每种公文字体（仿宋、楷体、黑体、小标宋、宋体）实际使用的字体文件。"""
    from docgen.standard.fonts import OfficialFontMissing, report, resolve_all

    typer.echo(report(require_official=require_official_fonts), nl=False)
    if require_official_fonts:
        try:
            resolve_all(require_official=True)
        except OfficialFontMissing as exc:
            _err(str(exc))
            raise typer.Exit(1) from None


def _register_service() -> None:
    from docgen.app import create_app
    from docgen.service.cli import register

    register(app, create_app)


_register_service()


def _all_in_chinese(typer_app: typer.Typer) -> None:
    """Every command and sub-group docgen registers (the service's too) gets the Chinese help and errors."""
    from typer.core import TyperCommand, TyperGroup

    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = ChineseCommand
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is None:
            continue
        if not isinstance(group.cls, type) or group.cls is TyperGroup:  # unset (Typer's placeholder) or plain
            group.cls = ChineseGroup
        _all_in_chinese(sub)


_all_in_chinese(app)


def run() -> None:  # pragma: no cover - console entry for python -m docgen
    app(prog_name="docgen")


if __name__ == "__main__":  # pragma: no cover
    run()
