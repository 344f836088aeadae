"""The year's archive volume: contents page, the notice, every unit's packet, continuous page numbers."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docgen import __version__
from docgen.batch.manifest import ArchiveEntry, Manifest, describe, outputs_intact, sha256_bytes, sha256_file
from docgen.form.loading import form_for
from docgen.form.tree import Form
from docgen.io.atomic import write_bytes
from docgen.models.diagnostics import InvalidInput
from docgen.views.summary import summary_title

ARCHIVE_NAME = "归档卷.pdf"
ARCHIVE_OFD = "归档卷.ofd"  # the same volume as OFD-A (GB/T 42133), with `docgen batch --ofd`
PARTS_DIR = ".archive"  # unnumbered copies of each packet, kept by the batch for the volume


@dataclass(frozen=True)
class Part:
    """One document of the volume, unnumbered, with the page numbers it carries in the volume."""

    author: str
    name: str
    pdf: bytes
    numbering: list[bool]  # per page: does it carry a number (the notice's 版记 page does not)
    kind: str = "unit"  # notice | unit | summary | note


def volume_title(form: Form) -> str:
    """The archive volume's title: the form's title with its last 表 read 归档卷 (…征集表 → …征集归档卷)."""
    head, found, tail = form.title.rpartition("表")
    return f"{head}归档卷{tail}" if found else f"{form.title}归档卷"


def part_path(outdir: Path, stem: str) -> Path:
    return outdir / PARTS_DIR / f"{stem}.pdf"


def _unit_order(form: Form, manifest: Manifest) -> list[str]:
    rank = {u.name: i for i, u in enumerate(form.units)}
    ok = manifest.ok_units()
    return sorted(ok, key=lambda stem: (rank.get(ok[stem].unit, len(rank)), stem))


def _notice_part(path: Path, templates: Path) -> Part:
    """The notice, laid out as `docgen render` does, unnumbered (the volume numbers it)."""
    from docgen.check.notice import load_notice
    from docgen.views.notice import build_notice_view
    from docgen.writers.pdf import engine
    from docgen.writers.pdf import notice as notice_pdf

    notice = load_notice(path)
    view = build_notice_view(notice)
    doc, _ = notice_pdf.layout(view, Path(templates))
    pdf = engine.write_document(doc, metadata=notice_pdf.metadata(view), finish=False)
    numbered = [n is not None for n in notice_pdf.page_numbering(len(doc.pages))]
    return Part(notice.issuer, f"{notice.number} {notice.title_text}", pdf, numbered)


NOTE_TITLE = "卷内备考表"


def _closing_note(
    form: Form,
    parts: list[Part],
    missing: list[tuple[str, str, str]],
    toc_pages: int,
    note_pages: int,
    templates: Path,
    meta: Any,
) -> bytes:
    """卷内备考表: what the volume holds, what it lacks and why, and lines for the archivist's signatures."""
    from docgen.writers.pdf import engine

    numbered = sum(len(p.numbering) for p in parts) + note_pages
    html = (
        engine.jinja_env(Path(templates))
        .get_template("html/archive_note.html.j2")
        .render(
            title=NOTE_TITLE,
            volume=volume_title(form),
            notice_number=form.notice_number,
            items=len(parts) + 1,
            numbered=numbered,
            toc_pages=toc_pages,
            total=toc_pages + numbered,
            units=sum(1 for p in parts if p.kind == "unit"),
            missing=missing,
            **engine.template_context(),
        )
    )
    return engine.write_document(engine.render_html(html, base_url=templates), metadata=meta, finish=False)


