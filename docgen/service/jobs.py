"""Province batch jobs kept in the database: every submitted filing, the summary and the archive volume.

A job copies the latest version of every `submitted` filing to one form into DATA/jobs/ID/input/
(one file per unit, named after the unit id), then runs `docgen batch`'s own ``build`` over it in
one warm pool worker (or, with --scheduler, that worker drives the Dask cluster as `docgen batch
--scheduler` does). The server follows progress through the batch's manifest.json, saved after
every unit. A job cut off by a crash or a stop is marked failed with the reason at the next start;
``POST /api/v1/jobs/{id}/restart`` runs it again over the same input and, like a rerun of
`docgen batch`, keeps the units that were already finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from docgen.batch.manifest import units_done
from docgen.service.models import Base, Filing, FilingVersion, utcnow
from docgen.service.renderpool import PoolClosed, PoolError, RenderPool
from docgen.service.work import job_files, run_batch_job

log = logging.getLogger("docgen.jobs")
JOB_STATUSES = ("queued", "running", "done", "failed")
CUT_OFF = "服务在任务运行期间停止或崩溃，任务被中断；可通过 POST /api/v1/jobs/{id}/restart 重新启动。"
ABANDONED = "服务正在停止，任务已放弃；可通过 POST /api/v1/jobs/{id}/restart 重新启动。"
PROGRESS_INTERVAL = 0.5  # seconds between looks at the manifest


class BatchJob(Base):
    """One province batch: its form, state, progress, the files it made and every problem."""

    __tablename__ = "batch_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    form_id: Mapped[str | None] = mapped_column(String(100), default=None, index=True)  # the form it ran on
    year: Mapped[int] = mapped_column(Integer)  # that form's year (its files are named after it)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[list[str]] = mapped_column(JSON, default=list)  # unit ids with the version each used
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text, default=None)  # why it failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def phase(self) -> str:
        """What a running job is doing: the units' packets, then the summary and the archive volume."""
        if self.status != "running":
            return self.status
        return "units" if self.done < self.total else "summary"

    @property
    def form(self) -> str:
        """The id of the form the job ran on (a job from before form ids: its year)."""
        return self.form_id or str(self.year)

    def included(self) -> list[tuple[str, int]]:
        """(unit id, version) of every filing the job took."""
        out = []
        for item in self.units or []:
            unit, at, number = item.rpartition("@")
            out.append((unit, int(number)) if at and number.isdigit() else (item, 0))
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "form": self.form,
            "year": self.year,
            "status": self.status,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "units": [{"unit": unit, "version": number} for unit, number in self.included()],
            "files": list(self.files or []),
            "errors": list(self.errors or []),
            "reason": self.reason,
            "attempts": self.attempts,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


