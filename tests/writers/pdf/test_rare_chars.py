"""CJK Ext-A…F characters are drawn by a face that really has them, and every face is embedded."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from docgen.registry import Options, render_file

RARE = {
    "㐀": "Ext-A U+3400",
    "𠀀": "Ext-B U+20000",
    "𪜀": "Ext-C U+2A700",
    "𬺰": "Ext-F U+2CEB0",
}
ROOT = Path(__file__).resolve().parents[3]


def _embedded_cmaps(pdf_path: Path) -> dict[str, set[int]]:
    """BaseFont name (with its subset tag) → the code points the embedded font program maps to glyphs."""
    reader = PdfReader(pdf_path)
    out: dict[str, set[int]] = {}
    for page in reader.pages:
        for ref in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/")
            if name in out:
                continue
            desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fd = desc["/FontDescriptor"].get_object()
            stream = next((fd[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in fd), None)
            assert stream is not None, f"font {name} is not embedded"
            tt = TTFont(io.BytesIO(stream.get_object().get_data()))
            out[name] = set(tt.getBestCmap() or {})
    return out


@pytest.fixture(scope="module")
def rare_pdf(tmp_path_factory) -> Path:
    src = (ROOT / "data/submissions/2024/guangzhou.yaml").read_text(encoding="utf-8")
    text = "".join(RARE)
    # the first project name carries the rare characters (quoted: YAML must keep them as text)
    src, n = re.subn(
        r"(\n\s+- name: )([^\n]+)", lambda m: f'{m.group(1)}"{text}{m.group(2).strip(chr(34))}"', src, count=1
    )
    assert n == 1
    folder = tmp_path_factory.mktemp("rare")
    path = folder / "rare.yaml"
    path.write_text(src, encoding="utf-8")
    rendered = render_file(path, Options(formats=("pdf",)))
    out = folder / "rare.pdf"
    out.write_bytes(rendered.outputs["pdf"])
    return out


def test_each_rare_character_is_drawn_by_a_face_that_has_it(rare_pdf):
    with pdfplumber.open(rare_pdf) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    cmaps = _embedded_cmaps(rare_pdf)
    for char, label in RARE.items():
        drawn = [c for c in chars if c["text"] == char]
        assert drawn, f"{label} {char} is missing from the PDF's text"
        for c in drawn:
            # the face that drew it must map this very code point to a glyph (not .notdef, not a look-alike)
            assert ord(char) in cmaps[c["fontname"]], f"{label} {char} drawn in {c['fontname']}, which lacks it"


def test_every_face_used_is_embedded(rare_pdf):
    out = subprocess.run(["pdffonts", str(rare_pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        # columns: name type encoding emb sub uni object ID
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), f"not embedded: {row}"