def assemble(form: Form, parts: list[Part], templates: Path, missing: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """Contents page(s) + parts + 卷内备考表, one outline entry each (a part's own bookmarks nested),
    numbered 1…N after the contents."""
    from pypdf import PdfReader

    from docgen.writers.pdf import engine, pagenum

    title = volume_title(form)
    meta = engine.PdfMetadata(
        title=title,
        author="广东省市场监督管理局（知识产权局）",
        subject=f"{form.title}：通知及各单位填报材料",
        keywords=(form.title, str(form.year)),
        date=form.deadline,
        properties={"year": str(form.year), "docgenVersion": __version__},
    )
    readers = [PdfReader(io.BytesIO(p.pdf)) for p in parts]

    def contents(listed: list[Part], first_pages: list[int]) -> tuple[bytes, int]:
        env = engine.jinja_env(Path(templates))
        entries = [
            {"no": i + 1, "author": p.author, "name": p.name, "page": first_pages[i]} for i, p in enumerate(listed)
        ]
        html = env.get_template("html/archive.html.j2").render(
            title=title,
            notice_number=form.notice_number,
            year=form.year,
            entries=entries,
            generator=f"docgen {__version__}",
            **engine.template_context(),
        )
        doc = engine.render_html(html, base_url=templates)
        return engine.write_document(doc, metadata=meta, finish=False), len(doc.pages)

    # Page numbers run across the parts and the 备考表 (the contents page is not numbered). The 备考表
    # states the volume's page count, so it is laid out once more if it is not one page long.
    note_pages = 1
    for _ in range(3):
        first_pages, n = [], 1
        for p in parts:
            first_pages.append(n)
            n += len(p.numbering)
        first_pages.append(n)
        toc, toc_pages = contents(
            [*parts, Part("广东省市场监督管理局（知识产权局）", NOTE_TITLE, b"", [], kind="note")], first_pages
        )
        note = _closing_note(form, parts, list(missing), toc_pages, note_pages, templates, meta)
        got = len(PdfReader(io.BytesIO(note)).pages)
        if got == note_pages:
            break
        note_pages = got
    parts = [*parts, Part("广东省市场监督管理局（知识产权局）", NOTE_TITLE, note, [True] * note_pages, kind="note")]
    readers.append(PdfReader(io.BytesIO(note)))
    numbering: list[int | None] = [None] * toc_pages
    page = 1
    for part in parts:
        for carries in part.numbering:
            numbering.append(page if carries else None)
            page += 1
    # The /ID derives from the inputs (contents page and parts), so the same inputs give the same bytes.
    id_source = toc + b"".join(p.pdf for p in parts) + repr(numbering).encode()
    writer = engine.open_writer(toc, id_source)
    for part, reader in zip(parts, readers, strict=True):
        # The notice and each packet keep their own bookmarks nested; the summary and 备考表 are one entry each.
        writer.append(reader, outline_item=f"{part.author} {part.name}", import_outline=part.kind in ("notice", "unit"))
    pagenum.stamp(writer, numbering)
    return engine.finish_writer(writer, meta)


def build_archive(
    folder: Path,
    outdir: Path,
    manifest: Manifest,
    notices: list[Path],
    templates: Path,
    templates_hash: str,
    log: Callable[[str], None],
    summary_pdf: bytes | None = None,
    missing: Sequence[tuple[str, str, str]] = (),
    form: Form | None = None,
    ofd: bool = False,
) -> list[Path]:
    """(Re)build 归档卷.pdf (and 归档卷.ofd, OFD-A, when ``ofd``) when any packet, the notice, the summary or a
    template changed."""
    units = manifest.units
    form = form or form_for()
    order = _unit_order(form, manifest)
    stems = [s for s in order if part_path(outdir, s).is_file()]
    if not stems:
        return []
    key = sha256_bytes(
        repr(
            (
                [(s, sha256_file(part_path(outdir, s))) for s in stems],
                [sha256_file(p) for p in notices],
                templates_hash,
                sha256_bytes(summary_pdf or b""),
                sorted(missing),
                *(("ofd",) if ofd else ()),  # the key of a PDF-only volume stays what it was
            )
        ).encode()
    )
    entry = manifest.archive
    if entry is not None and entry.build_key == key and outputs_intact(entry.outputs, outdir):
        return []
    from pypdf import PdfReader

    parts: list[Part] = []
    for notice in notices[:1]:
        try:
            parts.append(replace(_notice_part(notice, templates), kind="notice"))
        except InvalidInput as exc:
            for d in exc.diagnostics:
                log(str(d))
            log(f"{notice}: 通知未通过检查，归档卷中不含通知")
    for stem in stems:
        pdf = part_path(outdir, stem).read_bytes()
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        parts.append(Part(units[stem].unit or stem, f"{form.title}（填报材料）", pdf, [True] * pages))
    if summary_pdf:
        pages = len(PdfReader(io.BytesIO(summary_pdf)).pages)
        parts.append(
            Part(
                "广东省市场监督管理局（知识产权局）",
                summary_title(form),
                summary_pdf,
                [True] * pages,
                kind="summary",
            )
        )
    volume = assemble(form, parts, templates, missing)
    written = [write_bytes(outdir / ARCHIVE_NAME, volume)]
    if ofd:  # the volume's own pages, not a second layout
        from docgen.writers.ofd.subset import UnknownFont
        from docgen.writers.ofd.writer import write_ofd

        try:
            written.append(write_bytes(outdir / ARCHIVE_OFD, write_ofd(volume, archive=True)))
        except UnknownFont as exc:  # templates naming a face docgen does not have: the PDF volume stands
            log(f"{ARCHIVE_OFD} 未生成：{exc}；模板只能使用 docgen 的字体（见 docgen fonts）")
    else:  # an OFD of an earlier run no longer holds this volume's pages
        (outdir / ARCHIVE_OFD).unlink(missing_ok=True)
    manifest.archive = ArchiveEntry(key, describe(outdir, written), [p.author + " " + p.name for p in parts])
    for path in written:
        log(f"已生成 {path}")
    return written
