"""The PDF packet, measured in the PDF (pdfplumber / pypdf): pages, 版心, fonts, page numbers,
header and label repetition, every value, embedded source, PDF/A metadata, reproducibility."""

from __future__ import annotations

import copy
import io
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import yaml
from pdfmeasure import (
    body_chars,
    embedded_cmaps,
    is_landscape,
    mm,
    nows,
    number_geometry,
    source_cmap,
    text_box,
)

from docgen.io.paths import DATA_DIR, TEMPLATES_DIR
from docgen.options import RenderOptions
from docgen.standard import gbt9704 as L

EXAMPLES = DATA_DIR / "submissions" / "2024"
GZ = EXAMPLES / "guangzhou.yaml"
EXT_B, LING = "\U00020000", "\u3007"  # 𠀀 (CJK Ext-B) and 〇: tofu traps
TOL = 1.5  # pt: font bounding boxes may overshoot the em box slightly


def _view(source):
    from docgen.check.submission import check_source
    from docgen.views.form import build_view

    result = check_source(source)
    assert result.submission is not None, [str(d) for d in result.diagnostics]
    return build_view(
        result.form, result.submission, source_name=Path(source.file).name, source_bytes=source.text.encode("utf-8")
    ), result


def _fonts_or_fail():
    from testkit import require

    from docgen.standard import fonts

    try:
        fonts.resolve_all()
        ext_b = any(fonts.has_glyph(f, EXT_B) for f in fonts.fallbacks())
    except fonts.FontError as exc:
        require(False, f"fonts ({exc})")
        return
    require(ext_b, "a font covering CJK Ext-B (HanaMinB)")


class Rendered:
    def __init__(self, source):
        from docgen.writers.pdf.engine import element_ids_per_page
        from docgen.writers.pdf.packet import layout, write_laid_out

        self.source = source
        self.view, self.result = _view(source)
        # laid out once: write_pdf is exactly layout + write_laid_out (test_reproducible renders it whole)
        doc, self.splits, self.passes = layout(self.view, source, TEMPLATES_DIR)
        self.rows = element_ids_per_page(doc)
        self.pdf = write_laid_out(self.view, source, doc)[0]
        self._plumber = pdfplumber.open(io.BytesIO(self.pdf))
        self.pages = self._plumber.pages
        self.reader = pypdf.PdfReader(io.BytesIO(self.pdf))

    def table_pages(self, tid: str) -> list[int]:
        return [i for i, ids in enumerate(self.rows) if any(x.startswith(tid + "-") for x in ids)]


