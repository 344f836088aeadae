"""`docgen batch`: every unit's outputs in parallel, then the provincial summary and archive volume."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from docgen import __version__
from docgen.batch.archive import part_path
from docgen.batch.guard import (
    OTHER_FORM,
    OutputLock,
    Refusal,
    check_form,
    check_notice,
    check_outdir,
    check_scheduler,
    sort_inputs,
)
from docgen.batch.manifest import Manifest, UnitEntry, describe, sha256_bytes, tree_hash
from docgen.batch.workers import interrupt_on_sigterm
from docgen.batch.workers import pool as workers_pool
from docgen.form.loading import form_for
from docgen.form.tree import Form
from docgen.io.atomic import write_bytes
from docgen.io.paths import DATA_DIR, TEMPLATES_DIR
from docgen.io.source import SourceError, parse
from docgen.models.diagnostics import InvalidInput
from docgen.options import DEFAULT, RenderOptions
from docgen.registry import ARCHIVE, FORMATS, SUMMARY, UNNUMBERED_PDF, Options, render_source
from docgen.views.summary import UnitFiling, summed, unit_filing

STATUS_TEXT = {"ok": "成功", "invalid": "未通过检查", "error": "生成失败", OTHER_FORM: "其他征集表"}
INDEX_NAME = "文件索引.csv"  # 单位 → its files: the outputs keep ASCII stems, people look units up here


@dataclass
class Job:
    """One unit's input: its content travels, not its path (no shared filesystem needed)."""

    stem: str
    name: str  # file name, for messages and the PDF attachment
    text: str
    options: Options

    @property
    def source_sha256(self) -> str:
        return sha256_bytes(self.text.encode("utf-8"))


@dataclass
class UnitResult:
    """What a worker sends back: output bytes, or every problem of the file."""

    stem: str
    name: str
    status: str  # ok | invalid | error | other-form (a file answering another form than the batch's)
    outputs: dict[str, bytes] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    warnings: int = 0
    unit: str = ""
    totals: dict[str, str] = field(default_factory=dict)  # table key → amount text; "all" → grand total
    filing: UnitFiling | None = None  # the unit's part of the summary, from the view it was rendered from


def render_job(job: Job) -> UnitResult:
    """Render one unit; never raises (a bad file must not stop the batch)."""
    try:
        source = parse(job.text, job.name)
        rendered = render_source(source, job.options, stem=job.stem)
    except SourceError as exc:
        return UnitResult(job.stem, job.name, "invalid", messages=[str(exc)])
    except InvalidInput as exc:
        return UnitResult(
            job.stem,
            job.name,
            "invalid",
            messages=[str(d) for d in exc.diagnostics],
            warnings=sum(d.severity == "warning" for d in exc.diagnostics),
        )
    except Exception as exc:  # noqa: BLE001 - reported as this unit's failure, the others go on
        return UnitResult(job.stem, job.name, "error", messages=[f"{job.name}: 生成失败：{type(exc).__name__}: {exc}"])
    view = rendered.view
    totals = {t.key: t.total_text for t in view.tables} if view else {}
    if view:
        totals["all"] = f"{view.grand_total:.2f}"
    return UnitResult(
        job.stem,
        job.name,
        "ok",
        rendered.outputs,
        [str(d) for d in rendered.warnings],
        len(rendered.warnings),
        view.unit if view else "",
        totals,
        unit_filing(view) if view else None,
    )


def filing_of(job: Job) -> UnitFiling | None:
    """The summary part of a unit that was not rebuilt, from the content it was built from (this run's read)."""
    from docgen.check.submission import check_source
    from docgen.views.form import build_view

    try:
        source = parse(job.text, job.name)
    except SourceError:
        return None
    result = check_source(source)
    if result.submission is None or result.form is None:
        return None
    view = build_view(
        result.form,
        result.submission,
        source_name=job.name,
        source_bytes=job.text.encode("utf-8"),
        warnings=[str(d) for d in result.warnings],
    )
    return unit_filing(view)


def build_key(job: Job, templates_hash: str, form_hash: str) -> str:
    return sha256_bytes(
        "\0".join(
            [
                __version__,
                job.source_sha256,
                templates_hash,
                form_hash,
                ",".join(job.options.formats),
                str(job.options.strict),
                str(job.options.render.require_official_fonts),
                str(job.options.archive_parts),
            ]
        ).encode()
    )


