"""Helpers and fixtures of the notice tests: the seed notice's sentences, reading PDF lines,
each notice rendered ONCE per session (cached) and converted by LibreOffice once.

Test modules import the fixtures they use from here (no conftest.py in this folder: a second
module named ``conftest`` would shadow tests/conftest.py for ``from testkit import …``)."""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from testkit import SEED, built_once, in_ci, libreoffice  # noqa: F401 - the project's CI rule, one copy
from testkit import require as need

from docgen.io.paths import BUILD_DIR, DATA_DIR
from docgen.registry import Options, render_file
from docgen.standard import gbt9704 as L

SEED_NOTICE = DATA_DIR / "notices" / "2023-233.yaml"
SIGNED_NOTICE = DATA_DIR / "notices" / "example-2024-signed.yaml"
OUT = BUILD_DIR / "notice-tests" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # one folder per test worker


# --------------------------------------------------------------------------- seed text
def clean_seed(text: str) -> str:
    """The seed's text without the PDF extraction's marks: markdown, list dashes, rules, spaces."""
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if set(s) <= set("-") and s:
            continue  # '---' rules
        s = re.sub(r"^#+\s*", "", s)
        s = re.sub(r"^-\s+", "", s)
        s = s.replace("**", "").replace("\\*", "*")
        s = re.sub(r"<(https?://[^>]+)>", r"\1", s)
        lines.append(s)
    return re.sub(r"\s+", "", "".join(lines))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；：！!])", text) if s]


def seed_parts() -> tuple[str, str]:
    """(the notice up to 附件1, the 填写说明 and the 版记): what the notice prints as running text."""
    text = SEED.read_text(encoding="utf-8")
    head = text[: text.index("\n附件 1\n")]
    tail = text[text.index("## 2024 年知识产权专项经费使用计划表 填写说明") :]
    # The seed prints 校对 under the last 版记 rule, outside the 版心; GB/T 9704 7.4 keeps every
    # 版记 element inside, separated from the 印发 line by a thin rule: docgen prints it above.
    printer, proof = "广东省市场监督管理局办公室2023年5月25日印发", "校对：牛晨蕾"
    tail = clean_seed(tail).replace(printer + proof, proof + printer)
    return clean_seed(head), tail


# --------------------------------------------------------------------------- PDF reading
def lines_of(page, chars=None) -> list[tuple[float, list[dict]]]:
    """Upright characters grouped by baseline (pt from the page top), each line sorted by x."""
    groups: dict[float, list[dict]] = defaultdict(list)
    for ch in chars if chars is not None else page.chars:
        _a, b, c, _d, _e, f = ch["matrix"]
        if abs(b) > 1e-6 or abs(c) > 1e-6:
            continue  # turned page numbers
        groups[round(page.height - f, 1)].append(ch)
    return [(y, sorted(cs, key=lambda c: c["x0"])) for y, cs in sorted(groups.items())]


def text_of(cs) -> str:
    return "".join(c["text"] for c in cs)


def page_number_y() -> float:
    """Baseline below which only page numbers lie (pt): the em-box top 269 mm + most of the em."""
    return L.mm_to_pt(L.PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM) + 0.5 * L.PAGE_NUMBER_SIZE_PT


def running_text(pdf) -> str:
    """All upright text of portrait pages, page numbers left out, no white space."""
    out = []
    for page in pdf.pages:
        if page.width > page.height:
            continue
        for y, cs in lines_of(page):
            if y < page_number_y():
                out.append(text_of(cs))
    return re.sub(r"\s+", "", "".join(out))


def libreoffice_pdf(docx: bytes, stem: str) -> Path:
    """LibreOffice's PDF of ``docx`` (written as OUT/libreoffice/STEM.docx); the PDF's path."""
    outdir = OUT / "libreoffice"
    outdir.mkdir(parents=True, exist_ok=True)
    src = outdir / f"{stem}.docx"
    src.write_bytes(docx)
    target = outdir / f"{stem}.pdf"
    target.unlink(missing_ok=True)
    libreoffice([src], "pdf", outdir)
    assert target.exists(), "LibreOffice wrote no PDF"
    return target


# --------------------------------------------------------------------------- rendering (once)
@cache
def rendered(stem: str) -> dict[str, bytes]:
    """The notice's outputs, rendered once in this run (whichever test worker asks first)."""
    path = {"2023-233": SEED_NOTICE, "example-2024-signed": SIGNED_NOTICE}[stem]
    formats = ("docx", "pdf", "xlsx") if stem == "example-2024-signed" else ("docx", "pdf")

    def build(folder: Path) -> None:
        for fmt, data in render_file(path, Options(formats=formats)).outputs.items():
            (folder / f"{stem}.{fmt}").write_bytes(data)

    folder = built_once(f"notice-{stem}", build)
    outputs = {p.suffix[1:]: p.read_bytes() for p in sorted(folder.glob(f"{stem}.*"))}  # a notice has no xlsx
    OUT.mkdir(parents=True, exist_ok=True)
    for fmt, data in outputs.items():
        (OUT / f"{stem}.{fmt}").write_bytes(data)
    return outputs


@cache
def _lo(stem: str) -> Path:
    """LibreOffice's PDF of the notice's DOCX, converted once in this run."""
    docx = rendered(stem)["docx"]
    return built_once(f"notice-lo-{stem}", lambda folder: shutil.copy(libreoffice_pdf(docx, stem), folder)) / (
        f"{stem}.pdf"
    )


@pytest.fixture(scope="session")
def seed_rendered():
    return rendered("2023-233")


@pytest.fixture(scope="session")
def signed_rendered():
    return rendered("example-2024-signed")


@pytest.fixture(scope="session")
def seed_pdf(seed_rendered):
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        yield pdf


@pytest.fixture(scope="session")
def signed_pdf(signed_rendered):
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(signed_rendered["pdf"])) as pdf:
        yield pdf


@pytest.fixture(scope="session")
def seed_lo_pdf() -> Path:
    shutil.which("soffice") or need(False, "tool 'soffice' (LibreOffice)")
    return _lo("2023-233")


@pytest.fixture(scope="session")
def signed_lo_pdf() -> Path:
    shutil.which("soffice") or need(False, "tool 'soffice' (LibreOffice)")
    return _lo("example-2024-signed")