def long_group_source():
    """Guangzhou plus an own delegated work item whose 12 projects cannot fit on one page,
    a project whose 必要性 is taller than a page, and 𠀀 / 〇 in the text."""
    from docgen.io.source import parse

    data = yaml.safe_load(GZ.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    projects = [
        {
            "name": f"测试项目{LING}{i + 1}号",
            "amount": 10 + i,
            "necessity": f"跨页测试{EXT_B}：" + "专业市场侵权假冒多发，需建立正品正货承诺和快速处置机制。" * 3,
            "policy_basis": "《关于强化知识产权保护的意见》",
            "performance": f"培育示范商户不少于{i + 10}家",
            "remarks": "",
        }
        for i in range(12)
    ]
    data["delegated"].append(
        {
            "category": "知识产权高效能转化",
            "work": "各地市拟在省局拨付资金中自行开展的工作内容（跨页测试）",
            "projects": projects,
        }
    )
    data["retained"][0]["projects"][0]["necessity"] = (
        "我市已建成省级高价值专利培育布局中心，需在汽车、集成电路领域补齐布局短板。" * 45 + "（完）"
    )
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return parse(text, "long-group.yaml")


@pytest.fixture(scope="module")
def gz():
    _fonts_or_fail()
    from docgen.io.source import load

    return Rendered(load(GZ))


@pytest.fixture(scope="module")
def long():
    _fonts_or_fail()
    return Rendered(long_group_source())


@pytest.fixture(scope="module", params=["gz", "long"])
def any_doc(request):
    return request.getfixturevalue(request.param)


# --------------------------------------------------------------------------- pages and 版心


def test_page_sizes(any_doc):
    first, *rest = any_doc.pages
    assert abs(first.width - 595.28) < 1 and abs(first.height - 841.89) < 1
    assert rest, "the tables need pages"
    for page in rest:
        assert abs(page.width - 841.89) < 1 and abs(page.height - 595.28) < 1


def test_all_text_inside_text_block(any_doc):
    for n, page in enumerate(any_doc.pages, 1):
        x0, top, x1, bottom = text_box(page)
        for ch in body_chars(page):
            assert x0 - TOL <= ch["x0"] and ch["x1"] <= x1 + TOL, (n, ch["text"], ch["x0"], ch["x1"])
            assert top - TOL <= ch["top"] and ch["bottom"] <= bottom + TOL, (n, ch["text"], ch["top"])


def test_font_sizes(gz):
    sizes = defaultdict(set)
    for page in gz.pages[1:]:
        for ch in body_chars(page):
            role = ch["fontname"].split("+")[-1].removesuffix("-Bold")  # 小标宋 substitute is a bold face
            sizes[role].add(round(ch["size"], 1))
    table = L.SIZE_PT["五号"]
    assert table in sizes["docgen-fangsong"]  # cell text
    assert table in sizes["docgen-heiti"]  # header
    assert L.BODY_SIZE_PT in sizes["docgen-heiti"]  # 附件1 label, 3号黑体
    assert sizes["docgen-xiaobiaosong"] == {L.TITLE_SIZE_PT}  # titles, 2号小标宋
    cover = {round(c["size"], 1) for c in gz.pages[0].chars if "fangsong" in c["fontname"]}
    assert L.BODY_SIZE_PT in cover


def test_attachment_label_first_line(gz):
    page = gz.pages[1]
    chars = [c for c in body_chars(page) if c["text"] in "附件1" and "heiti" in c["fontname"]]
    x0, top, _, _ = text_box(page)
    first = min(chars, key=lambda c: (c["top"], c["x0"]))
    assert first["text"] == "附" and abs(first["x0"] - x0) < 1
    assert first["top"] - top < L.LINE_PITCH_PT  # on line 1


# --------------------------------------------------------------------------- page numbers


def test_page_numbers(any_doc):
    for n, page in enumerate(any_doc.pages, 1):
        g = number_geometry(page)
        assert g, f"page {n} has no number"
        assert nows(g["text"]) == f"—{n}—"
        assert g["sizes"] == {L.PAGE_NUMBER_SIZE_PT}
        if is_landscape(page):
            assert g["rotated"]
            assert abs(g["line_top"] - mm(L.LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM)) < 0.5
            top = mm(L.LANDSCAPE_MARGIN_TOP_MM)
            if n % 2:
                assert abs(g["end"] - (top + mm(L.LANDSCAPE_TEXT_HEIGHT_MM) - L.PAGE_NUMBER_INSET_PT)) < 0.5
            else:
                assert abs(g["start"] - (top + L.PAGE_NUMBER_INSET_PT)) < 0.5
        else:
            assert not g["rotated"]
            assert abs(g["line_top"] - mm(L.PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM)) < 0.5
            if n % 2:
                assert abs(g["end"] - (mm(L.MARGIN_LEFT_MM + L.TEXT_WIDTH_MM) - L.PAGE_NUMBER_INSET_PT)) < 0.5
            else:
                assert abs(g["start"] - (mm(L.MARGIN_LEFT_MM) + L.PAGE_NUMBER_INSET_PT)) < 0.5


# --------------------------------------------------------------------------- tables


def _column_ranges(page, table):
    x0, _, x1, _ = text_box(page)
    out, x = [], x0
    for col in table.columns:
        w = (x1 - x0) * col.share
        out.append((x, x + w))
        x += w
    return out


def _column_text(chars, lo, hi):
    inside = [c for c in chars if lo - 0.5 <= (c["x0"] + c["x1"]) / 2 <= hi + 0.5]
    return "".join(c["text"] for c in sorted(inside, key=lambda c: (round(c["top"]), c["x0"])))


def test_header_on_every_table_page(any_doc):
    for ti, table in enumerate(any_doc.view.tables):
        pages = any_doc.table_pages(f"t{ti}")
        assert pages or not table.rows
        for p in pages:
            page = any_doc.pages[p]
            heads = [
                c for c in body_chars(page) if "heiti" in c["fontname"] and round(c["size"], 1) == L.SIZE_PT["五号"]
            ]
            for col, (lo, hi) in zip(table.columns, _column_ranges(page, table)):
                assert _column_text(heads, lo, hi).startswith(nows(col.title)), (p + 1, col.title)


def test_label_repeated_when_group_breaks(long):
    """The 12-project group spans pages: on each page it continues, 类型 and 主要工作内容 are printed again."""
    assert long.passes >= 2 and long.splits
    ti = len(long.view.tables) - 1
    table = long.view.tables[ti]
    checked = 0
    for p in long.table_pages(f"t{ti}"):
        first = next(x for x in long.rows[p] if x.startswith(f"t{ti}-"))
        row = table.rows[int(first.rsplit("-", 1)[1])]
        page = long.pages[p]
        cells = [c for c in body_chars(page) if "fangsong" in c["fontname"] or "fallback" in c["fontname"]]
        ranges = _column_ranges(page, table)
        for ci, cell in enumerate(row.cells):
            if cell.covered:
                checked += 1
                assert nows(cell.text) in _column_text(cells, *ranges[ci]), (p + 1, table.columns[ci].key)
    assert checked >= 2


def test_row_taller_than_a_page(long):
    """A row taller than a page starts right below the header on the first table page and
    breaks inside; the header repeats above its continuation (test_header_on_every_table_page)."""
    pages = [i for i, ids in enumerate(long.rows) if "t0-0" in ids]
    assert len(pages) >= 2 and pages[0] == 1
    assert long.splits["t0"].tall(0)
    last = nows("".join(c["text"] for c in body_chars(long.pages[pages[-1]])))
    assert "（完）" in last


def test_every_value_present(any_doc):
    for ti, table in enumerate(any_doc.view.tables):
        pages = any_doc.table_pages(f"t{ti}")
        streams = [""] * len(table.columns)
        for p in pages:
            page = any_doc.pages[p]
            chars = [
                c for c in body_chars(page) if "heiti" not in c["fontname"] or round(c["size"], 1) != L.SIZE_PT["五号"]
            ]
            for ci, rng in enumerate(_column_ranges(page, table)):
                streams[ci] += _column_text(chars, *rng)
        for row in table.body:
            for ci, cell in enumerate(row.cells):
                if cell.text and not cell.hidden:
                    # Characters outside the BMP come from the fallback font, whose glyphs sit on
                    # their own (different ascent) and sort elsewhere in the column: check them apart.
                    wide = [ch for ch in cell.text if ord(ch) > 0xFFFF]
                    bmp = "".join(ch for ch in nows(cell.text) if ord(ch) <= 0xFFFF)
                    column = "".join(ch for ch in streams[ci] if ord(ch) <= 0xFFFF)
                    assert bmp in column, (table.key, table.columns[ci].key, cell.text)
                    assert all(ch in streams[ci] for ch in wide), (table.key, table.columns[ci].key, wide)
        total = table.total_row
        if total is not None:
            text = "".join(nows(p.extract_text()) for p in (any_doc.pages[i] for i in pages))
            assert table.total_text in text


def test_cover_lists_totals_and_pages(gz):
    text = nows(gz.pages[0].extract_text())
    view = gz.view
    for _label, value in view.info_line:
        assert nows(value) in text
    (contents,) = gz.pages[0].extract_tables()
    rows = [[nows(c or "") for c in row] for row in contents]
    for ti, table in enumerate(view.tables):
        first_page = gz.table_pages(f"t{ti}")[0] + 1
        assert [
            f"（{table.number}）",
            nows(table.subtitle),
            str(table.project_count),
            table.total_text,
            str(first_page),
        ] in rows
    from docgen.standard.text import format_amount

    assert format_amount(view.grand_total) in text
    # the printed cover carries no generator, SHA-256 or font-substitution text (issue 11): those
    # are in the PDF's metadata (and `docgen fonts`)
    assert view.source_sha256 not in text and "docgen" not in text and "SHA" not in text and "替代" not in text
    xmp = gz.reader.xmp_metadata.stream.get_data()
    assert view.source_sha256.encode() in xmp and b"docgenVersion" in xmp


@pytest.mark.slow
def test_no_tofu(long):
    """Every character is drawn by an embedded docgen face whose font file maps it (𠀀 and 〇 included)."""
    embedded = embedded_cmaps(long.pdf)
    seen = set()
    for page in long.pages:
        for ch in page.chars:
            assert ch["fontname"] in embedded, ch["fontname"]
            if ch["text"].isspace():
                continue
            assert ord(ch["text"]) in source_cmap(ch["fontname"]), (ch["text"], ch["fontname"])
            seen.add(ch["text"])
    assert EXT_B in seen and LING in seen


def test_fonts_embedded(long, require_tool):
    import subprocess

    out = subprocess.run([require_tool("pdffonts"), "-"], input=long.pdf, capture_output=True).stdout.decode()
    if "Usage" in out or not out.strip():  # older pdffonts cannot read stdin
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(long.pdf)
            f.flush()
            out = subprocess.run([require_tool("pdffonts"), f.name], capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        emb = row.split()[-5]
        assert emb == "yes", row


# --------------------------------------------------------------------------- archive-grade


def test_embedded_source_round_trip(gz):
    from docgen.io.source import parse

    files = gz.reader.attachments
    assert list(files) == ["guangzhou.yaml"]
    data = files["guangzhou.yaml"][0]
    assert data == gz.source.text.encode("utf-8")
    _again, result = _view(parse(data.decode("utf-8"), "guangzhou.yaml"))
    assert result.submission == gz.result.submission
    root = gz.reader.trailer["/Root"]
    (spec,) = [x.get_object() for x in root["/AF"]]
    assert spec["/AFRelationship"] == "/Source"


def test_pdfa_metadata(gz):
    root = gz.reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert gz.view.unit in xmp and gz.view.document_title in xmp
    assert "<docgen:year>2024</docgen:year>" in xmp and "docgen:docgenVersion" in xmp
    assert "2023-05-26T00:00:00Z" in xmp
    assert "/OutputIntents" in root
    assert gz.pdf.startswith(b"%PDF-1.7")
    info = gz.reader.metadata
    assert info.title == gz.view.document_title and info.author == gz.view.unit
    assert info["/CreationDate"].startswith("D:20230526")


def test_bookmarks(gz):
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)

    walk(gz.reader.outline)
    for table in gz.view.tables:
        assert table.title in titles
    assert any(t.startswith("附件1") for t in titles)


@pytest.mark.slow
def test_reproducible(gz, examples):
    """Same input, same bytes: again in this process, and in another process (examples)."""
    from docgen.writers.pdf.packet import write_pdf

    assert write_pdf(gz.view, gz.source, TEMPLATES_DIR) == gz.pdf
    assert examples["guangzhou"].result()[0] == gz.pdf


def test_harfbuzz_subsetting():
    """Font subsetting must go through HarfBuzz (libharfbuzz-subset0): fontTools is ~10× slower."""
    from testkit import require

    from docgen.writers.pdf.engine import harfbuzz_subset

    require(harfbuzz_subset(), "libharfbuzz-subset0 (HarfBuzz font subsetting)")


def test_official_fonts_required():
    from docgen.io.source import load
    from docgen.standard import fonts
    from docgen.writers.pdf.packet import write_pdf

    try:
        fonts.resolve_all(require_official=True)
    except fonts.OfficialFontMissing:
        view, _ = _view(load(GZ))
        with pytest.raises(fonts.OfficialFontMissing):
            write_pdf(view, None, TEMPLATES_DIR, RenderOptions(require_official_fonts=True))
    else:
        pytest.skip("official fonts installed: nothing to refuse")


def _render_example(path: str) -> tuple[bytes, str, int]:
    """Worker: the packet of one example, its source bytes and the view's table count."""
    from docgen.io.source import load
    from docgen.writers.pdf.packet import write_pdf

    source = load(path)
    view, _ = _view(source)
    return write_pdf(view, source, TEMPLATES_DIR), source.text, len(view.tables)


@pytest.fixture(scope="module")
def examples():
    """Every example rendered once, two processes at a time (one per CPU, at most 4)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    _fonts_or_fail()
    paths = sorted(EXAMPLES.glob("*.yaml"))
    workers = max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {p.stem: pool.submit(_render_example, str(p)) for p in paths}
        return {stem: f for stem, f in futures.items()}


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_renders(examples, path):
    pdf, text, tables = examples[path.stem].result()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1 + tables
    assert reader.attachments[path.name] == [text.encode("utf-8")]


# --------------------------------------------------------------------------- 合计 never alone


@pytest.fixture(scope="module")
def shenzhen():
    """Shenzhen's table （一） used to end with a page holding only the header and the 合计 row."""
    _fonts_or_fail()
    from docgen.io.source import load

    return Rendered(load(EXAMPLES / "shenzhen.yaml"))


@pytest.fixture(scope="module")
def yangjiang():
    """Yangjiang's table （四）: the same, and its last data row lies inside a merged 类型 group."""
    _fonts_or_fail()
    from docgen.io.source import load

    return Rendered(load(EXAMPLES / "yangjiang.yaml"))


def _assert_total_has_company(doc, ti):
    table = doc.view.tables[ti]
    last = table.body[-1]
    pages = doc.table_pages(f"t{ti}")
    holding = [p for p in pages if "合计" in nows(doc.pages[p].extract_text())]
    assert holding == [pages[-1]], (ti, holding, pages)
    page = doc.pages[pages[-1]]
    cells = [c for c in body_chars(page) if not ("heiti" in c["fontname"] and round(c["size"], 1) == L.SIZE_PT["五号"])]
    ranges = _column_ranges(page, table)
    seq = _column_text(cells, *ranges[0])
    assert nows(last.cells[0].text) in seq, (ti, seq)
    name = next(ci for ci, col in enumerate(table.columns) if col.key in ("name", "work"))
    assert nows(last.cells[name].text) in nows(_column_text(cells, *ranges[name]))
    return table, last, page, cells, ranges


@pytest.mark.slow
def test_total_row_shares_its_page(shenzhen, yangjiang):
    """No table ends with the 合计 row alone on a page: the last data row is on that page too."""
    for doc in (shenzhen, yangjiang):
        for ti, table in enumerate(doc.view.tables):
            if table.total_row is not None and table.body and len(doc.table_pages(f"t{ti}")) > 1:
                _assert_total_has_company(doc, ti)
    # the layouts that needed it really got a forced break (else this test proves nothing)
    # the detector asks for the break when a layout leaves the 合计 alone (column widths now fit
    # the numbers, and neither example lays out that way any more: the case is built from a real
    # layout by moving the table's last page break before its 合计 row)
    from docgen.writers.pdf.packet import orphan_breaks

    for doc, ti in ((shenzhen, 0), (yangjiang, 3)):
        tid, n = f"t{ti}", len(doc.view.tables[ti].rows)
        ids = [rid for page in doc.rows for rid in page if rid.rpartition("-")[0] == tid]
        pages = [ids[:-1], [ids[-1]]] if len(ids) > 2 else [ids]
        assert orphan_breaks(doc.view, pages)[tid].breaks(n - 2)


def test_total_row_moved_row_repeats_its_group_label(yangjiang):
    """Yangjiang's last data row continues a merged 类型 group: moved to the last page, it
    carries the group's label again (the label repetition of a breaking group)."""
    table, last, _page, cells, ranges = _assert_total_has_company(yangjiang, 3)
    ci = next(i for i, col in enumerate(table.columns) if col.key == "category")
    assert last.cells[ci].covered
    assert nows(last.cells[ci].text) in nows(_column_text(cells, *ranges[ci]))


@pytest.mark.slow
def test_total_row_layout_stable(shenzhen):
    """Laying out again gives the same pages and splits, and another process the same bytes."""
    from docgen.writers.pdf.engine import element_ids_per_page
    from docgen.writers.pdf.packet import layout, orphan_breaks

    doc, splits, _ = layout(shenzhen.view, shenzhen.source, TEMPLATES_DIR)
    assert splits == shenzhen.splits
    rows = element_ids_per_page(doc)
    assert rows == shenzhen.rows
    assert not any(orphan_breaks(shenzhen.view, rows).values())


@pytest.mark.slow
def test_total_row_reproducible_across_processes(shenzhen, examples):
    assert examples["shenzhen"].result()[0] == shenzhen.pdf


def test_orphan_breaks_rules():
    """orphan_breaks on made-up page contents: asks for a break only when it can help."""
    from docgen.io.source import load
    from docgen.writers.pdf.packet import orphan_breaks
    from docgen.writers.pdf.splits import BREAK, Split, TableSplits

    view, _ = _view(load(EXAMPLES / "yangjiang.yaml"))
    n = len(view.tables[3].rows)
    tot, last = f"t3-{n - 1}", f"t3-{n - 2}"
    wanted = TableSplits.of({Split(n - 2, BREAK), Split(n - 2, 1)})
    assert orphan_breaks(view, [["t3-0", last], [tot]]) == {"t3": wanted}
    assert orphan_breaks(view, [["t3-0"], [last], [tot]]) == {"t3": TableSplits()}  # last row opens its page
    assert orphan_breaks(view, [["t3-0"], [last, tot]]) == {}
    assert orphan_breaks(view, [["t3-0", last, tot]]) == {}


# --------------------------------------------------------------------------- layout passes


def test_row_ids_never_become_pdf_destinations(long):
    """The rows' ids, read from Page.anchors for the layout passes, are taken off the pages: the
    packet's named destinations are the table sections the contents page links to, nothing more."""
    names = set(long.reader.named_destinations)
    assert names == {f"t{i}" for i in range(len(long.view.tables))}, sorted(names)
    assert any(len(ids) > 1 for ids in long.rows)  # and the layout did see the rows, page by page


def test_packet_css_parsed_once():
    """The packet's style sheet is parsed once per process and given to WeasyPrint as an object."""
    from docgen.writers.pdf.packet import packet_css

    assert packet_css(TEMPLATES_DIR) is packet_css(TEMPLATES_DIR)
    assert packet_css(TEMPLATES_DIR, cover=True) is not packet_css(TEMPLATES_DIR)


@pytest.mark.slow
def test_table_pages_are_what_the_cover_prints_whatever_file_the_filing_came_from(shenzhen):
    """The web preview's 目录 takes its page numbers from ``table_page_count`` (issue 22): the numbers the
    PDF's cover prints and where the tables really start; each table's cache key (``table_layout_inputs``)
    is the same for the filing saved as YAML and the page's JSON of it, and moves with that table alone."""
    import json

    from docgen.io.source import parse, to_jsonable
    from docgen.writers.pdf.packet import packet_html, table_layout_inputs, table_pages

    (contents,) = shenzhen.pages[0].extract_tables()
    printed = [int(row[-1]) for row in contents if row[0] and row[0].startswith("（")]
    starts = [shenzhen.table_pages(f"t{ti}")[0] + 1 for ti in range(len(shenzhen.view.tables))]
    assert table_pages(shenzhen.view, TEMPLATES_DIR) == printed == starts == [2, 6, 8, 9]

    def inputs(data):
        view, _ = _view(parse(json.dumps(to_jsonable(data), ensure_ascii=False), "深圳.json"))
        return table_layout_inputs(view, TEMPLATES_DIR)

    yaml_inputs = table_layout_inputs(shenzhen.view, TEMPLATES_DIR)
    assert inputs(shenzhen.source.data) == yaml_inputs
    changed = copy.deepcopy(shenzhen.source.data)
    changed["retained"][0]["work"] += "（修改）"  # a cell of table （一）
    moved = [a != b for a, b in zip(inputs(changed), yaml_inputs, strict=True)]
    assert moved == [True, False, False, False]

    # without the numbers (the preview before they are known) each page cell says so; the PDF's HTML is unchanged
    labelled = packet_html(shenzhen.view, None, TEMPLATES_DIR, pages_label="见PDF")
    assert labelled.count('">见PDF</a>') == len(shenzhen.view.tables)
    assert "见PDF" not in packet_html(shenzhen.view, None, TEMPLATES_DIR)
