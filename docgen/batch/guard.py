"""What a batch checks before any work: its options, its output folder's lock, and which files are submissions.

Every refusal is a `BatchRefused` with a Chinese message and the exit code the CLI returns (2 for a
usage problem, 1 for an invalid notice), raised before a single unit is rendered.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

from docgen.check.units import closest_unit, unit_named
from docgen.form.tree import Form
from docgen.models.year import form_words

LOCK_NAME = ".docgen.lock"  # the flock a running batch holds in its output folder
INPUT_SUFFIXES = (".yaml", ".yml", ".json")
SCHEDULER_TIMEOUT = 5.0  # seconds to reach a Dask scheduler before giving up


class BatchRefused(Exception):
    """The batch cannot start; nothing was rendered."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.message, self.code = message, code


def check_outdir(folder: Path, outdir: Path) -> None:
    """The output folder is a writable directory other than the input folder (created if missing)."""
    if outdir.exists() and not outdir.is_dir():
        raise BatchRefused(f"{outdir}: 输出目录不是目录（已有同名文件）；请用 -o 指定一个目录，如 build/2024")
    if outdir.resolve() == folder.resolve():
        raise BatchRefused(
            f"{outdir}: 输出目录不能与输入目录相同（生成的文件会与填报文件混在一起）；请用 -o 指定另一个目录，如 build/2024"
        )
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchRefused(f"{outdir}: 无法创建输出目录（{exc.strerror or exc}）") from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise BatchRefused(f"{outdir}: 输出目录不可写；请检查权限或换一个目录")


def check_scheduler(address: str) -> None:
    """A Dask scheduler answers at `address` (a TCP connect, a few seconds at most)."""
    url = urlparse(address if "://" in address else f"tcp://{address}")
    if url.scheme not in ("tcp", "tls") or not url.hostname or not url.port:
        raise BatchRefused(f"--scheduler {address}: 地址格式不对；应写成 tcp://主机:端口，例如 tcp://127.0.0.1:8786")
    try:
        with socket.create_connection((url.hostname, url.port), timeout=SCHEDULER_TIMEOUT):
            pass
    except OSError as exc:
        raise BatchRefused(
            f"--scheduler {address}: 无法连接 Dask 集群（{exc.strerror or exc}）；"
            "请确认 dask scheduler 已启动且地址、端口正确"
        ) from None


def check_notice(notice: Path) -> None:
    """The --notice file exists and passes validation (exit 1 with its diagnostics otherwise)."""
    from docgen.check.notice import load_notice
    from docgen.models.diagnostics import InvalidInput

    if not notice.is_file():
        raise BatchRefused(f"--notice {notice}: 文件不存在")
    try:
        load_notice(notice)
    except InvalidInput as exc:
        lines = [str(d) for d in exc.diagnostics]
        raise BatchRefused(
            "\n".join([*lines, f"{notice}: 通知未通过检查，未开始生成；请先运行 docgen validate {notice}"]), code=1
        ) from None


class OutputLock:
    """An exclusive flock on OUTDIR/.docgen.lock for the batch's lifetime; a second batch is refused."""

    def __init__(self, outdir: Path):
        self.path = outdir / LOCK_NAME
        self.fh: IO[str] | None = None

    def __enter__(self) -> OutputLock:
        self.fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            self.fh = None
            raise BatchRefused(
                f"{self.path.parent}: 另一个 docgen batch 正在写入该输出目录"
                f"{f'（进程 {holder}）' if holder else ''}；请等它结束后再运行，或换一个输出目录"
            ) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


def find_inputs(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
    )


@dataclass
class Refusal:
    """A file of the folder that is not built: why, and which unit it names (if any)."""

    name: str
    message: str
    unit: str = ""  # the published unit's name, when the file names one
    status: str = "invalid"  # its result's status (batch.runner.STATUS_TEXT says it in Chinese)


OTHER_FORM = "other-form"  # the status of a file answering another form than the batch's


@dataclass
class Sorted:
    accepted: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, text, unit id)
    form: Form | None = None  # the form the units answer
    refused: list[Refusal] = field(default_factory=list)
    form_id: str = ""  # its id (a form file's stem)