class _Reporter:
    """A progress bar on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None):
        # sys.stderr looked up now, not at import: whoever runs the batch may have replaced it since
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.progress = None
        if self.stream.isatty() and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("生成中"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(file=self.stream),  # the bar on the stream it was asked for (rich's default: stdout)
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("", total=total)

    def say(self, text: str) -> None:
        """A line above the bar (a failing unit's messages, as it fails)."""
        if self.progress:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    def step(self, text: str) -> None:
        self.done += 1
        if self.progress:
            self.progress.update(self.task, advance=1, description=text)
        else:
            print(f"[{self.done}/{self.total}] {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.progress:
            self.progress.stop()


def _lost(job: Job, exc: BaseException) -> UnitResult:
    """The result of a unit whose worker died (killed, out of memory): rerunning the batch completes it."""
    return UnitResult(job.stem, job.name, "error", messages=[f"{job.name}: 工作进程异常退出（{exc}），请重新运行"])


def _run_local(
    jobs: list[Job],
    workers: int,
    on_result: Callable[[UnitResult], None],
    side: Callable[[], Callable[[], Any] | None] | None = None,
) -> Any:
    """Render the jobs in a pool of ``workers``. ``side`` gives one more task (picklable, module-level)
    for the same pool, or None: it is asked once the first ``workers`` units are under way (so it is
    worked out while they render) and its task goes before the other units, because it is the longest
    (the summary, laid out while the units are). Returns its result, or None when it failed or there
    was no pool."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            on_result(render_job(job))
        return None
    with workers_pool(workers) as pool:
        # Longest first (a file's length foretells its pages): the last units to finish are short
        # ones, so the two workers end together rather than one waiting on the largest packet.
        ordered = sorted(jobs, key=lambda job: -len(job.text))
        pending: dict[Future, Job] = {pool.submit(render_job, job): job for job in ordered[:workers]}
        extra = None
        rest = ordered[workers:]
        try:
            task = side() if side is not None else None
            extra = pool.submit(task) if task is not None else None
            while rest:
                pending[pool.submit(render_job, rest[0])] = rest[0]
                rest = rest[1:]
        except BrokenProcessPool as exc:  # a worker died while the rest were being handed out
            for job in rest:
                on_result(_lost(job, exc))
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    try:
                        on_result(fut.result())
                    except BrokenProcessPool as exc:
                        on_result(_lost(job, exc))
        except KeyboardInterrupt:
            # Finished units are already written and recorded; a rerun completes the rest.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        if extra is None or extra.exception() is not None:
            return None  # the caller builds it again after the units, and meets the error there
        return extra.result()


def _run_dask(jobs: list[Job], scheduler: str, on_result: Callable[[UnitResult], None]) -> None:
    from distributed import Client, as_completed

    with Client(scheduler, timeout="30s") as client:
        futures = client.map(
            render_job, jobs, key=[f"docgen-{j.stem}-{j.source_sha256[:12]}" for j in jobs], pure=False
        )
        for fut in as_completed(futures):
            try:
                on_result(fut.result())
            except Exception as exc:  # noqa: BLE001 - a lost worker is this unit's failure
                job = jobs[futures.index(fut)]
                on_result(UnitResult(job.stem, job.name, "error", messages=[f"{job.name}: 集群执行失败：{exc}"]))


@dataclass
class BatchReport:
    results: dict[str, UnitResult]
    skipped: list[str]
    failed: list[str]
    form: Form | None = None  # the form the units name (its unit order lists them)

    @property
    def missing(self) -> list[tuple[str, str, str]]:
        """Published units with no file that built: (unit, 未报送 | status, reason)."""
        form = self.form or form_for()
        filed = {r.unit: r for r in self.results.values()}
        out = []
        for u in form.units:
            r = filed.get(u.name)
            if r is None:
                out.append((u.name, "未报送", "没有收到该单位的填报文件"))
            elif r.status != "ok":
                out.append((u.name, STATUS_TEXT.get(r.status, r.status), (r.messages or [""])[0]))
        return out

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def build(
    folder: Path,
    outdir: Path,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    notice: Path | None = None,
    strict: bool = False,
    templates: Path = TEMPLATES_DIR,
    force: bool = False,
    formats: tuple[str, ...] = FORMATS,
    summary: bool = True,
    archive: bool = True,
    log: Callable[[str], None] | None = None,
    render: RenderOptions = DEFAULT,
    ofd: bool = False,
    form: str | None = None,
) -> BatchReport:
    """Build every unit of `folder` into `outdir`; the library entry point behind `docgen batch`.

    A batch takes one form: `form` (an id, e.g. "2024"), by default the form most input files name; a file
    answering another form is refused by name and left out of the summary. Options, the form, the output
    folder and the notice are checked before any work (BatchRefused); one batch at a time writes an output
    folder (an flock on OUTDIR/.docgen.lock)."""
    if form is not None:
        check_form(form)
    check_outdir(folder, outdir)
    if notice is not None:
        check_notice(notice)
    if scheduler:
        check_scheduler(scheduler)
    with OutputLock(outdir):
        return _build(
            folder,
            outdir,
            jobs=jobs,
            scheduler=scheduler,
            notice=notice,
            strict=strict,
            templates=templates,
            force=force,
            formats=formats,
            summary=summary,
            archive=archive,
            log=log,
            render=render,
            ofd=ofd,
            form_id=form,
        )


def _form_hash(form_id: str) -> str:
    """What the outputs depend on of the forms: the built-in ones, and the batch's own when the province keeps it
    elsewhere (--forms), so that editing it rebuilds the units."""
    from docgen.form.catalog import builtin_dir, catalog

    found = tree_hash(DATA_DIR / "forms")
    path = catalog().path(form_id) if form_id else None
    if path is None or path.parent.resolve() == builtin_dir().resolve():
        return found
    return sha256_bytes(f"{found}\0{sha256_bytes(path.read_bytes())}".encode())


def _stems(paths: list[Path]) -> dict[Path, str]:
    """Output stems: the file's stem, or its whole name when two inputs share a stem (a.yaml, a.json)."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.stem] = counts.get(p.stem, 0) + 1
    return {p: p.stem if counts[p.stem] == 1 else p.name.replace(".", "_") for p in paths}


def _build(
    folder: Path,
    outdir: Path,
    *,
    jobs: int | None,
    scheduler: str | None,
    notice: Path | None,
    strict: bool,
    templates: Path,
    force: bool,
    formats: tuple[str, ...],
    summary: bool,
    archive: bool,
    log: Callable[[str], None] | None,
    render: RenderOptions,
    ofd: bool = False,
    form_id: str | None = None,
) -> BatchReport:
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    options = Options(
        formats=formats, templates=templates, strict=strict, render=render, archive_parts=archive and "pdf" in formats
    )
    manifest = Manifest.load(outdir)
    if manifest.warning:
        log(manifest.warning)
    templates_hash = tree_hash(templates)
    manifest.templates_sha256 = templates_hash
    inputs = sort_inputs(folder, form_id=form_id)
    form = inputs.form or form_for()
    form_hash = _form_hash(inputs.form_id)
    stems = _stems([p for p, _, _ in inputs.accepted])
    all_jobs = [Job(stems[p], p.name, text, options) for p, text, _ in inputs.accepted]
    refused = {r.name: r for r in inputs.refused}
    for r in inputs.refused:
        log(r.message)  # as soon as it is known, not after every unit has rendered

    keys = {job.stem: build_key(job, templates_hash, form_hash) for job in all_jobs}
    todo = [j for j in all_jobs if force or not manifest.is_fresh(j.stem, keys[j.stem], outdir)]
    skipped = [j.stem for j in all_jobs if j not in todo]
    results: dict[str, UnitResult] = {
        r.name: UnitResult(r.name, r.name, r.status, messages=[r.message], unit=r.unit) for r in inputs.refused
    }
    steps = len(todo) + int(summary) + int(archive and "pdf" in formats)
    reporter = _Reporter(steps)
    jobs_by_stem = {j.stem: j for j in all_jobs}

    names = {u.id: u.name for u in form.units}
    unit_of = {stems[p]: names[uid] for p, _, uid in inputs.accepted if uid in names}

    def on_result(res: UnitResult) -> None:
        results[res.stem] = res
        job = jobs_by_stem[res.stem]
        res.unit = res.unit or unit_of.get(res.stem, "")  # a failed unit is named by the unit its file names
        entry = UnitEntry(
            source=job.name,
            source_sha256=job.source_sha256,
            status=res.status,
            build_key=keys[res.stem],
            warnings=res.warnings,
            unit=res.unit,
            totals=res.totals,
            messages=res.messages,
        )
        if res.status == "ok":
            written = [
                write_bytes(
                    part_path(outdir, res.stem) if fmt == UNNUMBERED_PDF else outdir / f"{res.stem}.{fmt}", data
                )
                for fmt, data in res.outputs.items()
            ]
            entry.outputs = describe(outdir, written)
        manifest.record(res.stem, entry)
        manifest.save()  # after every unit: an interrupted batch keeps what it finished
        res.outputs = {}  # written: the bytes need not stay in memory
        if res.status != "ok":
            for line in res.messages:
                reporter.say(line)
        reporter.step(f"{res.stem} {'完成' if res.status == 'ok' else '失败'}")

    if todo and "pdf" in formats and not scheduler and (jobs or _default_workers()) > 1:
        # Workers are forked from this process: warm it once instead of once per worker.
        from docgen.writers.pdf.warmup import warm_up

        warm_up(templates)
    ahead: tuple[str, Callable[[], Any]] | None = None

    def summary_task() -> Callable[[], Any] | None:
        nonlocal ahead
        if summary:
            ahead = _summary_ahead(
                all_jobs, form, results, refused, manifest, outdir, templates, (templates_hash, form_hash)
            )
        return ahead[1] if ahead else None

    early: Any = None
    try:
        if scheduler:
            _run_dask(todo, scheduler, on_result)
        else:
            early = _run_local(todo, jobs or _default_workers(), on_result, summary_task)

        # Units that were fresh keep their manifest entries for the table; their summary part comes
        # from the content read in this run, never from a path or figures in the manifest.
        for stem in skipped:
            entry = manifest.units[stem]  # fresh, so recorded
            job = jobs_by_stem[stem]
            results[stem] = UnitResult(
                stem,
                job.name,
                "ok",
                warnings=entry.warnings,
                unit=entry.unit,
                totals=entry.totals,
                filing=filing_of(job),
            )
        # Units whose input file disappeared leave the manifest (their old outputs stay on disk).
        manifest.keep_units(jobs_by_stem)

        from docgen.batch.summary import summary_key, write_summary

        filings = [r.filing for r in results.values() if r.status == "ok" and r.filing is not None]
        failed_units = _failed_units(form, results, refused)
        summary_pdf: bytes | None = None
        if summary:
            key = summary_key(manifest, outdir, filings, failed_units, templates_hash, form_hash)
            if key:
                if ahead is not None and ahead[0] == key and early is not None:
                    outputs, facts = early  # built from exactly these filings while the units were
                else:
                    outputs, facts = SUMMARY.build(filings, failed_units, templates, form)
                write_summary(outdir, manifest, key, outputs, facts, log)
            reporter.step("汇总表 完成" if key else "汇总表 未变化")
            summary_pdf = _summary_part(outdir)
        if archive and "pdf" in formats:
            filed = {r.unit for r in results.values() if r.unit}
            absent = failed_units + [(u.name, "未报送", "") for u in form.units if u.name not in filed]
            built = ARCHIVE.build(
                folder,
                outdir,
                manifest,
                [notice] if notice else [],
                templates,
                templates_hash,
                log,
                summary_pdf=summary_pdf,
                missing=absent,
                form=form,
                ofd=ofd,
            )
            reporter.step("归档卷 完成" if built else "归档卷 未变化")
    finally:
        reporter.close()
    manifest.save()
    _write_index(outdir, form, results, refused)
    failed = sorted(stem for stem, r in results.items() if r.status != "ok")
    return BatchReport(results, skipped, failed, form)


def _summary_ahead(
    jobs: list[Job],
    form: Form,
    results: dict[str, UnitResult],
    refused: dict[str, Refusal],
    manifest: Manifest,
    outdir: Path,
    templates: Path,
    hashes: tuple[str, str],
) -> tuple[str, Callable[[], Any]] | None:
    """The summary as it will be if every unit builds: (its build key, the task that builds it), so a
    worker lays it out while the others render units (it is the batch's longest single task; after
    the units it ran alone on one core). None when a unit fails its check (the summary then waits
    for the units' own messages) or the summary is up to date. The caller uses the result only if
    the key computed from the units' real filings is the same, so the bytes are those it would build."""
    from functools import partial

    from docgen.batch.summary import summary_key

    filings = [filing_of(job) for job in jobs]
    if any(f is None for f in filings):
        return None
    failed = _failed_units(form, results, refused)
    key = summary_key(manifest, outdir, [f for f in filings if f is not None], failed, *hashes)
    if key is None:
        return None
    return key, partial(SUMMARY.build, filings, failed, templates, form)


def _summary_part(outdir: Path) -> bytes | None:
    from docgen.batch.summary import SUMMARY_PART

    path = outdir / SUMMARY_PART
    return path.read_bytes() if path.is_file() else None


def _failed_units(form: Any, results: dict[str, UnitResult], refused: dict[str, Refusal]) -> list[tuple[str, str, str]]:
    """(unit or file, status, reason) of every input that did not build, one line per unit."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for key in sorted(results):
        r = results[key]
        if r.status == "ok":
            continue
        who = r.unit or r.name
        if who in seen:
            continue
        seen.add(who)
        status = "重复报送" if key in refused and refused[key].unit else STATUS_TEXT.get(r.status, r.status)
        out.append((who, status, (r.messages or [""])[0]))
    return out


def _write_index(outdir: Path, form: Any, results: dict[str, UnitResult], refused: dict[str, Refusal]) -> None:
    """文件索引.csv (UTF-8 with BOM, so Excel and WPS open it): every published unit and its files."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["单位", "文件", "状态", "DOCX", "XLSX", "PDF", "说明"])
    by_unit: dict[str, list[UnitResult]] = {}
    loose: list[UnitResult] = []
    names = {u.name for u in form.units}
    for key in sorted(results):
        r = results[key]
        (by_unit.setdefault(r.unit, []) if r.unit in names else loose).append(r)
    for u in form.units:
        rows = by_unit.get(u.name, [])
        if not rows:
            w.writerow([u.name, "", "未报送", "", "", "", "没有收到该单位的填报文件"])
        for r in rows:
            ok = r.status == "ok"
            files = [f"{r.stem}.{ext}" if ok and (outdir / f"{r.stem}.{ext}").is_file() else "" for ext in FORMATS]
            w.writerow(
                [
                    u.name,
                    r.name,
                    STATUS_TEXT.get(r.status, r.status) if r.name not in refused or ok else "重复报送",
                    *files,
                    "" if ok else (r.messages or [""])[0],
                ]
            )
    for r in loose:
        w.writerow([r.unit, r.name, STATUS_TEXT.get(r.status, r.status), "", "", "", (r.messages or [""])[0]])
    write_bytes(outdir / INDEX_NAME, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def _print_table(report: BatchReport) -> None:
    from rich.console import Console
    from rich.table import Table

    form = report.form or form_for()
    tables = summed(form)  # the form's tables with a 合计 (a table of names and dates has none), in print order
    keys = [t.key for t in tables]
    table = Table(title="docgen batch")
    for col in ("单位", "状态", "警告", *(f"表{t.number}" for t in tables), f"合计（{form.amount_unit}）"):
        table.add_column(col, justify="right" if col not in ("单位", "状态") else "left")
    rank = {u.name: i for i, u in enumerate(form.units)}  # the published unit order
    for stem in sorted(report.results, key=lambda s: (rank.get(report.results[s].unit, len(rank)), s)):
        r = report.results[stem]
        state = STATUS_TEXT.get(r.status, r.status) + ("（未变化）" if stem in report.skipped else "")
        t = r.totals
        table.add_row(
            r.unit or stem,
            state,
            str(r.warnings),
            *(t.get(key, "") for key in keys),
            t.get("all", ""),
        )
    Console(stderr=False, width=160).print(table)


def run_batch(folder: Path, outdir: Path, **kwargs: Any) -> int:
    """CLI entry: build, print problems and the unit table, return the exit code."""
    interrupt_on_sigterm()
    from docgen.batch.guard import BatchRefused

    try:
        report = build(folder, outdir, **kwargs)
    except BatchRefused as exc:
        print(exc.message, file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("已中断：已完成的单位已写入；重新运行同一命令即可继续。", file=sys.stderr)
        return 130
    _print_table(report)
    missing = [u for u, status, _ in report.missing if status == "未报送"]
    if missing:
        print(f"未报送（{len(missing)} 个单位）：{'、'.join(missing)}")
    built = len(report.results) - len(report.skipped) - len(report.failed)
    print(
        f"共 {len(report.results)} 个单位：新生成 {built}，未变化 {len(report.skipped)}，失败 {len(report.failed)}。"
        f"输出目录：{outdir}"
    )
    return report.exit_code
