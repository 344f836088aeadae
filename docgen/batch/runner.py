"""`docgen batch`: every unit's outputs in parallel, then the provincial summary and archive volume."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen import __version__
from docgen.batch.archive import part_path
from docgen.batch.manifest import Manifest, describe, sha256_bytes, tree_hash
from docgen.batch.workers import interrupt_on_sigterm
from docgen.batch.workers import pool as workers_pool
from docgen.io.atomic import write_bytes
from docgen.io.paths import DATA_DIR, TEMPLATES_DIR
from docgen.io.source import SourceError, parse
from docgen.models.diagnostics import InvalidInput
from docgen.models.form import Form, form_for, year_named
from docgen.registry import ARCHIVE, FORMATS, NOTICE, SUMMARY, UNNUMBERED_PDF, Options, kind_of, render_source

INPUT_SUFFIXES = (".yaml", ".yml", ".json")


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
    status: str  # ok | invalid | error
    outputs: dict[str, bytes] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    warnings: int = 0
    unit: str = ""
    totals: dict[str, str] = field(default_factory=dict)  # table key → amount text; "all" → grand total


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
    )


def find_inputs(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
    )


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
                str(job.options.require_official_fonts),
                str(job.options.archive_parts),
            ]
        ).encode()
    )


class _Reporter:
    """A progress bar on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.progress = None
        if stream.isatty() and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("生成中"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("", total=total)

    def step(self, text: str) -> None:
        self.done += 1
        if self.progress:
            self.progress.update(self.task, advance=1, description=text)
        else:
            print(f"[{self.done}/{self.total}] {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.progress:
            self.progress.stop()


def _run_local(jobs: list[Job], workers: int, on_result: Callable[[UnitResult], None]) -> None:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            on_result(render_job(job))
        return
    with workers_pool(workers) as pool:
        pending: dict[Future, Job] = {pool.submit(render_job, job): job for job in jobs}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    try:
                        on_result(fut.result())
                    except BrokenProcessPool as exc:
                        on_result(
                            UnitResult(
                                job.stem,
                                job.name,
                                "error",
                                messages=[f"{job.name}: 工作进程异常退出（{exc}），请重新运行"],
                            )
                        )
        except KeyboardInterrupt:
            # Finished units are already written and recorded; a rerun completes the rest.
            pool.shutdown(wait=False, cancel_futures=True)
            raise


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
) -> BatchReport:
    """Build every unit of `folder` into `outdir`; the library entry point behind `docgen batch`."""
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    outdir.mkdir(parents=True, exist_ok=True)
    options = Options(formats=formats, templates=templates, strict=strict, archive_parts=archive and "pdf" in formats)
    manifest = Manifest.load(outdir)
    templates_hash = tree_hash(templates)
    form_hash = tree_hash(DATA_DIR / "forms")
    manifest.data["templates_sha256"] = templates_hash

    notices: list[Path] = [notice] if notice else []
    all_jobs: list[Job] = []
    years: list[int | None] = []  # the form year each input names
    unreadable: list[UnitResult] = []
    for path in find_inputs(folder):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            unreadable.append(UnitResult(path.stem, path.name, "invalid", messages=[f"{path}: 无法读取：{exc}"]))
            continue
        try:
            data = parse(text, path.name).data
        except SourceError:
            data = None  # a submission, presumably: its syntax error is reported by the worker like any other
        if kind_of(data) is NOTICE:
            notices.append(path)
            continue
        years.append(year_named(data))
        all_jobs.append(Job(path.stem, path.name, text, options))

    form = form_for(years)
    keys = {job.stem: build_key(job, templates_hash, form_hash) for job in all_jobs}
    todo = [j for j in all_jobs if force or not manifest.is_fresh(j.stem, keys[j.stem], outdir)]
    skipped = [j.stem for j in all_jobs if j not in todo]
    results: dict[str, UnitResult] = {r.stem: r for r in unreadable}
    reporter = _Reporter(len(todo))
    jobs_by_stem = {j.stem: j for j in all_jobs}

    def on_result(res: UnitResult) -> None:
        results[res.stem] = res
        job = jobs_by_stem[res.stem]
        entry: dict[str, Any] = {
            "source": job.name,
            "source_sha256": job.source_sha256,
            "status": res.status,
            "build_key": keys[res.stem],
            "warnings": res.warnings,
            "unit": res.unit,
            "totals": res.totals,
            "messages": res.messages,
            "outputs": [],
        }
        if res.status == "ok":
            written = [
                write_bytes(
                    part_path(outdir, res.stem) if fmt == UNNUMBERED_PDF else outdir / f"{res.stem}.{fmt}", data
                )
                for fmt, data in res.outputs.items()
            ]
            entry["outputs"] = describe(outdir, written)
        manifest.record(res.stem, entry)
        manifest.save()  # after every unit: an interrupted batch keeps what it finished
        reporter.step(f"{res.stem} {'完成' if res.status == 'ok' else '失败'}")

    if todo and "pdf" in formats and not scheduler and (jobs or _default_workers()) > 1:
        # Workers are forked from this process: warm it once instead of once per worker.
        from docgen.writers.pdf.warmup import warm_up

        warm_up(templates)
    try:
        if scheduler:
            _run_dask(todo, scheduler, on_result)
        else:
            _run_local(todo, jobs or _default_workers(), on_result)
    finally:
        reporter.close()

    # Units that were fresh keep their manifest entries; report them from there.
    for stem in skipped:
        entry = manifest.entry(stem) or {}
        results[stem] = UnitResult(
            stem,
            entry.get("source", stem),
            "ok",
            warnings=entry.get("warnings", 0),
            unit=entry.get("unit", ""),
            totals=entry.get("totals", {}),
        )
    # Units whose input file disappeared leave the manifest (their old outputs stay on disk).
    for stem in list(manifest.data["units"]):
        if stem not in jobs_by_stem:
            del manifest.data["units"][stem]
    for res in unreadable:
        manifest.record(res.stem, {"source": res.name, "status": res.status, "messages": res.messages, "outputs": []})

    from docgen.batch.summary import summary_key, write_summary

    key = summary_key(manifest, outdir, templates_hash, form_hash) if summary else None
    # The summary renders in a second process while this one assembles the archive volume.
    with workers_pool(1) as side:
        pending = side.submit(SUMMARY.build, folder, manifest.data["units"], templates) if key else None
        if archive and "pdf" in formats:
            ARCHIVE.build(folder, outdir, manifest, notices, templates, templates_hash, log, form)
        if pending is not None and key is not None:
            outputs, facts = pending.result()
            write_summary(outdir, manifest, key, outputs, facts, log)
    manifest.save()
    failed = sorted(stem for stem, r in results.items() if r.status != "ok")
    return BatchReport(results, skipped, failed, form)


def _print_table(report: BatchReport) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="docgen batch")
    for col in ("单位", "状态", "警告", "表一", "表二", "表三", "表四", "合计（万元）"):
        table.add_column(col, justify="right" if col not in ("单位", "状态") else "left")
    status_text = {"ok": "成功", "invalid": "未通过检查", "error": "生成失败"}
    units = (report.form or form_for()).units
    rank = {u.name: i for i, u in enumerate(units)}  # the published unit order
    for stem in sorted(report.results, key=lambda s: (rank.get(report.results[s].unit, len(rank)), s)):
        r = report.results[stem]
        state = status_text.get(r.status, r.status) + ("（未变化）" if stem in report.skipped else "")
        t = r.totals
        table.add_row(
            r.unit or stem,
            state,
            str(r.warnings),
            t.get("retained", ""),
            t.get("post_subsidy", ""),
            t.get("support", ""),
            t.get("delegated", ""),
            t.get("all", ""),
        )
    Console(stderr=False, width=160).print(table)


def run_batch(folder: Path, outdir: Path, **kwargs: Any) -> int:
    """CLI entry: build, print problems and the unit table, return the exit code."""
    interrupt_on_sigterm()
    try:
        report = build(folder, outdir, **kwargs)
    except KeyboardInterrupt:
        print("已中断：已完成的单位已写入；重新运行同一命令即可继续。", file=sys.stderr)
        return 130
    for stem in report.failed:
        for line in report.results[stem].messages:
            print(line, file=sys.stderr)
    _print_table(report)
    built = len(report.results) - len(report.skipped) - len(report.failed)
    print(
        f"共 {len(report.results)} 个单位：新生成 {built}，未变化 {len(report.skipped)}，失败 {len(report.failed)}。"
        f"输出目录：{outdir}"
    )
    return report.exit_code