def check_form(form_id: str) -> None:
    """``--form ID`` names a form a batch can run on: one that exists and builds without problems."""
    from docgen.form.catalog import catalog
    from docgen.form.loading import available

    found = catalog().get(form_id)
    if found is None:
        shown = form_id[:100]  # what a person typed: never thousands of characters back
        raise BatchRefused(f"--form {shown}: 没有{form_words(shown)}；可用的征集表：{'、'.join(available())}")
    if found.form is None or not found.ok:
        first = found.problems[0] if found.problems else ""
        raise BatchRefused(
            f"--form {form_id}: {form_words(form_id)}定义有误（{len(found.problems)} 处），未开始生成；"
            f"请先运行 docgen form check {found.file}。{first}"
        )


def _chosen(named: list[str | None]) -> str:
    """The form most inputs name (the newest on a tie), else the newest form: the batch's default --form."""
    from docgen.form.loading import form_for

    return form_for(named).id


def sort_inputs(folder: Path, form: Form | None = None, form_id: str | None = None) -> Sorted:
    """Every input file is a submission for one published unit of the batch's form, once; anything else is
    refused, by name: a file that is no submission, names no unit of the form or another form, or a unit's
    second file. ``form_id``: the batch's form (by default the form most of them name); ``form``: that
    form, when the caller has it."""
    from docgen.check.aliases import form_id_named
    from docgen.form.loading import load
    from docgen.io.source import SourceError, parse
    from docgen.registry import input_kind

    out = Sorted()
    read: list[tuple[Path, str, object]] = []
    for path in find_inputs(folder):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            out.refused.append(Refusal(path.name, f"{path}: 无法读取（{exc}）；填报文件应为 UTF-8 编码的 YAML 或 JSON"))
            continue
        try:
            read.append((path, text, parse(text, path.name).data))
        except SourceError:
            out.accepted.append((path, text, ""))  # its syntax error is reported by the worker like any other
    submissions = [(path, text, data) for path, text, data in read if input_kind(data) == "submission"]
    chosen = out.form_id = form_id or _chosen([form_id_named(data) for _, _, data in submissions])
    if form is None:
        check_form(chosen)
    form = out.form = form or load(chosen)
    by_unit: dict[str, list[tuple[Path, str]]] = defaultdict(list)
    for path, text, data in read:
        kind = input_kind(data)
        if kind != "submission":
            what = {"notice": "通知", "form": "征集表（表样）"}.get(kind, kind)
            out.refused.append(
                Refusal(
                    path.name,
                    f"{path}: 不是填报文件（是{what}），未使用；通知请用 --notice 指定，"
                    "征集表表样不要放在填报文件目录中",
                )
            )
            continue
        named = form_id_named(data)
        if named is not None and named != chosen:
            out.refused.append(Refusal(path.name, _other_form(path, named, chosen), status=OTHER_FORM))
            continue
        name = data.get("unit") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name.strip():
            out.accepted.append((path, text, ""))  # the worker reports the missing unit with its line
            continue
        unit = unit_named(form, name)
        if unit is None:
            near = closest_unit(form, name)
            out.refused.append(
                Refusal(
                    path.name,
                    f"{path}: 填报单位“{name.strip()}”不在通知的单位名单中；最接近的是“{near}”，请按名单写全称",
                )
            )
            continue
        by_unit[unit.id].append((path, text))
    for uid, files in by_unit.items():
        unit = form.unit(uid)
        assert unit is not None
        if len(files) == 1:
            out.accepted.append((files[0][0], files[0][1], uid))
            continue
        names = "、".join(p.name for p, _ in files)
        for path, _ in files:
            out.refused.append(
                Refusal(
                    path.name,
                    f"{path}: {unit.name}有 {len(files)} 份填报文件（{names}），均未生成；请只保留一份后重新运行",
                    unit.name,
                )
            )
    out.accepted.sort(key=lambda a: a[0].name)
    return out


def _other_form(path: Path, named: str, chosen: str) -> str:
    """Why a file that answers another form is left out, and what to do with it."""
    from docgen.form.loading import available

    if named in available():
        todo = f"该征集表的填报请另行批处理（docgen batch … --form {named}）"
    else:
        todo = f"没有{form_words(named)}，请改正文件中的 form"
    return f"{path}: 填报的是{form_words(named)}，不是本次批处理的{form_words(chosen)}，未纳入本次生成和汇总表；{todo}"


__all__ = [
    "LOCK_NAME",
    "BatchRefused",
    "OutputLock",
    "Refusal",
    "check_form",
    "check_notice",
    "check_outdir",
    "check_scheduler",
    "closest_unit",
    "find_inputs",
    "sort_inputs",
]
