"""What the render workers run: one submission to one format's bytes, and a province batch job."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from docgen.io.reproducible import FIXED_ZIP_TIME
from docgen.options import DEFAULT, RenderOptions

FORMATS = ("pdf", "docx", "xlsx", "zip")  # zip holds the other three


def submission_source(data: bytes, filename: str) -> Any:
    """The bytes of a .yaml/.yml/.json or .xlsx upload as a parsed Source (raises InvalidInput)."""
    from docgen.io.source import SourceError, parse
    from docgen.models.diagnostics import Diagnostic, InvalidInput, source_error

    name = Path(filename).name or "submission.yaml"
    try:
        if name.lower().endswith(".xlsx"):
            from docgen.authoring.importer import ImportError_, import_workbook

            with tempfile.TemporaryDirectory(prefix="docgen-upload-") as tmp:
                path = Path(tmp) / name
                path.write_bytes(data)
                try:
                    text, _ = import_workbook(path)
                except ImportError_ as exc:
                    raise InvalidInput(
                        [Diagnostic("error", "workbook", name, 0, "（工作簿）", str(p)) for p in exc.problems]
                    ) from None
            return parse(text, Path(name).with_suffix(".yaml").name)
        return parse(data.decode("utf-8-sig"), name)
    except UnicodeDecodeError:
        raise InvalidInput([Diagnostic("error", "encoding", name, 0, "（文件）", "文件不是 UTF-8 编码")]) from None
    except SourceError as exc:
        raise InvalidInput([source_error(exc)]) from None


def render_submission(data: bytes, filename: str, fmt: str, templates: str, options: RenderOptions = DEFAULT) -> bytes:
    """One format's bytes (zip: docx, xlsx and pdf together) of a submission; raises InvalidInput."""
    from docgen.registry import Options, render_source

    source = submission_source(data, filename)
    formats = ("docx", "xlsx", "pdf") if fmt == "zip" else (fmt,)
    rendered = render_source(source, Options(formats=formats, templates=Path(templates), render=options))
    if fmt != "zip":
        return rendered.outputs[fmt]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in formats:  # fixed order and dates: same input, same bytes
            entry = zipfile.ZipInfo(f"{rendered.stem}.{ext}", date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, rendered.outputs[ext])
    return out.getvalue()


def notice_for(form_id: str) -> Path | None:
    """The notice that published the form (its number is the form's notice_number), if docgen has it."""
    import yaml

    from docgen.form.loading import load
    from docgen.io.paths import DATA_DIR

    number = load(form_id).notice_number
    for path in sorted((DATA_DIR / "notices").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("number") == number:
            return path
    return None


def job_files(outdir: Path) -> list[str]:
    """The files a batch job produced, as the API lists them (top level of its output folder)."""
    return sorted(p.name for p in outdir.iterdir() if p.is_file() and not p.name.startswith("."))


def run_batch_job(
    folder: str, outdir: str, templates: str, form_id: str, scheduler: str | None = None, jobs: int = 1
) -> dict[str, Any]:
    """`docgen batch FOLDER -o OUTDIR --form FORM_ID` for a service job (in a pool worker): every unit, summary, archive.

    Workbooks in FOLDER are first turned into YAML as `docgen import` does. The batch's progress
    and log lines go to OUTDIR/../batch.log; its manifest.json is saved after every unit, which is
    how the server follows progress. A rerun over the same folders resumes (finished units are kept)."""
    import contextlib

    from docgen.batch.runner import build

    src, out = Path(folder), Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for book in sorted(src.glob("*.xlsx")):
        try:
            source = submission_source(book.read_bytes(), book.name)
        except Exception as exc:  # noqa: BLE001 - this unit fails, the others go on
            from docgen.models.diagnostics import InvalidInput

            lines = [str(d) for d in exc.diagnostics] if isinstance(exc, InvalidInput) else [str(exc)]
            errors.extend(lines)
            continue
        from docgen.io.atomic import write_text

        write_text(src / f"{book.stem}.yaml", source.text)
        book.unlink()
    log_lines: list[str] = []
    with open(out.parent / "batch.log", "a", encoding="utf-8") as log, contextlib.redirect_stderr(log):
        report = build(
            src,
            out,
            jobs=jobs,
            scheduler=scheduler,
            notice=notice_for(form_id),
            form=form_id,
            templates=Path(templates),
            log=log_lines.append,
        )
        print("\n".join(log_lines), file=log)
    for stem in report.failed:
        errors.extend(report.results[stem].messages)
    return {"files": job_files(out), "failed": sorted(report.failed), "errors": errors, "units": len(report.results)}