class JobRunner:
    """Creates, runs, follows and recovers batch jobs; one asyncio task per running job."""

    def __init__(self, db: Any, pool: RenderPool, data: Path, templates: Path, scheduler: str | None = None):
        self.db, self.pool, self.templates, self.scheduler = db, pool, templates, scheduler
        self.root = Path(data) / "jobs"
        self._tasks: dict[str, asyncio.Task] = {}
        self._stopping = False

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def output(self, job_id: str) -> Path:
        return self.folder(job_id) / "out"

    # ---- start-up and shut-down

    async def recover(self) -> list[str]:
        """Mark every job left queued or running by the previous process as failed, with the reason."""

        def mark(session: Session) -> list[str]:
            jobs = session.scalars(select(BatchJob).where(BatchJob.status.in_(("queued", "running")))).all()
            for job in jobs:
                job.status, job.reason, job.finished_at = "failed", CUT_OFF.replace("{id}", job.id), utcnow()
            return [job.id for job in jobs]

        ids = await self.db.write(mark)
        for job_id in ids:
            log.warning(
                "batch job %s was cut off by the previous stop; marked failed",
                job_id,
                extra={"event": "job-recovered", "job": job_id},
            )
        return ids

    def stopping(self) -> None:
        """From now on a job that ends because the pool closed is recorded as abandoned by the stop."""
        self._stopping = True

    async def stop(self) -> None:
        """On shutdown, after the pool closed: wait until every job task has recorded how it ended."""
        self._stopping = True
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=10)

    # ---- API

    async def create(self, form_id: str, year: int, who: str) -> BatchJob:
        """A new job over the latest version of every submitted filing to the form `form_id` (of `year`); starts it."""
        job_id = uuid.uuid4().hex
        folder = self.folder(job_id) / "input"

        def create(session: Session) -> BatchJob:
            rows = session.execute(
                select(Filing.unit_id, FilingVersion.number, FilingVersion.filename, FilingVersion.content)
                .join(FilingVersion, (FilingVersion.filing_id == Filing.id) & (FilingVersion.number == Filing.latest))
                .where(Filing.form_id == form_id, Filing.status == "submitted")
                .order_by(Filing.unit_id)
            ).all()
            folder.mkdir(parents=True, exist_ok=True)
            for unit_id, _, filename, content in rows:
                suffix = Path(filename).suffix.lower()
                (folder / f"{unit_id}{suffix if suffix in INPUT_SUFFIXES else '.yaml'}").write_bytes(content)
            job = BatchJob(
                id=job_id,
                form_id=form_id,
                year=year,
                status="queued",
                total=len(rows),
                created_by=who,
                units=[f"{unit}@{number}" for unit, number, _, _ in rows],
                files=[],
                errors=[],
            )
            session.add(job)
            session.flush()
            return job

        try:
            job = await self.db.write(create)
        except BaseException:
            shutil.rmtree(self.folder(job_id), ignore_errors=True)
            raise
        self._start(job.id)
        return job

    async def get(self, job_id: str) -> BatchJob | None:
        return await self.db.read(lambda s: s.get(BatchJob, job_id))

    async def recent(self, form_id: str | None, limit: int) -> list[BatchJob]:
        """The newest jobs first (of one form, if given)."""

        def read(session: Session) -> list[BatchJob]:
            query = select(BatchJob).order_by(BatchJob.created_at.desc(), BatchJob.id).limit(limit)
            if form_id is not None:
                query = query.where(BatchJob.form_id == form_id)
            return list(session.scalars(query))

        return await self.db.read(read)

    def bundle(self, job: BatchJob, names: dict[str, str]) -> Path | None:
        """Every file of a finished job in one zip, made once; a unit's files under its Chinese name.

        ``names`` maps unit id → unit name. Entries: 汇总表 and 归档卷 at the top, each unit's files in
        单位文件包/ as "广州市市场监督管理局（知识产权局）.pdf"; fixed dates, so the same job gives the same bytes.
        """
        if job.status != "done" or not job.files:
            return None
        target = self.folder(job.id) / "bundle.zip"
        if target.is_file():
            return target
        import zipfile

        from docgen.io.reproducible import FIXED_ZIP_TIME

        tmp = target.with_name(f".bundle.{uuid.uuid4().hex}.zip")
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for name in job.files:
                    path = self.output(job.id) / name
                    if not path.is_file():
                        continue
                    stem, dot, ext = name.rpartition(".")
                    entry = f"单位文件包/{names[stem]}{dot}{ext}" if stem in names else name
                    info = zipfile.ZipInfo(entry, date_time=FIXED_ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o600 << 16
                    with path.open("rb") as src, zf.open(info, "w") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
            tmp.replace(target)  # a reader never sees half a zip
        finally:
            tmp.unlink(missing_ok=True)
        return target

    async def restart(self, job_id: str) -> BatchJob | None:
        """Run a failed job again over its input (finished units are kept); None if it cannot be."""

        def requeue(session: Session) -> BatchJob | None:
            job = session.get(BatchJob, job_id)
            if job is None or job.status != "failed":
                return None
            job.status, job.reason, job.finished_at = "queued", None, None
            job.attempts += 1
            job.errors = []
            return job

        job = await self.db.write(requeue)
        if job is not None:
            self._start(job.id)
        return job

    def file(self, job: BatchJob, name: str) -> Path | None:
        """A file the job produced, by its listed name only (nothing else under --data is reachable)."""
        if name not in (job.files or []):
            return None
        path = self.output(job.id) / name
        return path if path.is_file() else None

    # ---- running

    def _start(self, job_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job_id), name=f"batch-job-{job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def _update(self, job_id: str, **values: Any) -> None:
        def update(session: Session) -> None:
            job = session.get(BatchJob, job_id)
            if job is not None:
                for key, value in values.items():
                    setattr(job, key, value)

        await self.db.write(update)

    async def _run(self, job_id: str) -> None:
        job = await self.get(job_id)
        if job is None:
            return
        await self._update(job_id, status="running", started_at=utcnow())
        log.info("batch job %s started", job_id, extra={"event": "job-start", "job": job_id, "total": job.total})
        out = self.output(job_id)
        follow = asyncio.get_running_loop().create_task(self._follow(job_id, out))
        try:
            result = await self.pool.call(
                run_batch_job,
                str(self.folder(job_id) / "input"),
                str(out),
                str(self.templates),
                job.form,
                self.scheduler,
                self.pool.size,
                timeout=None,
                wait=True,
            )
        except PoolError as exc:
            reason = ABANDONED.replace("{id}", job_id) if isinstance(exc, PoolClosed) else f"批量生成失败：{exc}"
            await self._finish(job_id, out, "failed", [], reason)
            return
        except Exception as exc:
            log.exception("batch job %s crashed", job_id)
            await self._finish(job_id, out, "failed", [], f"批量生成失败：{type(exc).__name__}: {exc}")
            return
        finally:
            follow.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follow
        # Units that failed their checks are listed in `errors`; the job itself is done (as `docgen batch`
        # writes the others, the summary lists the failed units).
        await self._finish(job_id, out, "done", result["errors"], None)

    async def _finish(self, job_id: str, out: Path, status: str, errors: list[str], reason: str | None) -> None:
        files = job_files(out) if out.is_dir() else []
        await self._update(
            job_id, status=status, errors=errors, reason=reason, files=files, done=_progress(out), finished_at=utcnow()
        )
        log.info(
            "batch job %s %s",
            job_id,
            status,
            extra={"event": "job-end", "job": job_id, "status": status, "reason": reason, "errors": len(errors)},
        )

    async def _follow(self, job_id: str, out: Path) -> None:
        last = -1
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL)
            done = await asyncio.to_thread(_progress, out)
            if done != last:
                last = done
                await self._update(job_id, done=done)


def _progress(out: Path) -> int:
    """Units the batch has finished (ok or failed), from the manifest it saves after each one."""
    return units_done(out)
